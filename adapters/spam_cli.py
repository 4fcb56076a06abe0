"""`groupkeeper spam train FILE.tsv` and `groupkeeper spam eval --train F --test F`.

Both read `spam|ham<TAB>text` lines. `train` stores the samples in the
community's database, where a running bot finds them on its next start
(moderators' /spam and /ham teach a running bot at once). `eval` touches no
database: it trains a fresh model on one file and tests it on the other.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from adapters.app import open_store
from bot.config import Config
from bot.config.risk import SpamConfig
from bot.features.risk.records import SpamSampleRecord
from bot.features.risk.spam.evaluate import evaluate
from bot.features.risk.spam.model import SPAM, parse_samples
from storage.spam_store import SqlSpamStore


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    load: Callable[[Path | None], Config | None],
) -> None:
    spam = sub.add_parser("spam", help="teach and measure the spam detector")
    ssub = spam.add_subparsers(dest="spam_command", required=True)
    train = ssub.add_parser("train", help="store labelled samples (spam|ham<TAB>text)")
    common(train)
    train.add_argument("file", type=Path, help="TSV: spam or ham <TAB> message text")
    train.set_defaults(func=lambda args: _train(args, load))
    ev = ssub.add_parser("eval", help="train on one file, test on another, print the figures")
    ev.add_argument("--train", type=Path, required=True, nargs="+", help="TSV files to learn from")
    ev.add_argument("--test", type=Path, required=True, help="TSV to measure on")
    ev.add_argument("--config", type=Path, default=None, help="community YAML (its risk.spam)")
    ev.add_argument("--newcomer", action="store_true", help="as posted by newcomers")
    ev.add_argument("--json", action="store_true", help="one JSON object")
    ev.add_argument(
        "--max-fpr", type=float, default=None,
        help="risk.spam.max_false_positive_rate (and the newcomers') for this run",
    )  # fmt: skip
    ev.add_argument("--mistakes", action="store_true", help="list the texts it got wrong")
    ev.set_defaults(func=lambda args: _eval(args, load))


def _read(path: Path) -> list[tuple[str, str]] | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None
    samples, errors = parse_samples(lines)
    for error in errors:
        print(f"{path}: {error}", file=sys.stderr)
    return None if errors else samples


def _train(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    config = load(args.config)
    samples = _read(args.file)
    if config is None or samples is None:
        return 1
    slug = config.community.slug
    now = datetime.now(UTC)
    records = [SpamSampleRecord(slug, label, text, "import", now) for label, text in samples]

    async def store_samples() -> None:
        store = await open_store(config, args.db)
        try:
            await store.ensure_community(slug, config.community.name, config.community.timezone)
            await SqlSpamStore(store.engine).add_samples(records)
        finally:
            await store.close()

    asyncio.run(store_samples())
    spam = sum(1 for label, _ in samples if label == SPAM)
    print(f"stored {len(samples)} samples ({spam} spam, {len(samples) - spam} ham) for {slug}")
    return 0


def _eval(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    parts, test = [_read(p) for p in args.train], _read(args.test)
    if test is None or any(p is None for p in parts):
        return 1
    train = [s for part in parts if part is not None for s in part]
    spam_config = None
    if args.config is not None:
        config = load(args.config)
        if config is None:
            return 1
        spam_config = config.risk.spam
    if args.max_fpr is not None:
        if not 0 < args.max_fpr < 0.5:
            print("--max-fpr: a rate above 0 and below 0.5, such as 0.005", file=sys.stderr)
            return 1
        spam_config = (spam_config or SpamConfig()).model_copy(
            update={"max_false_positive_rate": args.max_fpr,
                    "newcomer_false_positive_rate": args.max_fpr}
        )  # fmt: skip
    result = evaluate(train, test, spam_config, newcomer=args.newcomer)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print(result.render(args.mistakes))
    return 0
