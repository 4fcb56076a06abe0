"""`duplicates` calls two texts nearly the same when a shared beginning and
end cover `ratio` of the longer; a quick rejection was added in front of the
slicing. It must answer what the plain definition answers."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules.types.duplicates import _similar

PIECES = st.text(st.sampled_from("ab加微信1"), min_size=1, max_size=12)


def by_definition(a: str, b: str, ratio: float) -> bool:
    """The longest shared beginning plus the longest shared end (not
    overlapping within the shorter text) cover `ratio` of the longer."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    prefix = 0
    while prefix < shorter and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shorter - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return min(len(a), len(b)) >= ratio * max(len(a), len(b)) and (
        prefix + suffix >= ratio * max(len(a), len(b))
    )


@settings(max_examples=1000, deadline=None)
@given(
    a=PIECES,
    b=PIECES,
    edit=st.sampled_from(["", "x", "加", "ab"]),
    ratio=st.sampled_from([0.5, 0.8, 0.85, 0.9, 0.99]),
)
@example(a="abcdefghij", b="abcdefghiX", edit="", ratio=0.9)
@example(a="Xbcdefghij", b="abcdefghij", edit="", ratio=0.9)
def test_nearly_the_same_is_what_the_definition_says(
    a: str, b: str, edit: str, ratio: float
) -> None:
    # Half of the pairs are one text and an edit of it.
    other = a + edit if edit else b
    assert _similar(a, other, ratio) == by_definition(a, other, ratio)
