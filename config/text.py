"""How user-supplied values appear in messages: quoted, escaped and cut short.

A stack file is untrusted input. A value echoed back raw could carry terminal escape
sequences to the user's terminal, a newline that forges a fake problem line, or a
megabyte of text. Every message that quotes a value goes through `quote`; every line a
message is printed on goes through `printable` as a last guard.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from enum import Enum

# Longest text a message quotes before cutting it (the user has the file; the message only points).
MAX_QUOTED = 60

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with every non-printable character (controls, escapes, bidi marks) written as an escape."""
    if text.isprintable():
        return text
    return "".join(
        ch
        if ch.isprintable()
        else _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in text
    )


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """At most `limit` characters of `text`, saying how long it was when cut."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text)} characters)"


def quote(value: object) -> str:
    """A value as a message shows it: text in quotes, YAML spellings for the rest, never long, never raw."""
    if isinstance(value, str):
        return "'" + printable(shorten(value)) + "'"
    if isinstance(value, Enum):
        return quote(value.value)
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return yaml_text(value)
    if isinstance(value, int | float):
        return printable(shorten(repr(value)))
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return f"a mapping of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


def words(values: Iterable[object]) -> str:
    """`a, b or c` for the allowed values of a message."""
    items = [str(value.value if isinstance(value, Enum) else value) for value in values]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def yaml_text(value: object) -> str:
    """A default as the reference shows it: the YAML spelling, unquoted (`true`, `onePerAz`, `unset`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if value is None:
        return "unset"
    return str(value)
