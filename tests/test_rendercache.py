"""The render cache: a page is rendered again exactly when a dataset behind what it read changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.machinery.cache import Store
from minhbach.machinery.tree import read_tree
from minhbach.render.pages import render

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
#: The pages that read the whole model (home, methodology, open data, revisions): always
#: rendered.
ALWAYS = 4


def _render(
    content: Path, cache: Path | None, reports: Path | None = None
) -> tuple[dict[str, bytes], int, int]:
    """Render into `reports` (kept between calls; by default beside the content)."""
    checked, problems = check_content(content)
    assert not problems.errors
    model, _ = compute(checked)
    reports = reports or content.parent / ("reports" if cache else "reports-fresh")
    store = Store(cache) if cache is not None else None
    _, stats = render(model, reports, store, langs=("vi",))
    if store is not None:
        store.commit(prune=True)
        store.close()
    return read_tree(reports), stats.pages_rendered, stats.pages_cached


def test_cached_pages_equal_fresh_pages_after_a_change(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    cache = tmp_path / "cache"
    first, rendered, cached = _render(content, cache)
    assert cached == 0 and rendered > 0
    again, rendered_again, cached_again = _render(content, cache)
    assert again == first
    assert (rendered_again, cached_again) == (ALWAYS, rendered - ALWAYS)

    # Beta's money rate moves it to the top of the 2025 ranking: the other units' pages
    # of that period show their new ranks, beta's history shows the new rate. Those are
    # rendered again, the rest comes from the cache, and the result is what a build
    # without a cache makes.
    dataset = content / "datasets" / "2025-6m" / "beta.yml"
    text = dataset.read_text(encoding="utf-8")
    assert text.endswith("  rate: 40.00\n")
    dataset.write_text(text[: -len("40.00\n")] + '99.00\nnarrative: "Đã sửa."\n', encoding="utf-8")
    changed, rendered_changed, cached_changed = _render(content, cache)
    fresh, _, _ = _render(content, None)
    assert changed == fresh
    assert changed != first
    assert "Đã sửa.".encode() in changed["pages/vi/2025/6-thang/beta/index.json"]
    assert ALWAYS < rendered_changed < rendered
    assert rendered_changed + cached_changed == rendered


def test_a_change_that_moves_no_rank_renders_only_the_pages_that_show_it(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    cache = tmp_path / "cache"
    first, _, _ = _render(content, cache)
    dataset = content / "datasets" / "2025-6m" / "gamma.yml"
    dataset.write_text(
        dataset.read_text(encoding="utf-8") + 'narrative: "Đã sửa."\n', encoding="utf-8"
    )
    changed, rendered, _ = _render(content, cache)
    fresh, _, _ = _render(content, None)
    assert changed == fresh
    assert "Đã sửa.".encode() in changed["pages/vi/2025/6-thang/gamma/index.json"]
    # The always-rendered three; Gamma's three unit pages (each shows its history's
    # trend) and its history; the periods 2025-6m and 2026-6m (last year's figures); the
    # lists of periods and of units (each reads every period, every history); the press
    # releases of 2025-6m and 2026-6m (each reads its period).
    # Not Alpha's and Beta's pages of 2025-6m: their ranks did not move.
    assert rendered == ALWAYS + 3 + 1 + 2 + 2 + 2
    for unchanged in ("alpha", "beta"):
        path = f"pages/vi/2025/6-thang/{unchanged}/index.json"
        assert changed[path] == first[path]


def test_trends_are_made_again_only_for_a_changed_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minhbach.render import charts

    made: list[str] = []
    trend = charts.trend

    def counting(history: Any, *args: Any) -> Any:
        made.append(history.slug)
        return trend(history, *args)

    monkeypatch.setattr(charts, "trend", counting)
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    cache = tmp_path / "cache"
    _render(content, cache)
    every = sorted(made)
    assert "beta" in every and len(every) > 1
    made.clear()
    _render(content, cache)
    assert made == []
    dataset = content / "datasets" / "2025-6m" / "beta.yml"
    text = dataset.read_text(encoding="utf-8")
    dataset.write_text(text.replace("  rate: 40.00\n", "  rate: 41.00\n"), encoding="utf-8")
    made.clear()
    changed, _, _ = _render(content, cache)
    # Beta's, and the new Alpha's, formed from Alpha and Beta; not Gamma's.
    assert sorted(set(made)) == ["alpha", "beta"]
    assert "gamma" in every
    fresh, _, _ = _render(content, None)
    assert changed == fresh


def test_a_history_made_of_a_sub_unit_s_dataset_keeps_its_own_trend(tmp_path: Path) -> None:
    """Hà Nội has no dataset of its own, Ba Đình one: their histories rest on the same
    dataset, and the province's page once showed the sub-unit's trend from the cache."""
    content = Path(__file__).resolve().parents[1] / "content"
    files, _, _ = _render(content, tmp_path / "cache", tmp_path / "reports")
    province = next(data for rel, data in files.items() if rel.endswith("don-vi/ha-noi/index.json"))
    assert b"thads-ba-dinh" not in province
    fresh, _, _ = _render(content, None, tmp_path / "fresh")
    assert files == fresh


def test_a_page_whose_file_was_edited_is_rendered_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    cache = tmp_path / "cache"
    first, _, _ = _render(content, cache)
    page = tmp_path / "reports" / "pages" / "vi" / "2025" / "6-thang" / "beta" / "index.json"
    page.write_text("edited by hand\n", encoding="utf-8")
    again, rendered_again, _ = _render(content, cache)
    assert again == first
    assert rendered_again == ALWAYS + 1  # the always-rendered pages and the edited one


def test_pages_rendered_in_forked_processes_equal_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minhbach.machinery import processes
    from minhbach.render import pages as stage

    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    one, _, _ = _render(content, None, tmp_path / "one")
    renderers = tmp_path / "renderers"
    renderers.touch()
    render_one = stage._Rendering.__call__

    def logged(*args: Any) -> Any:
        with renderers.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return render_one(*args)

    monkeypatch.setattr(stage._Rendering, "__call__", logged)
    monkeypatch.setattr(processes, "FORK_ABOVE", 1)
    monkeypatch.setattr(processes, "workers", lambda: 2)
    # The session's other tests may have left threads (the browser tests' server); this
    # process forks only when it runs one, so say it does.
    monkeypatch.setattr(processes, "may_fork", lambda: True)
    forked, _, _ = _render(content, None, tmp_path / "forked")
    assert forked == one
    pids = set(renderers.read_text().split())
    assert len(pids) == 2 and str(os.getpid()) in pids  # this process and a forked one


def test_a_changed_target_renders_every_page_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    cache = tmp_path / "cache"
    _, rendered, _ = _render(content, cache)
    targets = content / "targets.yml"
    targets.write_text(targets.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _, rendered_again, cached_again = _render(content, cache)
    assert (rendered_again, cached_again) == (rendered, 0)


def test_write_tree_notices_a_file_edited_by_hand(tmp_path: Path) -> None:
    from minhbach.machinery.tree import write_tree

    files = {"vi/a.md": b"A\n", "files/b.csv": b"b\n"}
    assert write_tree(tmp_path, files).written == 2
    assert write_tree(tmp_path, files).unchanged == 2
    (tmp_path / "vi" / "a.md").write_bytes(b"X\n")  # same size, other bytes
    again = write_tree(tmp_path, files)
    assert (again.written, again.unchanged) == (1, 1)
    assert (tmp_path / "vi" / "a.md").read_bytes() == b"A\n"
    (tmp_path / "stray.txt").write_bytes(b"?")
    assert write_tree(tmp_path, {"vi/a.md": b"A\n"}).removed == 2  # b.csv and the stray
    assert not (tmp_path / "files").exists()


def test_write_tree_removes_what_no_one_claimed_and_the_folders_it_empties(
    tmp_path: Path,
) -> None:
    from minhbach.layout import TREE_MANIFEST
    from minhbach.machinery.tree import write_tree

    before = {
        "vi/2024/6-thang/a/index.md": b"a",
        "vi/2024/6-thang/b/index.md": b"b",
        "vi/2024/ca-nam/c/index.md": b"c",
        "vi/index.md": b"home",
        "files/x/y/z.csv": b"z",
    }
    write_tree(tmp_path, before)
    (tmp_path / "vi" / "2024" / "stray" / "deeper").mkdir(parents=True)  # a stray file
    (tmp_path / "vi" / "2024" / "stray" / "deeper" / "s.txt").write_bytes(b"s")
    (tmp_path / "was-empty").mkdir()
    after = {"vi/2024/6-thang/a/index.md": b"a", "vi/index.md": b"home"}
    stats = write_tree(tmp_path, after)
    assert stats.removed == 4  # b, c, z and the stray file
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted([*after, TREE_MANIFEST])
    folders = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir())
    # Emptied folders go, bottom up; a folder that was empty before goes too.
    assert folders == ["vi", "vi/2024", "vi/2024/6-thang", "vi/2024/6-thang/a"]


def test_what_a_template_reads_of_the_model_is_recorded_however_it_reaches_it() -> None:
    """By a name of its context, a lookup, an item, a loop over a lookup, a call's
    argument or result: each model object it passes is named; nothing else is."""
    from minhbach.render.reads import EVERYTHING, Reads, RecordingEnvironment

    checked, problems = check_content(MINI)
    assert not problems.errors
    model, _ = compute(checked)
    view = next(v for v in model.periods if v.period.key == "2025-6m")
    history = model.history("gamma")
    env = RecordingEnvironment()
    env.globals["history_of"] = lambda slug: model.history(slug)
    env.globals["count"] = lambda value: len(value.pages)

    def reads(source: str, **context: Any) -> frozenset[str]:
        env.reads = Reads()
        env.from_string(source).render(context)
        return env.reads.names()

    assert reads("{{ view.period.key }}", view=view) == {"period:2025-6m"}
    assert reads("{% for p in view.pages %}{{ p.unit.id }}{% endfor %}", view=view) >= {
        f"unit:2025-6m/{page.unit.id}" for page in view.pages
    }
    assert reads("{{ history_of('gamma').slug }}") == {"history:gamma"}
    assert reads("{{ count(h) }}", h=history) == {"history:gamma"}
    assert reads("{{ pages[0].period }}", pages=history.pages) == {
        f"unit:{history.pages[0].period.key}/{history.pages[0].unit.id}"
    }
    assert reads("{{ m.latest.period }}", m=model) >= {EVERYTHING}
    assert reads("{{ 1 + 1 }}", view=view) == frozenset()  # a name it never uses
