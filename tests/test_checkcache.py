"""The check cache: a cached run finds exactly what an uncached one finds, and re-checks a
dataset file whenever anything its checks read has changed."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from minhbach import validate
from minhbach.compute import compute
from minhbach.problems import Problem
from minhbach.validate import Content, check_content

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
        content, problems = check_content(self.root, self.cache if cached else None)
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
    return checks


DATASETS = 10  # in the mini fixture, with broken.yml


def test_a_cached_run_finds_exactly_what_an_uncached_run_finds(mini: Checks) -> None:
    assert len(mini.same_as_uncached()) == DATASETS  # cold: every file checked and stored
    assert mini.same_as_uncached() == []  # warm: none
    problems = mini.run()[1]
    assert any(p.rule == "yaml" for p in problems)
    assert any(p.rule == "schema" for p in problems)
    assert any(p.path.endswith("gamma.yml") for p in problems)


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


def test_a_damaged_or_foreign_cache_entry_is_a_miss(mini: Checks) -> None:
    mini.run()
    entries = sorted(mini.cache.glob("*.pickle"))
    assert len(entries) == DATASETS
    entries[0].write_bytes(b"not a cache entry")
    head, key, body = entries[1].read_bytes().split(b"\n", 2)
    entries[1].write_bytes(b"\n".join([head, key, body[: len(body) // 2]]))
    assert len(mini.same_as_uncached()) == 2


def test_code_and_context_are_part_of_the_key(
    mini: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    mini.run()
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
