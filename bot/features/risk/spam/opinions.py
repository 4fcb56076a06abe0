"""Second opinions, off by default: a newcomer's account looked up in the
Combot Anti-Spam list (CAS) on their first checked message, and a language
model asked about messages the model scored just below its threshold. Both
are asked beside the message path (`AskOpinion`; the adapters do the HTTP
with a time limit) and answer later (`OpinionGiven`); a "spam" answer
removes the message as any spam is, and `/why` names who said so.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from bot.config.risk import LLM_PROMPT, SpamConfig
from bot.core.actions import AskOpinion
from bot.core.events import MessagePosted, OpinionGiven
from bot.features.risk.spam.checks import SpamVerdict
from rules.checks import CheckResult

_PENDING = 2_000
# Members looked up in CAS already (a lookup per member, not per message).
_LOOKED_UP = 50_000
_SHOWN = 80


@dataclass(frozen=True, slots=True)
class Asked:
    event: MessagePosted
    newcomer: bool


class Opinions:
    def __init__(self) -> None:
        self.pending: OrderedDict[tuple[str, int, str], Asked] = OrderedDict()
        self.looked_up: OrderedDict[str, None] = OrderedDict()
        self.day: date | None = None
        self.asked_today = 0

    def _remember(self, ev: MessagePosted, service: str, newcomer: bool) -> None:
        self.pending[(ev.chat.key, ev.message_id, service)] = Asked(ev, newcomer)
        while len(self.pending) > _PENDING:
            self.pending.popitem(last=False)

    def ask(
        self, config: SpamConfig, ev: MessagePosted, member: str, newcomer: bool, margin: float,
        threshold: float, today: date,
    ) -> list[AskOpinion]:  # fmt: skip
        """The opinions to ask about a message the detector let through."""
        out: list[AskOpinion] = []
        cas = config.cas
        if cas.enabled and newcomer and member not in self.looked_up:
            self.looked_up[member] = None
            while len(self.looked_up) > _LOOKED_UP:
                self.looked_up.popitem(last=False)
            self._remember(ev, "cas", newcomer)
            out.append(
                AskOpinion(ev.chat, ev.sender, ev.message_id, "cas", cas.url,
                           cas.timeout.total_seconds())
            )  # fmt: skip
        llm = config.llm
        if llm.enabled and ev.text.strip() and threshold - llm.band <= margin < threshold:
            if self.day != today:
                self.day, self.asked_today = today, 0
            if self.asked_today < llm.daily_budget:
                self.asked_today += 1
                self._remember(ev, "llm", newcomer)
                prompt = f"{LLM_PROMPT}\n{llm.prompt}".strip()
                out.append(
                    AskOpinion(
                        ev.chat, ev.sender, ev.message_id, "llm", llm.url,
                        llm.timeout.total_seconds(), ev.text[:2000], llm.model, prompt,
                        llm.key_env,
                    )
                )  # fmt: skip
        return out

    def answer(self, ev: OpinionGiven) -> tuple[Asked, SpamVerdict] | None:
        """The asked message and the verdict to act on, when the opinion
        says spam; None otherwise."""
        asked = self.pending.pop((ev.chat.key, ev.message_id, ev.service), None)
        if asked is None or not ev.spam:
            return None
        return asked, SpamVerdict((opinion_result(ev.service, ev.details),))


def opinion_result(service: str, details: str) -> CheckResult:
    """Named in /why: who said spam, and what they said."""
    shown = details if len(details) <= _SHOWN else details[: _SHOWN - 1] + "…"
    code = "spam_cas" if service == "cas" else "spam_llm"
    said = "listed by CAS" if service == "cas" else "a language model says spam"
    return CheckResult(service, True, f"{said} ({shown})", code, (("details", shown),))
