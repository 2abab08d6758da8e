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
from collections.abc import Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: What a spreadsheet trims before it looks for a formula.
TRIMMED = " \n\v\f\u00a0\u3000"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """A table cell as published: text that a spreadsheet would run is quoted with `'`."""
    if isinstance(value, str):
        start = value.lstrip(TRIMMED)
        if start.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
            return "'" + value
    return value


# In a row joined with _SEPARATOR before each cell, where a cell might start like a formula
# and is not a number (`safe_cell`'s rule, read across the row; a false alarm only sends
# the row through `safe_cell`).
_SEPARATOR = "\x1f"
_MAYBE_FORMULA = re.compile(
    f"{_SEPARATOR}(?!{_NUMBER.pattern}(?:{_SEPARATOR}|$))"
    f"[{re.escape(TRIMMED)}]*[{re.escape(''.join(FORMULA_STARTS))}]"
)


def safe_row(row: Sequence[Any]) -> Sequence[Any]:
    """A table row as published: `safe_cell` of each cell.

    The open data writes some twenty million cells, and nearly every row is safe as it
    is: a row of texts is searched once, in C, for a cell that might start like a
    formula, and only such a row goes through `safe_cell` cell by cell. The same cells
    either way (`tests/test_tables.py` checks the two agree on any row), in a fifth of
    the time (docs/performance.md).
    """
    try:
        joined = _SEPARATOR + _SEPARATOR.join(row)
    except TypeError:  # not only texts
        return [safe_cell(cell) for cell in row]
    if joined.count(_SEPARATOR) == len(row) and _MAYBE_FORMULA.search(joined) is None:
        return row  # no cell holds the separator, and none starts like a formula
    return [safe_cell(cell) for cell in row]
