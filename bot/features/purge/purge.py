"""The purge service: a moderator's `/purge` becomes one deletion of the
chosen ids (the gateways send them in the platform's bulk calls), a case
and a line in the log chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.actions import Action, DeleteMessage, SendMessage
from bot.core.directory import display
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import CaseRecord, GroupRecord, MemberRecord
from bot.features.moderation.enforcement import Enforcer

# The rule a purge's deletions carry (logs, the console, audit reasons).
RULE = "purge"
# The most one /purge deletes: the history keeps this many per chat.
MAX_COUNT = 500


@dataclass(slots=True)
class Purge:
    kit: Kit
    enforcer: Enforcer

    def delete(
        self,
        chat: ChatRef,
        ids: tuple[int, ...],
        *,
        by: MemberRecord,
        of: MemberRecord | None,
        group: GroupRecord,
        count: int,
        now: datetime,
        older: int = 0,
        before: int = 0,
    ) -> tuple[CaseRecord, list[Action]]:
        """One case for the purge (about the member whose messages went, else
        the moderator who purged), the deletion (with up to `older` more
        the platform lists, older than message `before`), and the log
        chat's line."""
        kit = self.kit
        loc = kit.config.community.locale
        case = self.enforcer.cases.open_case(
            RULE,
            of or by,
            now,
            group_key=group.chat_key,
            moderator_key=by.key,
            rule=RULE,
            details=t(loc, "purge.details", count=count),
        )
        rest = (older, before) if older else ()
        out: list[Action] = [DeleteMessage(chat, ids, RULE, case.id, rest)]
        log = kit.log_chat
        if log is not None:
            text = t(
                loc,
                "purge.log",
                case=case.id,
                by=display(by),
                count=count,
                of=t(loc, "purge.of", name=display(of)) if of is not None else "",
                group=group.title or chat.chat_id,
            )
            out.append(SendMessage(log, text, kind="log"))
        return case, out
