"""A cached build publishes what a cold build publishes, whatever changed (`run.py --verify`).

On a copy of the project and of a content folder, built through its command line only:
one build with an empty cache, then for each kind of change (`CHANGES`) the change, a
build with the cache of the builds before it ("cached") and one into other folders with
an empty cache ("cold"), and the two sites compared byte for byte. The changes add up:
each pair of builds is of the same inputs, everything changed so far. `tests/test_cache.py`
runs the same on the mini fixture.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.changes import (
    BenchError,
    append_line,
    change_one_figure,
    change_template,
    damage_entries,
    fake_distribution,
    period_template,
    rename_unit,
)

REPO = Path(__file__).resolve().parent.parent
#: What a build reads of the project.
PROJECT_FILES = ("build.py", "mkdocs.yml", "requirements.txt", "minhbach", "site_templates")
#: The build's stamp in a site names the build that made it: never the same twice.
STAMP = ".minhbach-build"
#: The cache's database in the cache folder (`minhbach/machinery/cache.py`).
DATABASE = "cache.sqlite"
#: The library whose version the library change bumps: the build imports it for every
#: number and date it writes.
LIBRARY = "babel"
MARK = "minhbach verify: changed"
#: Pages' timestamps, where a build writes any, from this date (2026-01-01) unless set.
EPOCH = "1767225600"
SHOWN = 10  # differing files listed per change, at the most


class BuildFailed(BenchError):
    """A build of the copy exited with an error."""


@dataclass(frozen=True)
class Build:
    """One build of the copy: how long it took and what it printed."""

    seconds: float
    printed: str


class Project:
    """A copy of the project with a copy of a content folder as its `content/`."""

    def __init__(self, root: Path, content: Path, langs: Sequence[str] = ()) -> None:
        self.root = root
        self.langs = list(langs)
        root.mkdir(parents=True)
        for name in PROJECT_FILES:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, root / name)
        shutil.copytree(content, root / "content")
        self.env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", EPOCH)}

    def build(self, out: str, cache: str) -> Build:
        """Build `content/` into `<out>/reports` and `<out>/site` with the cache in `cache`."""
        command = [sys.executable, "build.py", "--content", "content"]
        command += ["--reports", f"{out}/reports", "--site", f"{out}/site", "--cache", cache]
        command += [arg for lang in self.langs for arg in ("--lang", lang)]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "build"],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            last = "\n".join(done.stdout.splitlines()[-20:])
            raise BuildFailed(f"the build into {self.root / out} failed:\n{last}")
        return Build(seconds, done.stdout)

    def cached(self) -> Build:
        """Build with the cache every earlier cached build used and filled."""
        return self.build("cached", ".cache")

    def cold(self) -> Build:
        """Build into folders of its own, nothing in them, with an empty cache."""
        shutil.rmtree(self.root / "cold", ignore_errors=True)
        return self.build("cold", "cold/.cache")


def change_dataset(project: Project) -> str:
    change = change_one_figure(project.root / "content")
    return f"{change.dataset}: cases.completed {change.old} → {change.new}"


def change_registry(project: Project) -> str:
    slug = rename_unit(project.root / "content" / "provinces.yml", " (đổi tên)")
    return f"provinces.yml: {slug}'s name"


def change_page_template(project: Project) -> str:
    template = period_template(project.root / "site_templates" / "pages")
    change_template(template, f"<!-- {MARK} -->")
    return template.relative_to(project.root).as_posix()


def change_module(project: Project) -> str:
    module = project.root / "minhbach" / "__init__.py"
    append_line(module, f"# {MARK}")
    return module.relative_to(project.root).as_posix()


def bump_library(project: Project) -> str:
    fakes = project.root / "fake-distributions"
    version = fake_distribution(fakes, LIBRARY)
    paths = [str(fakes), *filter(None, [project.env.get("PYTHONPATH")])]
    project.env["PYTHONPATH"] = os.pathsep.join(paths)
    return f"{LIBRARY} {version} on PYTHONPATH"


def damage_cache(project: Project) -> str:
    return f"{damage_entries(project.root / '.cache' / DATABASE)} entries, one of each kind"


#: Each kind of change, by name, and the edit that makes it (it says what it changed).
CHANGES: list[tuple[str, Callable[[Project], str]]] = [
    ("dataset", change_dataset),
    ("registry", change_registry),
    ("page template", change_page_template),
    ("project module", change_module),
    ("library version", bump_library),
    ("cache entry", damage_cache),
]


@dataclass(frozen=True)
class Outcome:
    """One change: the two builds after it and how their sites compare."""

    kind: str
    what: str  # what the change edited
    cached: Build
    cold: Build
    files: int  # in the cached site
    changed: int  # files of the cached site the change made differ from the one before it
    differing: list[str]  # files not the same bytes in the two sites, or in one only

    def line(self) -> str:
        """The outcome in one line: kind, both builds' seconds, identical or not."""
        if self.differing:
            verdict = f"identical: NO, {len(self.differing)} of {self.files} files differ"
        else:
            verdict = f"identical: yes ({self.files} files, {self.changed} changed)"
        return (
            f"{self.kind:<15}  cached {self.cached.seconds:6.1f} s  "
            f"cold {self.cold.seconds:6.1f} s  {verdict}  [{self.what}]"
        )


def verify(project: Project) -> Iterator[Outcome]:
    """Build once with an empty cache, then make each change and compare the builds after it."""
    project.cached()
    before = digests(project.root / "cached" / "site")
    for kind, change in CHANGES:
        what = change(project)
        cached = project.cached()
        cold = project.cold()
        site = project.root / "cached" / "site"
        after = digests(site)
        yield Outcome(
            kind=kind,
            what=what,
            cached=cached,
            cold=cold,
            files=len(after),
            changed=sum(before.get(path) != digest for path, digest in after.items())
            + len(before.keys() - after.keys()),
            differing=differing(site, project.root / "cold" / "site"),
        )
        before = after


def site_files(site: Path) -> list[str]:
    """Every file of a built site, by its path in it, but the build's stamp."""
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file() and path.name != STAMP
    )


def digests(site: Path) -> dict[str, bytes]:
    """The sha256 of every file of a site, by its path."""
    return {path: hashlib.sha256((site / path).read_bytes()).digest() for path in site_files(site)}


def differing(one: Path, other: Path) -> list[str]:
    """The files of two sites that are not the same bytes in both, or are in only one."""
    mine, theirs = set(site_files(one)), set(site_files(other))
    both = sorted(mine & theirs)
    return sorted(
        (mine ^ theirs)
        | {path for path in both if (one / path).read_bytes() != (other / path).read_bytes()}
    )


def main(content: Path, langs: Sequence[str]) -> int:
    """Verify on a copy of `content` and print a line per change; 1 if any site differs."""
    if not (content / "datasets").is_dir():
        raise BenchError(f"no content folder with datasets/ at {content}")
    editions = ", ".join(langs) if langs else "every edition"
    print(f"Minh Bạch verify: {content}, {editions}: a cached build against a cold one")
    work = Path(tempfile.mkdtemp(prefix="minhbach-verify-"))
    failed = False
    try:
        for outcome in verify(Project(work / "project", content, langs)):
            print(outcome.line(), flush=True)
            for path in outcome.differing[:SHOWN]:
                print(f"    differs: {path}")
            if len(outcome.differing) > SHOWN:
                print(f"    and {len(outcome.differing) - SHOWN} more")
            failed = failed or bool(outcome.differing)
    except BaseException:
        print(f"the copy is kept for a look: {work}", file=sys.stderr)
        raise
    if failed:
        print(f"a cached build published other bytes than a cold one; the copy is kept: {work}")
        return 1
    shutil.rmtree(work)
    print("every cached build published the bytes of a cold build")
    return 0
