"""The rule engine: table-driven checks and properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from rules.evaluate import RuleSet
from rules.message import MessageView
from rules.schema import Rule
from rules.types.blocklist import BlocklistRule, blocklist_check
from rules.types.flood import FloodRule, flood_check
from rules.types.links import LinksRule, links_check

RULES = TypeAdapter(list[Rule])


def view(text: str, **kw: Any) -> MessageView:
    kw.setdefault("group", "console:g1")
    kw.setdefault("sender", "console:bob")
    kw.setdefault("at", 1000.0)
    return MessageView(text=text, **kw)


BLOCK = BlocklistRule(
    id="ads", type="blocklist", words=["加微信", "wechat", "t.me/joinchat", "free*money", "re:\\bcasino\\w*"]
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("加微信", True),
        ("快 加 微 信 吧", True),
        ("加\u200b微\u200b信", True),
        ("加.微.信", True),
        ("add my wechat", True),
        ("add my WeChat", True),
        ("w.e.c.h.a.t", True),
        ("w e c h a t", True),
        ("ｗｅｃｈａｔ", True),
        ("wеchаt", True),  # Cyrillic е and а
        ("ｔ．ｍｅ/joinchat/abc", True),
        ("free easy money", False),
        ("freemoney", True),
        ("free-money now", False),
        ("casinos here", True),
        ("we chat later", False),
        ("hello world", False),
        ("微信公众号", False),
    ],
)
def test_blocklist_matches_through_evasions(text: str, hit: bool) -> None:
    result = blocklist_check(BLOCK)(view(text))
    assert result.hit is hit, result
    if hit:
        assert result.rule == "ads" and result.details.startswith("matched")


LINKS = LinksRule(id="links", type="links", allow=["github.com"])


@pytest.mark.parametrize(
    ("text", "hit", "details"),
    [
        ("see https://example.com/x", True, "link to example.com"),
        ("see example.com", True, "link to example.com"),
        ("www.example.org", True, "link to example.org"),
        ("https://github.com/a/b", False, ""),
        ("https://gist.github.com/a", False, ""),
        ("https://github.com.evil.io/a", True, "link to github.com.evil.io"),
        ("join t.me/+AbCdEf", True, "invite link t.me/+abcdef"),
        ("discord.gg/abc", True, "invite link discord.gg/abc"),
        ("file.txt and e.g. this", False, ""),
        ("mail me at a@example.com", False, ""),
        ("no links here", False, ""),
    ],
)
def test_links_check(text: str, hit: bool, details: str) -> None:
    result = links_check(LINKS)(view(text))
    assert result.hit is hit
    assert result.details == details


def test_links_probation_only_holds_new_members() -> None:
    rule = LinksRule(id="links", type="links", probation="24h")  # type: ignore[arg-type]
    check = links_check(rule)
    assert check(view("example.com", member_age=3600)).hit
    assert not check(view("example.com", member_age=90000)).hit
    assert not check(view("example.com", member_age=None)).hit


def test_deny_list_only_fires_on_listed_domains() -> None:
    check = links_check(LinksRule(id="l", type="links", deny=["bit.ly"], invites=False))
    assert check(view("https://bit.ly/x")).hit
    assert not check(view("https://example.com")).hit


def test_flood_counts_per_member_and_group_within_the_window() -> None:
    check = flood_check(FloodRule(id="flood", type="flood", max=3, per="10s"))  # type: ignore[arg-type]
    hits = [check(view("x", at=float(t))).hit for t in (0, 1, 2, 3)]
    assert hits == [False, False, False, True]
    # The window was cleared: one burst is punished once.
    assert not check(view("x", at=4.0)).hit
    # Other members and other groups have their own windows.
    assert not check(view("x", at=4.0, sender="console:ann")).hit
    assert not check(view("x", at=4.0, group="console:g2")).hit
    # Messages older than the window drop out.
    assert [check(view("x", at=float(t))).hit for t in (20, 31, 42, 53)] == [False] * 4


def test_strongest_action_wins_and_every_result_is_kept() -> None:
    rules = RULES.validate_python(
        [
            {"id": "ads", "type": "blocklist", "words": ["spam"], "action": "delete"},
            {"id": "worse", "type": "blocklist", "words": ["spam"], "action": {"ban": "1d"}},
            {"id": "links", "type": "links"},
        ]
    )
    verdict = RuleSet(rules).evaluate(view("spam"))
    assert verdict.rule is not None and verdict.rule.id == "worse"
    assert [r.rule for r in verdict.results] == ["ads", "worse", "links"]
    assert [r.rule for r in verdict.hits] == ["ads", "worse"]


def test_scope_exemptions_and_disabled_rules() -> None:
    rules = RULES.validate_python(
        [
            {"id": "a", "type": "blocklist", "words": ["x"], "groups": ["g2"]},
            {"id": "b", "type": "blocklist", "words": ["y"], "exempt": {"min_level": 2}},
            {"id": "c", "type": "blocklist", "words": ["z"], "enabled": False},
            {
                "id": "d",
                "type": "blocklist",
                "words": ["w"],
                "exempt": {"members": ["console:vip"]},
            },
        ]
    )
    rs = RuleSet(rules)
    assert not rs.evaluate(view("x")).hit
    assert rs.evaluate(view("y", level=1)).hit
    assert not rs.evaluate(view("y", level=2)).hit
    assert not rs.evaluate(view("z")).hit
    assert not rs.evaluate(view("y", role="moderator")).hit
    assert not rs.evaluate(view("w", sender="console:vip")).hit


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_rules_never_act(text: str) -> None:
    assert not RuleSet([]).evaluate(view(text)).hit


@settings(max_examples=100, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=40),
    limit=st.integers(min_value=1, max_value=10),
    extra=st.integers(min_value=1, max_value=10),
)
def test_raising_the_flood_limit_never_creates_a_hit(
    gaps: list[float], limit: int, extra: int
) -> None:
    strict = flood_check(FloodRule(id="f", type="flood", max=limit, per="10s"))  # type: ignore[arg-type]
    loose = flood_check(FloodRule(id="f", type="flood", max=limit + extra, per="10s"))  # type: ignore[arg-type]
    t = 0.0
    strict_hits = loose_hits = 0
    for gap in gaps:
        t += gap
        strict_hits += strict(view("x", at=t)).hit
        loose_hits += loose(view("x", at=t)).hit
    assert loose_hits <= strict_hits


_SEPARATORS = st.sampled_from([" ", ".", "-", "_", "\u200b", "·", "*"])


@settings(max_examples=200, deadline=None)
@given(sep=st.lists(_SEPARATORS, min_size=2, max_size=2), prefix=st.text(max_size=10))
def test_separators_inside_a_chinese_entry_never_evade(sep: list[str], prefix: str) -> None:
    text = prefix + " 加" + sep[0] + "微" + sep[1] + "信"
    assert blocklist_check(BLOCK)(view(text)).hit


MIXED = BlocklistRule(id="ads", type="blocklist", words=["加v", "vx号"])


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        # 参加/增加 followed by a word that starts with v: ordinary Chinese.
        ("明天我去参加 Vue 大会", False),
        ("欢迎大家参加v2版本的测试", False),
        ("需要增加 validation 逻辑", False),
        ("需要增加validation逻辑", False),
        ("请看 devx号 文档", False),
        # The entry itself, however it is spread out or decorated.
        ("加v", True),
        ("加V：abc12345", True),
        ("加 v 私聊", True),
        ("快加v吧", True),
        ("加.v.", True),
        ("加ｖ", True),
        ("我的vx号是多少", True),
        ("v x 号", True),
    ],
)
def test_a_latin_end_of_a_mixed_entry_does_not_match_inside_a_longer_word(
    text: str, hit: bool
) -> None:
    assert blocklist_check(MIXED)(view(text)).hit is hit
