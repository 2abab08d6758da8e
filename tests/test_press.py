"""Press releases: one per published release, in both editions, with the release's figures,
linked from the release calendar, printable on A4."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, LAUNCH_ARGS
from tests.test_build import build

REPO = Path(__file__).resolve().parents[1]
RELEASES = """  - period: 2020-9m
    publish_at: 2020-10-20 09:00:00+07:00
    status: published
  - period: 2024-3m
    publish_at: 2030-04-20 09:00:00+07:00
    status: scheduled
"""


PRESS_TEXT = """Tổng cục nhấn mạnh kết quả **9 tháng**.

> "Chúng tôi tiếp tục đôn đốc các vụ việc lớn." — người phát ngôn

<script>alert(1)</script>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled content with the national 2020-9m released at 09:00 on 20/10/2020 and
    2024-3m scheduled for 2030, built at 2026-01-01."""
    root = tmp_path_factory.mktemp("press")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    releases = content / "releases.yml"
    releases.write_text(releases.read_text(encoding="utf-8") + RELEASES, encoding="utf-8")
    texts = content / "pages" / "vi" / "thong-cao"
    texts.mkdir(parents=True, exist_ok=True)
    (texts / "2020-9m.md").write_text(PRESS_TEXT, encoding="utf-8")
    assert build(content, root / "out", "--as-of", "2026-01-01T00:00+07:00") == 0
    return root / "out" / "site"


def test_each_published_release_has_a_press_release_in_both_editions(site: Path) -> None:
    vi = site / "thong-cao" / "2020-9-thang" / "index.html"
    en = site / "en" / "press-releases" / "2020-9-months" / "index.html"
    page, english = vi.read_text(), en.read_text()
    assert "Thông cáo báo chí" in page and "Press release" in english
    assert "Công bố: 09:00, 20/10/2020" in page
    assert "Released: 09:00, 20 October 2020" in english
    # The key figures are the national dataset's: its published change of the rates.
    figures = re.search(r'<table tabindex="0" class="mb-press__figures">.*?</table>', page, re.S)
    assert figures is not None
    assert "tăng 0,18 điểm %" in figures.group(0) and "tăng 1,96 điểm %" in figures.group(0)
    assert "Số liệu toàn quốc theo bộ số liệu toàn quốc của kỳ." in page
    # Links to the data of the period.
    assert 'href="../../du-lieu/' in page
    # The periods released earlier have theirs; the withheld one has none.
    for slug in ("2016-ca-nam", "2017-4-thang", "2021-ca-nam"):
        assert (site / "thong-cao" / slug / "index.html").is_file()
    assert not (site / "thong-cao" / "2024-3-thang").exists()


def test_the_release_calendar_links_each_past_release_to_its_press_release(site: Path) -> None:
    home = (site / "index.html").read_text()
    assert 'href="thong-cao/2020-9-thang/"' in home
    row = re.search(r"<tr><th scope=\"row\">3 tháng năm 2024</th>.*?</tr>", home)
    assert row is not None and "thong-cao" not in row.group(0)  # announced, not released
    assert 'href="press-releases/2020-9-months/"' in (site / "en" / "index.html").read_text()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium")
def test_a_press_release_prints_on_a4(site: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "press.pdf"
    subprocess.run(
        [
            str(CHROMIUM),
            *LAUNCH_ARGS,
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            (site / "thong-cao" / "2020-9-thang" / "index.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = pdf.read_bytes()
    pages = re.findall(rb"/Type\s*/Page\b", data)
    assert 1 <= len(pages) <= 2  # the release, without the site's header, nav and footer
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(  # A4: 210 x 297 mm, in points
        (round(float(width)), round(float(height))) == (595, 842) for width, height in boxes
    )


def test_the_feeds_and_calendars_parse_and_list_the_releases(site: Path) -> None:
    from xml.etree import ElementTree

    import icalendar

    atom = "{http://www.w3.org/2005/Atom}"
    for feed, press in (
        (site / "feed.xml", "thong-cao/"),
        (site / "en" / "feed.xml", "press-releases/"),
    ):
        root = ElementTree.fromstring(feed.read_bytes())
        entries = root.findall(f"{atom}entry")
        links = [e.find(f"{atom}link").get("href") for e in entries]  # type: ignore[union-attr]
        # Newest first, each linking its press release; nothing of the withheld 2024-3m.
        assert links[0] == press + ("2021-ca-nam/" if press == "thong-cao/" else "2021-full-year/")
        assert all(link.startswith(press) for link in links) and len(links) == 4
        assert not any("2024" in link for link in links)
        assert root.find(f"{atom}updated").text.startswith("2021-12-27")  # type: ignore[union-attr]
    for ics in (site / "lich-cong-bo.ics", site / "en" / "release-calendar.ics"):
        cal = icalendar.Calendar.from_ical(ics.read_bytes())
        events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
        assert set(events) == {
            f"{key}@minhbach" for key in ("2016-12m", "2017-4m", "2020-9m", "2021-12m", "2024-3m")
        }
        scheduled = events["2024-3m@minhbach"]
        assert scheduled.decoded("dtstart") == dt.datetime(2030, 4, 20, 2, tzinfo=dt.UTC)
        assert "http" not in str(scheduled.get("description")) and "thong-cao" not in str(
            scheduled.get("description")
        )
        assert "2020-9" in str(events["2020-9m@minhbach"]["description"])
    home = (site / "index.html").read_text()
    assert 'href="feed.xml"' in home and 'href="lich-cong-bo.ics"' in home


def test_a_shared_link_shows_the_headline(site: Path) -> None:
    page = (site / "2016" / "ca-nam" / "quang-tri" / "index.html").read_text()
    assert '<meta property="og:type" content="website">' in page
    assert '<meta property="og:locale" content="vi_VN">' in page
    title = re.search(r'<meta property="og:title" content="([^"]*)">', page)
    assert title is not None and title.group(1) == "Quảng Trị: năm 2016"
    described = re.search(r'<meta name="description" content="([^"]*)">', page)
    og = re.search(r'<meta property="og:description" content="([^"]*)">', page)
    assert described is not None and og is not None and og.group(1) == described.group(1)
    assert og.group(1).startswith("Quảng Trị đạt 92% về việc")
    english = (site / "en" / "press-releases" / "2020-9-months" / "index.html").read_text()
    assert '<meta property="og:locale" content="en_GB">' in english


def test_a_shared_release_shows_its_chart(site: Path, tmp_path: Path) -> None:
    """og:image: the release's first chart as PNG beside its press release, named by the
    press release, its period's page and the home page, at its address under --site-url."""
    png = site / "thong-cao" / "2016-ca-nam" / "thads-2016-12m-bieu-do.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert (
        site / "en" / "press-releases" / "2016-full-year" / "thads-2016-12m-chart.png"
    ).is_file()
    assert "og:image" not in (site / "thong-cao" / "2016-ca-nam" / "index.html").read_text()
    # A release with no chart (2020-9m: no rate, no ranking) has no image to show.
    assert not list((site / "thong-cao" / "2020-9-thang").glob("*.png"))
    # With the site's address, each names it absolutely; a unit page names none.
    url = "https://thads.example.vn/"
    assert build(REPO / "content", tmp_path / "out", "--site-url", url, "--lang", "vi") == 0
    built = tmp_path / "out" / "site"
    image = re.compile(r'<meta property="og:image" content="([^"]*)">')
    want = f"{url}thong-cao/2021-ca-nam/thads-2021-12m-bieu-do.png"  # the latest release
    for page in ("thong-cao/2021-ca-nam/index.html", "2021/ca-nam/index.html", "index.html"):
        found = image.search((built / page).read_text())
        assert found is not None and found.group(1) == want, page
    assert (built / want.removeprefix(url)).read_bytes().startswith(b"\x89PNG")
    assert (
        image.search((built / "2016" / "ca-nam" / "quang-tri" / "index.html").read_text()) is None
    )


def _kit(site: Path, page: str) -> dict[str, bytes]:
    import zipfile

    folder = site / page
    (found,) = folder.glob("*.zip")
    assert f'href="{found.name}" download' in (folder / "index.html").read_text()
    with zipfile.ZipFile(found) as kit:
        return {info.filename: kit.read(info) for info in kit.infolist()}


def test_each_press_release_has_a_press_kit_with_its_text_charts_and_tables(site: Path) -> None:
    import struct

    kit = _kit(site, "thong-cao/2016-ca-nam")
    top = "thads-2016-12m-bo-tai-lieu/"
    chart = f"{top}bieu-do/thads-2016-ca-nam-xep-hang-viec"
    assert sorted(kit) == sorted(
        f"{top}{name}"
        for name in (
            "README.txt", "thong-cao.html", "thong-cao.txt",
            "bieu-do/thads-2016-ca-nam-xep-hang-viec.svg",
            "bieu-do/thads-2016-ca-nam-xep-hang-viec.png",
            "bang/so-lieu-chinh.csv", "bang/xep-hang.csv", "bang/thads-2016-12m-bo-tai-lieu.xlsx",
        )
    )  # fmt: skip
    readme = kit[f"{top}README.txt"].decode()
    assert "Công bố: 00:00, 27/02/2017 (UTC+07:00). Không còn hạn chế công bố." in readme
    assert "Tổng cục Thi hành án dân sự (Bộ Tư pháp)" in readme
    # The PNG is the SVG at print resolution: 300 pixels per inch of its 72.
    svg = kit[f"{chart}.svg"].decode()
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    png = kit[f"{chart}.png"]
    assert png.startswith(b"\x89PNG") and struct.unpack(">I", png[16:20])[0] == round(
        width * 300 / 72
    )
    # The text: the press release's figures, its chart as the kit's image, no site addresses
    # (the build had no --site-url).
    html = kit[f"{top}thong-cao.html"].decode()
    assert '<img src="bieu-do/thads-2016-ca-nam-xep-hang-viec.svg"' in html
    assert "headerlink" not in html and "mb-chart__spec" not in html
    assert re.findall(r'href="(?!#)', html) == []
    text = kit[f"{top}thong-cao.txt"].decode()
    assert "1 | Quảng Trị | 92% | 74% | vượt 18 điểm %" in text
    assert "<" not in text
    # The tables, as CSV and in the workbook.
    ranking = kit[f"{top}bang/xep-hang.csv"].decode().splitlines()
    assert ranking[1].startswith("1,quang-tri,Quảng Trị,92,74,18,")
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(kit[f"{top}bang/thads-2016-12m-bo-tai-lieu.xlsx"]))
    assert book.sheetnames == ["so-lieu-chinh", "xep-hang"]
    sheet = book["xep-hang"]
    assert [sheet.cell(2, i).value for i in (1, 2, 4)] == [1, "quang-tri", 92]


def test_a_press_kit_tells_published_and_computed_figures_apart(site: Path) -> None:
    kit = _kit(site, "en/press-releases/2020-9-months")
    figures = kit["thads-2020-9m-press-kit/tables/key-figures.csv"].decode().splitlines()
    assert (
        figures[0]
        == "Measured in,Indicator,Field,Value,Unit,As shown,Origin,Vs same period last year"
    )
    rate = next(line for line in figures if ",cases.rate," in line)
    assert rate.endswith(",,,—,,up 0.18 pp (published)")  # the source's change, said so
    target = next(line for line in figures if ",cases.target," in line)
    assert ",80,%,80%,as assigned," in target
    enforceable = next(line for line in figures if ",cases.enforceable," in line)
    assert ",—," in enforceable  # missing is a dash, never 0


def test_a_press_kit_is_the_same_bytes_in_another_build(site: Path, tmp_path: Path) -> None:
    content = site.parent.parent / "content"
    assert build(content, tmp_path / "out", "--as-of", "2026-01-01T00:00+07:00") == 0
    for kit in sorted(site.rglob("*.zip")):
        again = tmp_path / "out" / "site" / kit.relative_to(site)
        assert again.read_bytes() == kit.read_bytes(), kit


def test_a_workbook_never_holds_a_formula_and_a_zip_is_dated_by_its_release() -> None:
    import io
    import zipfile

    import openpyxl

    from minhbach.render.presskit import stable_zip, workbook

    when = dt.datetime(2025, 10, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    data = workbook(
        [("t", ["name", "n"], [['=HYPERLINK("x")', "12.5"]], frozenset({1}))], when, "x"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet and b"<f " not in sheet
        assert {info.date_time for info in book.infolist()} == {(2025, 10, 20, 9, 0, 0)}
        assert b"2025-10-20T02:00:00Z" in book.read("docProps/core.xml")
    cell = openpyxl.load_workbook(io.BytesIO(data))["t"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")
    assert openpyxl.load_workbook(io.BytesIO(data))["t"]["B2"].value == 12.5
    assert workbook([("t", ["a"], [], frozenset())], when, "x") == workbook(
        [("t", ["a"], [], frozenset())], when, "x"
    )
    assert stable_zip([("a", b"1")], when) == stable_zip([("a", b"1")], when)


def test_the_editors_own_text_is_shown_in_its_press_release_sanitised(site: Path) -> None:
    page = (site / "thong-cao" / "2020-9-thang" / "index.html").read_text()
    text = re.search(r'<div class="mb-press__editor">(.*?)</div>', page, re.S)
    assert text is not None
    assert "<strong>9 tháng</strong>" in text.group(1)
    assert "<blockquote>" in text.group(1) and "đôn đốc các vụ việc lớn" in text.group(1)
    assert "<script" not in page.split('<div class="mb-press__editor">')[1].split("</div>")[0]
    assert "Thông tin từ cơ quan công bố" in page
    # Only its own edition's and period's release shows it; it goes into the press kit too.
    english = (site / "en" / "press-releases" / "2020-9-months" / "index.html").read_text()
    assert "mb-press__editor" not in english
    other = (site / "thong-cao" / "2021-ca-nam" / "index.html").read_text()
    assert "mb-press__editor" not in other
    kit = _kit(site, "thong-cao/2020-9-thang")
    assert "đôn đốc các vụ việc lớn" in kit["thads-2020-9m-bo-tai-lieu/thong-cao.txt"].decode()


def test_a_press_text_not_named_by_its_period_is_an_error(tmp_path: Path) -> None:
    from minhbach.content.boundary import ContentFolder
    from minhbach.content.editorial import press_texts, read_pages
    from minhbach.problems import Problems

    folder = tmp_path / "pages" / "vi" / "thong-cao"
    folder.mkdir(parents=True)
    (folder / "2024-6m.md").write_text("Đúng.", encoding="utf-8")
    (folder / "2024-6-thang.md").write_text("Sai.", encoding="utf-8")
    (folder / "2024-6m.txt").write_text("Sai.", encoding="utf-8")
    problems = Problems()
    assert read_pages(ContentFolder(tmp_path), "content", problems) == []
    lines = problems.format_lines()
    assert len(problems.errors) == 2, lines
    assert any("2024-6-thang.md" in line and "not named by a period" in line for line in lines)
    assert any("2024-6m.txt" in line and "Markdown" in line for line in lines)
    assert press_texts(tmp_path) == {("vi", "2024-6m"): "Đúng."}


def test_an_overview_with_only_national_figures_shows_them(site: Path) -> None:
    """A period with a national dataset and no unit's (2020-9m) says so plainly and shows
    the national figures on the overview, not only behind a link (issue 27, item 4)."""
    page = (site / "2020" / "9-thang" / "index.html").read_text("utf-8")
    assert "0 trên 63" not in page
    assert "chỉ có số liệu toàn quốc, chưa có số liệu của đơn vị nào trong 63 đơn vị" in page
    assert "tăng 0,18 điểm %" in page and "tăng 1,96 điểm %" in page
    assert "Đơn vị chưa có số liệu kỳ này (63)" in page
    english = (site / "en" / "2020" / "9-months" / "index.html").read_text("utf-8")
    assert "national figures only, none yet from any of the 63 units" in english
