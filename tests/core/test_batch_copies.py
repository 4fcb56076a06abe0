"""A batch holds copies of the live records, made field by field in order
(`bot.core.copies.copier`): equal to `dataclasses.replace`, and cut off
from the record the engine goes on changing."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from typing import Any

from bot.core.copies import copier
from bot.core.records import GroupRecord, MemberRecord, MembershipRecord

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _filled(cls: type[Any]) -> Any:
    """A record whose every field differs from its default."""
    values: dict[str, Any] = {}
    for n, f in enumerate(fields(cls)):
        kind = str(f.type)
        if "datetime" in kind:
            values[f.name] = AT.replace(minute=n)
        elif "date" in kind:
            values[f.name] = date(2026, 3, n + 1)
        elif kind.startswith("int"):
            values[f.name] = 100 + n
        else:
            values[f.name] = f"v{n}"
    return cls(**values)


def test_copies_equal_replace_for_every_field_and_stand_apart() -> None:
    for cls in (MemberRecord, GroupRecord, MembershipRecord):
        record = _filled(cls)
        copy = copier(cls)(record)
        assert copy == replace(record) == record and copy is not record
        first = fields(cls)[0].name
        setattr(record, first, "changed")
        assert getattr(copy, first) != "changed"


def test_a_record_with_keyword_only_fields_is_copied_by_replace() -> None:
    @dataclass(slots=True)
    class Odd:
        a: int
        b: list[int] = field(default_factory=list, kw_only=True)

    assert copier(Odd) is replace
    assert copier(MemberRecord) is not replace
