"""The synthetic reference collection (bench/make_reference.py): clean, summed, reproducible."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from minhbach.check.checked import CheckedDataset, Content
from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.content.figures import Figure
from minhbach.content.periods import Period
from minhbach.content.registry import NATION

from .conftest import REPO

SCRIPT = REPO / "bench" / "make_reference.py"
YEARS = "2024-2025"  # two years: a carry-over, the merger and a merged unit's first year


def generate(out: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "--years", YEARS],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "ref"
    stdout = generate(out)
    assert "483 synthetic datasets (475 unit, 8 national)" in stdout
    return out


@pytest.fixture(scope="module")
def content(reference: Path) -> Content:
    checked, problems = check_content(reference)
    assert problems.format_lines() == []  # no error and no warning: passes --strict
    return checked


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_check_and_compute_report_no_problem(content: Content) -> None:
    assert len(content.datasets) == 63 * 7 + 34 + 8
    assert {p.key for p in content.periods} == {
        f"{y}-{m}m" for y in (2024, 2025) for m in (3, 6, 9, 12)
    }
    _, problems = compute(content)
    assert problems.format_lines() == []


def _amounts(value: object, loc: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Figure]]:
    """Every additive figure of a dataset: amounts and counts, not rates, ranks or changes."""
    if isinstance(value, Figure):
        yield loc, value
    elif isinstance(value, list):
        for item in value:  # inspections, by kind
            yield from _amounts(item, (*loc, str(getattr(item, "kind", ""))))
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            if key not in {"rate", "target_gap", "change", "resolution_rate", "ranking", "reform"}:
                yield from _amounts(getattr(value, key), (*loc, key))


@pytest.mark.parametrize("period", ["2024-6m", "2025-12m"])
def test_the_national_dataset_is_the_sum_of_the_units(content: Content, period: str) -> None:
    datasets = [d for d in content.datasets if d.period == Period.parse(period)]
    national = next(d for d in datasets if d.unit_id == NATION)
    units: list[CheckedDataset] = [d for d in datasets if d.unit_id != NATION]
    assert len(units) == (34 if period == "2025-12m" else 63)
    summed: dict[tuple[str, ...], Decimal] = {}
    for unit in units:
        for loc, figure in _amounts(unit.dataset):
            summed[loc] = summed.get(loc, Decimal(0)) + figure.value
    reported = dict(_amounts(national.dataset))
    assert {loc: f.value for loc, f in reported.items()} == summed
    assert ("money", "completed") in summed and (
        "inspections",
        "self_inspection",
        "count",
    ) in summed


def test_every_figure_says_it_is_synthetic(reference: Path, content: Content) -> None:
    assert "không phải số liệu thật" in (reference / "README.md").read_text(encoding="utf-8")
    for name in ("targets.yml", "releases.yml"):
        assert "NOT real figures" in (reference / name).read_text(encoding="utf-8")
    for checked in content.datasets:
        dataset = checked.dataset
        assert dataset.source.title and "không phải số liệu thật" in dataset.source.title
        assert dataset.notes and "Synthetic" in dataset.notes[0]


def test_two_runs_write_the_same_bytes(reference: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again)
    assert files(again) == files(reference)


def load_script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The script as a module, for the time of one test (it puts the repository on sys.path)."""
    spec = importlib.util.spec_from_file_location("make_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_folder_it_did_not_write_is_never_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    assert load_script(monkeypatch).main(["--out", str(foreign), "--years", "2025"]) == 1
    assert "is not a collection this script wrote" in capsys.readouterr().err
    assert [p.name for p in foreign.iterdir()] == ["mine.txt"]
