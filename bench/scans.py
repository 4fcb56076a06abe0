"""The word-list scans of a message: the rules' blocklists, the risk
monitors' watched keywords and the spam detector's stop words, searched in
one scan (`rules.lexicon`) against the reference of three Blocklists each
scanning alone (as before), in the same run over the same messages.

bench/engine.py's mix runs through `Engine.handle` once, recording each
message as the risk feature received it, with its sender's role and the
spam guard's scrutiny; then each way runs over those messages as the engine
asks: the rules for every message, the keywords for members' messages, the
stop words for messages the detector checks (on the detector's `head`).
Every pass starts from a fresh view holding what the rules derived (folded,
squashed, words), so a figure is the scans' own; thread CPU, best of
`--repeat`.

    .venv/bin/python bench/scans.py [--mix realistic|worst] [--messages 20000]
                                    [--entries 0] [--repeat 7]

`--entries N` adds a generated blocklist rule of N entries (bench/rules.py's
words) to config.example.yaml's, for a community with a large list. Prints
µs per message for each way, each scan alone, the build time of both, and
checks that both ways answer the same. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import importlib.util
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine as bench  # puts BENCH_TREE's tree on the path first
from pydantic import TypeAdapter

from bot.config import Config, load_config
from bot.features.risk.spam.checks import head
from bot.features.risk.word_lists import KEYWORDS, STOP_WORDS, word_lists
from rules.blocklist import Blocklist
from rules.evaluate import RuleSet
from rules.lexicon import Listed
from rules.message import MessageView
from rules.schema import Rule
from storage.sql_store import SqlStore

# (the view as the rules left it, the sender's role, the spam guard's scrutiny)
Seen = tuple[MessageView, str, bool | None]


def fresh(view: MessageView) -> MessageView:
    """The view as the rules' other checks leave it: folded, squashed, split
    into words. Not despread: only a blocklist needs that, and only for some
    texts, so what it costs is the scans' own."""
    copy = dataclasses.replace(view)
    _ = copy.folded, copy.squashed, copy.word_list
    return copy


def generated_rule(entries: int) -> Rule:
    path = Path(__file__).with_name("rules.py")
    spec = importlib.util.spec_from_file_location("bench_rules", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    words = module.blocklist_words(random.Random(5), entries)
    return TypeAdapter(Rule).validate_python({"id": "big", "type": "blocklist", "words": words})


async def record(mix: bench.Mix, config: Config) -> list[Seen]:
    out: list[Seen] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        engine, _ = await bench.loaded(mix, config, store)
        risk = next(f for f in engine.features if f.name == "risk")
        spam = risk.risk.spam  # type: ignore[attr-defined]
        handed = risk.on_message

        async def rec(s: object) -> object:
            v = risk._view(s)  # type: ignore[attr-defined]
            out.append((fresh(v), s.role, spam.scrutiny(v, s.member, s.role)))  # type: ignore[attr-defined]
            return await handed(s)  # type: ignore[arg-type]

        risk.on_message = rec  # type: ignore[method-assign]
        for e in mix.traffic:
            await engine.handle(e)
        await engine.stop()
        await store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mix", choices=["realistic", "worst"], default="realistic")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    config = load_config(bench.ROOT / "config.example.yaml")
    if args.entries:
        config = config.model_copy(update={"rules": [generated_rule(args.entries), *config.rules]})
    make = bench.realistic if args.mix == "realistic" else bench.worst
    seen = asyncio.run(record(make(100, 20_000, args.messages), config))

    rule_lists = [r.words for r in config.rules if r.type == "blocklist" and r.enabled]
    lists = word_lists(config.risk)
    rules_alone = Blocklist(rule_lists)
    keywords_alone = Blocklist([lists[KEYWORDS]])
    stop_alone = Blocklist([lists[STOP_WORDS]])
    ruleset = RuleSet(config.rules, timezone="Asia/Shanghai", lists=lists)
    builds: dict[str, list[float]] = {"apart": [], "together": []}
    for _ in range(3):
        t0 = time.process_time()
        Blocklist(rule_lists), Blocklist([lists[KEYWORDS]]), Blocklist([lists[STOP_WORDS]])
        builds["apart"].append(time.process_time() - t0)
        t0 = time.process_time()
        Blocklist([*rule_lists, lists[KEYWORDS], lists[STOP_WORDS]])
        builds["together"].append(time.process_time() - t0)
    lexicon = ruleset.lexicon
    shared = lexicon.blocklist
    assert shared is not None
    keywords = Listed(KEYWORDS, lists[KEYWORDS])
    stop = Listed(STOP_WORDS, lists[STOP_WORDS])

    def apart(v: MessageView, role: str, scrutiny: bool | None) -> None:
        v.memo(rules_alone, rules_alone.search)
        if role == "member":
            keywords_alone.search(v)
        if scrutiny is not None:
            h = head(v)
            h.memo(stop_alone, stop_alone.search)

    def together(v: MessageView, role: str, scrutiny: bool | None) -> None:
        v.memo(shared, shared.search)
        if role == "member":
            keywords.first(v, lexicon)
        if scrutiny is not None:
            stop.first(head(v), lexicon)

    n = len(seen)
    figures: dict[str, float] = {}

    def timed(name: str, fn: Callable[[MessageView, str, bool | None], object]) -> None:
        laps = []
        for _ in range(args.repeat):
            views = [(fresh(v), role, s) for v, role, s in seen]
            gc.collect()
            t = time.thread_time()
            for v, role, s in views:
                fn(v, role, s)
            laps.append(time.thread_time() - t)
        figures[name] = min(laps) / n * 1e6

    timed("(an empty loop)", lambda v, r, s: None)
    timed("apart: rules' blocklists", lambda v, r, s: v.memo(rules_alone, rules_alone.search))
    timed("apart: watched keywords", lambda v, r, s: r == "member" and keywords_alone.search(v))
    timed(
        "apart: stop words",
        lambda v, r, s: s is not None and head(v).memo(stop_alone, stop_alone.search),
    )
    timed("apart: all three (the reference)", apart)
    timed("together: one scan, three readers", together)
    timed("together: the scan alone", lambda v, r, s: v.memo(shared, shared.search))
    empty = figures.pop("(an empty loop)")

    # Both ways answer the same, message by message.
    k = len(rule_lists)
    for v, _, _ in seen:
        a, b = fresh(v), fresh(v)
        assert a.memo(shared, shared.search)[:k] == rules_alone.search(b)
        assert keywords.first(a, lexicon) == keywords_alone.search(b)[0]
        assert stop.first(head(a), lexicon) == stop_alone.search(head(b))[0]

    members = sum(1 for _, r, _ in seen if r == "member")
    checked = sum(1 for *_, s in seen if s is not None)
    entries = sum(len(x) for x in rule_lists)
    print(
        f"word-list scans: {args.mix} mix, {n:,} messages ({members:,} from members, "
        f"{checked:,} checked for spam); rules' lists {entries:,} entries, keywords "
        f"{len(lists[KEYWORDS])}, stop words {len(lists[STOP_WORDS])}"
    )
    print(
        f"  build (a reload), best of 3: three Blocklists {min(builds['apart']) * 1e3:.1f} ms, "
        f"one of all the lists {min(builds['together']) * 1e3:.1f} ms"
    )
    for name, us in figures.items():
        print(f"    {name:38} {us - empty:6.2f} µs per message")
    ref = figures["apart: all three (the reference)"] - empty
    now = figures["together: one scan, three readers"] - empty
    print(f"  together / apart: {now / ref:.2f}; same answers for every message")


if __name__ == "__main__":
    main()
