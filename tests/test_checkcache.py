"""The check cache: a cached run finds exactly what an uncached one finds, and re-checks a
dataset file whenever anything its checks read has changed."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import sqlite3
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from minhbach.check import checkcache, validate
from minhbach.check.checkcache import UnreadDataset
from minhbach.check.checked import CheckedDataset, Content
from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.content.figures import Figure, MoneyUnit, Qualifier
from minhbach.machinery import cache, processes
from minhbach.machinery.cache import DATABASE, Store
from minhbach.problems import Problem

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
CONTENT = REPO / "content"


class Checks:
    """A content folder copied from `source`, checked with and without a cache."""

    def __init__(self, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = tmp_path / "content"
        shutil.copytree(source, self.root)
        self.cache = tmp_path / "cache"
        self.checked: list[str] = []
        check_file = validate.check_file

        def counting(data: bytes, shown: str, *args: object) -> validate.FileCheck:
            self.checked.append(Path(shown).name if "datasets" in shown else shown)
            return check_file(data, shown, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(validate, "check_file", counting)

    def run(self, cached: bool = True) -> tuple[Content, list[Problem]]:
        """Check the folder; the files whose own checks ran are in `self.checked`."""
        self.checked = []
        store = Store(self.cache) if cached else None
        content, problems = check_content(self.root, store)
        if store is not None:
            store.commit(prune=True)
            store.close()
        return content, problems.items

    def same_as_uncached(self) -> list[str]:
        """Check cached, then uncached; assert both found the same; the files checked."""
        content, problems = self.run()
        checked = self.checked
        fresh, fresh_problems = self.run(cached=False)
        assert problems == fresh_problems
        assert content.datasets == fresh.datasets
        assert (content.registry, content.targets, content.releases) == (
            fresh.registry,
            fresh.targets,
            fresh.releases,
        )
        assert compute(content) == compute(fresh)
        return checked

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Checks:
    checks = Checks(MINI, tmp_path, monkeypatch)
    # Problems too: a YAML error, schema errors (with pruning), an identity that fails.
    (checks.root / "datasets" / "2024-6m" / "broken.yml").write_text("unit: [\n", encoding="utf-8")
    checks.edit("datasets/2025-6m/beta.yml", "unit: beta", "unit: beta\nextra_key: 1")
    checks.edit("datasets/2024-6m/gamma.yml", "completed: ", "completed: 9")
    # And a check across periods: a change from 2024-6m that does not add up.
    checks.edit(
        "datasets/2025-6m/alpha.yml",
        "  rate: 85.00\nmoney:",
        "  rate: 85.00\n  change:\n    completed:\n      absolute: 1\nmoney:",
    )
    return checks


DATASETS = 10  # in the mini fixture, with broken.yml
UNITS = 6  # with datasets that pass
ACROSS = "check the change against last year's dataset"


def test_a_cached_run_finds_exactly_what_an_uncached_run_finds(mini: Checks) -> None:
    assert len(mini.same_as_uncached()) == DATASETS  # cold: every file checked and stored
    assert mini.same_as_uncached() == []  # warm: none
    problems = mini.run()[1]
    assert any(p.rule == "yaml" for p in problems)
    assert any(p.rule == "schema" for p in problems)
    assert any(p.path.endswith("gamma.yml") for p in problems)
    assert any(p.hint == ACROSS for p in problems)


def test_datasets_from_the_cache_are_read_when_used_and_equal_those_checked(
    mini: Checks,
) -> None:
    mini.run()
    content, _ = mini.run()
    fresh, _ = mini.run(cached=False)
    unread = [c for c in content.datasets if isinstance(c, UnreadDataset)]
    assert len(unread) == len(content.datasets) > 0
    # The summary is there without them.
    assert all({"_doc", "_dataset"} <= c.__dict__.keys() for c in unread)
    assert [c.summary for c in unread] == [c.summary for c in fresh.datasets]
    one, two = unread[:2]
    assert one.dataset == fresh.datasets[0].dataset
    assert "_dataset" not in one.__dict__ and "_doc" in one.__dict__  # each read on its own
    assert one.doc == fresh.datasets[0].doc and "_doc" not in one.__dict__
    assert all({"_doc", "_dataset"} <= c.__dict__.keys() for c in unread[1:])
    assert one == fresh.datasets[0] and fresh.datasets[0] == one
    assert two.doc == fresh.datasets[1].doc and "_dataset" in two.__dict__


def test_a_changed_dataset_checks_its_unit_across_periods_again_and_only_it(
    mini: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    units: list[set[str]] = []
    run = validate.CrossChecker.run

    def counting(self: validate.CrossChecker, periods: dict[object, CheckedDataset]) -> None:
        units.append({checked.unit_id for checked in periods.values()})
        run(self, periods)  # type: ignore[arg-type]

    monkeypatch.setattr(validate.CrossChecker, "run", counting)
    mini.run()
    assert len(units) == UNITS
    units.clear()
    mini.run()
    assert units == []
    mini.edit("datasets/2024-6m/alpha.yml", 'alpha 2024-6m"', 'alpha 2024-6m (sửa)"')
    problems = mini.run()[1]
    assert units == [{"pre2025:alpha"}]
    assert any(p.hint == ACROSS for p in problems)
    assert mini.same_as_uncached() == []


def test_a_changed_dataset_is_checked_again_and_only_it(mini: Checks) -> None:
    mini.run()
    mini.edit("datasets/2025-6m/alpha.yml", "new: ", "new: 1")
    assert mini.same_as_uncached() == ["alpha.yml"]
    assert mini.same_as_uncached() == []


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("provinces.yml", 'code: "02", region', 'code: "04", region'),
        ("targets.yml", "unit: alpha, cases: 82", "unit: alpha, cases: 83"),
    ],
)
def test_a_changed_registry_or_target_list_checks_every_dataset_again(
    mini: Checks, relative: str, old: str, new: str
) -> None:
    mini.run()
    mini.edit(relative, old, new)
    assert len(mini.same_as_uncached()) == DATASETS


def test_releases_do_not_touch_the_datasets_checks(mini: Checks) -> None:
    mini.run()
    mini.edit("releases.yml", "2026-10-15, status: scheduled", "2026-10-16, status: scheduled")
    assert mini.same_as_uncached() == []


def test_a_changed_archived_source_checks_the_datasets_quoting_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = Checks(CONTENT, tmp_path, monkeypatch)
    checks.run()
    quoting = {"quang-ninh.yml"}  # the one dataset archiving 001_a6e22c7532507606.txt
    checks.edit(
        "sources/001_a6e22c7532507606.txt", "1.577/3.348", "1.578/3.348"
    )  # its quote no longer matches: an error
    assert set(checks.same_as_uncached()) == quoting
    assert any("not in the archived source" in p.message for p in checks.run()[1])
    (checks.root / "sources" / "001_a6e22c7532507606.txt").unlink()
    assert set(checks.same_as_uncached()) == quoting


def _entries(folder: Path) -> list[tuple[bytes, bytes]]:
    """The check entries of the store in `folder`: key and data."""
    with sqlite3.connect(folder / DATABASE) as db:
        return db.execute("select key, data from entry where kind = 'check'").fetchall()


def test_a_damaged_cache_entry_is_a_miss(mini: Checks) -> None:
    mini.run()
    entries = _entries(mini.cache)
    assert len(entries) == DATASETS + UNITS
    # One byte of one entry: it may still unpickle, to something else; its checksum differs.
    key, data = next((k, d) for k, d in entries if b"FileCheck" in d)
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0x01
    with sqlite3.connect(mini.cache / DATABASE) as db:
        db.execute("update entry set data = ? where key = ?", (bytes(damaged), key))
    assert len(mini.same_as_uncached()) == 1
    assert mini.same_as_uncached() == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda db: db[: len(db) // 2],  # cut short
        lambda db: b"not a cache" * 100,
        lambda db: b"",
    ],
)
def test_a_damaged_or_foreign_database_is_a_miss_for_every_file(
    mini: Checks, damage: Callable[[bytes], bytes]
) -> None:
    mini.run()
    path = mini.cache / DATABASE
    path.write_bytes(damage(path.read_bytes()))
    assert len(mini.same_as_uncached()) == DATASETS
    assert mini.same_as_uncached() == []


def test_a_removed_dataset_leaves_the_store(mini: Checks) -> None:
    mini.run()
    assert len(_entries(mini.cache)) == DATASETS + UNITS
    (mini.root / "datasets" / "2024-6m" / "broken.yml").unlink()
    assert mini.same_as_uncached() == []
    assert len(_entries(mini.cache)) == DATASETS - 1 + UNITS


def test_code_and_context_are_part_of_the_key(
    mini: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    mini.run()
    monkeypatch.setattr(cache, "fingerprint", lambda: "another build")
    assert len(mini.same_as_uncached()) == DATASETS
    monkeypatch.setattr(validate, "context_key", lambda *parts: "another version")
    assert len(mini.same_as_uncached()) == DATASETS


def test_models_and_documents_come_back_from_a_pickle_as_they_were() -> None:
    content, _ = check_content(MINI)
    for checked in content.datasets:
        copy = pickle.loads(pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == checked
        assert copy.dataset.model_fields_set == checked.dataset.model_fields_set
        assert copy.doc.mark(("cases", "completed")) == checked.doc.mark(("cases", "completed"))
        with pytest.raises(ValidationError):
            copy.dataset.unit = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "figure",
    [
        Figure(Decimal(2896)),
        Figure(Decimal("97.6"), Decimal("0.1"), text="97,6 tỷ", unit=MoneyUnit.BILLION_VND),
        Figure(Decimal(47), Decimal("1.0"), Qualifier.NEARLY, "gần 47", "gần 47 việc", "n"),
        Figure(Decimal("-0"), Decimal("1E+3")),
    ],
)
def test_a_figure_comes_back_from_the_pack_as_it_was(figure: Figure) -> None:
    # Beside a figure with the same decimals, which the pack pickles once.
    figures = [figure, Figure(figure.value, figure.step)]
    stream = io.BytesIO()
    checkcache._Pickler(stream).dump(figures)
    copies = pickle.loads(stream.getvalue())
    assert copies == figures
    assert [repr(copy) for copy in copies] == [repr(figure) for figure in figures]
    assert [hash(copy) for copy in copies] == [hash(figure) for figure in figures]


def test_checks_spread_over_processes_find_what_one_process_finds(
    mini: Checks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform != "linux":
        pytest.skip("worker processes are forked on Linux only")
    serial, serial_problems = mini.run(cached=False)
    log = tmp_path / "pids"
    check_file = validate.check_file

    def logging(*args: object) -> validate.FileCheck:
        with log.open("a") as stream:
            stream.write(f"{os.getpid()}\n")
        return check_file(*args)  # type: ignore[arg-type]

    across = tmp_path / "across-pids"
    cross_check_unit = validate._cross_check_unit

    def logging_across(*args: object) -> bytes:
        with across.open("a") as stream:
            stream.write(f"{os.getpid()}\n")
        return cross_check_unit(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "check_file", logging)
    monkeypatch.setattr(validate, "_cross_check_unit", logging_across)
    monkeypatch.setattr(processes, "FORK_ABOVE", 2)
    monkeypatch.setattr(processes, "workers", lambda: 2)
    # Other tests of the session (the browser tests' server) may have left threads: this
    # process forks only when it runs one, so say it does.
    monkeypatch.setattr(processes, "may_fork", lambda: True)
    for cached, checked in ((False, DATASETS), (True, DATASETS), (True, 0)):  # cold, warm
        log.write_text("")
        across.write_text("")
        content, problems = mini.run(cached=cached)
        assert problems == serial_problems
        assert content.datasets == serial.datasets
        assert compute(content) == compute(serial)
        pids = log.read_text().split()
        assert len(pids) == checked
        # This process does every other batch, a forked one the others.
        assert len(set(pids)) == (2 if checked else 0) and (not checked or str(os.getpid()) in pids)
        across_pids = across.read_text().split()
        assert len(across_pids) == (len(serial.units) if checked else 0)
        assert len(set(across_pids)) == (2 if checked else 0)
