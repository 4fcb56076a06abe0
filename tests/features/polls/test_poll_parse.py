"""Reading `/poll`: table-driven, each row what a moderator typed and what
the bot made of it (or the catalogue key of its answer)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.features.polls.parse import PollError, PollRequest, parse_poll

ROWS: list[tuple[str, PollRequest | str]] = [
    ('"Next topic?" Storage | Grants',
     PollRequest("Next topic?", ("Storage", "Grants"), None, None)),
    ("Next topic? Storage | Grants | Hiring for 2d",
     PollRequest("Next topic?", ("Storage", "Grants", "Hiring"), None, timedelta(days=2))),
    ('“下周聊什么？” 储能 | 融资 in all for 12h',
     PollRequest("下周聊什么？", ("储能", "融资"), (), timedelta(hours=12))),
    ('"Where?" Online | Berlin for 1d in g1,g2',
     PollRequest("Where?", ("Online", "Berlin"), ("g1", "g2"), timedelta(days=1))),
    # A last option that merely contains "for" stays an option.
    ('"Vote?" yes | no, for now', PollRequest("Vote?", ("yes", "no, for now"), None, None)),
    ('"Only one?" yes', "polls.usage"),
    ("no question mark | a | b", "polls.usage"),
    ('"unclosed quote a | b', "polls.usage"),
    ('"Q?" a | b for 2x', "polls.bad_duration"),
    ('"Q?" a | a', "polls.duplicate"),
    ('"Q?" ' + " | ".join(f"o{n}" for n in range(11)), "polls.too_many"),
    ('"Q?" a | ' + "x" * 56, "polls.option_too_long"),
    ('"' + "q" * 301 + '?" a | b', "polls.too_long"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "expected"), ROWS)
def test_poll_commands_read_as_moderators_mean_them(
    typed: str, expected: PollRequest | str
) -> None:
    if isinstance(expected, str):
        with pytest.raises(PollError) as caught:
            parse_poll(typed)
        assert caught.value.key == expected
    else:
        assert parse_poll(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('"Where from?" Made in China | Made in USA',
         PollRequest("Where from?", ("Made in China", "Made in USA"), None, None)),
        ('"Where?" Online | Berlin in g1', PollRequest("Where?", ("Online", "Berlin"), ("g1",), None)),
        ('"Where?" Online | Made in g2 in all',
         PollRequest("Where?", ("Online", "Made in g2"), (), None)),
    ],
)  # fmt: skip
def test_in_names_groups_only_when_one_of_them_is_a_group(
    typed: str, expected: PollRequest
) -> None:
    assert parse_poll(typed, lambda name: name in ("g1", "g2")) == expected
