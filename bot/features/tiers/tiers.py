"""Member tiers (节点计划): which tier a member's lifetime level puts them in,
and what it allows. The rules read the links and slow-mode privileges from
the config itself (`Config._tier_privileges` fills the rules'
`exempt.min_level`); the shop asks for a member's price, the reports for a
report's weight, and the tiers feature guards the members-only groups."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.config.tiers import Tier
from bot.features.points.points import Points


@dataclass(frozen=True, slots=True)
class Privileges:
    """A tier's and those below it, together."""

    links: bool = False
    slow_mode: bool = False
    report_weight: float = 1.0
    discount: int = 0
    groups: frozenset[str] = frozenset()

    def names(self) -> list[tuple[str, dict[str, object]]]:
        """Catalogue keys (under `tiers.privilege.`) and their values."""
        out: list[tuple[str, dict[str, object]]] = []
        if self.links:
            out.append(("links", {}))
        if self.slow_mode:
            out.append(("slow_mode", {}))
        if self.report_weight != 1.0:
            out.append(("report_weight", {"weight": f"{self.report_weight:g}"}))
        if self.discount:
            out.append(("discount", {"discount": self.discount}))
        if self.groups:
            out.append(("groups", {"count": len(self.groups)}))
        return out


def _merged(tiers: list[Tier]) -> Privileges:
    p = Privileges()
    for t in tiers:
        p = Privileges(
            links=p.links or t.links,
            slow_mode=p.slow_mode or t.slow_mode,
            report_weight=max(p.report_weight, t.report_weight),
            discount=max(p.discount, t.discount),
            groups=p.groups | frozenset(t.groups),
        )
    return p


@dataclass(frozen=True, slots=True)
class Standing:
    level: int
    tier: Tier | None
    privileges: Privileges
    following: Tier | None


class Tiers:
    def __init__(self, config: Config, points: Points) -> None:
        self.points = points
        self.configure(config)

    def configure(self, config: Config) -> None:
        self.tiers = list(config.tiers)
        # Privileges at each tier, index-aligned with `tiers`.
        self._privileges = [_merged(self.tiers[: i + 1]) for i in range(len(self.tiers))]
        # Each members-only group and the lowest level that may be in it.
        self.gates: dict[str, int] = {}
        for t in self.tiers:
            for g in t.groups:
                self.gates.setdefault(g, t.level)

    def at(self, level: int) -> Standing:
        i = sum(1 for t in self.tiers if t.level <= level) - 1
        following = self.tiers[i + 1] if i + 1 < len(self.tiers) else None
        if i < 0:
            return Standing(level, None, Privileges(), following)
        return Standing(level, self.tiers[i], self._privileges[i], following)

    def of(self, member_key: str) -> Standing:
        return self.at(self.points.level_of(member_key))

    def price(self, member_key: str, cost: int) -> int:
        """The shop's price for the member: the tier's discount, rounded up."""
        discount = self.of(member_key).privileges.discount if self.tiers else 0
        return cost - cost * discount // 100

    def report_weight(self, member_key: str) -> float:
        return self.of(member_key).privileges.report_weight if self.tiers else 1.0
