"""Tile-grid ("cartogram") layout of Vietnam's provincial units, for map charts.

Each unit of a scheme (`pre2025`: the 63 provinces and cities; `post2025`: the 34 units from
01/07/2025) is one equal square tile at (`col`, `row`): column 0 is the west edge, row 0 the north
edge. The layout lives in `tiles.yml` beside this module; it is a presentation aid with
approximate geography that keeps neighbours near each other, not an official map. See the comment
at the top of that file for how it was made and its conventions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TILES_FILE = Path(__file__).with_name("tiles.yml")


@dataclass(frozen=True)
class Tile:
    """One unit's square: 0-based column (west to east), row (north to south) and short label."""

    col: int
    row: int
    abbr: str


@functools.cache
def _document() -> dict[str, Any]:
    with TILES_FILE.open(encoding="utf-8") as file:
        data: Any = yaml.load(file, Loader=yaml.CSafeLoader)
    if not isinstance(data, dict):
        raise ValueError(f"{TILES_FILE}: expected a mapping of scheme id -> units")
    return data


def _tile(scheme: str, slug: str, raw: Any) -> Tile:
    where = f"{TILES_FILE.name}: {scheme}.{slug}"
    if not isinstance(raw, dict) or set(raw) != {"col", "row", "abbr"}:
        raise ValueError(f"{where}: expected exactly the keys col, row and abbr")
    col, row, abbr = raw["col"], raw["row"], raw["abbr"]
    for name, value in (("col", col), ("row", row)):
        if type(value) is not int or value < 0:
            raise ValueError(f"{where}: {name} must be a whole number >= 0, not {value!r}")
    if not isinstance(abbr, str) or not abbr:
        raise ValueError(f"{where}: abbr must be a non-empty string, not {abbr!r}")
    return Tile(col, row, abbr)


@functools.cache
def tiles(scheme: str) -> dict[str, Tile]:
    """Unit slug -> tile for every unit of `scheme` (KeyError for an unknown scheme).

    The result is cached and shared between callers: do not modify it.
    """
    document = _document()
    if scheme not in document:
        raise KeyError(f"no tile layout for scheme {scheme!r}; known: {', '.join(document)}")
    units = document[scheme]
    if not isinstance(units, dict):
        raise ValueError(f"{TILES_FILE.name}: {scheme}: expected a mapping of slug -> tile")
    return {str(slug): _tile(scheme, str(slug), raw) for slug, raw in units.items()}


def grid_size(scheme: str) -> tuple[int, int]:
    """(columns, rows) of the smallest grid, starting at (0, 0), that holds every tile."""
    layout = tiles(scheme).values()
    return max(t.col for t in layout) + 1, max(t.row for t in layout) + 1
