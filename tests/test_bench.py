"""The benchmark harness `bench/run.py`: four measured builds of the fixture site, and its edits."""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
STEPS = ("cold build", "no-op rebuild", "one dataset changed", "template changed")


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_bench_builds_the_mini_site_four_times(tmp_path: Path) -> None:
    bench = load_bench()
    work = tmp_path / "work"
    command = ["bench/run.py", "--content", str(MINI), "--skip-mkdocs"]
    command += ["--work", str(work), "--results", str(tmp_path / "kept")]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows] == [
        "step",
        *STEPS,
        "plain MkDocs",
    ]
    assert rows[-1].split("|")[2].strip() == "—"  # skipped
    assert (
        "changed figure: cases.completed 600 → 601 in datasets/2024-6m/alpha.yml "
        "(carried_forward 380 → 379; enforceable_carried_forward 200 → 199; rate 75.00 → 75.12): "
        "OK, found in 2024/6-thang/alpha/index.html"
    ) in result.stdout
    assert "template change: OK, marker in 9 of 9 unit pages" in result.stdout
    for target in ("cold build ≤ 60 s", "no-op rebuild ≤ 2 s", "peak RSS ≤ 2 GB"):
        assert f"  {target}: " in result.stdout
    results = json.loads((work / "results.json").read_text(encoding="utf-8"))
    # The same results are kept outside the work folder, named by UTC date and commit.
    [kept] = (tmp_path / "kept").iterdir()
    assert f"results kept: {kept}" in result.stdout
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9A-Za-z._-]+\.json", kept.name), kept.name
    assert json.loads(kept.read_text(encoding="utf-8")) == results
    assert [step["name"] for step in results["steps"]] == list(STEPS)
    assert all(step["returncode"] == 0 for step in results["steps"])
    assert results["steps"][1]["charts_rendered"] == 0
    # The user's content and the project's templates are never edited: only their copies.
    assert (MINI / "datasets/2024-6m/alpha.yml").read_text().count("completed: 600") == 1
    template = REPO / "site_templates/pages/unit_period.html.j2"
    assert bench.TEMPLATE_MARK not in template.read_text(encoding="utf-8")
    assert bench.TEMPLATE_MARK in (work / "project" / bench.UNIT_TEMPLATE).read_text()
    # The fresh build's outputs, moved aside once compared, are deleted at the end.
    assert "earlier outputs, moved aside before the builds, deleted in " in result.stdout
    assert not (work / bench.DISCARDED).exists()


def test_earlier_outputs_are_moved_aside_and_deleted_only_once_all_is_measured(
    tmp_path: Path,
) -> None:
    bench = load_bench()
    work = tmp_path / "work"
    bench.prepare_work(work, MINI)
    (work / "site").mkdir()
    (work / "site" / "index.html").write_text("first run")
    bench.prepare_work(work, MINI)  # the next run: the last one's folder is moved aside
    assert (work / bench.MARKER).exists() and not (work / "site").exists()
    assert not work.with_name("work" + bench.DISCARDED).exists()
    [previous] = (work / bench.DISCARDED).iterdir()
    assert (previous / "site" / "index.html").read_text() == "first run"

    (work / "site").mkdir()  # a cold build's outputs, moved aside before the next
    bench.discard(work, work / "site")
    bench.discard(work, work / "reports")  # not there: nothing to do
    assert not (work / "site").exists()
    assert len(list((work / bench.DISCARDED).iterdir())) == 2
    assert bench.clear_discarded(work) >= 0
    assert not (work / bench.DISCARDED).exists()
    assert (work / "content" / "datasets").is_dir()  # the run's own copies stay


def test_verify_checks_six_changes_on_the_command_line(tmp_path: Path) -> None:
    command = ["bench/run.py", "--verify", "--content", str(MINI), "--lang", "vi"]
    result = subprocess.run(
        [sys.executable, *command], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Minh Bạch verify: {MINI}, vi: a cached build against a cold one"
    kinds = ["dataset", "registry", "page template", "project module", "library version"]
    for line, kind in zip(lines[1:], [*kinds, "cache entry"], strict=False):
        assert re.match(rf"{kind} +cached +\d+\.\d s  cold +\d+\.\d s  identical: yes ", line)
    assert lines[7:] == ["every cached build published the bytes of a cold build"]


def test_one_figure_changes_with_everything_that_depends_on_it(tmp_path: Path) -> None:
    bench = load_bench()
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    dataset = content / "datasets/2021-12m/beta.yml"
    dataset.parent.mkdir()
    dataset.write_text(
        textwrap.dedent(
            """\
            unit: beta  # kept as written
            period: 2021-12m
            cases:
              enforceable: 1000
              completed: {value: 998, quote: "xong 998 việc"}
              in_progress: 2
              carried_forward: 7
              rate: 99.8
              target_gap: -0.20
              change: {completed: {absolute: 98, percent: 10.9}, rate: {points: 1.5}}
            """
        ),
        encoding="utf-8",
    )
    change = bench.change_one_figure(content)
    assert (change.dataset, change.old, change.new) == ("datasets/2021-12m/beta.yml", 998, 999)
    assert change.page == Path("2021/ca-nam/beta/index.html")
    assert dataset.read_text(encoding="utf-8") == textwrap.dedent(
        """\
        unit: beta  # kept as written
        period: 2021-12m
        cases:
          enforceable: 1000
          completed: {value: 999, quote: "xong 998 việc"}
          in_progress: 1
          carried_forward: 6
          rate: 99.9
          target_gap: -0.10
          change: {completed: {absolute: 99, percent: 11.0}, rate: {points: 1.6}}
        """
    )


def test_the_ratio_is_on_the_mean_of_both_cold_builds_and_the_slower_is_judged() -> None:
    bench = load_bench()
    steps = [
        bench.Step("cold build", [], wall_s=40.0, site_mb=199.0),
        bench.Step("no-op rebuild", [], wall_s=0.4),
        bench.Step("one dataset changed", [], wall_s=3.5),
        bench.Step("template changed", [], wall_s=30.0),
        bench.Step("cold build, again", [], wall_s=62.0),
    ]
    plain = bench.Step("plain MkDocs", [], wall_s=255.0)
    targets = {target.name: target for target in bench.judge(steps, plain)}
    ratio = targets["faster than plain MkDocs"]
    assert ratio.passed is True  # 255 / 51 = 5.00
    assert ratio.measured.startswith("5.00× (255.0 s / 51.0 s, the mean of 40.0 and 62.0 s;")
    assert "6.38× on 40.0 s, 4.11× on 62.0 s" in ratio.measured
    assert (targets["cold build"].measured, targets["cold build"].passed) == ("62.0 s", False)
    assert "plain MkDocs / cold build: 5.00× (255.0 s / 51.0 s" in bench.report(steps, plain, {})

    # A cold build that failed again is not in the mean, and fails the run's cold target
    # only through its own return code (the run exits 1).
    steps[-1] = bench.Step("cold build, again", [], returncode=1, wall_s=5.0)
    targets = {target.name: target for target in bench.judge(steps, plain)}
    assert targets["faster than plain MkDocs"].measured == "6.38× (255.0 s / 40.0 s)"
    assert targets["cold build"].measured == "40.0 s"


def test_results_are_kept_by_date_and_commit_never_over_an_earlier_run(tmp_path: Path) -> None:
    bench = load_bench()
    where = {"commit": "e3473d5-dirty", "date": "2026-01-02T07:08:09+07:00"}
    first = bench.keep_results(tmp_path, "{}\n", where)
    second = bench.keep_results(tmp_path, "[]\n", where)
    assert first.name == "20260102T000809Z-e3473d5-dirty.json"
    assert second.name == "20260102T000809Z-e3473d5-dirty-2.json"
    assert first.read_text(encoding="utf-8") == "{}\n"
    assert bench.keep_results(tmp_path, "", {**where, "commit": "—"}).name == (
        "20260102T000809Z-_.json"
    )


def test_results_inside_the_work_folder_are_refused(tmp_path: Path) -> None:
    bench = load_bench()
    work = tmp_path / "work"
    args = argparse.Namespace(results=work / "kept")
    with pytest.raises(bench.BenchError, match="--results must be outside --work"):
        bench.run(MINI, work, ["vi"], args)
    assert not work.exists()  # refused before anything is written
