"""Every rule type, table-driven (tg-spam's metachecks style): what fires,
what does not, and the evasions that must not work."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from bot.config import ConfigError, parse_config
from rules.blocklist import Blocklist, required_literal
from rules.checks import CheckResult
from rules.compiler import compile_check
from rules.evaluate import RuleSet
from rules.message import MessageView
from rules.normalize import fold, squash
from rules.schema import RULE_TYPES, Rule
from tests.conftest import ROOT

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)
RULES: TypeAdapter[list[Rule]] = TypeAdapter(list[Rule])
# Monday 2026-01-05 12:00 in Shanghai.
NOON = datetime(2026, 1, 5, 4, 0, tzinfo=UTC).timestamp()


def view(text: str = "", **kw: Any) -> MessageView:
    kw.setdefault("group", "console:g1")
    kw.setdefault("sender", "console:bob")
    kw.setdefault("at", NOON)
    return MessageView(text=text, **kw)


def check(spec: dict[str, Any], timezone: str = "Asia/Shanghai") -> Any:
    return compile_check(RULE.validate_python({"id": "r", **spec}), timezone)


def hit(result: CheckResult) -> bool:
    assert result.rule == "r"
    return result.hit


BLOCK = check(
    {
        "type": "blocklist",
        "words": ["加微信", "wechat", "t.me/joinchat", "casino", "free*money", "free money",
                  "代*发票", "b2b", "re:\\bv\\s*x\\s*\\d{5,}"],
    }
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese entries match anywhere, whatever is put between the characters.
        ("加微信", True),
        ("快 加 微 信 吧", True),
        ("加\u200b微\u200c信", True),  # zero-width space and non-joiner
        ("加\u202e微\u202c信", True),  # right-to-left override
        ("加\x00微\x07信", True),  # control characters
        ("加♥微♥信", True),
        ("加\U000e0041微信", True),  # a tag character
        ("加.微.信", True),
        ("加 - 微 - 信", True),
        # Latin words: case, full width, look-alikes, accents, marks, spacing.
        ("add my WeChat", True),
        ("ｗｅｃｈａｔ", True),
        ("wеchаt", True),  # Cyrillic е and а
        ("ωechat", True),  # Greek omega
        ("wéchat", True),
        ("w̷e̷c̷h̷a̷t̷", True),  # combining strokes ("zalgo")
        ("𝐰𝐞𝐜𝐡𝐚𝐭", True),  # mathematical bold
        ("ⓦⓔⓒⓗⓐⓣ", True),  # circled letters
        ("w.e.c.h.a.t", True),
        ("w e c h a t", True),
        ("w_e_c_h_a_t", True),
        ("w3chat", True),  # digits for letters
        ("wechat123", True),  # glued to digits
        ("加wechat吧", True),  # glued to Chinese
        ("ｔ．ｍｅ/joinchat/abc", True),
        ("t.me/joinchat/abc", True),
        # Whole words only: no false alarms inside other words.
        ("we chat later", False),
        ("wechatter", False),
        ("occasional casinos", False),
        ("the casino", True),
        ("b2b deals", True),
        ("ab2bc", False),
        # Wildcards and phrases.
        ("freemoney", True),
        ("free easy money", False),  # `*` stays inside one word
        ("free-money now", True),  # phrase words with punctuation between
        ("代开发票", True),
        ("代 开 增 值 税 发票", True),
        # A regular expression runs on the folded text.
        ("加 VX 123456", True),
        ("vx 12", False),
        # Plain chat.
        ("hello world", False),
        ("微信公众号", False),
        ("大家好，今天讨论储能项目", False),
        ("", False),
    ],
)
def test_blocklist_matches_through_evasions(text: str, expected: bool) -> None:
    assert hit(BLOCK(view(text))) is expected


def test_blocklist_phrases_and_wildcards_are_whole_words() -> None:
    rule = check({"type": "blocklist", "words": ["free money", "*coin"]})
    assert hit(rule(view("get free money now")))
    assert hit(rule(view("FREE, MONEY!")))
    assert not hit(rule(view("carefree moneylender")))
    assert hit(rule(view("buy shitcoin today")))
    assert hit(rule(view("coin")))
    assert not hit(rule(view("coins")))


def test_blocklist_details_name_the_entry_as_written() -> None:
    result = BLOCK(view("快 加 微 信 吧"))
    assert result.code == "matched" and dict(result.args) == {"text": "加微信"}
    result = BLOCK(view("add vx 1234567"))
    assert dict(result.args)["text"] == "vx 1234567" and result.details == "matched /vx 1234567/"


def test_blocklist_reports_the_first_listed_word_in_the_message() -> None:
    rule = check({"type": "blocklist", "words": ["zebra", "apple"]})
    assert dict(rule(view("apple and zebra")).args)["text"] == "apple"


def test_one_scan_serves_every_blocklist_rule() -> None:
    lists = Blocklist([["加微信", "casino"], ["代开发票", "re:\\d{3}\\s*元"], ["never"]])
    matches = lists.search(view("加微信 代开发票 999元"))
    assert [m.entry if m else None for m in matches] == ["加微信", "代开发票", None]
    rules = RuleSet(
        RULES.validate_python(
            [
                {"id": "a", "type": "blocklist", "words": ["加微信"], "action": "delete"},
                {"id": "b", "type": "blocklist", "words": ["re:\\d{3}\\s*元"], "action": "ban"},
            ]
        )
    )
    verdict = rules.evaluate(view("加微信 999 元"))
    assert verdict.rule is not None and verdict.rule.id == "b"
    assert [r.rule for r in verdict.hits] == ["a", "b"]


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"\bcasino\w*", "casino"),
        (r"代.{0,3}开.{0,3}发票", "发票"),
        (r"colou?r", "colo"),
        (r"ab+c", "ab"),
        (r"t\.me/\w+", "me"),
        (r"(?:免费|低价)领取.{0,5}资料", "领取"),
        (r"\u4e00\u4e01abc", "abc"),
        (r"[abc]def", "def"),
        (r"a{0,2}bc", "bc"),
        (r"(?i)casino", "casino"),
        (r"x|y", None),  # top-level alternation: no literal is certain
        (r"\d{11}", None),
        (r"(?x) c a s i n o", None),  # verbose mode: spaces mean nothing
    ],
)
def test_required_literal_is_what_every_match_contains(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal


def test_a_regex_runs_only_when_its_literal_is_present_and_still_decides() -> None:
    rule = check({"type": "blocklist", "words": [r"re:代.{0,3}开.{0,3}发票"]})
    assert hit(rule(view("代你开好发票")))
    assert not hit(rule(view("发票已经开好了")))  # the literal alone is not a match


def test_normal_forms() -> None:
    assert fold("ＡＢＣ，加\u200b微信！") == "abc,加微信!"
    assert squash(fold("加 - 微 . 信")) == "加微信"
    assert fold("Straße") == "strasse"
    assert fold("Ｗｅ\u0301") == "we"


LINKS = check({"type": "links", "allow": ["github.com", "bit.ly"], "phones": True, "handles": True,
               "allow_handles": ["@green_bot"]})  # fmt: skip


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("see https://example.com/x", "link"),
        ("see example.com", "link"),
        ("example[.]com", "link"),
        ("example(dot)com", "link"),
        ("example。com/deal", "link"),
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "link"),
        ("https://github.com/a/b", ""),
        ("https://gist.github.com/a", ""),
        ("https://github.com.evil.io/a", "link"),
        ("join t.me/+AbCdEf", "invite"),
        ("https://t.me/joinchat/AAAA", "invite"),
        ("discord.gg/abc", "invite"),
        ("https://discord.com/invite/abc", "invite"),
        ("https://tinyurl.com/abc", "shortener"),
        ("https://bit.ly/abc", ""),  # a shortener the owner allows by name
        ("t.cn/A6x", "shortener"),
        ("follow @crypto_signals", "handle"),
        ("ask @green_bot", ""),
        ("mail me at a@example.com", ""),  # an address, not a link
        ("call 138 1234 5678", "phone"),
        ("call 13812345678", "phone"),
        ("call +44 20 7946 0958", "phone"),
        ("call (555) 123-4567", "phone"),
        ("meet at 2026-01-05 09:00", ""),
        ("order 20260105 shipped", ""),
        ("price 3.5 and file.txt, e.g. this", ""),
        ("我们下午三点开会。好的。", ""),
        ("no links here", ""),
    ],
)
def test_links_check(text: str, code: str) -> None:
    result = LINKS(view(text))
    assert result.code == code, result


def test_links_switches() -> None:
    only_invites = check({"type": "links", "links": False, "shorteners": False})
    assert not hit(only_invites(view("https://example.com and bit.ly/x")))
    assert hit(only_invites(view("t.me/+abc")))
    deny = check({"type": "links", "deny": ["evil.io"], "invites": False})
    assert hit(deny(view("https://www.evil.io/x")))
    assert not hit(deny(view("https://example.com")))


def test_links_probation_only_holds_new_members() -> None:
    rule = check({"type": "links", "probation": "24h"})
    assert hit(rule(view("example.com", member_age=3600)))
    assert not hit(rule(view("example.com", member_age=90000)))
    assert not hit(rule(view("example.com")))


def test_duplicates_from_one_member() -> None:
    rule = check({"type": "duplicates", "max": 2, "per": "10m"})
    t = NOON
    assert not hit(rule(view("限时优惠，点击领取", at=t)))
    assert not hit(rule(view("限时优惠，点击领取！", at=t + 10)))  # punctuation ignored
    result = rule(view("限时优惠 点击领取 123", at=t + 20))  # digits ignored
    assert result.hit and result.code == "repeated" and dict(result.args)["count"] == "3"
    # Another member, or a message after the window, starts afresh.
    assert not hit(rule(view("限时优惠，点击领取", sender="console:ann", at=t + 30)))
    assert not hit(rule(view("限时优惠，点击领取", at=t + 1000)))
    # Short texts are never duplicates.
    assert not any(hit(rule(view("好的", at=t + 2000 + i))) for i in range(5))


def test_duplicates_nearly_the_same() -> None:
    rule = check({"type": "duplicates", "max": 1, "similarity": 0.8})
    assert not hit(rule(view("buy cheap followers at our store today")))
    assert hit(rule(view("buy cheap followers at our store today!! xyz", at=NOON + 1)))
    assert not hit(rule(view("completely different words here", at=NOON + 2)))
    exact = check({"type": "duplicates", "max": 1, "similarity": 1})
    assert not hit(exact(view("buy cheap followers at our store today")))
    assert not hit(exact(view("buy cheap followers at our store today xyz", at=NOON + 1)))


def test_duplicates_raid_across_members_and_groups() -> None:
    rule = check({"type": "duplicates", "raid": {"members": 3, "per": "5m", "min_length": 8}})
    text = "福利群开放啦，私聊我拉你进群领取资料"
    assert not hit(rule(view(text, sender="console:a", group="console:g1")))
    assert not hit(rule(view(text + "88", sender="console:b", group="console:g2", at=NOON + 5)))
    result = rule(view("😀" + text, sender="console:c", group="console:g3", at=NOON + 9))
    assert result.hit and result.code == "raid" and dict(result.args)["count"] == "3"
    # Outside the window it is over.
    assert not hit(rule(view(text, sender="console:d", at=NOON + 900)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP POSTING THIS NONSENSE", True),
        ("OK LOL", False),  # too short to be shouting
        ("Hello Everyone, How Are You", False),
        ("NASA and ESA launched it today", False),
        ("今天天气很好 GOOD", False),
        ("ΑΥΤΟ ΕΙΝΑΙ ΠΟΛΥ ΚΑΚΟ", True),  # Greek capitals count too
    ],
)
def test_caps(text: str, expected: bool) -> None:
    assert hit(check({"type": "caps", "max_ratio": 0.7, "min_letters": 10})(view(text))) is expected


def test_mentions() -> None:
    rule = check({"type": "mentions", "max": 2})
    assert not hit(rule(view("@alice_w @bob_x hi")))
    result = rule(view("@alice_w @bob_x @carol_y @dave_z look"))
    assert result.hit and dict(result.args)["count"] == "4"
    assert hit(rule(view("<@123> <@!456> <@&789> hi")))
    assert not hit(rule(view("mail a@example.com b@example.com c@example.com")))


def test_emoji() -> None:
    rule = check({"type": "emoji", "max": 3})
    assert not hit(rule(view("nice 👍👍👍")))
    assert hit(rule(view("nice 👍👍👍🔥")))
    assert not hit(rule(view("family 👨‍👩‍👧 👨‍👩‍👧 🇨🇳")))  # a family and a flag count once
    assert hit(rule(view("<:pepe:123> <a:party:456> <:x:1> <:y:2>")))
    ratio = check({"type": "emoji", "max_ratio": 0.5})
    assert hit(ratio(view("😀😀😀 ok")))
    assert not hit(ratio(view("😀😀😀 a fairly long sentence around them")))


@pytest.mark.parametrize(
    ("spec", "forwarded", "origin", "expected"),
    [
        ({}, True, "channel", True),
        ({}, True, None, True),
        ({}, False, None, False),
        ({"from": ["channel"]}, True, "channel", True),
        ({"from": ["channel"]}, True, "user", False),
        ({"from": ["channel"]}, True, None, False),  # origin unknown: not surely a channel
    ],
)
def test_forwards(
    spec: dict[str, Any], forwarded: bool, origin: str | None, expected: bool
) -> None:
    rule = check({"type": "forwards", **spec})
    assert hit(rule(view("x", forwarded=forwarded, forward_origin=origin))) is expected


@pytest.mark.parametrize(
    ("spec", "media", "expected"),
    [
        ({}, "photo", True),
        ({}, None, False),
        ({"deny": ["sticker", "voice"]}, "sticker", True),
        ({"deny": ["sticker", "voice"]}, "photo", False),
        ({"allow": ["photo"]}, "photo", False),
        ({"allow": ["photo"]}, "video", True),
    ],
)
def test_media(spec: dict[str, Any], media: str | None, expected: bool) -> None:
    assert hit(check({"type": "media", **spec})(view("", media=media))) is expected


def test_length() -> None:
    rule = check({"type": "length", "max": 10, "max_lines": 2})
    assert not hit(rule(view("short")))
    assert rule(view("x" * 11)).code == "too_long"
    assert rule(view("a\nb\nc")).code == "too_many_lines"


def test_probation_first_messages_and_first_hours() -> None:
    rule = check({"type": "probation", "messages": 3, "within": "24h", "max_length": 50})
    new = {"member_age": 3600.0, "message_count": 1}
    assert rule(view("see example.com", **new)).code == "probation"
    assert rule(view("photo", media="photo", **new)).code == "probation"
    assert rule(view("x" * 60, **new)).code == "probation_length"
    assert not hit(rule(view("hello everyone", **new)))
    # Still in the first day, though past three messages: still on probation.
    assert hit(rule(view("example.com", member_age=3600, message_count=10)))
    # Three messages in, but joined long ago.
    assert hit(rule(view("example.com", member_age=10**6, message_count=2)))
    assert not hit(rule(view("example.com", member_age=10**6, message_count=10)))
    assert not hit(rule(view("example.com")))  # unknown join and count: a long-standing member


@pytest.mark.parametrize(
    ("local_time", "expected"),
    [("23:30", True), ("02:00", True), ("06:59", True), ("07:00", False), ("12:00", False),
     ("22:59", False)],
)  # fmt: skip
def test_night_mode_in_the_community_time_zone(local_time: str, expected: bool) -> None:
    rule = check({"type": "night_mode", "from": "23:00", "to": "07:00"}, "Asia/Shanghai")
    hour, minute = map(int, local_time.split(":"))
    # Shanghai is UTC+8 all year.
    at = datetime(2026, 1, 5, (hour - 8) % 24, minute, tzinfo=UTC).timestamp()
    assert hit(rule(view("hi", at=at))) is expected


def test_night_mode_only_some_messages_and_an_own_time_zone() -> None:
    rule = check(
        {"type": "night_mode", "from": "22:00", "to": "06:00", "only": ["media", "links"],
         "timezone": "Europe/London"}
    )  # fmt: skip
    night = datetime(2026, 1, 5, 23, 0, tzinfo=UTC).timestamp()  # 23:00 in London
    assert not hit(rule(view("hello", at=night)))
    assert rule(view("", media="photo", at=night)).code == "night_only"
    day = datetime(2026, 1, 5, 12, 0, tzinfo=UTC).timestamp()
    assert not hit(rule(view("", media="photo", at=day)))


def test_slow_mode_counts_only_messages_let_through() -> None:
    rule = check({"type": "slow_mode", "every": "30s"})
    assert not hit(rule(view("a", at=NOON)))
    assert hit(rule(view("b", at=NOON + 10)))
    assert hit(rule(view("c", at=NOON + 29)))
    assert not hit(rule(view("d", at=NOON + 31)))
    assert not hit(rule(view("e", at=NOON + 32, group="console:g2")))
    assert not hit(rule(view("f", at=NOON + 33, sender="console:ann")))


def test_names_rule_on_joining_members() -> None:
    rules = RuleSet(
        RULES.validate_python(
            [{"id": "names", "type": "names", "words": ["加微信", "crypto signals"]}]
        )
    )
    assert rules.checks_names
    assert rules.evaluate_name(view("加 微 信 领资料 ")).hit
    assert rules.evaluate_name(view("Crypto Signals VIP")).hit
    assert rules.evaluate_name(view("Join t.me/+abc ")).hit
    assert rules.evaluate_name(view("Alice @alice_promo_bot")).hit
    assert not rules.evaluate_name(view("Alice Wang alice")).hit
    # Names rules never run on messages.
    assert not rules.evaluate(view("加微信")).hit


def test_per_group_overrides() -> None:
    rules = RuleSet(
        RULES.validate_python(
            [
                {
                    "id": "length",
                    "type": "length",
                    "max": 10,
                    "overrides": [
                        {"groups": ["vip"], "max": 100, "action": "flag"},
                        {"groups": ["console:quiet"], "enabled": False},
                    ],
                }
            ]
        )
    )
    text = "x" * 50
    verdict = rules.evaluate(view(text))
    assert verdict.rule is not None and verdict.rule.action.delete
    assert not rules.evaluate(view(text, group="console:vip")).hit
    flagged = rules.evaluate(view("x" * 101, group="console:vip"))
    assert flagged.rule is not None and flagged.rule.action.flag and not flagged.rule.action.delete
    assert not rules.evaluate(view("x" * 500, group="console:quiet")).hit


def test_a_rule_in_dry_run_never_masks_one_that_acts() -> None:
    rules = RuleSet(
        RULES.validate_python(
            [
                {
                    "id": "trial",
                    "type": "blocklist",
                    "words": ["spam"],
                    "action": "ban",
                    "dry_run": True,
                },
                {"id": "real", "type": "blocklist", "words": ["spam"], "action": "delete"},
            ]
        )
    )
    verdict = rules.evaluate(view("spam"))
    assert verdict.rule is not None and verdict.rule.id == "real"
    assert [r.id for r, _ in verdict.dry_runs] == ["trial"]


def test_reload_keeps_the_state_of_unchanged_rules() -> None:
    flood = {"id": "flood", "type": "flood", "max": 2, "per": "10s"}
    first = RuleSet(RULES.validate_python([flood]))
    for i in range(2):
        assert not first.evaluate(view("x", at=NOON + i)).hit
    same = RuleSet(RULES.validate_python([flood, {"id": "c", "type": "caps"}]), previous=first)
    assert same.evaluate(view("x", at=NOON + 2)).hit  # the window carried over
    changed = RuleSet(RULES.validate_python([{**flood, "max": 3}]), previous=first)
    assert not changed.evaluate(view("x", at=NOON + 3)).hit  # a changed rule starts afresh


MINIMAL = "community: {name: Test, slug: test}\n"


@pytest.mark.parametrize(
    ("rules_yaml", "expected"),
    [
        ("- {id: a, type: flood, max: 5, per: 10s, overrides: [{groups: [g2], max: five}]}",
         "rules.1.overrides.1.max: Input should be a valid integer"),
        ("- {id: a, type: caps, overrides: [{groups: [g2], colour: red}]}",
         "rules.1.overrides.1.colour: unknown key"),
        ("- {id: a, type: caps, overrides: [{max_ratio: 0.9}]}",
         "rules.1.overrides.1.groups: name the groups"),
        ("- {id: a, type: caps, overrides: [{groups: [g2], type: links}]}",
         "rules.1.overrides.1.type: cannot be overridden"),
        ("- {id: a, type: night_mode, from: '25:00', to: '07:00'}",
         "rules.1.from: '25:00' is not a time of day"),
        ("- {id: a, type: night_mode, from: '23:00', to: '23:00'}", "rules.1: `from` and `to`"),
        ("- {id: a, type: night_mode, from: '23:00', to: '07:00', timezone: Mars/Base}",
         "rules.1.timezone: unknown time zone 'Mars/Base'"),
        ("- {id: a, type: media, deny: [hologram]}", "rules.1.deny.1: Input should be"),
        ("- {id: a, type: emoji}", "rules.1: give max, max_ratio or both"),
        ("- {id: a, type: probation, deny: [links]}", "rules.1: give messages, within or both"),
        ("- {id: a, type: length}", "rules.1: give max, max_lines or both"),
        ("- {id: a, type: slow_mode, every: 10}", "rules.1.every: 10 has no unit"),
        ("- {id: a, type: names, words: ['re:(x']}", "rules.1.words: bad regex '(x'"),
        ("- {id: a, type: caps, action: shout}", "rules.1.action: unknown action 'shout'"),
        ("- {id: a, type: caps, dry_run: maybe}", "rules.1.dry_run: Input should be a valid boolean"),
    ],
)  # fmt: skip
def test_rule_mistakes_are_reported_with_their_path(rules_yaml: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(MINIMAL + "rules:\n  " + rules_yaml + "\n")
    assert any(e.startswith(expected) for e in exc.value.errors), exc.value.errors


def test_every_rule_type_loads_from_yaml() -> None:
    config = parse_config(
        MINIMAL
        + """rules:
  - {id: ads, type: blocklist, words: [加微信]}
  - {id: links, type: links, handles: true, phones: true}
  - {id: flood, type: flood, max: 5, per: 10s}
  - {id: repeats, type: duplicates, raid: {members: 3}}
  - {id: caps, type: caps}
  - {id: mentions, type: mentions, max: 5}
  - {id: emoji, type: emoji, max: 10}
  - {id: forwards, type: forwards, from: [channel]}
  - {id: media, type: media, deny: [sticker]}
  - {id: length, type: length, max: 2000}
  - {id: newcomers, type: probation, messages: 5, within: 24h}
  - {id: night, type: night_mode, from: 23:00, to: "07:00", action: flag}
  - {id: slow, type: slow_mode, every: 30s}
  - {id: names, type: names, words: [crypto], action: {ban: 7d}}
"""
    )
    types = [r.type for r in config.rules]
    assert len(set(types)) == 14
    night = config.rules[11]
    assert night.type == "night_mode" and (night.start, night.end) == (23 * 60, 7 * 60)
    assert len(RuleSet(config.rules, timezone="Asia/Shanghai")) == 14


def test_the_docs_show_every_rule_type_with_an_example_that_loads() -> None:
    section = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\| `(\w+)` \|.*\| `(\{.*\})` \|$", section, re.MULTILINE)
    assert {t for t, _ in examples} == set(RULE_TYPES)
    for rule_type, example in examples:
        rule = RULE.validate_python(yaml.safe_load(example))
        assert rule.type == rule_type
