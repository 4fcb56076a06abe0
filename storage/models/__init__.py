"""The tables, as SQLAlchemy 2 typed declarative models, one module per feature
beside `base` (what they share).

A model joins `Base.metadata` when its module is imported, so this package
imports every one: whoever takes `Base` from here (Alembic's env, the stairway
test comparing migrations with the models) sees the whole schema.
"""

from storage.models import (
    analytics,
    appeals,
    core,
    economy,
    fleet,
    notes,
    overflow,
    risk,
    schedule,
)
from storage.models.base import Base

__all__ = [
    "Base",
    "analytics",
    "appeals",
    "core",
    "economy",
    "fleet",
    "notes",
    "overflow",
    "risk",
    "schedule",
]
