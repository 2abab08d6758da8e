"""The embargo: a period whose release is not yet due leaves no trace in the public site;
`--as-of` at its time publishes it; `--preview` shows it, bannered, outside site/."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest

from minhbach.check.embargo import VIETNAM, due_key, embargo, parse_as_of, withhold
from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.machinery.cli import main
from tests.sitecheck import search_fragments
from tests.test_build import build

REPO = Path(__file__).resolve().parents[1]
#: The bundled content's one dataset of 2024-3m (Quảng Ninh's), and figures only it has.
WITHHELD = "2024-3m"
ITS_FIGURES = ("3.348", "3348", "97,6", "001_a6e22c7532507606")
DUE = "2030-04-20T09:00+07:00"
SCHEDULED = f"""  - period: {WITHHELD}
    publish_at: 2030-04-20 09:00:00+07:00
    status: scheduled
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The bundled content with 2024-3m scheduled for 20/04/2030 09:00 (Vietnam)."""
    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root)
    releases = root / "releases.yml"
    releases.write_text(releases.read_text(encoding="utf-8") + SCHEDULED, encoding="utf-8")
    return root


def texts(site: Path) -> dict[str, str]:
    """Every file of a site as text, gzip members unpacked; binary files left out."""
    found: dict[str, str] = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            found[path.relative_to(site).as_posix()] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return found


def test_a_period_not_yet_due_is_withheld_before_anything_is_made_of_it(content: Path) -> None:
    checked, problems = check_content(content)
    assert not problems.errors
    held = embargo(checked, parse_as_of("2030-04-20T08:59+07:00"))
    assert [w.period.key for w in held.withheld] == [WITHHELD]
    assert held.withheld[0].due == dt.datetime(2030, 4, 20, 9, tzinfo=VIETNAM)
    # Periods with datasets but no release entry are published, and said so once.
    assert {p.key for p in held.unlisted} == {"2018-8m", "2020-6m", "2020-9m"}
    notes = [line for line in held.lines() if line.startswith("note:")]
    assert len(notes) == 1 and "2018-8m, 2020-6m, 2020-9m" in notes[0]
    public = withhold(checked, held)
    assert WITHHELD not in {p.key for p in public.periods}
    assert all(WITHHELD not in path for path in [*public.hashes, *public.flags])
    model, _ = compute(public)
    assert all(view.period.key != WITHHELD for view in model.periods)
    assert all(page.period.key != WITHHELD for h in model.histories for page in h.pages)
    status = {r.period: r.status for r in model.releases}
    assert status[WITHHELD] == "scheduled" and status["2021-12m"] == "published"
    # The build's date is not the embargo's.
    assert model.epoch <= parse_as_of("2030-04-20T08:59+07:00").timestamp()
    # At its time it is due, and shown as published, whatever its status says.
    due = embargo(checked, parse_as_of(DUE))
    assert due.withheld == ()
    assert {r.period: r.status for r in withhold(checked, due).releases}[WITHHELD] == "published"


def test_the_public_site_holds_no_figure_of_a_withheld_period(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "out" / "site"
    assert build(content, tmp_path / "out", "--as-of", "2030-04-20T08:59+07:00") == 0
    out = capsys.readouterr().out
    assert f"embargo: {WITHHELD} (3 months of 2024) withheld" in out and f"due {DUE}" in out
    files = texts(site)
    for rel, text in files.items():
        if rel.startswith(("assets/", "en/assets/")):  # the scripts' own comments
            continue
        for figure in ITS_FIGURES:
            assert figure not in text, f"{rel} shows {figure} of the withheld {WITHHELD}"
    assert not (site / "2024").exists() and not (site / "en" / "2024").exists()
    assert "2024/3-thang" not in files["sitemap.xml"]
    for _, fragment in search_fragments(site):  # the search index, read back
        assert "/2024/3-thang" not in fragment["url"] and "/2024/3-months" not in fragment["url"]
        for figure in ITS_FIGURES:
            assert figure not in fragment["content"], fragment["url"]
    # The calendar announces it, as a date.
    assert "20/04/2030" in files["index.html"]
    assert "Theo lịch" in files["index.html"]

    # At its time, the same content publishes it.
    assert build(content, tmp_path / "out", "--as-of", DUE) == 0
    assert (site / "2024" / "3-thang" / "quang-ninh" / "index.html").is_file()
    assert "3.348" in (site / "2024" / "3-thang" / "quang-ninh" / "index.html").read_text()


def test_builds_for_the_same_instant_are_byte_identical_and_dated_no_later(
    content: Path, tmp_path: Path
) -> None:
    at = ["--as-of", "2030-04-20T08:59+07:00", "--site-url", "https://thads.example.vn/"]
    assert build(content, tmp_path / "one", *at) == 0
    assert build(content, tmp_path / "two", *at) == 0
    one, two = texts(tmp_path / "one" / "site"), texts(tmp_path / "two" / "site")
    assert one == two
    dates = {line for line in one["sitemap.xml"].split() if line.startswith("<lastmod>")}
    assert dates and all(d < "<lastmod>2030-04-20" for d in dates)
    assert "Sitemap: https://thads.example.vn/sitemap.xml" in one["robots.txt"]


def test_a_release_falling_due_makes_the_record_of_the_last_build_stale(content: Path) -> None:
    before = due_key(content, parse_as_of("2030-04-20T08:59+07:00"))
    assert before == due_key(content, parse_as_of("2030-01-01T00:00+07:00"))
    assert before != due_key(content, parse_as_of(DUE))


def test_the_preview_shows_everything_bannered_and_never_writes_site(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--content", str(content), "--preview", "--as-of", "2030-01-01T00:00+07:00"]) == 0
    assert not (tmp_path / "site").exists() and not (tmp_path / "reports").exists()
    preview = tmp_path / "site-preview"
    page = (preview / "2024" / "3-thang" / "quang-ninh" / "index.html").read_text()
    assert "3.348" in page
    for rel, banner in (
        ("index.html", "Bản xem trước — chưa công bố, cấm công bố trước 09:00, 20/04/2030"),
        ("en/index.html", "Preview — embargoed until 09:00 on 20 April 2030"),
    ):
        text = (preview / rel).read_text()
        assert banner in text
        assert '<meta name="robots" content="noindex, nofollow">' in text
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "Disallow: /" in (preview / "robots.txt").read_text()


def test_the_preview_refuses_the_public_site_and_a_time_without_zone(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in (
        ["--content", str(content), "--preview", "--site", "site"],
        ["--content", str(content), "--as-of", "2030-04-20T09:00"],
        ["--content", str(content), "--as-of", "next tuesday"],
    ):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
    assert not (tmp_path / "site").exists()


def test_the_public_site_is_open_to_crawlers(content: Path, tmp_path: Path) -> None:
    assert build(content, tmp_path / "out", "--lang", "vi") == 0
    robots = (tmp_path / "out" / "site" / "robots.txt").read_text()
    assert robots.startswith("User-agent: *\nAllow: /\n")
    text = (tmp_path / "out" / "site" / "index.html").read_text()
    assert 'name="robots"' not in text and "mb-preview-banner" not in text
