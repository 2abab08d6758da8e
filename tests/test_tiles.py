"""The tile-grid map layout (minhbach/render/tiles.yml): complete, one unit per cell, shaped like Vietnam."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from minhbach.content.models import RegistryFile
from minhbach.content.registry import Registry
from minhbach.content.yamlfile import load_yaml
from minhbach.problems import Problems
from minhbach.render.tiles import TILES_FILE, Tile, _tile, grid_size, tiles

from .conftest import CONTENT

SCHEMES = ("pre2025", "post2025")
HUE = {"pre2025": "thua-thien-hue", "post2025": "hue"}
MAX_SIZE = {"pre2025": (9, 24), "post2025": (7, 16)}  # (columns, rows)


@pytest.fixture(scope="module")
def registry() -> Registry:
    problems = Problems()
    doc = load_yaml(CONTENT / "provinces.yml", problems)
    assert doc is not None and not problems.items
    return Registry.from_file(RegistryFile.model_validate(doc.data))


def chebyshev(a: Tile, b: Tile) -> int:
    return max(abs(a.col - b.col), abs(a.row - b.row))


def row_widths(scheme: str) -> Counter[int]:
    return Counter(t.row for t in tiles(scheme).values())


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_unit_of_the_scheme_has_a_tile_and_nothing_else(
    registry: Registry, scheme: str
) -> None:
    expected = {u.slug for u in registry.in_scheme(scheme)}
    layout = set(tiles(scheme))
    assert not expected - layout, f"units without a tile: {sorted(expected - layout)}"
    assert not layout - expected, f"tiles for no unit of {scheme}: {sorted(layout - expected)}"
    assert len(layout) == {"pre2025": 63, "post2025": 34}[scheme]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_one_unit_per_cell(scheme: str) -> None:
    cells = Counter((t.col, t.row) for t in tiles(scheme).values())
    assert [cell for cell, n in cells.items() if n > 1] == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_abbreviations_are_short_unique_and_normalised(scheme: str) -> None:
    abbrs = [t.abbr for t in tiles(scheme).values()]
    assert [a for a, n in Counter(abbrs).items() if n > 1] == []
    assert [a for a in abbrs if not 2 <= len(a) <= 4] == []
    assert [a for a in abbrs if not unicodedata.is_normalized("NFC", a) or a != a.strip()] == []


def test_a_slug_in_both_schemes_keeps_its_abbreviation() -> None:
    old, new = tiles("pre2025"), tiles("post2025")
    shared = old.keys() & new.keys()
    assert len(shared) == 33  # every new unit but Huế reuses an old slug
    assert {s: (old[s].abbr, new[s].abbr) for s in shared if old[s].abbr != new[s].abbr} == {}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_grid_is_compact_and_starts_at_the_origin(scheme: str) -> None:
    layout = tiles(scheme).values()
    cols, rows = grid_size(scheme)
    assert min(t.col for t in layout) == 0 and min(t.row for t in layout) == 0
    assert (cols, rows) == (max(t.col for t in layout) + 1, max(t.row for t in layout) + 1)
    max_cols, max_rows = MAX_SIZE[scheme]
    assert cols <= max_cols and rows <= max_rows


@pytest.mark.parametrize("scheme", SCHEMES)
def test_grid_is_one_connected_shape(scheme: str) -> None:
    layout = tiles(scheme)
    for slug, tile in layout.items():
        assert any(chebyshev(tile, other) == 1 for other in layout.values()), slug
    start = next(iter(layout))
    seen, todo = {start}, [start]
    while todo:
        here = layout[todo.pop()]
        for slug, tile in layout.items():
            if slug not in seen and chebyshev(here, tile) == 1:
                seen.add(slug)
                todo.append(slug)
    assert sorted(layout.keys() - seen) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_north_is_up_and_west_is_left(scheme: str) -> None:
    t = tiles(scheme)
    last_row = grid_size(scheme)[1] - 1
    assert t["ha-noi"].row < t[HUE[scheme]].row < t["ho-chi-minh"].row
    assert t["ca-mau"].row >= last_row - 1
    assert t["lao-cai"].row <= 1 and t["cao-bang"].row <= 1
    if scheme == "pre2025":
        assert t["ha-giang"].row <= 1
    assert t["dien-bien"].col < t["ha-noi"].col < t["hai-phong"].col
    assert t["ca-mau"].col < t["ho-chi-minh"].col < t["khanh-hoa"].col
    assert t["quang-tri"].col < t["da-nang"].col  # the coast bends east towards Đà Nẵng
    assert t["ha-noi"].row < t["thanh-hoa"].row < t["nghe-an"].row <= t["ha-tinh"].row
    assert t["ha-tinh"].row < t["quang-tri"].row <= t[HUE[scheme]].row
    assert t["da-nang"].row < t["quang-ngai"].row < t["khanh-hoa"].row < t["ca-mau"].row


@pytest.mark.parametrize("scheme", SCHEMES)
def test_s_shape_wide_north_narrow_centre_wider_south(scheme: str) -> None:
    t, widths = tiles(scheme), row_widths(scheme)
    north = max(widths[r] for r in range(t["ha-noi"].row + 1))
    centre = max(widths[r] for r in range(t["quang-tri"].row, t["dak-lak"].row + 1))
    south = max(widths[r] for r in range(t["ho-chi-minh"].row, grid_size(scheme)[1]))
    assert north >= 5
    assert 1 <= centre <= 3
    assert south > centre


def test_new_units_sit_near_their_predecessors(registry: Registry) -> None:
    old, new = tiles("pre2025"), tiles("post2025")
    (old_cols, old_rows), (new_cols, new_rows) = grid_size("pre2025"), grid_size("post2025")
    col_scale, row_scale = (new_cols - 1) / (old_cols - 1), (new_rows - 1) / (old_rows - 1)
    far = {}
    for unit in registry.in_scheme("post2025"):
        tile = new[unit.slug]
        distances = [
            max(abs(tile.col - old[s].col * col_scale), abs(tile.row - old[s].row * row_scale))
            for s in unit.formed_from
        ]
        if min(distances) > 2:
            far[unit.slug] = round(min(distances), 1)
    assert far == {}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_picture_in_tiles_yml_matches_the_tiles(scheme: str) -> None:
    cols, rows = grid_size(scheme)
    cells = {(t.col, t.row): t.abbr for t in tiles(scheme).values()}
    picture = [f"# grid {scheme} ({cols} columns x {rows} rows):", "#"]
    picture.append("#     " + "".join(f"{c:<5}" for c in range(cols)).rstrip())
    for r in range(rows):
        line = "".join(f"{cells.get((c, r), '.'):<5}" for c in range(cols)).rstrip()
        picture.append(f"# {r:>2}  {line}")
    expected = "\n".join(picture) + f"\n{scheme}:\n"
    assert expected in TILES_FILE.read_text(encoding="utf-8"), "redraw the picture:\n" + expected


def test_unknown_scheme_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="national"):
        tiles("national")
    with pytest.raises(KeyError):
        grid_size("2025")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"col": 1, "row": 2}, "exactly the keys"),
        ({"col": -1, "row": 2, "abbr": "HN"}, "col must be"),
        ({"col": 1, "row": True, "abbr": "HN"}, "row must be"),
        ({"col": 1, "row": "2", "abbr": "HN"}, "row must be"),
        ({"col": 1, "row": 2, "abbr": ""}, "abbr must be"),
    ],
)
def test_malformed_tile_is_refused(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _tile("pre2025", "ha-noi", raw)
    assert _tile("pre2025", "ha-noi", {"col": 1, "row": 2, "abbr": "HN"}) == Tile(1, 2, "HN")
