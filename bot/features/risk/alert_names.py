"""Members named in risk alerts, and their erasure from the alerts' texts.

An alert's summary and evidence are stored as the moderators read them,
in the community's language: a watched word or an unanswered question
names its author and quotes their words (`risk.summary.keyword`,
`risk.summary.unanswered_question`), a raid or a wave of leaves lists the
members in its evidence. Each alert also records whom it names and how
(`NamedMember`), so an erasure (`/forgetme`) finds the alerts by the
member's key and rewrites them: the member shown as the erasure's alias,
their quoted words removed, everything else (the watched word, the
counts, the other members) as it was.

Alerts stored before that record was kept (migration 0012) are found by
how the member is shown now (`shown_as`), only among the kinds that name
members. The same functions rewrite the database's rows (storage) and the
alerts the running bot holds, so both read alike.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection
from functools import cache

from bot.config import Locale
from bot.core.i18n import LOCALES, catalogue
from bot.features.risk.records import NamedMember, RiskAlertRecord

# Kinds whose summary names and quotes the member who wrote.
QUOTING = frozenset({"keyword", "unanswered_question"})
# Kinds whose evidence lists the members who came or went.
LISTING = frozenset({"raid", "leave_spike"})
NAMING = QUOTING | LISTING
_MORE = re.compile(r" \(\+\d+\)$")


def shown_as(name: str, username: str | None, user_id: str) -> set[str]:
    """Every way an alert may have shown a member (`display`: their
    @username, else their name, else their id), for alerts that did not
    record it."""
    shown = {user_id}
    if username:
        shown.add(f"@{username}")
    if name:
        shown.add(name)
    return shown


@cache
def _pattern(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A catalogue template as a pattern with one group per placeholder."""
    parts: list[str] = []
    fields: list[str] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.*?)" if field not in fields else f"(?P={field})")
            fields.append(field)
    return re.compile("".join(parts), re.DOTALL), tuple(fields)


def _rendered(kind: str, summary: str) -> tuple[Locale, str, dict[str, str]] | None:
    """(locale, template, values) a summary was rendered from."""
    for locale in LOCALES:
        template = catalogue(locale).get(f"risk.summary.{kind}")
        if template is None:
            continue
        pattern, _ = _pattern(template)
        found = pattern.fullmatch(summary)
        if found is not None:
            return locale, template, found.groupdict()
    return None


def _summary(kind: str, summary: str, shown: Collection[str], alias: str, quoted: str) -> str:
    if kind not in QUOTING:
        return summary
    rendered = _rendered(kind, summary)
    if rendered is not None:
        locale, template, values = rendered
        if values.get("name") not in shown:
            return summary
        words = catalogue(locale)["mydata.alert_words"]
        return template.format_map({**values, "name": alias, "text": words})
    # A summary in a wording the catalogue no longer has: its quoted words,
    # when known, and every way it shows the member go.
    if quoted:
        head, found, tail = summary.rpartition(quoted)
        summary = head + tail if found else summary
    for name in sorted(shown, key=len, reverse=True):
        if name:
            summary = summary.replace(name, alias)
    return summary


def _evidence(kind: str, evidence: str, shown: Collection[str], alias: str) -> str:
    """A raid's or a leave spike's members, `a, b, c (+2)`: the member's
    entries become the alias."""
    if kind not in LISTING or not evidence:
        return evidence
    more = _MORE.search(evidence)
    body, tail = (evidence[: more.start()], more.group()) if more else (evidence, "")
    return ", ".join(alias if item in shown else item for item in body.split(", ")) + tail


def scrub(
    kind: str, summary: str, evidence: str, shown: Collection[str], alias: str, quoted: str = ""
) -> tuple[str, str]:
    """An alert's (summary, evidence) with the member shown as `alias` and
    their quoted words removed; `shown`: how the alert shows them."""
    return (
        _summary(kind, summary, shown, alias, quoted),
        _evidence(kind, evidence, shown, alias),
    )


def forget(alert: RiskAlertRecord, key: str, alias: str, shown_now: Collection[str]) -> bool:
    """Rewrite an alert the bot holds as an erasure rewrote its row; True
    when it named the member. `shown_now`: how the member is shown today,
    for an alert that recorded nobody (stored before migration 0012)."""
    if alert.named:
        mine = next((n for n in alert.named if n.key == key), None)
        if mine is None:
            return False
        alert.summary, alert.evidence = scrub(
            alert.kind, alert.summary, alert.evidence, {mine.shown}, alias, mine.quoted
        )
        alert.named = tuple(NamedMember(alias, alias) if n is mine else n for n in alert.named)
        return True
    if alert.kind not in NAMING:
        return False
    texts = scrub(alert.kind, alert.summary, alert.evidence, shown_now, alias)
    if texts == (alert.summary, alert.evidence):
        return False
    alert.summary, alert.evidence = texts
    return True
