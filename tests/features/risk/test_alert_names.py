"""An alert's texts with a member erased from them, table-driven: the
member shown as the alias wherever the alert shows them, their quoted
words replaced by the catalogue's note in the alert's own language, and
nothing else touched (the watched word, counts, message ids, other
members, a member whose name only contains theirs)."""

from __future__ import annotations

import pytest

from bot.core.i18n import t
from bot.features.risk.alert_names import scrub, shown_as

A = "erased:abc"
EVE = shown_as("Eve", "eve", "2001")
EN, ZH = t("en", "mydata.alert_words"), t("zh", "mydata.alert_words")


def kw(loc: str, name: str, text: str, word: str = "refund") -> str:
    return t(loc, "risk.summary.keyword", name=name, word=word, text=text)  # type: ignore[arg-type]


CASES = [
    # (kind, summary, evidence, shown, quoted) -> (summary, evidence)
    ("keyword", kw("en", "@eve", "Eve wants a refund"), "#7", {"@eve"}, "Eve wants a refund",
     kw("en", A, EN), "#7"),
    ("keyword", kw("zh", "@eve", "我要退款", "退款"), "#7", EVE, "",
     kw("zh", A, ZH, "退款"), "#7"),
    # Her id only (no name, no username then).
    ("keyword", kw("en", "2001", "refund"), "#2001", EVE, "", kw("en", A, EN), "#2001"),
    # Another member, whose name holds hers.
    ("keyword", kw("en", "@evelyn", "refund"), "#7", EVE, "", kw("en", "@evelyn", "refund"), "#7"),
    ("raid", "10 members joined within 5m", "@bob, @eve, Eve, @evelyn (+2)", EVE, "",
     "10 members joined within 5m", f"@bob, {A}, {A}, @evelyn (+2)"),
    ("leave_spike", "3 members left within 1h", "2001", EVE, "", "3 members left within 1h", A),
    # Counts and message ids are nobody's name, whatever her id is.
    ("spam_spike", "5 spam messages removed within 10m", "#2001, #5", {"5", "2001"}, "",
     "5 spam messages removed within 10m", "#2001, #5"),
    # A wording the catalogue no longer has: what is known of her goes.
    ("keyword", "@eve said “refund”: my order 12", "#7", {"@eve"}, "my order 12",
     f"{A} said “refund”: ", "#7"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "summary", "evidence", "shown", "quoted", "want", "want_ev"), CASES
)
def test_scrub(
    kind: str, summary: str, evidence: str, shown: set[str], quoted: str, want: str, want_ev: str
) -> None:
    assert scrub(kind, summary, evidence, shown, A, quoted) == (want, want_ev)


def test_how_a_member_may_have_been_shown() -> None:
    assert shown_as("Eve", "eve", "2001") == {"@eve", "Eve", "2001"}
    assert shown_as("", None, "2001") == {"2001"}
