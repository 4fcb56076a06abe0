"""The spam detector: the tokenizer, each named check (tables), who is
checked and how hard, learning from /spam and /ham without a restart, the
samples kept in the database, and `groupkeeper spam eval`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.cli import main
from bot.compose import open_engine
from bot.config import Config, parse_config
from bot.config.risk import SpamConfig
from bot.core.actions import BanMember, DeleteMessage, MuteMember, UnbanMember
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import ChatRef, CommandIssued, MemberJoined, MessagePosted, ReplyRef, UserRef
from bot.features import Stores
from bot.features.points.feature import PointsFeature
from bot.features.risk.feature import RiskFeature
from bot.features.risk.spam.checks import (
    Detector,
    duplicates_check,
    head,
    meta_check,
    model_check,
    similarity_check,
    stop_words_check,
)
from bot.features.risk.spam.checks import features as checks_features
from bot.features.risk.spam.features import features
from bot.features.risk.spam.model import HAM, SPAM, SpamModel, parse_samples
from bot.features.risk.spam.training import fit
from rules.message import MessageView
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, ROOT

SPAMMY = "兼职刷单，日赚500到2000，有手机就能做，私聊我"
CHAT = "大家好，请问周末的线下活动在哪里举办？"


def view(text: str = "", **kw: object) -> MessageView:
    base: dict[str, object] = {"group": "g1", "sender": "m1", "at": 0.0}
    base.update(kw)
    return MessageView(text=text, **base)  # type: ignore[arg-type]


def small_model() -> SpamModel:
    return fit(
        [
            (SPAM, SPAMMY),
            (SPAM, "Earn $500 a day from home, DM me for details"),
            (SPAM, "免费领取炒股资料，加微信，稳赚不赔"),
            (HAM, CHAT),
            (HAM, "Thanks for sharing the deck, really helpful"),
            (HAM, "我们项目下周路演，有投资人朋友可以帮忙引荐吗"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("加微信领资料", {"加微", "微信", "加微信", "加微信领", "#len1"}, set()),
        ("Earn MONEY fast", {"w:earn", "w:money", "w:earn money", "w:money fast"}, {"w:Earn"}),
        ("see https://t.me/+abc now", {"#link", "#invite", "host:t.me", "tld:me", "w:see"}, set()),
        ("call 138 1234 5678", {"#phone", "w:call", "w:#n3", "w:#n4"}, {"w:1234"}),
        ("ping @invest_master_pro", {"#handle", "@invest_master_pro"}, set()),
        ("日赚3000", {"日赚", "赚000", "0000"}, {"3000"}),
        ("🔥🔥🔥 free 💰", {"#emoji2", "w:free"}, set()),
        ("Пpоходят набоp", {"#mixed_script"}, set()),
        ("𝐄𝐚𝐫𝐧 𝐝𝐚𝐢𝐥𝐲", {"#styled", "w:earn", "w:earn daily"}, set()),
        ("bit.ly/x and a.com", {"#links", "#shortener", "host:bit.ly", "host:a.com"}, set()),
    ],
)
def test_features(text: str, present: set[str], absent: set[str]) -> None:
    found = features(text)
    assert present <= found
    assert not absent & found


def test_look_alike_letters_read_as_the_word_they_imitate() -> None:
    plain, disguised = features("Проходят набор"), features("Пpоходят набоp")
    assert {f for f in plain if f.startswith("w:")} == {f for f in disguised if f.startswith("w:")}


def test_long_messages_are_read_up_to_a_bound() -> None:
    long = "项目进展顺利" * 2000
    view = MessageView(text=long + " t.me/+abc", group="g", sender="s", at=0.0)
    short = head(view)
    assert len(short.text) == 1000
    found = checks_features(short)
    assert {"#long", "#tail_link"} <= found
    assert len(found) < 4 * 600
    assert head(MessageView(text="short", group="g", sender="s", at=0.0)).text == "short"


SPAM_CONFIG = SpamConfig()


@pytest.mark.parametrize(
    ("name", "msg", "newcomer", "hit", "code"),
    [
        ("stop words: a phrase", view("加 微 信 了解一下"), False, True, "spam_stop_word"),
        ("stop words: through look-alikes", view("ＤＭ ｍｅ"), False, True, "spam_stop_word"),
        ("stop words: chat", view(CHAT), False, False, ""),
        (
            "meta: channel forward, newcomer",
            view("news", forwarded=True, forward_origin="channel"),
            True,
            True,
            "spam_forward",
        ),
        (
            "meta: channel forward, not newcomer",
            view("news", forwarded=True, forward_origin="channel"),
            False,
            False,
            "",
        ),
        (
            "meta: a user's forward",
            view("look", forwarded=True, forward_origin="user"),
            True,
            False,
            "",
        ),
        ("meta: contact card", view("", media="contact"), True, True, "spam_contact"),
        ("meta: two links", view("a.com and b.com"), True, True, "spam_links"),
        ("meta: one link", view("see github.com"), True, False, ""),
        (
            "meta: four mentions",
            view("@alice1 @bobby2 @carol3 @daniel4"),
            True,
            True,
            "spam_mentions",
        ),
        ("meta: six emoji", view("🎁🎁🎁🎁🎁🎁"), True, True, "spam_emoji"),
        ("meta: five emoji", view("🎉🎉🎉🎉🎉"), True, False, ""),
    ],
)
def test_content_and_meta_checks(
    name: str, msg: MessageView, newcomer: bool, hit: bool, code: str
) -> None:
    checks = [stop_words_check(SPAM_CONFIG.stop_words), meta_check(SPAM_CONFIG)]
    results = [c(msg, newcomer) for c in checks]
    hits = [r for r in results if r.hit]
    assert bool(hits) == hit, name
    if hit:
        assert hits[0].code == code and hits[0].details


def test_duplicates_across_groups_and_members_within_the_window() -> None:
    check = duplicates_check(600)
    text = "Join our channel for free signals today"
    assert not check(view(text, group="g1", sender="a", at=0), True).hit
    across = check(view(text, group="g2", sender="a", at=10), True)
    assert across.hit and across.code == "spam_duplicate_groups"
    assert not check(view(text, group="g1", sender="x", at=1000), True).hit  # a new window
    assert not check(view(text, group="g1", sender="y", at=1001), True).hit
    wave = check(view(text, group="g1", sender="z", at=1002), True)
    assert wave.hit and wave.code == "spam_duplicate_members"
    assert not check(view("ok thanks", sender="q", at=1003), True).hit  # too short to count
    assert not check(view(text, group="g3", sender="w", at=1004), False).hit  # not a newcomer


def test_similarity_and_the_model_follow_what_was_learned() -> None:
    model = small_model()
    similar = similarity_check(model, 0.8)
    scored = model_check(model, 0.0, 0.0)
    near = view(SPAMMY + "！")
    assert scored(near, False).hit
    assert not scored(view(CHAT), False).hit
    # The index holds what moderators teach, not the training file.
    assert not similar(near, False).hit
    fresh = "Our tool sends bulk direct messages to every member of your group"
    assert not similar(view(fresh), False).hit
    model.learn(SPAM, fresh)
    assert similar(view("Our tool sends bulk direct messages to every member"), False).hit


def test_newcomers_meet_their_own_threshold() -> None:
    model = small_model()
    margin = model.linear.margin(features("free money, dm me"))
    check = model_check(model, margin + 1, margin - 1)
    assert check(view("free money, dm me"), True).hit
    assert not check(view("free money, dm me"), False).hit


def test_the_detector_reports_every_check_that_hit() -> None:
    model = small_model()
    detector = Detector(SpamConfig(threshold=0.5, newcomer_threshold=0.5), model)
    verdict = detector.check(view(SPAMMY), newcomer=True)
    assert verdict.spam
    assert {r.rule for r in verdict.hits} >= {"stop_words", "model"}
    # Similarity runs only when it can change the verdict.
    assert "similarity" not in {r.rule for r in verdict.results}
    assert not detector.check(view(CHAT), newcomer=True).spam
    taught = "Quiet tonight. Our tool sends bulk direct messages to every member"
    model.learn(SPAM, taught)
    strict = Detector(SpamConfig(threshold=0.999, newcomer_threshold=0.999), model)
    verdict = strict.check(view(taught + " today"), newcomer=False)
    assert [r.rule for r in verdict.hits] == ["similarity"]


def test_parse_samples_reports_bad_lines() -> None:
    samples, errors = parse_samples(["# comment", "spam\tbuy now", "", "junk", "ham\t  "])
    assert samples == [(SPAM, "buy now")]
    assert errors == [
        "line 4: expected spam or ham, a tab, and the text",
        "line 5: expected spam or ham, a tab, and the text",
    ]


# --- Member context on the message path ---------------------------------------

GROUP = ChatRef("telegram", "-100500", title="Founders")


def user(n: int, **kw: object) -> UserRef:
    return UserRef("telegram", str(n), f"user{n}", f"user{n}", **kw)  # type: ignore[arg-type]


def post(sender: UserRef, mid: int, text: str, at: datetime, **kw: object) -> MessagePosted:
    return MessagePosted(GROUP, sender, mid, text, at, **kw)  # type: ignore[arg-type]


@pytest.fixture
def config() -> Config:
    return parse_config(
        EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    )


async def engine_for(config: Config, store: SqlStore, clock: FakeClock) -> Engine:
    engine = await open_engine(
        config, store, clock, stores=Stores(spam=SqlSpamStore(store.engine)), background_flush=False
    )
    return engine


def removed(actions: list[object]) -> bool:
    return any(isinstance(a, DeleteMessage) for a in actions)


async def test_newcomers_spam_is_removed_and_they_are_muted(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await engine_for(config, store, clock)
    actions = await engine.handle(post(user(1), 1, SPAMMY, clock.now()))
    assert removed(actions)
    assert any(isinstance(a, MuteMember) and a.rule == "spam" for a in actions)
    assert not removed(await engine.handle(post(user(2), 2, CHAT, clock.now())))


@pytest.mark.parametrize(
    "text",
    [
        "Hello everyone, I am new here and glad to join",
        "Hi all, new here! Looking forward to learning",
        "hello",
        "大家好，刚进群，做储能的，请多关照",
        "Thanks for adding me, where do I find the rules?",
    ],
)
async def test_a_newcomers_hello_is_not_spam(
    config: Config, store: SqlStore, clock: FakeClock, text: str
) -> None:
    engine = await engine_for(config, store, clock)
    await engine.handle(MemberJoined(GROUP, user(20), clock.now()))
    assert not removed(await engine.handle(post(user(20), 1, text, clock.now())))


@pytest.mark.parametrize(
    ("sender", "extra"),
    [
        (user(3, is_bot=True), {}),
        (user(4), {"on_behalf_of_chat": True}),
        (user(5, is_admin=True), {}),
    ],
    ids=["a bot", "an anonymous admin or linked channel", "a chat admin"],
)
async def test_bots_channels_and_admins_are_never_punished(
    config: Config, store: SqlStore, clock: FakeClock, sender: UserRef, extra: dict[str, object]
) -> None:
    engine = await engine_for(config, store, clock)
    actions = await engine.handle(post(sender, 1, SPAMMY, clock.now(), **extra))
    assert not removed(actions)
    assert not any(isinstance(a, MuteMember | BanMember) for a in actions)


async def test_approved_members_are_spared_and_suspects_are_not(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await engine_for(config, store, clock)
    regular = user(6)
    for i in range(11):  # approve_after: 10 clean messages
        clock.advance(timedelta(minutes=2))
        assert not removed(await engine.handle(post(regular, 10 + i, f"{CHAT} {i}", clock.now())))
    assert not removed(await engine.handle(post(regular, 30, SPAMMY, clock.now())))
    engine.feature(RiskFeature).risk.spam.suspects.add(regular.key)  # type: ignore[union-attr]
    assert removed(await engine.handle(post(regular, 31, SPAMMY, clock.now())))


async def test_trusted_levels_are_spared(config: Config, store: SqlStore, clock: FakeClock) -> None:
    engine = await engine_for(config, store, clock)
    member = engine.kit.directory.member(user(7), clock.now())
    engine.feature(PointsFeature).points.award(member.key, 150, "gift", "gift:7", clock.now())
    assert engine.feature(RiskFeature).risk.spam.approved(member)  # type: ignore[union-attr]
    assert not removed(await engine.handle(post(user(7), 1, SPAMMY, clock.now())))


async def test_spam_command_learns_at_once_and_the_sample_survives_a_restart(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    moderator = UserRef("telegram", "1002", "mod", "mod")
    text = "Quiet tonight. Selling the member list of this group, ask me"
    engine = await engine_for(config, store, clock)
    sly = user(8)
    for i in range(11):
        clock.advance(timedelta(minutes=1))
        await engine.handle(post(sly, 100 + i, f"hello there number {i}", clock.now()))
    assert not removed(await engine.handle(post(sly, 200, text, clock.now())))
    command = CommandIssued(
        GROUP, moderator, 201, "spam", (), clock.now(), ReplyRef(200, sly, text), "/spam"
    )
    actions = await engine.handle(command)
    deleted = {m for a in actions if isinstance(a, DeleteMessage) for m in a.message_ids}
    assert {200, 110} <= deleted  # the message and the member's other recent ones
    assert any(isinstance(a, BanMember) for a in actions)
    # A newcomer posting it now is caught without a restart ...
    assert removed(await engine.handle(post(user(9), 300, text, clock.now())))
    await engine.stop()
    # ... and after one, from the sample the database kept.
    engine = await engine_for(config, store, clock)
    assert removed(await engine.handle(post(user(10), 400, text, clock.now())))
    stored = await SqlSpamStore(store.engine).load_spam(config.community.slug)
    assert [(s.label, s.text, s.source) for s in stored.samples] == [(SPAM, text, "spam")]


async def test_ham_command_stores_a_ham_sample_and_staff_only(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await engine_for(config, store, clock)
    member, moderator = user(11), UserRef("telegram", "1002", "mod", "mod")
    reply = ReplyRef(5, member, "free tickets for the meetup, ask me")
    refused = await engine.handle(CommandIssued(GROUP, user(12), 6, "ham", (), clock.now(), reply))
    assert "Only moderators" in refused[0].text  # type: ignore[union-attr]
    done = await engine.handle(CommandIssued(GROUP, moderator, 7, "ham", (), clock.now(), reply))
    assert "not spam" in done[0].text  # type: ignore[union-attr]
    usage = await engine.handle(CommandIssued(GROUP, moderator, 8, "spam", (), clock.now()))
    assert "Reply /spam" in usage[0].text  # type: ignore[union-attr]
    stored = await SqlSpamStore(store.engine).load_spam(config.community.slug)
    assert [(s.label, s.added_by) for s in stored.samples] == [(HAM, "telegram:1002")]


async def test_unbanning_a_member_banned_as_a_spammer_learns_the_text_as_ham(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    moderator = UserRef("telegram", "1002", "mod", "mod")
    text = "Selling two spare tickets for Saturday, message me if you want them"
    engine = await engine_for(config, store, clock)
    ann = user(13)
    reply = ReplyRef(50, ann, text)
    banned = await engine.handle(
        CommandIssued(GROUP, moderator, 51, "spam", (), clock.now(), reply, "/spam")
    )
    assert any(isinstance(a, BanMember) for a in banned)
    await engine.stop()
    # After a restart too: the moderator's spam sample remembers the text.
    engine = await engine_for(config, store, clock)
    unban = CommandIssued(GROUP, moderator, 52, "unban", (), clock.now(), target=ann)
    out = await engine.handle(unban)
    assert any(isinstance(a, UnbanMember) for a in out)
    assert "now learned as not spam" in out[-1].text  # type: ignore[union-attr]
    stored = await SqlSpamStore(store.engine).load_spam(config.community.slug)
    assert [(s.label, s.source) for s in stored.samples] == [(SPAM, "spam"), (HAM, "unban")]
    # Once only; a member never caught as spam teaches nothing.
    again = await engine.handle(unban)
    assert not any("learned" in getattr(a, "text", "") for a in again)
    other = CommandIssued(GROUP, moderator, 53, "unban", (), clock.now(), target=user(14))
    assert not any("learned" in getattr(a, "text", "") for a in await engine.handle(other))


def test_spam_eval_prints_the_figures_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    train = sorted(str(p) for p in (ROOT / "bot" / "data").glob("spam_*.tsv"))
    test = ROOT / "data" / "spam_test.tsv"
    assert main(["spam", "eval", "--train", *train, "--test", str(test), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["tested"] == 90
    assert figures["true_positives"] + figures["false_negatives"] == 45
    assert 0.9 <= figures["precision"] <= 1 and 0.8 <= figures["recall"] <= 1
    assert figures["false_positive_rate"] <= 0.05
    assert figures["median_us"] > 0
    # The operating points: a stricter target never flags more.
    points = [p for p in figures["points"] if p["target"] is not None]
    assert [p["target"] for p in points] == [0.001, 0.005, 0.01, 0.02, 0.05]
    rates = [p["threshold"] for p in points]
    assert rates == sorted(rates, reverse=True)


def test_spam_train_stores_the_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = tmp_path / "s.tsv"
    samples.write_text("spam\tbuy followers now\nham\tsee you at the meetup\n", encoding="utf-8")
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    assert main(["spam", "train", str(samples), "--config", str(EXAMPLE), "--db", db]) == 0
    assert "stored 2 samples (1 spam, 1 ham)" in capsys.readouterr().out
    bad = tmp_path / "bad.tsv"
    bad.write_text("maybe\tsomething\n", encoding="utf-8")
    assert main(["spam", "train", str(bad), "--config", str(EXAMPLE), "--db", db]) == 1
