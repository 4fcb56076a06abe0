"""What every section of the config shares: strict models, locales, chat refs."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Locale = Literal["en", "zh"]
_LANGUAGES: dict[str, Locale] = {
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "zh": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "zh-sg": "zh",
}


def locale_of(code: str | None) -> Locale | None:
    if not code:
        return None
    return _LANGUAGES.get(code.lower().replace("_", "-"))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_REF = re.compile(r"^(telegram|discord|console):[^\s:]+$")
Ref = Annotated[str, Field(pattern=_REF.pattern)]
