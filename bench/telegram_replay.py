"""Telegram replay benchmark: the whole `groupkeeper replay` pipeline against
python-telegram-bot's own parsing of the same updates.

Generates realistic group traffic (Bot API Update JSON, one per line: texts
of varied length in English and Chinese, replies, entities, hidden links,
forwards, stickers, edits, check-ins, spam, joins, leaves, reactions), then
times, in the same run:

  ptb       Update.de_json over the decoded updates (what PTB spends parsing)
  replay    replay_file(): JSON decoding, translate, the engine (rules, points,
            moderation, write-behind to an in-memory SQLite), the recording
            gateway and the printing of every action

and prints both and their ratio (target: replay <= 1.5 x ptb).

    .venv/bin/python bench/telegram_replay.py [--updates 100000] [--config FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Bot, Update

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from adapters.telegram.replay import replay_file  # noqa: E402
from bot.config import load_config  # noqa: E402

START = 1767600000  # 2026-01-05 08:00 UTC
GROUPS = [-1001000000000 - n for n in range(20)]
# fmt: off
WORDS_EN = [
    "solar", "wind", "grid", "battery", "funding", "seed", "round", "investor", "pitch",
    "deck", "startup", "carbon", "market", "policy", "subsidy", "hydrogen", "storage",
    "customer", "pilot", "contract", "hiring", "engineer", "meetup", "thanks", "agree",
    "question", "anyone", "know", "how", "when", "where", "price", "report", "data",
]
WORDS_ZH = [
    "光伏", "风电", "储能", "融资", "天使轮", "投资人", "路演", "创业", "碳市场", "政策",
    "补贴", "氢能", "客户", "试点", "合同", "招聘", "工程师", "活动", "谢谢", "同意",
    "请问", "有人", "知道", "价格", "报告", "数据",
]
# fmt: on
SPAM = ("加微信 领取资料", "casino bonus here", "加v 代开发票", "join t.me/joinchat/AAAA now")


class Traffic:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.update_id = 0
        self.now = START
        self.users = [self._user(n) for n in range(5000)]
        self.spammers = [self._user(n) for n in range(5000, 7000)]
        self.message_ids = {g: 1 for g in GROUPS}
        self.recent: dict[int, list[dict[str, Any]]] = {g: [] for g in GROUPS}

    def _user(self, n: int) -> dict[str, Any]:
        user: dict[str, Any] = {"id": 100000 + n, "is_bot": False, "first_name": f"User{n}"}
        if n % 3:
            user["username"] = f"user_{n}"
        if n % 4 == 0:
            user["last_name"] = "Zhang"
        user["language_code"] = "zh-hans" if n % 2 else "en"
        return user

    def _chat(self, group: int) -> dict[str, Any]:
        return {"id": group, "title": f"Green Energy Founders #{GROUPS.index(group) + 1}",
                "type": "supergroup"}  # fmt: skip

    def _text(self) -> str:
        rng = self.rng
        words = WORDS_ZH if rng.random() < 0.5 else WORDS_EN
        n = int(rng.lognormvariate(2.0, 0.9)) + 1
        sep = "" if words is WORDS_ZH else " "
        return sep.join(rng.choice(words) for _ in range(min(n, 120)))

    def _update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        self.update_id += 1
        return {"update_id": self.update_id, kind: body}

    def _message(self, group: int, user: dict[str, Any], **fields: Any) -> dict[str, Any]:
        mid = self.message_ids[group]
        self.message_ids[group] = mid + 1
        msg = {
            "message_id": mid,
            "from": user,
            "chat": self._chat(group),
            "date": self.now,
            **fields,
        }
        recent = self.recent[group]
        recent.append(msg)
        if len(recent) > 50:
            del recent[0]
        return msg

    def next(self) -> dict[str, Any]:
        rng = self.rng
        self.now += rng.choice((0, 0, 1, 1, 2, 5))
        group = rng.choice(GROUPS)
        user = self.users[int(rng.paretovariate(1.2)) % len(self.users)]
        roll = rng.random()
        if roll < 0.50:
            return self._update("message", self._message(group, user, text=self._text()))
        if roll < 0.62 and self.recent[group]:
            original = rng.choice(self.recent[group])
            msg = self._message(group, user, text=self._text(), reply_to_message=original)
            return self._update("message", msg)
        if roll < 0.68:
            repo, who = rng.randint(10, 99), rng.randint(10, 99)
            text = f"see https://github.com/org/repo{repo} and @user_{who}"
            entities = [
                {"type": "url", "offset": 4, "length": 28},
                {
                    "type": "mention",
                    "offset": text.index("@"),
                    "length": len(text) - text.index("@"),
                },
            ]
            return self._update("message", self._message(group, user, text=text, entities=entities))
        if roll < 0.72:
            text = rng.choice(("签到", "/checkin", "打卡", "/checkin@gk_bot"))
            return self._update("message", self._message(group, user, text=text))
        if roll < 0.74:
            # Spam comes from throwaway accounts, not from the regulars.
            spammer = self.spammers[rng.randrange(len(self.spammers))]
            return self._update("message", self._message(group, spammer, text=rng.choice(SPAM)))
        if roll < 0.76:
            entities = [
                {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/x"}
            ]
            photo = [{"file_id": "AgAD", "file_unique_id": "u", "width": 90, "height": 90}]
            caption = "look " + self._text()
            msg = self._message(
                group, user, caption=caption, caption_entities=entities, photo=photo
            )
            return self._update("message", msg)
        if roll < 0.78:
            sticker = {
                "file_id": "CAAD", "file_unique_id": "s", "type": "regular", "width": 512,
                "height": 512, "is_animated": False, "is_video": False, "emoji": "😂",
            }  # fmt: skip
            return self._update("message", self._message(group, user, sticker=sticker))
        if roll < 0.80:
            origin = {"type": "hidden_user", "sender_user_name": "Someone", "date": self.now - 600}
            msg = self._message(
                group, user, text=self._text(), forward_origin=origin,
                forward_sender_name="Someone", forward_date=self.now - 600,
            )  # fmt: skip
            return self._update("message", msg)
        if roll < 0.82 and self.recent[group]:
            original = dict(rng.choice(self.recent[group]))
            original["text"] = self._text()
            original["edit_date"] = self.now
            return self._update("edited_message", original)
        if roll < 0.90:
            joiner = self.users[rng.randrange(len(self.users))]
            was, now = ("left", "member") if rng.random() < 0.8 else ("member", "left")
            body: dict[str, Any] = {
                "chat": self._chat(group), "from": joiner, "date": self.now,
                "old_chat_member": {"user": joiner, "status": was},
                "new_chat_member": {"user": joiner, "status": now},
            }  # fmt: skip
            if now == "member" and rng.random() < 0.5:
                body["invite_link"] = {"invite_link": "https://t.me/+abc", "creator": self.users[0],
                                       "creates_join_request": False, "is_primary": False,
                                       "is_revoked": False}  # fmt: skip
            return self._update("chat_member", body)
        if self.recent[group]:
            target = rng.choice(self.recent[group])
            return self._update("message_reaction", {
                "chat": self._chat(group), "message_id": target["message_id"], "user": user,
                "date": self.now, "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": rng.choice("👍🔥❤🎉")}],
            })  # fmt: skip
        return self._update("message", self._message(group, user, text=self._text()))


def generate(path: Path, count: int) -> list[str]:
    traffic = Traffic()
    lines = [json.dumps(traffic.next(), ensure_ascii=False) for _ in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def time_ptb(lines: list[str]) -> tuple[float, float]:
    bot = Bot("123456:bench")
    decoded = [json.loads(line) for line in lines]
    gc.collect()
    t0 = time.perf_counter()
    for data in decoded:
        Update.de_json(data, bot)
    de_json = time.perf_counter() - t0
    gc.collect()
    t0 = time.perf_counter()
    for line in lines:
        Update.de_json(json.loads(line), bot)
    with_decode = time.perf_counter() - t0
    return de_json, with_decode


def time_replay(config_path: Path, path: Path) -> tuple[float, str]:
    config = load_config(config_path)
    out = io.StringIO()
    gc.collect()
    t0 = time.perf_counter()
    asyncio.run(replay_file(config, None, path, out=out))
    elapsed = time.perf_counter() - t0
    summary = out.getvalue().rstrip("\n").rpartition("\n")[2]
    return elapsed, summary


# The reference process: Python, PTB imported, every update decoded and parsed.
PTB_PROCESS = """
import json, sys
from telegram import Bot, Update
bot = Bot("123456:AAbench-reference-token-000000000000")
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        Update.de_json(json.loads(line), bot)
"""


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_processes(config_path: Path, path: Path) -> tuple[float, float, float]:
    """CPU seconds of two whole processes, start-up included: PTB parsing
    the file, and `groupkeeper replay` of it; and the replay of an empty
    file without a kept spam model (a bot's very first start fits it).

    Both run as installed code runs: with bytecode written and read (the
    shell's PYTHONDONTWRITEBYTECODE would compile groupkeeper at every
    start while PTB's site-packages are compiled at install) and warm (one
    run of each on an empty file first, which also keeps the shipped spam
    model, as a bot's first start does). From ROOT, whose code `-m` runs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(ROOT)}
    ptb_command = [sys.executable, "-c", PTB_PROCESS]
    replay_command = [sys.executable, "-m", "adapters.cli", "replay", "--config", str(config_path)]
    empty = path.with_name("empty.jsonl")
    empty.write_text("", encoding="utf-8")

    def cpu(command: list[str], **extra: str) -> float:
        c0 = _child_cpu()
        subprocess.run(command, check=True, env=env | extra, cwd=ROOT, stdout=subprocess.DEVNULL)
        return _child_cpu() - c0

    cpu([*replay_command, str(empty)])
    cpu([*ptb_command, str(empty)])
    cold = cpu([*replay_command, str(empty)], GROUPKEEPER_CACHE=str(path.with_name("cache")))
    return cpu([*ptb_command, str(path)]), cpu([*replay_command, str(path)]), cold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--config", type=Path, default=ROOT / "config.example.yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "updates.jsonl"
        lines = generate(path, args.updates)
        size = path.stat().st_size / 1e6
        print(f"{args.updates} updates, {size:.1f} MB, rules from {args.config.name}")
        de_json, with_decode = time_ptb(lines)
        replay, summary = time_replay(args.config, path)
        ptb_process, replay_process, cold = time_processes(args.config, path)
    n = args.updates
    print(f"ptb Update.de_json:        {de_json:7.2f} s  {n / de_json:9,.0f} updates/s")
    print(f"ptb json.loads + de_json:  {with_decode:7.2f} s  {n / with_decode:9,.0f} updates/s")
    print(f"groupkeeper replay:        {replay:7.2f} s  {n / replay:9,.0f} updates/s")
    print(f"  {summary}")
    print(f"ratio replay / de_json:               {replay / de_json:5.2f}x (target <= 1.5x)")
    print(f"ratio replay / (json.loads + de_json): {replay / with_decode:5.2f}x")
    print(
        f"whole processes, CPU: PTB {ptb_process:.2f} s, `groupkeeper replay` "
        f"{replay_process:.2f} s: {replay_process / ptb_process:5.2f}x (target <= 1.15x)"
    )
    print(f"  `groupkeeper replay` of no update: {cold:.2f} s CPU when it must fit the spam model")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
