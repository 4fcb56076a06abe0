"""A member's places in a closed season's record (its board, honours and
prizes name members by key): read for their copy (`/mydata`), moved to an
anonymous alias when they are forgotten (the board keeps its ranks and
scores, not the name). Pure functions over the record `Seasons.close` keeps,
shared by the store's erasure and the running bot's archive."""

from __future__ import annotations

from typing import Any


def season_place(data: dict[str, Any], member_key: str) -> dict[str, Any] | None:
    """The member's place in one closed season: rank, score, honour, prizes."""
    board = [k for k, _ in data.get("board", [])]
    score = next((s for k, s in data.get("board", []) if k == member_key), None)
    honour = data.get("honours", {}).get(member_key)
    paid = next(((r, a) for k, r, a in data.get("paid", []) if k == member_key), None)
    item = next(((r, i) for k, r, i in data.get("items", []) if k == member_key), None)
    if score is None and honour is None and paid is None and item is None:
        return None
    rank = board.index(member_key) + 1 if member_key in board else None
    for other in (honour and honour.get("rank"), paid and paid[0], item and item[0]):
        rank = rank or other
    return {
        "season": data.get("id"),
        "kind": data.get("kind"),
        "rank": rank,
        "score": score,
        "honour": honour["title"] if honour else None,
        "prize_points": paid[1] if paid else None,
        "prize_item": item[1] if item else None,
    }


def season_alias(data: dict[str, Any], member_key: str, alias: str) -> None:
    """The member's places in one closed season, moved to the alias."""

    def swap(rows: list[list[Any]]) -> list[list[Any]]:
        return [[alias if row[0] == member_key else row[0], *row[1:]] for row in rows]

    for part in ("board", "paid", "items"):
        data[part] = swap(data.get(part, []))
    honours = data.get("honours", {})
    if member_key in honours:
        honours[alias] = honours.pop(member_key)
