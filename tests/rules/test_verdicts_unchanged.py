"""The rule engine was reworked for speed (lazy text forms, fewer passes,
cheaper windows); every verdict and every /why detail must stay what it was.

A seeded stream of 1,500 chat messages (Chinese, Latin, look-alikes,
spread-out and invisible-character tricks, emoji, links, phones, handles,
mentions, capitals, media, forwards, bursts, repeats and raids from several
members, roles, levels and groups) goes through a rule set with every rule
type, overrides, exemptions and a dry run. `verdicts_golden.json` holds what
the engine answered before the rework (main at cfe23bd): the deciding rule,
the dry runs and every check's result with its details, code and arguments,
message by message. Regenerate it (`python -m tests.rules.test_verdicts_unchanged`)
only for an intended change of behaviour, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from rules.checks import CheckResult
from rules.evaluate import RuleSet, Verdict
from rules.message import MessageView
from rules.schema import Rule

GOLDEN = Path(__file__).with_name("verdicts_golden.json")
START = 1_767_574_800.0  # 2026-01-05 09:00 in Shanghai

RULES: list[dict[str, Any]] = [
    {
        "id": "ads",
        "type": "blocklist",
        "warn": True,
        "words": [
            *("加微信", "代开发票", "刷单", "兼职日结", "wechat", "telegram", "casino", "b2b"),
            *("free money", "free*coin", "t.me/joinchat", "加v", "vx号", "usdt*返利", "!!!"),
            *("re:\\d{5,}", "re:[a-z]\\d{5,}", "/(?:免费|低价)领取.{0,5}资料/", "re:bit\\w*coin"),
        ],
        "overrides": [{"groups": ["g3"], "action": {"mute": "10m"}}],
    },
    {"id": "soft", "type": "blocklist", "words": ["scam", "骗子", "wechat"], "dry_run": True},
    {
        "id": "links",
        "type": "links",
        "allow": ["github.com"],
        "phones": True,
        "handles": True,
        "allow_handles": ["@groupkeeper_bot"],
    },
    {"id": "newlinks", "type": "links", "probation": "1h", "allow": [], "action": "flag"},
    {"id": "flood", "type": "flood", "max": 4, "per": "10s"},
    {
        "id": "repeats",
        "type": "duplicates",
        "max": 2,
        "per": "5m",
        "similarity": 0.85,
        "raid": {"members": 3, "per": "10m", "min_length": 10},
    },
    {"id": "same", "type": "duplicates", "max": 1, "similarity": 1.0, "groups": ["g2"]},
    {"id": "caps", "type": "caps", "exempt": {"min_level": 3}},
    {"id": "mentions", "type": "mentions", "max": 3},
    {"id": "emoji", "type": "emoji", "max": 6, "max_ratio": 0.5},
    {"id": "forwards", "type": "forwards", "from": ["channel", "chat"]},
    {"id": "media", "type": "media", "deny": ["sticker", "voice"]},
    {"id": "length", "type": "length", "max": 300, "max_lines": 6},
    {
        "id": "newcomers",
        "type": "probation",
        "messages": 3,
        "within": "1d",
        "deny": ["links", "media", "invites", "handles"],
        "max_length": 120,
    },
    {"id": "night", "type": "night_mode", "from": "23:00", "to": "07:00", "only": ["media"]},
    {"id": "quiet", "type": "night_mode", "from": "03:00", "to": "04:00", "groups": ["g2"]},
    {
        "id": "slow",
        "type": "slow_mode",
        "every": "3s",
        "exempt": {"members": ["telegram:7"]},
        "overrides": [{"groups": ["g2"], "every": "10s"}, {"groups": ["g4"], "enabled": False}],
    },
    {"id": "names", "type": "names", "words": ["客服", "admin*support", "crypto"]},
]

HAM = [
    *("我们", "今天", "讨论", "新能源", "项目", "融资", "资料", "谢谢", "请问", "群里", "报告"),
    *("the", "a", "solar", "grid", "battery", "check", "this", "plan", "is", "i", "notes"),
    *("，", "。", "！", "？", "……", "\n", "  ", "é", "ἀ", "йод", "参加 Vue", "class", "2024"),
]
TRICKS = [
    *("加微信", "加 微 信", "加.微.信", "代开发票", "刷 单", "免费领取最新资料", "加v", "客服"),
    *(
        "w e c h a t",
        "w.e.c.h.a.t",
        "wеchat",
        "ｗｅｃｈａｔ",
        "w3ch@t",
        "wechat123",
        "we\u200bchat",
    ),
    *("w\U000e0100echat", "ｔ．ｍｅ/joinchat/x", "casino", "CASINO", "bitcoin", "crypto", "b2b"),
    *("free money", "free  -  money", "freecoin", "usdt高额返利", "vx号", "scam", "骗子", "!!!"),
    *(
        "https://github.com/a/b",
        "https://example.com/x",
        "bit.ly/abc",
        "t.me/+abc",
        "exa[.]mple.com",
    ),
    *("138-1234-5678", "+1 (555) 123-4567", "电话 13812345678", "12345", "a123456"),
    *("@alice_w", "@bob_xy", "@groupkeeper_bot", "<@123>", "@everyone", "@ab", "@carol_z"),
    *("😀", "🔥🔥🔥", "👨\u200d👩\u200d👧", "❤️", "\U0001f1e8\U0001f1f3", "<:pepe:123>", "\u202e"),
]
GROUPS = ["telegram:-1001", "telegram:-1002", "telegram:-1003", "console:g2", "console:g3", "g4"]
MEDIA = ["photo", "sticker", "voice", "video", "document"]


def corpus(n: int = 1500) -> list[dict[str, Any]]:
    """The messages, with who sent them where and when; seeded, so the same
    on every run. Besides single messages: bursts from one member (flood,
    slow mode), one member repeating a text, several members posting one
    text (a raid)."""
    rng = random.Random(18)
    at = START
    out: list[dict[str, Any]] = []

    def text() -> str:
        pieces = rng.randint(1, rng.choice([5, 12, 12, 70]))
        out = "".join(
            rng.choice(TRICKS if rng.random() < 0.04 else HAM) + rng.choice(["", " ", " ", "，"])
            for _ in range(pieces)
        )
        return out.upper() if rng.random() < 0.04 else out

    def message(body: str, group: str, sender: str) -> dict[str, Any]:
        forwarded = rng.random() < 0.05
        return {
            "text": body,
            "group": group,
            "sender": sender,
            "at": at,
            "role": rng.choice(["member"] * 8 + ["moderator", "owner"]),
            "level": rng.randint(0, 5),
            "member_age": rng.choice([None, 60.0, 7200.0, 200_000.0]),
            "message_count": rng.choice([0, 1, 2, 3, 4, 50]),
            "media": rng.choice(MEDIA) if rng.random() < 0.08 else None,
            "forwarded": forwarded,
            "forward_origin": rng.choice([None, "user", "chat", "channel"]) if forwarded else None,
        }

    def someone() -> str:
        return f"telegram:{rng.randint(1, 12)}"

    while len(out) < n:
        at += rng.choice([0.5, 1.0, 2.0, 4.0, 30.0, 600.0, 3600.0, 7200.0])
        group, sender, roll = rng.choice(GROUPS), someone(), rng.random()
        if roll < 0.05:  # a burst
            for _ in range(rng.randint(3, 7)):
                at += rng.choice([0.3, 1.0, 2.5])
                out.append(message(text(), group, sender))
        elif roll < 0.10:  # one member repeating a text, sometimes edited
            body = text()
            for _ in range(rng.randint(2, 5)):
                at += rng.choice([5.0, 20.0, 60.0])
                out.append(message(body + rng.choice(["", "", "!", " 2", "呀"]), group, sender))
        elif roll < 0.14:  # several members, one text
            body = text() + " 加入我们的新能源项目交流群"
            for _ in range(rng.randint(2, 5)):
                at += rng.choice([2.0, 10.0, 40.0])
                out.append(message(body, rng.choice(GROUPS), someone()))
        elif roll < 0.17:  # piles: mentions, emoji, length, lines
            pile = rng.choice(
                [
                    " ".join(
                        rng.choice(["@alice_w", "@bob_xy", "<@42>", "@here"]) for _ in "abcde"
                    ),
                    "".join(rng.choice(["😀", "🔥", "❤️", "👍🏻", " ", "好"]) for _ in range(12)),
                    text() * 8,
                    "\n".join(text() for _ in range(8)),
                ]
            )
            out.append(message(pile, group, sender))
        else:
            out.append(message(text(), group, sender))
    return out[:n]


def _result(r: CheckResult | None) -> Any:
    if r is None:
        return None
    if not r.hit and not r.details and not r.code and not r.args:
        return r.rule
    return [r.rule, r.hit, r.details, r.code, [list(a) for a in r.args]]


def encode(v: Verdict) -> Any:
    return [
        v.rule.id if v.rule is not None else None,
        _result(v.result),
        [[rule.id, _result(r)] for rule, r in v.dry_runs],
        [_result(r) for r in v.results],
        v.hit,
        [_result(r) for r in v.hits],
    ]


def verdicts() -> list[str]:
    """Each verdict as `deciding rule|rules hit|digest of everything`: the
    digest keeps the file small, the first two parts say what changed."""
    ruleset = RuleSet(TypeAdapter(list[Rule]).validate_python(RULES), timezone="Asia/Shanghai")
    out = []

    def add(verdict: Verdict) -> None:
        whole = json.dumps(encode(verdict), ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(whole.encode()).hexdigest()[:12]
        hits = ",".join(r.rule for r in verdict.hits)
        out.append(f"{verdict.rule.id if verdict.rule else ''}|{hits}|{digest}")

    for m in corpus():
        add(ruleset.evaluate(MessageView(**m)))
        if m["role"] == "member" and not m["media"]:
            add(ruleset.evaluate_content(MessageView(**m)))
        add(ruleset.evaluate_name(MessageView(m["text"], m["group"], m["sender"], m["at"])))
    return out


def test_every_verdict_and_detail_is_what_it_was() -> None:
    golden = json.loads(GOLDEN.read_text())
    now = verdicts()
    assert len(now) == len(golden)
    for i, (new, old) in enumerate(zip(now, golden, strict=True)):
        assert new == old, f"verdict {i} changed"


def test_the_corpus_exercises_every_rule() -> None:
    golden = json.loads(GOLDEN.read_text())
    deciding = {v.split("|")[0] for v in golden} - {""}
    hit = {r for v in golden for r in v.split("|")[1].split(",")} - {""}
    assert hit == {r["id"] for r in RULES}
    assert deciding >= {"ads", "links", "flood", "repeats", "caps", "names", "slow", "media"}


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(verdicts(), indent=0) + "\n")
    sys.exit(0)
