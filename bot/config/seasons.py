"""`seasons:` weekly and monthly boards that close on their boundary in the
community's time zone, with honour titles (荣誉激励) and prize pools (奖金池)."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.config.base import Strict


class Honour(Strict):
    """A title the top `top` of a season hold until the next one closes."""

    title: str = Field(min_length=1, max_length=40)
    top: int = Field(default=1, ge=1, le=100)
    # A platform role held with the title (Discord role name or id).
    role: str | None = None


class Prizes(Strict):
    # Points paid by rank: [100, 50, 20] pays the first three.
    points: list[int] = Field(default_factory=list)
    # Prizes the owner hands over by rank, tracked like shop redemptions
    # (/redemptions, /fulfill).
    items: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _positive(self) -> Prizes:
        if any(p <= 0 for p in self.points):
            raise ValueError("prize points must be positive")
        return self


class SeasonConfig(Strict):
    enabled: bool = True
    # How many members the final board names.
    board: int = Field(default=10, ge=1, le=50)
    pin: bool = True
    # Honours by rank: a member holds the first whose `top` covers their rank.
    honours: list[Honour] = Field(default_factory=list)
    prizes: Prizes = Field(default_factory=Prizes)


class SeasonsConfig(Strict):
    # Ledger reasons -> weight of the points earned that way (unlisted: 1).
    # Spending and refunds never count; 0 leaves a reason out.
    weights: dict[str, float] = Field(default_factory=dict)
    week: SeasonConfig | None = None
    month: SeasonConfig | None = None

    @model_validator(mode="after")
    def _weights(self) -> SeasonsConfig:
        for reason, w in self.weights.items():
            if w < 0:
                raise ValueError(f"weights.{reason}: must be 0 or more")
        return self
