"""FAQ answers on the per-message path: what matching a member's message
against the owner's entries costs, beside the rest of the message's way.

    .venv/bin/python bench/faq.py [--entries 200] [--messages 20000]

Prints, measured in the same run:
  - the matcher alone (`Faq.on_message`'s work: the question test, then the
    index lookup and scores) per message, for chatter and for questions;
  - the reference: `Engine.handle` per message with the FAQ off, and with
    the FAQ on (its entries loaded), so the share the FAQ adds is visible.
Entries and messages are made up here from a small vocabulary. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.compose import open_engine  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.config.faq import FaqEntry  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.events import ChatRef, MessagePosted, UserRef  # noqa: E402
from bot.features.faq.entries import Entry  # noqa: E402
from bot.features.faq.matcher import Matcher, fold, is_question  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
_NOUNS = (
    "membership workshop meetup invoice refund ticket venue parking schedule mentor pitch "
    "deck investor grant visa office coffee badge slides recording newsletter partner "
    "sponsor discount deadline application interview portfolio contract license"
)
_SYLLABLES = ("ka", "lo", "mi", "su", "te", "ra", "no", "vi", "pe", "zu", "ho", "di")
# Topic words: the real ones, and made-up ones so that entries differ as
# much as a real FAQ's do (each entry about its own things).
NOUNS = _NOUNS.split() + [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in "nrs"][:400]
ASKS = ("how much is the {}", "when is the {}", "where is the {}", "can I get a {}",
        "who handles the {}", "is there a {} this week", "how do I apply for the {}")  # fmt: skip
CHATTER = ("good morning everyone", "thanks for sharing the {}", "see you at the {}",
           "the {} was great yesterday", "I like this {}", "lol same here")  # fmt: skip
ZH = ("{}多少钱", "{}什么时候开始", "请问{}在哪里", "今天的{}很好", "谢谢大家")
ZH_NOUNS = ("会员", "工作坊", "聚会", "发票", "退款", "门票", "场地", "导师")


def entries(n: int, rng: random.Random) -> list[Entry]:
    out = []
    for i in range(n):
        a, b = rng.sample(NOUNS, 2)
        z = rng.choice(ZH_NOUNS)
        questions = [rng.choice(ASKS).format(f"{a} {b}") for _ in range(3)]
        questions.append(rng.choice(ZH[:3]).format(z))
        out.append(Entry(f"e{i}", questions, {"en": f"answer {i}", "zh": f"回答 {i}"}))
    return out


def messages(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    questions, chatter = [], []
    for _ in range(n):
        a, b = rng.sample(NOUNS, 2)
        questions.append(rng.choice(ASKS).format(f"{a} {b}") + "?")
        chatter.append(rng.choice(CHATTER).format(a))
    for i in range(0, n, 5):
        questions[i] = rng.choice(ZH[:3]).format(rng.choice(ZH_NOUNS))
        chatter[i] = rng.choice(ZH[3:]).format(rng.choice(ZH_NOUNS))
    return questions, chatter


def time_matcher(matcher: Matcher, texts: list[str]) -> tuple[float, int]:
    hits = 0
    t0 = time.perf_counter()
    for text in texts:
        if is_question(fold(text)) and matcher.best(text, 1, 0.6):
            hits += 1
    return (time.perf_counter() - t0) / len(texts) * 1e6, hits


async def time_engine(faq_on: bool, faq_entries: list[Entry], texts: list[str]) -> float:
    config = load_config(ROOT / "config.example.yaml")
    faq = config.faq.model_copy(
        update={
            "enabled": faq_on,
            "entries": [
                FaqEntry(id=e.id, questions=e.questions, answer=dict(e.answers))
                for e in faq_entries
            ],
        }
    )
    config = config.model_copy(update={"faq": faq})
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        clock = FakeClock(START)
        engine = await open_engine(config, store, clock, background_flush=False)
        chats = [ChatRef("telegram", str(-1000000 - g)) for g in range(10)]
        users = [UserRef("telegram", str(10_000 + m), f"u{m}", f"u{m}") for m in range(500)]
        # Warm-up: members and groups seen once.
        for i, u in enumerate(users):
            await engine.handle(MessagePosted(chats[i % 10], u, i + 1, "hello", START))
        t0 = time.perf_counter()
        for i, text in enumerate(texts):
            at = START + timedelta(seconds=i)
            ev = MessagePosted(chats[i % 10], users[i % 500], 10_000 + i, text, at)
            await engine.handle(ev)
        elapsed = time.perf_counter() - t0
        await engine.stop()
        await store.close()
    return elapsed / len(texts) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(21)
    faq_entries = entries(args.entries, rng)
    questions, chatter = messages(args.messages, rng)
    t0 = time.perf_counter()
    matcher = Matcher(faq_entries)
    build_ms = (time.perf_counter() - t0) * 1e3
    print(f"FAQ: {args.entries} entries, {4 * args.entries} phrasings; index built in "
          f"{build_ms:.1f} ms")  # fmt: skip
    per_chat = min(time_matcher(matcher, chatter)[0] for _ in range(3))
    runs = [time_matcher(matcher, questions) for _ in range(3)]
    per_q, hits = min(r[0] for r in runs), runs[0][1]
    print(f"matcher, chatter:   {per_chat:6.1f} µs/message")
    print(f"matcher, questions: {per_q:6.1f} µs/message ({hits} of {len(questions)} answered)")
    mixed = [
        q if i % 4 == 0 else c for i, (q, c) in enumerate(zip(questions, chatter, strict=True))
    ]
    # The machine is shared: the best of three runs of each.
    off = min([await time_engine(False, faq_entries, mixed) for _ in range(3)])
    on = min([await time_engine(True, faq_entries, mixed) for _ in range(3)])
    print("reference, Engine.handle per message (1 in 4 a question):")
    print(f"  FAQ off: {off:6.1f} µs/message")
    print(f"  FAQ on:  {on:6.1f} µs/message ({(on - off) / off * 100:+.1f}%)")


if __name__ == "__main__":
    asyncio.run(main())
