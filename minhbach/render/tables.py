"""Published table files (CSV): the one rule every text cell passes through.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some, TAB or CR,
or their full-width forms) as a formula, some after leading spaces they trim on import:
content text such as a source title
`=HYPERLINK(...)` would run on the reader's machine ("CSV injection"). OWASP's
recommendation is applied: such a text cell is written with a leading apostrophe,
which spreadsheets show as text. A number keeps its sign: `-1.29` is a number cell.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """A table cell as published: text that a spreadsheet would run is quoted with `'`."""
    if isinstance(value, str):
        start = value.lstrip(" \n\v\f\u00a0\u3000")
        if start.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
            return "'" + value
    return value
