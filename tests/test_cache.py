"""The build cache: one store, keyed under the build's fingerprint, checked on every read.

A cached build must publish exactly what a cold build of the same inputs publishes,
whatever changed since the entries were made: a dataset, the registry, a template, a
module of the project, the version of a library, or the entries themselves. Each such
change is made to a copy of the project and of the mini fixture, which is then built
with the store of the previous builds and without any, and the two sites compared.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from minhbach.machinery import cache
from minhbach.machinery.cache import DATABASE, Store, distributions, fingerprint

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
#: What a build reads of the project.
PROJECT = ("build.py", "mkdocs.yml", "requirements.txt", "minhbach", "site_templates")


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


def fake_babel(folder: Path) -> Path:
    """A folder that, first on PYTHONPATH, makes Babel's installed version 99.0."""
    fake = folder / "babel-99.0.dist-info"
    fake.mkdir(parents=True)
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: babel\nVersion: 99.0\n")
    return folder


def test_a_bumped_library_changes_the_fingerprint(tmp_path: Path) -> None:
    fakes = fake_babel(tmp_path / "fakes")
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
    assert bumped[0] == "99.0" and plain[0] != "99.0"
    assert bumped[1] != plain[1]


# --- a cached build publishes what a cold build publishes ---


class Project:
    """A copy of the project with the mini fixture as its content, built from the shell."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        for name in PROJECT:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, root / name)
        shutil.copytree(MINI, root / "content")
        self.env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}

    def build(self, out: str, cache_folder: str) -> subprocess.CompletedProcess[str]:
        args = ["--reports", f"{out}/reports", "--site", f"{out}/site", "--cache", cache_folder]
        done = subprocess.run(
            [sys.executable, "build.py", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def cold(self) -> dict[str, bytes]:
        """A build with no store, and nothing of earlier builds."""
        for name in ("cold", ".cold-cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        self.build("cold", ".cold-cache")
        return site_files(self.root / "cold" / "site")

    def cached(self) -> tuple[dict[str, bytes], str]:
        done = self.build("warm", ".cache")
        return site_files(self.root / "warm" / "site"), done.stdout + done.stderr

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by path, but the stamp, which names the build."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.name != ".minhbach-build"
    }


def _damage_every_entry(project: Project) -> None:
    with sqlite3.connect(project.root / ".cache" / DATABASE) as db:
        rows = db.execute("select key, data from entry").fetchall()
        for key, data in rows:
            damaged = bytearray(data)
            damaged[len(damaged) // 2] ^= 0x20
            db.execute("update entry set data = ? where key = ?", (bytes(damaged), key))
    shutil.rmtree(project.root / "warm" / "reports")  # else the build is up to date


def _bump_babel(project: Project) -> None:
    project.env["PYTHONPATH"] = str(fake_babel(project.root / "fakes"))


NOTHING_CACHED = (
    r"render: \d+ pages rendered, 0 from the cache(.|\n)*mkdocs vi: \d+ pages, \d+ built, 0 "
)
# Each change, then what the cached build must say of it (beside publishing the cold site).
CHANGES: list[tuple[str, Callable[[Project], None], str]] = [
    (
        "a dataset",
        lambda p: p.edit("content/datasets/2025-6m/beta.yml", "rate: 40.00", "rate: 41.00"),
        r"render: \d+ pages rendered, [1-9]\d* from the cache",
    ),
    (
        "the registry",
        lambda p: p.edit("content/provinces.yml", '"Tỉnh Alpha"', '"Tỉnh Alpha Mới"'),
        "",
    ),
    (
        "a template",
        lambda p: p.edit(
            "site_templates/pages/unit_period.html.j2",
            "{% endblock %}",
            "<p>A template's edit.</p>\n{% endblock %}",
        ),
        "",
    ),
    (
        "a module of the project",
        lambda p: p.edit(
            "minhbach/render/tables.py",
            "    return value\n",
            "    return value.upper() if isinstance(value, str) else value  # a test's edit\n",
        ),
        NOTHING_CACHED,
    ),
    ("the version of a library", _bump_babel, NOTHING_CACHED),
    ("every entry of the store", _damage_every_entry, r"\d+ damaged build-cache entries"),
]


def test_a_cached_build_publishes_what_a_cold_build_publishes(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    first, _ = project.cached()
    assert first == project.cold()
    for what, change, said in CHANGES:
        before, _ = project.cached()
        change(project)
        after, printed = project.cached()
        assert after == project.cold(), f"after a change to {what}"
        # A fake version and damaged entries change no output; every other change does.
        if what not in ("the version of a library", "every entry of the store"):
            assert after != before, what
        assert re.search(said, printed), f"{what}: {printed}"
