"""A letter folds the same whatever else a message holds: an accented Latin
letter elsewhere in the text once switched on a whole-text decomposition
that also stripped "й" to "и" and "ἀ" to "a", so a blocklist entry written
with such a letter missed the message that held it beside an "é"."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules.blocklist import Blocklist
from rules.message import MessageView
from rules.normalize import fold

TEXT = st.text(st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]))


@settings(max_examples=500, deadline=None)
@given(text=TEXT)
@example(text="ἀ")
@example(text="йод")
def test_an_accented_letter_elsewhere_changes_nothing_else(text: str) -> None:
    assert fold(f"{text} é") == fold(text) + " e"


def test_an_entry_with_such_a_letter_finds_itself_beside_an_accent() -> None:
    for entry in ("ἀ", "йод"):
        view = MessageView(text=f" {entry} é", group="console:g1", sender="console:m1", at=0.0)
        found = Blocklist([[entry]]).search(view)[0]
        assert found is not None and found.entry == entry
