"""What every section of the config shares: strict models, locales, chat refs."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

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


def _ref(value: object) -> object:
    """A member or chat as `platform:id`; owners most often forget the
    platform (`501`, `-1001234`), so the reason shows the shape."""
    if isinstance(value, str) and _REF.match(value):
        return value
    raise ValueError(
        f"{value!r} is not platform:id (write e.g. telegram:123456, "
        "telegram:-1001234567890 or discord:987654321)"
    )


Ref = Annotated[str, BeforeValidator(_ref)]
