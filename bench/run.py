#!/usr/bin/env python3
"""Measure the build at scale (issue #5): four builds of one collection and a plain MkDocs build.

    python bench/run.py [--content bench/reference] [--work DIR] [--results DIR]
                        [--skip-mkdocs] [--lang vi]
    python bench/run.py --verify [--content content] [--lang vi]

Builds a copy of the content folder with a copy of the project (so neither the user's
content nor the project's templates are ever touched) four times through the real command
line — cold (empty caches), again with nothing changed, after one dataset's figure changed,
after a template changed — then the same Markdown pages with a plain MkDocs project whose
nav lists every page, then cold once more: the ratio to plain MkDocs is on the mean of
the two cold builds, one on each side of it, as the machine's speed swings. Earlier
outputs are moved aside, not deleted, until everything is measured (`discard`). Prints a
Markdown table (wall time, CPU time, peak memory, pages and charts built, output size),
one PASS/FAIL line per scale target, and writes everything to `<work>/results.json` and,
to keep, to `<results>/<UTC date>-<commit>.json` (`--results`, default bench/results).
With `--verify` it measures nothing: it checks that a cached build publishes the bytes of
a cold build after each of six kinds of change (`bench/verify.py`), by default on the
bundled content. Standard library and requirements.txt only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import mean

import yaml

# Run as a script, bench/ is first on the path: the project's root makes `bench` a package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import verify
from bench.changes import BenchError, change_one_figure, change_template

PROJECT = Path(__file__).resolve().parent.parent
MARKER = ".minhbach-bench"  # a work folder without it is never cleared
#: Where the outputs of earlier builds go, in the work folder, until the run has measured
#: everything (`discard`).
DISCARDED = ".discarded"
# Top-level entries of the project that the build does not read; everything else is copied.
NOT_COPIED = {
    ".git",
    ".cache",
    ".hypothesis",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "bench",
    "content",
    "reports",
    "site",
    "tests",
}
UNIT_TEMPLATE = Path("site_templates/pages/unit_period.html.j2")
TEMPLATE_MARK = "<!-- minhbach bench: template changed -->"
# PSS: the kernel walks each process's page tables to give it, which costs CPU the build
# would otherwise have (about 10 ms per GB); memory moves over seconds, not milliseconds.
SAMPLE_SECONDS = 0.5
MB = 1024 * 1024


@dataclass(frozen=True)
class Target:
    """One scale target of issue #5 and how this run did against it."""

    name: str
    limit: str
    measured: str
    passed: bool | None  # None: not measured in this run


@dataclass
class Step:
    """One measured build: what it cost and what it produced."""

    name: str
    command: list[str]
    returncode: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    max_rss_mb: float = 0.0
    tree_pss_mb: float | None = None
    pages: int | None = None
    pages_built: int | None = None
    charts: int | None = None
    charts_rendered: int | None = None
    charts_cached: int | None = None
    files_written: int | None = None
    warnings: int | None = None
    site_mb: float | None = None
    site_files: int | None = None
    loop_s: float | None = None  # the machine's speed just before: `calibrate`
    log: str = ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Measure the Minh Bạch build at scale (issue #5)."
    )
    parser.add_argument(
        "--content",
        type=Path,
        help="content folder to build (default: bench/reference; with --verify, content)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=PROJECT / "bench" / "out",
        help="scratch folder, cleared on every run (default: bench/out)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=PROJECT / "bench" / "results",
        help="folder that keeps every run's results.json, named by UTC date and commit "
        "(default: bench/results)",
    )
    parser.add_argument(
        "--skip-mkdocs", action="store_true", help="skip the plain MkDocs comparison build"
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="measure nothing: after each of six kinds of change, check that a cached build "
        "publishes the same bytes as a cold one (exit 1 if not)",
    )
    parser.add_argument(
        "--lang",
        action="append",
        choices=("vi", "en"),
        help="editions to build (repeatable; default: vi; with --verify, every edition)",
    )
    args = parser.parse_args(argv)
    # A terminated run stops its build too (the wait in `measure` kills it on the way out).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        if args.verify:
            return verify.main((args.content or PROJECT / "content").resolve(), args.lang or [])
        content = args.content or PROJECT / "bench" / "reference"
        return run(content.resolve(), args.work.resolve(), args.lang or ["vi"], args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run(content: Path, work: Path, langs: list[str], args: argparse.Namespace) -> int:
    """Run every step, print the report, write results.json twice; 1 if a step failed."""
    if not (content / "datasets").is_dir():
        raise BenchError(f"no content folder with datasets/ at {content}")
    if work == content or work in content.parents or content.is_relative_to(work):
        raise BenchError("--work must be a folder of its own, beside the content folder")
    kept = args.results.resolve()
    if kept.is_relative_to(work):
        raise BenchError("--results must be outside --work, which the next run clears")
    try:  # before the builds: an unwritable folder fails now, not after them
        kept.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BenchError(f"cannot create the results folder {kept}: {exc.strerror}") from exc
    prepare_work(work, content)
    project = work / "project"
    build = [
        sys.executable,
        str(project / "build.py"),
        "--content",
        str(work / "content"),
        "--reports",
        str(work / "reports"),
        "--site",
        str(work / "site"),
        "--cache",
        str(work / "cache"),  # the root of every build cache (charts/, pages/, …)
        *[arg for lang in langs for arg in ("--lang", lang)],
        "build",
    ]
    print(f"Minh Bạch benchmark: {content} ({count_datasets(content)} datasets), work {work}")
    steps: list[Step] = []
    checks: dict[str, str] = {}
    speed_before = calibrate()

    steps.append(measure("cold build", build, work))
    if steps[-1].returncode == 0:
        checks.update(site_checks(work / "site", langs))
        steps.append(measure("no-op rebuild", build, work))
    if steps[-1].returncode == 0:
        change = change_one_figure(work / "content")
        page = work / "site" / change.page
        before = count_in(page, vietnamese(change.new))
        steps.append(measure("one dataset changed", build, work))
        found = count_in(page, vietnamese(change.new)) > before
        moved = f" ({'; '.join(change.edits)})" if change.edits else ""
        checks["changed figure"] = (
            f"cases.completed {vietnamese(change.old)} → {vietnamese(change.new)} in "
            f"{change.dataset}{moved}: "
            f"{'OK' if found else 'FAILED'}, {'found' if found else 'not found'} in {change.page}"
        )
    if steps[-1].returncode == 0 and len(steps) == 3:
        change_template(project / UNIT_TEMPLATE, TEMPLATE_MARK)
        steps.append(measure("template changed", build, work))
        marked, unit_pages = count_marked_pages(work / "site")
        ok = unit_pages > 0 and marked == unit_pages
        checks["template change"] = (
            f"{'OK' if ok else 'FAILED'}, marker in {marked} of {unit_pages} unit pages"
        )
    ours_ok = len(steps) == 4 and steps[-1].returncode == 0
    plain: Step | None = None
    if not args.skip_mkdocs and ours_ok:
        plain = measure_plain_mkdocs(work)
        if plain.returncode == 0:
            # Our cold build once more, on the other side of plain MkDocs: its 3 to 4
            # minutes see the machine's swings averaged out, a 40-second build sees one
            # moment (the same code has taken 30 to 48 s here); the ratio is on the mean
            # of the two, each of which the report shows (`cold_builds`).
            steps.append(measure(COLD_AGAIN, build, work))
    checks["machine speed"] = (
        f"a fixed Python loop took {speed_before:.2f} s before the builds and "
        f"{calibrate():.2f} s after (best of {CALIBRATION_RUNS}; a busier or slower machine "
        "scales every figure above)"
    )
    print()
    print(report(steps, plain, checks))
    targets = judge(steps, plain)
    for target in targets:
        verdict = {True: "PASS", False: "FAIL", None: "—"}[target.passed]
        print(f"{verdict:4}  {target.name} {target.limit}: {target.measured}")
    where = machine()
    results = {
        "machine": where,
        "content": str(content),
        "langs": langs,
        "steps": [asdict(step) for step in steps],
        "plain_mkdocs": asdict(plain) if plain else None,
        "checks": checks,
        "targets": [asdict(target) for target in targets],
    }
    text = json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    (work / "results.json").write_text(text, encoding="utf-8")
    print(f"\nresults: {work / 'results.json'}; build logs: {work / 'logs'}/")
    try:
        print(f"results kept: {keep_results(kept, text, where)}")
        not_kept = False
    except OSError as exc:  # the work folder's copy is written: say so, and fail the run
        print(f"error: results not kept in {kept}: {exc}", file=sys.stderr)
        not_kept = True
    seconds = clear_discarded(work)
    print(f"earlier outputs, moved aside before the builds, deleted in {seconds:.1f} s")
    failed = not ours_ok or any(step.returncode != 0 for step in steps)
    failed = failed or any("FAILED" in line for line in checks.values())
    failed = failed or (plain is not None and plain.returncode != 0)
    return 1 if failed or not_kept else 0


def keep_results(folder: Path, text: str, where: dict[str, str]) -> Path:
    """Write `text` into `folder` as `<UTC date>-<commit>.json`, never over an earlier run's."""
    date = dt.datetime.fromisoformat(where["date"]).astimezone(dt.UTC)
    commit = re.sub(r"[^0-9A-Za-z.-]", "_", where["commit"])  # "—" without git
    stem = f"{date:%Y%m%dT%H%M%SZ}-{commit}"
    for number in range(1, 1000):
        path = folder / (f"{stem}.json" if number == 1 else f"{stem}-{number}.json")
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder / stem}-*.json: 999 runs in one second")


def site_checks(site: Path, langs: list[str]) -> dict[str, str]:
    """The bundled site's checks on the built site: links, other hosts, search coverage."""
    sys.path.insert(0, str(PROJECT))
    from tests.sitecheck import broken_links, external_references, search_fragments

    checks: dict[str, str] = {}
    broken = broken_links(site)
    checks["links"] = "OK, no broken link" if not broken else f"FAILED: {broken[:5]}"
    external = external_references(site)
    checks["other hosts"] = "OK, none" if not external else f"FAILED: {external[:5]}"
    fragments = search_fragments(site)  # Pagefind's index, one for both editions
    for lang in langs:
        root = site if lang == "vi" else site / lang
        pages = {
            path.parent.relative_to(root).as_posix()
            for path in root.rglob("index.html")
            if not (lang == "vi" and path.relative_to(root).parts[0] in langs)
        }
        pages = {"" if page == "." else page + "/" for page in pages}
        prefix = "/" if lang == "vi" else f"/{lang}/"
        found = {
            fragment["url"].removeprefix(prefix)
            for _, fragment in fragments
            if fragment["url"].startswith(prefix)
            and (lang != "vi" or fragment["url"].split("/")[1] not in langs)
        }
        missing = sorted(pages - found)
        checks[f"search {lang}"] = (
            f"OK, {len(pages)} of {len(pages)} pages in the index"
            if not missing
            else f"FAILED: {len(missing)} of {len(pages)} pages not in the index: {missing[:5]}"
        )
    return checks


def discard(work: Path, path: Path) -> None:
    """Move `path` (in the work folder), if it exists, aside: `clear_discarded` deletes it.

    Deleting tens of thousands of files just before a build slows that build's own file
    creation, on some file systems by seconds: ext4 without a journal (this machine's)
    will not reuse a recently deleted inode, and checks each free one it meets, so every
    new file walks past the ones just deleted (`perf` put this at up to 14 % of a cold
    build's CPU right after the previous outputs were removed). A user's cold build
    follows a clone, not a mass deletion; a rename moves the old outputs aside at once,
    and the run deletes them when it has measured everything.
    """
    if not path.exists():
        return
    folder = work / DISCARDED
    folder.mkdir(exist_ok=True)
    path.rename(folder / f"{time.monotonic_ns()}-{path.name}")


def clear_discarded(work: Path) -> float:
    """Delete what `discard` moved aside; the seconds it took."""
    started = time.perf_counter()
    shutil.rmtree(work / DISCARDED, ignore_errors=True)
    return time.perf_counter() - started


def prepare_work(work: Path, content: Path) -> None:
    """Start the work folder afresh (the last one moved aside: `discard`) with copies of the
    content and the project."""
    if work.exists() and any(work.iterdir()) and not (work / MARKER).exists():
        raise BenchError(f"{work} is not empty and not a benchmark folder; choose another --work")
    previous = work.with_name(work.name + DISCARDED) if work.exists() else None
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)  # left by a run stopped halfway
        work.rename(previous)
    work.mkdir(parents=True)
    (work / MARKER).write_text("Scratch folder of bench/run.py; cleared on every run.\n")
    if previous is not None:
        discard(work, previous)
    (work / "logs").mkdir()
    shutil.copytree(content, work / "content")
    # The build reads its templates next to its package: a copy of both lets the template
    # step edit a template without touching the project (or anyone working in it).
    shutil.copytree(
        PROJECT,
        work / "project",
        ignore=lambda folder, names: NOT_COPIED & set(names) if Path(folder) == PROJECT else [],
    )
    # Untimed warm-up: byte-compile the copy and pull the big libraries into the page cache,
    # so the cold step measures empty build caches, not a cold disk.
    compile_all = [sys.executable, "-m", "compileall", "-q", str(work / "project")]
    subprocess.run(compile_all, stdout=subprocess.DEVNULL, check=True)
    warm = "import altair, jinja2, mkdocs, pydantic, vl_convert, yaml"
    subprocess.run([sys.executable, "-c", warm], check=True)


def count_datasets(content: Path) -> int:
    return sum(1 for _ in (content / "datasets").glob("*/*.yml"))


COLD = "cold build"
#: The second cold build, after plain MkDocs (of the content as the steps left it: one
#: figure and the unit template changed, the same work).
COLD_AGAIN = "cold build, again"


def cold_builds(steps: list[Step]) -> list[Step]:
    """The cold builds that succeeded: the first, and the one after plain MkDocs if run."""
    return [step for step in steps if step.name in (COLD, COLD_AGAIN) and step.returncode == 0]


def measure(name: str, command: list[str], work: Path, cwd: Path | None = None) -> Step:
    """Run one build as a child process and measure it; cold first moves the last outputs aside."""
    if name in (COLD, COLD_AGAIN):
        # The site is a link to its version in .site-versions/: both go.
        for folder in ("reports", "site", ".site-versions", "cache", ".cache"):
            discard(work, work / folder)
    print(f"{name} …", end=" ", flush=True)
    loop = calibrate()
    log_path = work / "logs" / f"{name.replace(' ', '-')}.log"
    with log_path.open("w+", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd or work,
            stdout=log,
            stderr=log,
            # Unbuffered, so the log keeps the order of stdout and stderr lines.
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        sampler = TreeMemory(process.pid)
        sampler.start()
        try:
            # wait4 gives the child's own rusage, including the children it waited for
            # (the chart pool's workers): CPU summed, maxrss the largest single process.
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            sampler.stop()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    step = Step(
        name=name,
        command=command,
        returncode=process.returncode,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,  # Linux: KiB
        tree_pss_mb=sampler.peak_kib / 1024 if sampler.peak_kib else None,
        loop_s=loop,
        log=str(log_path),
    )
    parse_build_output(output, step)
    site = work / ("plain/site" if cwd else "site")
    if site.is_dir():
        size, files = folder_size(site)
        step.site_mb, step.site_files = size / MB, files
    print(f"{wall:.1f} s" + ("" if step.returncode == 0 else f", FAILED (see {log_path})"))
    if step.returncode != 0:
        print("\n".join(output.splitlines()[-15:]), file=sys.stderr)
    return step


class TreeMemory(threading.Thread):
    """Sample the memory of a process and all its descendants: their PSS, summed.

    PSS (proportional set size) counts a page shared by n processes as 1/n in each, so
    the sum is the memory the tree holds: the build's forked renderers share the site
    model with it, and their RSS summed would count the model once per process. Where
    the kernel gives no PSS (/proc/<pid>/smaps_rollup), RSS is summed: an upper bound.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._done = threading.Event()
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():
            return  # not Linux: the table shows only the largest process
        while not self._done.wait(SAMPLE_SECONDS):
            total = sum(self._memory_kib(pid) for pid in self._tree())
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree(self) -> Iterator[int]:
        parents: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_bytes()
            except OSError:
                continue  # exited while we looked
            ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
        todo = [self.pid]
        while todo:
            pid = todo.pop()
            yield pid
            todo.extend(parents.get(pid, []))

    def _memory_kib(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page_kib
        except (OSError, IndexError, ValueError):
            return 0


def parse_build_output(output: str, step: Step) -> None:
    """Fill the counts a build prints; a line that is missing leaves its count unknown."""
    if re.search(r"^up to date:", output, re.MULTILINE):
        # The build saw that no input changed and wrote nothing.
        step.files_written = step.pages_built = step.charts_rendered = 0
    if match := re.search(r"render: (?:.*?; )?(\d+) files written", output):
        step.files_written = int(match[1])
    if match := re.search(r"charts: (\d+), (\d+) rendered, (\d+) from the cache", output):
        step.charts, step.charts_rendered, step.charts_cached = map(int, match.groups())
    if match := re.search(r"^site: (\d+) pages", output, re.MULTILINE):
        step.pages = int(match[1])
    built = [int(m[1]) for m in re.finditer(r"^mkdocs \w+: \d+ pages, (\d+) built", output, re.M)]
    if built:
        step.pages_built = sum(built)
    if match := re.search(r"^check \w+: .*?(\d+) errors?, (\d+) warnings?", output, re.M):
        # The check's warnings are counted in its summary line; compute's come after it,
        # one a line.
        after = output[match.end() :]
        step.warnings = int(match[2]) + len(re.findall(r": warning: ", after))


def folder_size(folder: Path) -> tuple[int, int]:
    """Total bytes and number of files under a folder."""
    size = files = 0
    for root, _, names in os.walk(folder):
        for name in names:
            size += os.lstat(os.path.join(root, name)).st_size
            files += 1
    return size, files


def vietnamese(number: int) -> str:
    """A whole number as the Vietnamese pages write it: 1.577."""
    return f"{number:,}".replace(",", ".")


def count_in(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").count(text) if path.is_file() else 0


def count_marked_pages(site: Path) -> tuple[int, int]:
    """Unit pages (`<year>/<period>/<unit>/index.html`) carrying the template mark, of all."""
    pages = list(site.glob("[0-9][0-9][0-9][0-9]/*/*/index.html"))
    return sum(TEMPLATE_MARK in page.read_text(encoding="utf-8") for page in pages), len(pages)


def measure_plain_mkdocs(work: Path) -> Step:
    """Build the same Vietnamese pages with MkDocs defaults and a nav listing every page:
    the editors' Markdown as it is, and each generated page as the Markdown a plain
    MkDocs project would hold for it (its title in the front matter, its HTML body)."""
    plain = work / "plain"
    discard(work, plain)
    shutil.copytree(work / "reports" / "vi", plain / "docs")
    pages = work / "reports" / "pages" / "vi"
    for typed in sorted(pages.rglob("*.json")):
        page = json.loads(typed.read_text(encoding="utf-8"))
        target = plain / "docs" / page["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        front = yaml.safe_dump({"title": page["title"]}, allow_unicode=True)
        target.write_text(f"---\n{front}---\n{page['body']}\n", encoding="utf-8")
    config = {
        "site_name": "Minh Bạch (plain MkDocs)",
        "docs_dir": "docs",
        "site_dir": "site",
        "theme": {"name": "mkdocs"},
        "nav": nav(plain / "docs", plain / "docs"),
    }
    (plain / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain / "mkdocs.yml")]
    step = measure("plain MkDocs", command, work, cwd=plain)
    step.pages = step.pages_built = sum(1 for _ in (plain / "docs").rglob("*.md"))
    return step


def nav(folder: Path, docs: Path) -> list[dict[str, object]]:
    """Every page of a folder, index first, then its subfolders as sections."""
    entries: list[dict[str, object]] = []
    pages = sorted(folder.glob("*.md"), key=lambda p: (p.name != "index.md", p.name))
    entries += [{title_of(page): page.relative_to(docs).as_posix()} for page in pages]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if section := nav(sub, docs):
            entries.append({sub.name: section})
    return entries


def title_of(page: Path) -> str:
    """A page's title: its front matter's, else its first heading, else its path."""
    text = page.read_text(encoding="utf-8")
    if text.startswith("---\n") and (end := text.find("\n---", 4)) > 0:
        meta = yaml.safe_load(text[4:end])
        if isinstance(meta, dict) and meta.get("title"):
            return str(meta["title"])
    if match := re.search(r"^# (.+)$", text, re.MULTILINE):
        return match[1].strip()
    return page.stem


def report(steps: list[Step], plain: Step | None, checks: dict[str, str]) -> str:
    """The results as an aligned Markdown table with its footnotes and checks."""
    header = [
        "step",
        "wall s",
        "CPU s",
        "RSS MB¹",
        "tree PSS MB²",
        "pages",
        "built³",
        "charts",
        "rendered",
        "md written",
        "site MB",
        "site files",
        "warnings⁴",
        "loop s⁵",
    ]
    rows = [[step.name, *_cells(step)] for step in steps]
    rows.append(["plain MkDocs", *(_cells(plain) if plain else ["—"] * (len(header) - 1))])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|"
    lines = [line(header), rule, *(line(row) for row in rows), ""]
    lines += [
        "¹ largest single process (ru_maxrss of the build and the children it waited for; "
        "the chart pool's workers are not summed).",
        f"² sum of the proportional set size (PSS) of the build's process tree, sampled "
        f"every {SAMPLE_SECONDS * 1000:.0f} ms: a page shared by n processes counts 1/n in each.",
        "³ pages MkDocs built, when the build says (`N built`); — when it does not.",
        "⁴ check and compute warnings printed by the build (capped at 20 per file).",
        "⁵ the machine's speed just before the step: seconds a fixed Python loop took "
        "(`calibrate`); steps measured at different speeds do not compare.",
        "CPU: user + system of the build and its waited-for children.",
    ]
    colds = cold_builds(steps)
    if plain is not None and colds and plain.returncode == 0:
        lines.append(f"plain MkDocs / cold build: {ratio_text(plain, colds)}")
    else:
        lines.append("plain MkDocs / cold build: —")
    lines += [f"{name}: {text}" for name, text in checks.items()]
    lines.append(f"machine: {', '.join(f'{k} {v}' for k, v in machine().items())}")
    return "\n".join(lines)


def _cells(step: Step) -> list[str]:
    def num(value: float | int | None, digits: int = 0) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    return [
        num(step.wall_s, 1) + ("" if step.returncode == 0 else f" FAILED ({step.returncode})"),
        num(step.cpu_s, 1),
        num(step.max_rss_mb),
        num(step.tree_pss_mb),
        num(step.pages),
        num(step.pages_built),
        num(step.charts),
        num(step.charts_rendered),
        num(step.files_written),
        num(step.site_mb, 1),
        num(step.site_files),
        num(step.warnings),
        num(step.loop_s, 2),
    ]


def judge(steps: list[Step], plain: Step | None) -> list[Target]:
    """Each target of issue #5 against this run (on a 2-core machine, Vietnamese edition)."""
    by_name = {step.name: step for step in steps if step.returncode == 0}

    def within(name: str, step_name: str, limit: float) -> Target:
        step = by_name.get(step_name)
        if step is None:
            return Target(name, f"≤ {limit:g} s", "not measured", None)
        return Target(name, f"≤ {limit:g} s", f"{step.wall_s:.1f} s", step.wall_s <= limit)

    # Every cold build within the limit: the slowest is judged.
    slowest = max(cold_builds(steps), key=lambda step: step.wall_s, default=None)
    targets = [
        within("cold build", slowest.name if slowest else COLD, 60),
        within("no-op rebuild", "no-op rebuild", 2),
        within("one dataset changed", "one dataset changed", 5),
    ]
    # Memory counts for a failed build too (it may have failed for want of it).
    if steps:
        tree = max((s.tree_pss_mb or 0.0) for s in steps)
        largest = max(s.max_rss_mb for s in steps)
        peak = tree or largest
        measured = f"{peak:,.0f} MB" + (
            f" (tree PSS; largest process RSS {largest:,.0f} MB)" if tree else " (largest process)"
        )
        targets.append(Target("peak RSS", "≤ 2 GB", measured, peak <= 2048))
    else:
        targets.append(Target("peak RSS", "≤ 2 GB", "not measured", None))
    sizes = [s.site_mb for s in by_name.values() if s.site_mb is not None]
    if sizes:
        targets.append(Target("built site", "≤ 200 MB", f"{max(sizes):,.1f} MB", max(sizes) <= 200))
    else:
        targets.append(Target("built site", "≤ 200 MB", "not measured", None))
    colds = cold_builds(steps)
    if plain is not None and plain.returncode == 0 and colds:
        ratio = plain.wall_s / mean(step.wall_s for step in colds)
        measured = ratio_text(plain, colds)
        targets.append(Target("faster than plain MkDocs", "≥ 5×", measured, ratio >= 5))
    else:
        targets.append(Target("faster than plain MkDocs", "≥ 5×", "not measured", None))
    return targets


def ratio_text(plain: Step, colds: list[Step]) -> str:
    """Plain MkDocs' wall time over our cold builds' mean, and over each of them."""
    if len(colds) == 1:
        wall = colds[0].wall_s
        return f"{plain.wall_s / wall:.2f}× ({plain.wall_s:.1f} s / {wall:.1f} s)"
    walls = [step.wall_s for step in colds]
    each = ", ".join(f"{plain.wall_s / wall:.2f}× on {wall:.1f} s" for wall in walls)
    listed = " and ".join(f"{wall:.1f}" for wall in walls)
    return (
        f"{plain.wall_s / mean(walls):.2f}× ({plain.wall_s:.1f} s / {mean(walls):.1f} s, "
        f"the mean of {listed} s; each alone: {each})"
    )


CALIBRATION_RUNS = 3


def calibrate() -> float:
    """Seconds a fixed pure-Python loop takes here, best of a few runs.

    The same machine has been seen to run the same build 50% slower from one hour to
    the next; printed beside the figures, this tells a slow run from a slow build.
    """
    best = float("inf")
    for _ in range(CALIBRATION_RUNS):
        started = time.perf_counter()
        total = 0
        for number in range(3_000_000):
            total += number * number
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> dict[str, str]:
    """Where and when this ran, and which commit of the project."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "—"
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "system": platform.platform(terse=True),
        "commit": commit,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    sys.exit(main())
