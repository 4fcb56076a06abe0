"""The `risk:` section of the community file: the spam detector, members'
reports, and the risk monitors that warn the moderators."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rules.schema import ClockTime, Duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DEFAULT_STOP_WORDS = (
    "加微信", "加vx", "加v信", "私聊我", "日赚", "稳赚", "包赚", "躺赚", "刷单", "代开发票",
    "免费领取", "点击领取", "usdt", "airdrop", "crypto signals", "guaranteed profit", "dm me",
    "click here", "earn money fast", "onlyfans", "заработок",
)  # fmt: skip


class OcrConfig(_Strict):
    """Text in pictures (OCR with Tesseract, where the machine has it): the
    caption and the picture's text are checked together."""

    enabled: bool = True
    # Whose pictures are read: newcomers only, every member the detector
    # checks (not yet approved), or every member but staff.
    who: Literal["newcomers", "unapproved", "everyone"] = "newcomers"
    # Larger pictures are not downloaded.
    max_bytes: int = Field(default=5_000_000, ge=10_000, le=50_000_000)
    timeout: Duration = timedelta(seconds=20)
    # Tesseract's language packs (Debian: tesseract-ocr-chi-sim, -rus).
    languages: list[str] = Field(default_factory=lambda: ["chi_sim", "eng", "rus"], min_length=1)


class CasConfig(_Strict):
    """Combot Anti-Spam: a newcomer's account is looked up on their first
    checked message (cached, with a time limit, beside the message path)."""

    enabled: bool = False
    url: str = "https://api.cas.chat"
    timeout: Duration = timedelta(seconds=3)


LLM_PROMPT = (
    "You moderate a community chat. Answer with one word, spam or ham: is the "
    "following message spam (advertising, scams, solicitation) rather than "
    "ordinary conversation?"
)


class LlmConfig(_Strict):
    """A language model's opinion on messages the model scored close below
    its threshold, through any OpenAI-compatible endpoint (a local
    llama.cpp or Ollama server works the same)."""

    enabled: bool = False
    url: str = "http://127.0.0.1:8080/v1"
    model: str = "gpt-4o-mini"
    # The environment variable holding the API key (none for a local server).
    key_env: str = "OPENAI_API_KEY"
    # Added to the built-in instructions: what this community counts as spam.
    prompt: str = ""
    timeout: Duration = timedelta(seconds=10)
    # Questions per day at most (the community's local day).
    daily_budget: int = Field(default=200, ge=1)
    # How far below the threshold (log-odds) a score is uncertain enough to ask.
    band: float = Field(default=2.0, gt=0, le=10)


class SpamConfig(_Strict):
    enabled: bool = True
    # The share of ordinary chat the detector may flag, measured on held-out
    # samples when the model is fitted: its thresholds follow from these.
    # Newcomers (joined within `newcomer`, or within their first
    # `first_messages`) send most spam and face the meta checks too.
    max_false_positive_rate: float = Field(default=0.005, gt=0, lt=0.5)
    newcomer_false_positive_rate: float = Field(default=0.01, gt=0, lt=0.5)
    # A fixed spam probability instead of the calibrated threshold.
    threshold: float | None = Field(default=None, gt=0, lt=1)
    newcomer_threshold: float | None = Field(default=None, gt=0, lt=1)
    newcomer: Duration = timedelta(hours=24)
    first_messages: int = Field(default=3, ge=0)
    # Members are no longer checked after this many clean messages, nor from
    # this level (by number, 1 = the first) on; staff never are.
    approve_after: int = Field(default=10, ge=0)
    trusted_level: int | None = Field(default=2, ge=1)
    # Cosine similarity to a known spam sample that counts as spam.
    similarity: float = Field(default=0.8, gt=0, le=1)
    stop_words: list[str] = Field(default_factory=lambda: list(DEFAULT_STOP_WORDS))
    # Newcomers' meta checks: more links, @mentions or emoji than these.
    max_links: int = Field(default=1, ge=0)
    max_mentions: int = Field(default=3, ge=0)
    max_emoji: int = Field(default=5, ge=0)
    # The same text in several groups of the community, or from several
    # members, within `duplicate_window`.
    duplicate_window: Duration = timedelta(minutes=10)
    # What a detected message gets; `flag` keeps it and queues it for review.
    action: Literal["delete", "delete_and_mute", "delete_and_ban", "flag"] = "delete_and_mute"
    mute: Duration = timedelta(days=1)
    # What a moderator's /spam does to the member beside cleaning up.
    punish: Literal["ban", "mute", "none"] = "ban"
    # /spam removes the member's messages of this recent past, in every group.
    cleanup: Duration = timedelta(hours=24)
    # Moderators' /spam and /ham teach the model (samples are kept either way).
    learn: bool = True
    # Start from the samples shipped with groupkeeper.
    default_samples: bool = True
    ocr: OcrConfig = Field(default_factory=OcrConfig)
    # Second opinions, off by default.
    cas: CasConfig = Field(default_factory=CasConfig)
    llm: LlmConfig = Field(default_factory=LlmConfig)


class ReportsConfig(_Strict):
    enabled: bool = True
    # Report weight within `window` that hides a message and mutes its author
    # until a moderator decides; trusted members' reports weigh `trusted_weight`.
    threshold: int = Field(default=3, ge=1)
    window: Duration = timedelta(hours=1)
    trusted_weight: int = Field(default=2, ge=1)
    # A member may report at most `per_member` messages per `per`.
    per_member: int = Field(default=5, ge=1)
    per: Duration = timedelta(hours=1)
    mute: Duration = timedelta(days=1)
    # What /resolve ID confirm does to the member.
    confirm: Literal["ban", "mute", "kick"] = "ban"
    # Points for each member whose report a moderator confirmed (ledger
    # reason `report`: seasons can weigh it); 0: none.
    reward: int = Field(default=0, ge=0, le=1000)


class SpikeMonitor(_Strict):
    count: int = Field(ge=1)
    window: Duration


class LockdownConfig(_Strict):
    """What a raid closes down until a moderator lifts it (/unlock)."""

    # Each member may post once per this while it lasts (staff are exempt).
    slow_mode: Duration = timedelta(seconds=30)
    # Members who joined within the raid's window, and everyone joining while
    # it lasts, are muted until it lifts.
    mute_newcomers: bool = True
    # Lift by itself after this long; unset: only a moderator lifts it.
    lift_after: Duration | None = None


class RaidMonitor(SpikeMonitor):
    # Set to close the group down automatically when a raid is detected.
    lockdown: LockdownConfig | None = None


class ReminderConfig(_Strict):
    """Alerts nobody acknowledged are posted again."""

    every: Duration = timedelta(minutes=30)
    times: int = Field(default=2, ge=1, le=10)
    # Only alerts of this severity or higher are repeated.
    min_severity: Literal["low", "medium", "high"] = "medium"


class ActivityDropMonitor(_Strict):
    """Checked once a day: yesterday's messages against the `days` before."""

    days: int = Field(default=7, ge=2, le=60)
    # Alert when yesterday fell below this share of the baseline average.
    ratio: float = Field(default=0.5, gt=0, lt=1)
    # Quiet groups are not judged: their baseline must average this many.
    min_messages: int = Field(default=20, ge=1)


class KeywordMonitor(_Strict):
    words: list[str] = Field(default_factory=lambda: ["退款", "骗子", "投诉", "refund", "scam"])


class UnansweredMonitor(_Strict):
    after: Duration = timedelta(minutes=30)


class MonitorsConfig(_Strict):
    report_spike: SpikeMonitor | None = Field(
        default_factory=lambda: SpikeMonitor(count=5, window=timedelta(hours=1))
    )
    spam_spike: SpikeMonitor | None = Field(
        default_factory=lambda: SpikeMonitor(count=5, window=timedelta(minutes=10))
    )
    # Many joins in a short time: a raid, or a link posted somewhere hostile.
    raid: RaidMonitor | None = Field(
        default_factory=lambda: RaidMonitor(count=10, window=timedelta(minutes=5))
    )
    # Many members leaving: something drove them away.
    leave_spike: SpikeMonitor | None = Field(
        default_factory=lambda: SpikeMonitor(count=10, window=timedelta(hours=1))
    )
    activity_drop: ActivityDropMonitor | None = Field(default_factory=ActivityDropMonitor)
    keywords: KeywordMonitor | None = Field(default_factory=KeywordMonitor)
    unanswered_question: UnansweredMonitor | None = Field(default_factory=UnansweredMonitor)
    # The same monitor alerts a group again only after this long.
    cooldown: Duration = timedelta(hours=1)
    remind: ReminderConfig | None = Field(default_factory=ReminderConfig)
    # Local time of the daily risk summary in the log chat (minutes since
    # midnight, written "09:00"); unset: none.
    daily_summary: ClockTime | None = 9 * 60


class RiskConfig(_Strict):
    spam: SpamConfig = Field(default_factory=SpamConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    monitors: MonitorsConfig = Field(default_factory=MonitorsConfig)
