"""Small readings of the running community the pages share: a feature's
service, a member's or a group's name, a time in the community's zone."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.core.directory import display
from bot.core.engine import Engine
from bot.features.overflow.feature import OverflowFeature
from bot.features.overflow.planner import Overflow
from bot.features.points.feature import PointsFeature
from bot.features.points.points import Points
from bot.features.risk.feature import RiskFeature
from bot.features.risk.risk import Risk
from bot.features.schedule.feature import ScheduleFeature
from bot.features.schedule.schedule import Schedule


def risk_of(engine: Engine) -> Risk | None:
    found = engine.find(RiskFeature)
    return found.risk if found is not None else None


def points_of(engine: Engine) -> Points | None:
    found = engine.find(PointsFeature)
    return found.points if found is not None else None


def schedule_of(engine: Engine) -> Schedule | None:
    found = engine.find(ScheduleFeature)
    return found.schedule if found is not None else None


def overflow_of(engine: Engine) -> Overflow | None:
    found = engine.find(OverflowFeature)
    return found.overflow if found is not None else None


def member_name(engine: Engine, key: str) -> str:
    member = engine.kit.directory.members.get(key)
    return display(member) if member is not None else key


def group_title(engine: Engine, key: str) -> str:
    if not key:
        return "-"
    group = engine.kit.directory.groups.get(key)
    return (group.title or key) if group is not None else key


def local_time(at: datetime, tz: tzinfo) -> str:
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M}"
