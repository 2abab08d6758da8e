"""Unit histories across the 2025 merger make every history page they link to."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from minhbach.check.validate import _load_registry
from minhbach.compute.model import UnitHistory, _histories
from minhbach.content.periods import Period
from minhbach.content.registry import Registry
from minhbach.machinery.cli import main
from minhbach.problems import Problems
from tests.conftest import body

REGISTRY = Path(__file__).parents[1] / "content" / "provinces.yml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    loaded = _load_registry(REGISTRY, Problems())
    assert loaded is not None
    return loaded


def _linked(history: UnitHistory) -> set[str]:
    """The history pages a history page links to (its merger note)."""
    linked = {u.slug for u in history.predecessors if u.slug != history.slug}
    if history.successor is not None:
        linked.add(history.successor.slug)
    return linked


def _histories_with_data_of(registry: Registry, scheme: str, slug: str) -> list[UnitHistory]:
    unit = next(u for u in registry.by_slug(slug) if u.scheme == scheme)
    year = 2017 if scheme == "pre2025" else 2026
    page: Any = SimpleNamespace(unit=unit, period=Period.parse(f"{year}-12m"))
    return _histories(registry, {unit.id: [page]})


def test_every_predecessor_alone_makes_every_page_its_histories_link_to(
    registry: Registry,
) -> None:
    # Nam Định's data alone made a Ninh Bình history linking to a Hà Nam page never made.
    for unit in registry.in_scheme("pre2025"):
        histories = _histories_with_data_of(registry, "pre2025", unit.slug)
        made = {h.slug for h in histories}
        for history in histories:
            assert _linked(history) <= made, (unit.slug, history.slug)


def test_nam_dinh_brings_ninh_binh_and_ha_nam(registry: Registry) -> None:
    made = {h.slug for h in _histories_with_data_of(registry, "pre2025", "nam-dinh")}
    assert made == {"nam-dinh", "ninh-binh", "ha-nam"}


def test_a_merged_unit_brings_all_its_predecessors(registry: Registry) -> None:
    for unit in registry.in_scheme("post2025"):
        histories = _histories_with_data_of(registry, "post2025", unit.slug)
        made = {h.slug for h in histories}
        assert set(unit.formed_from) <= made
        for history in histories:
            assert _linked(history) <= made, (unit.slug, history.slug)


def test_a_period_without_the_tables_figures_is_a_link_not_a_row_of_dashes(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", content)
    (content / "datasets" / "2023-12m").mkdir()
    (content / "datasets" / "2023-12m" / "gamma.yml").write_text(
        "unit: gamma\nperiod: 2023-12m\nstatus: final\n"
        "source: {title: 'Báo cáo thử', publisher: 'Cục thử', url: 'https://example.org/t',"
        " date: 2023-10-10}\n"
        "cases: {accepted: 1200, new: 1000}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["--content", str(content), "--reports", str(out / "reports")]
    assert main([*args, "--site", str(out / "site"), "--cache", str(out / "cache")]) == 0
    page = body(out / "reports", "vi/don-vi/gamma/index.md")
    assert "Kỳ có số liệu khác, không có tỷ lệ hay số thi hành xong" in page
    assert '<a href="../../2023/ca-nam/gamma/">năm 2023</a>.</p>' in page
    rows = [line for line in page.splitlines() if line.startswith("<tr>") and "2023" in line]
    assert not any("Năm 2023" in row or "năm 2023" in row for row in rows), rows
