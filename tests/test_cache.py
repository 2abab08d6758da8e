"""The build cache: one store, keyed under the build's fingerprint, checked on every read.

A cached build must publish exactly what a cold build of the same inputs publishes,
whatever changed since the entries were made: a dataset, the registry, a template, a
module of the project, the version of a library, or the entries themselves. Each such
change is made to a copy of the project and of the mini fixture, which is then built
with the store of the previous builds and without any, and the two sites compared: by
`bench/verify.py`, the routine of `bench/run.py --verify`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench import verify
from bench.changes import fake_distribution
from minhbach.machinery import cache
from minhbach.machinery.cache import DATABASE, Store, distributions, fingerprint

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"


# --- the store ---


def test_an_entry_comes_back_only_under_its_kind_and_key(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put("page", "a", b"one")
    assert store.get("page", "a") == b"one"  # before the commit, from memory
    store.commit()
    store.close()
    again = Store(tmp_path)
    assert again.get("page", "a") == b"one"
    assert again.get("page", "b") is None
    assert again.get("chart", "a") is None
    assert again.report() == []


def test_a_damaged_entry_is_a_miss_reported_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for ident in ("a", "b"):
        store.put("page", ident, b"<p>" + ident.encode() + b"</p>")
    store.commit()
    store.close()
    with sqlite3.connect(tmp_path / DATABASE) as db:
        db.execute("update entry set data = cast(replace(data, 'a', 'x') as blob)")
    again = Store(tmp_path)
    assert again.get("page", "a") is None
    assert again.get("page", "b") == b"<p>b</p>"
    assert again.report() == ["note: 1 damaged build-cache entries were ignored and made again"]


@pytest.mark.parametrize("damage", [b"", b"garbage" * 1000, b"SQLite format 3\0" + b"\xff" * 600])
def test_a_database_that_is_not_one_is_made_anew(tmp_path: Path, damage: bytes) -> None:
    (tmp_path / DATABASE).write_bytes(damage)
    store = Store(tmp_path)
    assert store.get("page", "a") is None
    store.put("page", "a", b"one")
    store.commit()
    assert Store(tmp_path).get("page", "a") == b"one"


def test_a_cache_folder_that_is_a_file_is_no_cache_and_no_crash(tmp_path: Path) -> None:
    folder = tmp_path / ".cache"
    folder.write_text("not a folder", encoding="utf-8")
    store = Store(folder)
    assert store.get("page", "a") is None
    store.put("page", "a", b"one")
    store.commit()
    assert folder.read_text(encoding="utf-8") == "not a folder"
    [note] = store.report()
    assert note.startswith(f"note: the build cache {folder / DATABASE} cannot be used")


def test_commit_with_prune_drops_what_this_build_did_not_use(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for ident in ("kept", "gone"):
        store.put("page", ident, ident.encode())
    store.put("chart", "other kind", b"x")
    store.commit()
    store.close()
    again = Store(tmp_path)
    assert again.get("page", "kept") == b"kept"
    again.commit(prune=True)  # "page" was used, "chart" was not: only "page" is pruned
    again.close()
    last = Store(tmp_path)
    assert last.get("page", "gone") is None
    assert last.get("page", "kept") == b"kept"
    assert last.get("chart", "other kind") == b"x"


def test_entries_spilled_before_commit_are_read_back_and_kept_only_by_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "SPILL_ABOVE", 10)  # every second entry goes to the database
    store = Store(tmp_path)
    store.preload("page")
    for number in range(5):
        store.put("page", str(number), f"trang {number}".encode())
    assert [store.get("page", str(n)) for n in range(5)] == [
        f"trang {n}".encode() for n in range(5)
    ]
    store.close()  # a build that failed: nothing it kept survives, spilled or not
    again = Store(tmp_path)
    assert again.get("page", "0") is None and again.get("page", "4") is None
    again.put("page", "0", b"cu")
    again.commit()
    again.close()
    third = Store(tmp_path)
    third.preload("page")
    third.put("page", "0", b"moi")  # replaces what was preloaded, then spilled
    third.put("page", "1", b"mot hai ba bon")
    assert third.get("page", "0") == b"moi"
    third.commit()
    third.close()
    assert Store(tmp_path).get("page", "0") == b"moi"


def test_every_key_holds_the_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    store.put("page", "a", b"one")
    store.commit()
    monkeypatch.setattr(cache, "fingerprint", lambda: "another build")
    assert Store(tmp_path).get("page", "a") is None


def test_the_fingerprint_holds_every_distribution_the_build_runs_on() -> None:
    found = distributions()
    # What requirements.txt names, and what those need in turn.
    for name in ("mkdocs", "mkdocs-material", "babel", "pydantic", "pydantic-core", "markupsafe"):
        assert found[name] != "-", name
    assert len(fingerprint()) == 64


def test_a_bumped_library_changes_the_fingerprint(tmp_path: Path) -> None:
    fakes = tmp_path / "fakes"
    version = fake_distribution(fakes, "babel")
    code = "from minhbach.machinery.cache import distributions, fingerprint; "
    code += "print(distributions()['babel'], fingerprint())"

    def run(pythonpath: str) -> list[str]:
        env = {**os.environ, "PYTHONPATH": pythonpath}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    plain, bumped = run(str(REPO)), run(f"{fakes}{os.pathsep}{REPO}")
    assert bumped[0] == version and plain[0] != version
    assert bumped[1] != plain[1]


# --- a cached build publishes what a cold build publishes ---


NOTHING_CACHED = (
    r"render: \d+ pages rendered, 0 from the cache(.|\n)*mkdocs vi: \d+ pages, \d+ built, 0 "
)
#: What the cached build after each change must say of it (beside publishing the cold site).
SAID = {
    "dataset": r"render: \d+ pages rendered, [1-9]\d* from the cache",
    "registry": "",
    "page template": "",
    "project module": NOTHING_CACHED,
    "library version": NOTHING_CACHED,
    "cache entry": r"\d+ damaged build-cache entries",
}
#: The changes that change what is published (a comment in a module, a fake version and
#: damaged entries do not).
SEEN = {"dataset", "registry", "page template"}


def test_a_cached_build_publishes_what_a_cold_build_publishes(tmp_path: Path) -> None:
    project = verify.Project(tmp_path / "project", MINI)
    outcomes = list(verify.verify(project))
    assert [outcome.kind for outcome in outcomes] == [kind for kind, _ in verify.CHANGES]
    assert SAID.keys() == {kind for kind, _ in verify.CHANGES}
    for outcome in outcomes:
        assert outcome.differing == [], outcome.line()
        assert (outcome.changed > 0) == (outcome.kind in SEEN), outcome.line()
        assert re.search(SAID[outcome.kind], outcome.cached.printed), outcome.cached.printed


def test_sites_differ_by_a_file_in_one_only_or_by_its_bytes(tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    for site, files in (
        (one, {"a": b"1", "b/c": b"2", "d": b"3"}),
        (other, {"a": b"1", "b/c": b"x"}),
    ):
        for name, data in {**files, verify.STAMP: site.name.encode()}.items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_bytes(data)
    assert verify.differing(one, other) == ["b/c", "d"]  # the stamps differ too: not counted
    assert verify.differing(one, one) == []
