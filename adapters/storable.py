"""Text from a platform made safe to keep, at the boundary where it enters.

A JSON string may escape a lone UTF-16 surrogate (`"\\ud800"`): recorded
and bridged updates carry them, Python decodes them into a str that no
UTF-8 database, log chat or platform accepts, and one such name failed every
write batch it was in. PostgreSQL text columns refuse NUL as well.
"""

from __future__ import annotations


def storable(text: str) -> str:
    """`text` with lone surrogates as U+FFFD and NUL removed; a surrogate
    pair split in two code points is joined back into its character."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text
