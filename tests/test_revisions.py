"""Revisions: `build.py release PERIOD` freezes a release as published; a later change to
one of its figures fails the check unless its dataset records a revision, and a recorded
one is marked on its pages and listed on the revisions page."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

import pytest
import yaml
from lxml import etree

from minhbach.check.validate import check_content
from minhbach.machinery.cli import main
from tests.test_build import build

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2021-12m"  # Đồng Tháp's, released 27/12/2021 (releases.yml)
DATASET = "datasets/2021-12m/dong-thap.yml"
RELEASED = "    value: 2883\n"
REVISION = """revisions:
  - date: 2022-01-15
    reason: "Cục THADS đính chính số việc chuyển kỳ sau <script>x</script>"
    fields: [cases.enforceable_carried_forward]
"""


def release(content: Path, period: str = PERIOD, *extra: str) -> int:
    return main(["--content", str(content), "--cache", str(content.parent / "cache"), *extra,
                 "release", period])  # fmt: skip


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The bundled content, with 2021-12m frozen as released."""
    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root)
    assert release(root) == 0
    return root


def change_figure(content: Path, revision: str = "") -> None:
    path = content / DATASET
    text = path.read_text(encoding="utf-8")
    assert RELEASED in text
    path.write_text(text.replace(RELEASED, "    value: 2890\n", 1) + revision, encoding="utf-8")


def test_release_freezes_every_figure_of_the_period_exactly(content: Path) -> None:
    frozen = yaml.safe_load((content / "released" / f"{PERIOD}.yml").read_text("utf-8"))
    assert frozen["period"] == PERIOD
    assert frozen["released_at"] == "2021-12-27T00:00+07:00"  # releases.yml's day, Vietnam
    figures = frozen["datasets"]["pre2025:dong-thap"]["figures"]
    assert figures["cases.enforceable_carried_forward"] == {"value": "2883", "measure": "count"}
    # Money in đồng, exact, with the precision the source wrote ("519 tỷ").
    assert figures["money.enforceable_carried_forward"] == {
        "value": "519000000000",
        "measure": "money",
        "step": "1000000000",
    }
    assert figures["cases.rate"]["value"] == "81.89"
    _, problems = check_content(content)
    assert not problems.errors and not problems.warnings


def test_release_again_is_unchanged_and_never_overwrites_a_freeze(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frozen = content / "released" / f"{PERIOD}.yml"
    before = frozen.read_bytes()
    assert release(content) == 0
    assert "unchanged" in capsys.readouterr().out
    change_figure(content, REVISION)
    assert release(content) == 1
    assert "already frozen" in capsys.readouterr().err
    assert frozen.read_bytes() == before


def test_a_period_not_yet_due_is_not_frozen(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = content / "releases.yml"
    releases.write_text(
        releases.read_text("utf-8")
        + "  - period: 2024-3m\n    publish_at: 2030-04-20 09:00:00+07:00\n    status: scheduled\n",
        encoding="utf-8",
    )
    assert release(content, "2024-3m") == 1
    assert "not released until" in capsys.readouterr().err
    assert not (content / "released" / "2024-3m.yml").exists()
    assert release(content, "2024-3m", "--as-of", "2030-04-20T09:00+07:00") == 0


def test_a_changed_released_figure_without_a_revision_fails_naming_it(content: Path) -> None:
    change_figure(content)
    _, problems = check_content(content)
    [error] = problems.errors
    said = error.format()
    assert error.rule == "revision"
    assert "dong-thap.yml:14" in said  # the figure's own line
    assert "cases.enforceable_carried_forward" in said
    assert "released 2.883, now 2.890" in said
    assert "released/2021-12m.yml" in said


def test_a_removed_released_figure_needs_a_revision_too(content: Path) -> None:
    path = content / DATASET
    text = path.read_text("utf-8")
    path.write_text(text.replace("  target_gap:\n    value: 0.39\n", "", 1), encoding="utf-8")
    _, problems = check_content(content)
    messages = [p.format() for p in problems.errors]
    assert any("cases.target_gap" in m and "now not given" in m for m in messages), messages


def test_revision_entries_are_checked(content: Path) -> None:
    change_figure(
        content,
        REVISION
        + "  - date: 2021-12-01\n    reason: final\n"
        + "  - date: 2022-02-01\n    reason: x\n    fields: [cases.rate]\n",
    )
    _, problems = check_content(content)
    said = [p.format() for p in problems]
    assert any("revisions[1].date" in m and "before the release" in m for m in said), said
    assert any("revisions[2].fields[0]" in m and "as released" in m for m in said), said
    # The first entry explains the change: no error on the figure itself.
    assert not any("released 2.883" in m for m in said)
    assert any("revisions[1]:" in m and "revises nothing" in m for m in said), said


def test_a_revision_in_a_period_never_frozen_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root)
    path = root / DATASET
    path.write_text(path.read_text("utf-8") + REVISION, encoding="utf-8")
    _, problems = check_content(root)
    [error] = problems.errors
    assert "no frozen release" in error.message and error.rule == "revision"


def test_a_recorded_revision_is_marked_on_its_pages_and_listed(
    content: Path, tmp_path: Path
) -> None:
    change_figure(content, REVISION)
    out = tmp_path / "out"
    assert build(content, out, "--strict") == 0
    site = out / "site"
    listing = (site / "dieu-chinh" / "index.html").read_text("utf-8")
    assert "Đồng Tháp" in listing and "2.883 việc" in listing and "2.890 việc" in listing
    assert "15/01/2022" in listing
    assert "<script>x" not in listing and "&lt;script&gt;x" in listing  # the reason is text
    english = (site / "en" / "revisions" / "index.html").read_text("utf-8")
    assert "2,883 cases" in english and "2,890 cases" in english
    page = (site / "2021" / "ca-nam" / "dong-thap" / "index.html").read_text("utf-8")
    assert '2.890 việc <span class="mb-revised">đã điều chỉnh</span>' in page
    assert "số liệu công bố ngày 27/12/2021: 2.883 việc" in page
    assert 'class="mb-revised-note"' in page
    other = (site / "en" / "2021" / "full-year" / "dong-thap" / "index.html").read_text("utf-8")
    assert '<span class="mb-revised">revised</span>' in other
    # The release's press release (and so its press kit) says which figures changed since.
    press = (site / "thong-cao" / "2021-ca-nam" / "index.html").read_text("utf-8")
    assert "Sau khi công bố, 1 số liệu của đợt này đã được điều chỉnh" in press
    assert (
        "Đồng Tháp: Có điều kiện chuyển kỳ sau (về việc), 2.883 việc → 2.890 việc (15/01/2022:"
        in press
    )
    assert "&lt;script&gt;x" in press and "<script>x" not in press
    # The feed has an entry for the revision, dated on its day, linking the revisions page.
    feed = etree.parse(str(site / "feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    [entry] = [
        e for e in feed.iterfind("a:entry", ns) if "Điều chỉnh" in e.findtext("a:title", "", ns)
    ]
    assert entry.findtext("a:updated", "", ns) == "2022-01-15T00:00:00+07:00"
    assert entry.find("a:link", ns).get("href") == "dieu-chinh/"
    assert "1 số liệu đã điều chỉnh ngày 15/01/2022" in entry.findtext("a:summary", "", ns)
    # The open data flags it: its date of revision and its value as released, on its row of
    # the period's table and of the unit page's file, and on no other row.
    data = site / "du-lieu" / PERIOD
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(
        (data / f"thads-{PERIOD}.csv.gz").read_bytes()).decode("utf-8"))))  # fmt: skip
    flagged = [row for row in rows if row["revised"]]
    assert [
        (r["unit"], r["block"], r["field"], r["value"], r["revised"], r["released_value"])
        for r in flagged
    ] == [("dong-thap", "cases", "enforceable_carried_forward", "2890", "2022-01-15", "2883")]
    own = list(csv.DictReader(io.StringIO((data / f"thads-{PERIOD}-dong-thap.csv").read_text())))
    assert [(r["field"], r["revised"], r["released_value"]) for r in own if r["revised"]] == [
        ("enforceable_carried_forward", "2022-01-15", "2883")
    ]
