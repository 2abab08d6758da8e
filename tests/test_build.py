"""The whole pipeline on the bundled content: pages, figures, links, privacy, reproducibility.

The bundled site is built once per test run (Lektor-style) and read as a user would
get it; the figures asserted here are the seed articles' own, in Vietnamese format.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from minhbach.content.catalogue import get_catalogue
from minhbach.machinery import uptodate
from minhbach.machinery.cache import DATABASE
from minhbach.machinery.cli import main
from minhbach.render.pages import charts, narrative_html
from tests.sitecheck import broken_links, external_references

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
MINI = REPO / "tests" / "fixtures" / "mini"


def forget_last_build(cache: Path) -> None:
    """Remove the record of the last build from the store, as if it never passed."""
    with sqlite3.connect(cache / DATABASE) as db:
        db.execute("delete from entry where kind = ?", (uptodate.KIND,))


def build(content: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "--content",
            str(content),
            "--reports",
            str(out / "reports"),
            "--site",
            str(out / "site"),
            "--cache",
            str(out / "cache"),
            *extra,
        ]
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled")
    assert build(CONTENT, out, "--strict") == 0
    return out / "site"


@pytest.fixture(scope="session")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini")
    assert build(MINI, out, "--strict") == 0
    return out / "site"


def text_of(site: Path, url: str) -> str:
    """The visible text of a built page, whitespace collapsed."""
    page = (site / url / "index.html").read_text(encoding="utf-8")
    body = page.split('<article class="md-content__inner md-typeset">', 1)[1].split(
        "</article>", 1
    )[0]
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


PAGES = [
    "",  # home
    "ky-bao-cao",
    "don-vi",
    "phuong-phap",
    "du-lieu",
    "gioi-thieu",
    "2016/ca-nam",
    "2016/ca-nam/quang-tri",
    "2017/4-thang/quang-tri",
    "2020/6-thang/khanh-hoa",
    "2020/9-thang/toan-quoc",
    "2021/ca-nam/dong-thap",
    "2024/3-thang/quang-ninh",
    "don-vi/quang-tri",
    "don-vi/quang-binh",
    "en",
    "en/periods",
    "en/units",
    "en/methodology",
    "en/data",
    "en/about",
    "en/2016/full-year/quang-tri",
    "en/units/quang-tri",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_type_exists(built: Path, url: str) -> None:
    assert (built / url / "index.html").is_file()


@pytest.mark.parametrize(
    ("url", "figures"),
    [
        (
            "2016/ca-nam/quang-tri",
            [
                "Quảng Trị đạt 92% về việc, vượt chỉ tiêu 18 điểm %; 45% về tiền, vượt chỉ tiêu 13 điểm %.",
                "3.086 việc",
                "3.379 việc",
                "gần 47 tỷ đồng",
                "trên 105 tỷ đồng",
                "trên 50,5 tỷ đồng",
                "113 tỷ đồng",
                "tăng 57 việc (theo nguồn)",
                "giảm 11% (theo nguồn)",
                "giảm 125,5 tỷ đồng (theo nguồn)",
                "Chỉ tiêu 74%",
                "27/02/2017",
                "988",
            ],
        ),
        ("2017/4-thang/quang-tri", ["51%", "11%", "thấp hơn chỉ tiêu 23 điểm %"]),
        ("2020/6-thang/khanh-hoa", ["3.501 việc", "hơn 450 tỷ đồng", "trên 81%"]),
        (
            "2020/9-thang/toan-quoc",
            ["tăng 0,18 điểm % (theo nguồn)", "tăng 1,96 điểm % (theo nguồn)"],
        ),
        (
            "2021/ca-nam/dong-thap",
            [
                "81,89%",
                "45,56%",
                "vượt chỉ tiêu 0,39 điểm %",
                "2.883 việc",
                "519 tỷ đồng",
                "Đứng thứ 6/25 khu vực phía Nam",
                "27/12/2021",
            ],
        ),
        (
            "2024/3-thang/quang-ninh",
            [
                "47,10%",
                "1.577 việc",
                "3.348 việc",
                "97,6 tỷ đồng",
                "4,91%",
                "tăng 1,82 điểm % (theo nguồn)",
                "57,2%",
                "35,7 tỷ đồng",
                "94,1 tỷ đồng",
            ],
        ),
        (
            "en/2016/full-year/quang-tri",
            [
                "Quang Tri completed 92% in cases, 18 pp above target",
                "3,086 cases",
                "nearly VND 47 billion",
            ],
        ),
    ],
)
def test_pages_show_the_sources_figures_in_their_format(
    built: Path, url: str, figures: list[str]
) -> None:
    text = text_of(built, url)
    missing = [f for f in figures if f not in text]
    assert not missing, f"{url}: {missing}\n{text[:3000]}"


def test_a_figure_that_is_not_reported_is_a_dash_never_zero(built: Path) -> None:
    page = (built / "2016/ca-nam/quang-tri/index.html").read_text(encoding="utf-8")
    row = re.search(r"Tổng số thụ lý</th>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[0] == "3.725 việc" and cells[2] == "—"  # money accepted is not published
    assert ">0<" not in page and ">0 việc<" not in page


def test_no_built_file_requests_another_host(built: Path) -> None:
    assert external_references(built) == []


def test_every_internal_link_resolves(built: Path) -> None:
    assert broken_links(built) == []


def test_every_internal_link_resolves_on_the_fixture_site(mini: Path) -> None:
    assert broken_links(mini) == [] and external_references(mini) == []


def test_editor_narrative_is_sanitised(mini: Path) -> None:
    page = (mini / "2024/6-thang/alpha/index.html").read_text(encoding="utf-8")
    assert "<strong>vượt</strong>" in page
    assert "<script>alert" not in page and "tracker.example" not in page


def test_each_narrative_is_converted_on_its_own() -> None:
    # One converter serves every narrative: nothing of one (a link's definition) may
    # reach the next.
    first = narrative_html("Xem [báo cáo][1].\n\n[1]: https://moj.gov.vn/bao-cao")
    second = narrative_html("Xem [báo cáo][1].")
    assert 'href="https://moj.gov.vn/bao-cao"' in first
    assert "href" not in second and "[báo cáo][1]" in second


def test_open_data_has_every_figure_exactly(built: Path) -> None:
    path = built / "du-lieu/2016-12m/thads-2016-12m-quang-tri.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    completed = next(r for r in rows if r["block"] == "money" and r["field"] == "completed")
    # origin is left empty where it is the usual one: published by the source
    assert (completed["value"], completed["qualifier"], completed["origin"]) == (
        "47000000000",
        "gần",
        "",
    )
    assert completed["quote"] == "đã giải quyết xong gần 47 tỷ đồng, đạt tỷ lệ 45%"
    assert not any(r["block"] == "money" and r["field"] == "accepted" for r in rows)
    # The row's dataset, with its source, is in datasets.csv; the archived source beside it.
    datasets = list(
        csv.DictReader((built / "du-lieu/datasets.csv").read_text(encoding="utf-8").splitlines())
    )
    dataset = next(d for d in datasets if (d["period"], d["unit"]) == ("2016-12m", "quang-tri"))
    assert dataset["source_date"] == "2017-02-27" and dataset["unit_scheme"] == "pre2025"
    archive = built / "du-lieu" / dataset["source_archive"]
    assert "gần 47 tỷ đồng" in archive.read_text(encoding="utf-8")
    package = json.loads((built / "du-lieu/datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert (built / "du-lieu" / resource["path"]).is_file(), resource["path"]
    names = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    collection = gzip.decompress((built / "du-lieu/thads.csv.gz").read_bytes()).decode("utf-8")
    assert names == collection.splitlines()[0].split(",")
    # The page's figure is a row of the collection, with its period, unit and origin.
    row = "\n2016-12m,quang-tri,,money,completed,47000000000,gần,1000000000,published,"
    assert row in collection
    page_fields = [f["name"] for f in package["unitPages"]["schema"]["fields"]]
    assert page_fields == path.read_text(encoding="utf-8").splitlines()[0].split(",")
    period = json.loads(
        gzip.decompress((built / "du-lieu/2024-3m/thads-2024-3m.json.gz").read_bytes())
    )
    data = next(d for d in period["datasets"] if d["unit"] == "quang-ninh")
    rate = next(o for o in data["observations"] if o["block"] == "cases" and o["field"] == "rate")
    assert rate["value"] == 47.1 and rate["precision"] == 0.01


def test_building_twice_gives_identical_bytes(built: Path, tmp_path: Path) -> None:
    assert build(CONTENT, tmp_path) == 0
    assert tree_hashes(tmp_path / "site") == tree_hashes(built)


def test_a_broken_dataset_fails_and_leaves_the_site_untouched(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    shutil.copytree(built, tmp_path / "site")
    before = tree_hashes(tmp_path / "site")
    dataset = content / "datasets/2016-12m/quang-tri.yml"
    dataset.write_text(
        dataset.read_text(encoding="utf-8").replace("value: 3086", "value: 3500", 1),
        encoding="utf-8",
    )
    assert build(content, tmp_path) == 1
    err = capsys.readouterr().err
    assert "quang-tri.yml" in err and "cases.completed" in err
    assert tree_hashes(tmp_path / "site") == before
    assert not (tmp_path / "reports").exists()  # nothing is written before the check passes
    # Only the check's entries of the datasets it read (never reports/ or a site).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "content", "site"]
    assert {p.name for p in (tmp_path / "cache").iterdir()} <= {
        DATABASE,
        f"{DATABASE}-wal",
        f"{DATABASE}-shm",
    }


def test_an_unchanged_rebuild_rewrites_no_generated_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(MINI, tmp_path) == 0
    capsys.readouterr()
    assert build(MINI, tmp_path) == 0
    assert "up to date:" in capsys.readouterr().out  # nothing changed: nothing to do
    # Without the record of the last build, every stage runs, and its caches keep it
    # from writing anything.
    forget_last_build(tmp_path / "cache")
    assert build(MINI, tmp_path) == 0
    captured = capsys.readouterr()
    assert "; 0 files written" in captured.err and "up to date" not in captured.out
    assert "site: 0 files changed" in captured.err
    assert build(MINI, tmp_path) == 0
    assert "up to date:" in capsys.readouterr().out


def test_a_changed_dataset_is_built_not_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    assert build(content, tmp_path) == 0
    capsys.readouterr()
    dataset = next(content.glob("datasets/*/*.yml"))
    dataset.write_text(dataset.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build(content, tmp_path) == 0
    captured = capsys.readouterr()
    assert "up to date" not in captured.out and "render: " in captured.err


# --- charts (issue #4): on the built pages, not on mocks ---

CHART_PAGES = {
    # page: the chart kinds it must show
    "": {"map"},  # home: the latest period's map
    "en": {"map"},
    "2016/ca-nam/quang-tri": {"rate_target", "breakdown", "trend"},
    "2017/4-thang/quang-tri": {"rate_target", "trend"},
    "2020/6-thang/khanh-hoa": {"breakdown", "reform"},  # no rates published: no trend
    "2021/ca-nam/dong-thap": {"rate_target", "trend"},
    "2024/3-thang/quang-ninh": {"rate_target", "breakdown", "reform", "trend"},
    "2016/ca-nam": {"ranking_cases", "ranking_money", "map"},
    "2024/3-thang": {"ranking_cases", "ranking_money", "map", "reform"},
    "2021/ca-nam": {"ranking_cases", "ranking_money", "map"},
    "don-vi/quang-tri": {"trend"},
    "don-vi/quang-ninh": {"trend"},
    "en/2024/3-months/quang-ninh": {"rate_target", "breakdown", "reform", "trend"},
    "en/2024/3-months": {"ranking_cases", "ranking_money", "map", "reform"},
    "en/units/quang-tri": {"trend"},
}
# The fixture site has what the bundled content lacks: inspections, of a unit and of a
# period, and a national dataset whose rate_target is on its period's page.
MINI_CHART_PAGES = {
    "2024/6-thang/alpha": {"rate_target", "breakdown", "inspections", "reform", "trend"},
    "2024/6-thang": {
        "rate_target",
        "ranking_cases",
        "ranking_money",
        "map",
        "inspections",
        "reform",
    },
    "en/2024/6-months/alpha": {"rate_target", "breakdown", "inspections", "reform", "trend"},
    "en/2024/6-months": {
        "rate_target",
        "ranking_cases",
        "ranking_money",
        "map",
        "inspections",
        "reform",
    },
}
SITE_CHART_PAGES = [("built", url) for url in sorted(CHART_PAGES)] + [
    ("mini", url) for url in sorted(MINI_CHART_PAGES)
]

_FIGURE = re.compile(
    r'<figure class="mb-chart mb-chart--(\w+)" id="([^"]+)" data-pagefind-ignore>(.*?)</figure>',
    re.S,
)
_UNIT_PAGE = re.compile(r"^(en/)?\d{4}/[^/]+/[^/]+/?$")

# The charts of a unit and period are drawn in HTML, without build-time images: every
# rate_target, breakdown, reform, ranking and inspections chart.
# Which column of each one's table holds a bar's label (the figure is the next one).
HTML_LABEL_COLUMN = {
    "rate_target": 0,
    "breakdown": 1,
    "inspections": 1,
    "reform": 0,
    "ranking_cases": 1,  # "1. Quảng Ninh": the rank (column 0) leads the unit's name
    "ranking_money": 1,
}
RANKINGS = ("ranking_cases", "ranking_money")


def drawn_in_html(url: str, kind: str) -> bool:
    return kind in HTML_LABEL_COLUMN or kind == "map"  # the map: HTML tiles


def figures(site: Path, url: str) -> list[tuple[str, str, str]]:
    """(kind, id, inner HTML) of every chart on a built page."""
    page = (site / url / "index.html").read_text(encoding="utf-8")
    return _FIGURE.findall(page)


@pytest.mark.parametrize("url", sorted(CHART_PAGES))
def test_every_page_has_its_charts(built: Path, url: str) -> None:
    assert {kind for kind, _, _ in figures(built, url)} >= CHART_PAGES[url]


@pytest.mark.parametrize("url", sorted(MINI_CHART_PAGES))
def test_every_fixture_page_has_its_charts(mini: Path, url: str) -> None:
    assert {kind for kind, _, _ in figures(mini, url)} == MINI_CHART_PAGES[url]


def test_a_page_with_nothing_to_draw_has_no_empty_chart(built: Path) -> None:
    # The national 9-month dataset of 2020 gives only the changes of the rates, no rates.
    assert figures(built, "2020/9-thang/toan-quoc") == []


def _svg_texts(svg: bytes) -> list[str]:
    root = ElementTree.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def _cells(row_html: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html)]


def linked_table(site: Path, url: str, inner: str) -> tuple[list[list[str]], bool] | None:
    """The rows of the table a figure links to for its data, and whether it is a table of
    the same page (not the chart's own table); None if the figure has its own table."""
    link = re.search(r'<p class="mb-chart__data-link"><a href="([^"]*)#([^"]+)">', inner)
    if link is None:
        return None
    target, anchor = link.groups()
    page = (site / url / target / "index.html").read_text(encoding="utf-8")
    if not target:
        table = re.search(rf'<table[^>]* id="{anchor}"[^>]*>(.*?)</table>', page, re.S)
        assert table, (url, anchor)
        return table_rows(table.group(1)), True
    figure = [inner for _, ident, inner in _FIGURE.findall(page) if ident == anchor]
    assert figure, (url, target, anchor)
    return table_rows(figure[0]), False


def table_rows(inner: str) -> list[list[str]]:
    """The shown cells of each row of a figure's data table (none if it has no table)."""
    if "<tbody>" not in inner:
        return []
    body = inner.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


@dataclass
class Bar:
    group: str
    label: str
    text: str  # the figure, without the note
    width: float | None  # percent; None: no bar
    target: float | None
    colour: str


_BAR_ROW = re.compile(
    r'<li class="mb-bars__group">(?P<group>.*?)</li>'
    r'|<li(?: class="(?P<modifiers>[^"]*)")?(?: style="(?P<style>[^"]*)")?>'
    r"<span>(?P<label>[^<]*)</span><span></span><span>(?P<value>[^<]*)"
)


def live_spec(site: Path, url: str, kind: str, inner: str) -> dict[str, Any]:
    """The spec the live view draws: an image's spec file, or the kind's template with
    what the figure's own spec adds (a chart drawn in HTML), as minhbach-charts.js does:
    the template is found by the figure's kind, in its edition's assets."""
    file = re.search(r'data-spec="([^"]+)"', inner)
    if file is not None:
        path = site / url / file.group(1)
        spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return spec
    own = re.search(r'<script type="application/json" class="mb-chart__spec">(.*?)</script>', inner)
    assert own, inner[:200]
    edition = site / "en" if url.startswith("en/") else site
    template = edition / "assets/charts" / f"{kind.replace('_', '-')}.vl.json"  # as the script
    assert charts.template_path(kind) == template.relative_to(edition).as_posix()
    spec = json.loads(template.read_text(encoding="utf-8"))
    assert "values" not in spec.get("data", {})  # a template: the values are the chart's own
    return {**spec, **charts.unpack_data(json.loads(own.group(1)))}


def bars(inner: str) -> list[Bar]:
    """The HTML bars of a figure, as a reader without JavaScript sees them."""
    found: list[Bar] = []
    group = ""
    for match in _BAR_ROW.finditer(inner):
        if match.group("group") is not None:
            group = html.unescape(match.group("group"))
            continue
        modifiers = {
            name.removeprefix("mb-bars__row") for name in (match.group("modifiers") or "").split()
        }
        style = dict(part.split(":", 1) for part in (match.group("style") or "").split(";") if part)
        series = next(
            (name for name in charts.SERIES if f"--{name}" in modifiers), charts.DEFAULT_SERIES
        )
        assert ("--missing" in modifiers) == ("--w" not in style), match.group(0)
        assert ("--target" in modifiers) == ("--t" in style), match.group(0)
        found.append(
            Bar(
                group,
                html.unescape(match.group("label")),
                html.unescape(match.group("value")),
                float(style["--w"].rstrip("%")) if "--w" in style else None,
                float(style["--t"].rstrip("%")) if "--t" in style else None,
                charts.SERIES[series] if "--w" in style else "",
            )
        )
    return found


def _number(machine: str) -> float | None:
    return float(machine) if machine else None


def expected_widths(kind: str, csv_rows: list[list[str]]) -> list[float | None]:
    """Each bar's length in percent, from the chart's CSV: the scale as the chart states it."""
    if kind == "rate_target":  # of the 0-100% track
        return [min(100.0, _number(r[1]) or 0.0) if r[1] else None for r in csv_rows]
    if kind in RANKINGS:  # of the 0-100% track
        return [min(100.0, _number(r[2]) or 0.0) if r[2] else None for r in csv_rows]
    if kind == "reform" and csv_rows and "/" in csv_rows[0][1]:
        # a period's initiatives: the share of reporting units done ("1/2")
        shares = [r[1].split("/") for r in csv_rows]
        return [100 * int(done) / int(reporting) for done, reporting in shares]
    if kind == "reform":  # a unit's initiatives: how far along the statuses, planned to done
        statuses = list(get_catalogue().enums["reform_status"])
        return [100 * (statuses.index(r[1]) + 1) / len(statuses) for r in csv_rows]
    # counts and amounts: of the largest figure of a measure (breakdown), or of the chart
    groups = [r[0] if kind == "breakdown" else "" for r in csv_rows]
    figures_ = [_number(r[2]) for r in csv_rows]
    largest = {
        g: max((f for f, g2 in zip(figures_, groups, strict=True) if g2 == g and f), default=0.0)
        for g in groups
    }
    return [
        None if f is None else 100 * f / largest[g] if largest[g] else 0.0
        for f, g in zip(figures_, groups, strict=True)
    ]


@pytest.mark.parametrize(("site_name", "url"), SITE_CHART_PAGES)
def test_each_chart_has_summary_table_decorative_view_and_downloads(
    request: pytest.FixtureRequest, site_name: str, url: str
) -> None:
    site: Path = request.getfixturevalue(site_name)
    folder = site / url
    for kind, ident, inner in figures(site, url):
        where = (url, ident)
        summary = re.search(r'<p class="mb-chart__summary">(.+?)</p>', inner)
        assert summary and len(summary.group(1)) > 10, where
        assert re.search(r'<div class="mb-chart__view[^"]*" aria-hidden="true"', inner), where
        rows = table_rows(inner)
        linked = linked_table(site, url, inner)
        if linked is not None:  # the figures are in a table elsewhere: linked, not repeated
            assert not rows, where
            rows, _ = linked
        assert rows, where
        links = dict(
            (label, href)
            for href, label in re.findall(
                r'<a href="([^"]+)" download>(PNG|SVG|CSV|Vega-Lite)</a>', inner
            )
        )
        csv_rows = list(
            csv.reader(io.StringIO((folder / links["CSV"]).read_text(encoding="utf-8")))
        )
        if linked is not None and linked[1]:
            # The page's own table (indicators by cases and money): every bar's figure is in it.
            cells = {cell for row in rows for cell in row}
            assert len(csv_rows) == 1 + len(bars(inner)), where
            assert all(bar.text in cells | {"—"} for bar in bars(inner)), where
            continue
        assert len(csv_rows) == 1 + len(rows), where
        spec = live_spec(site, url, kind, inner)
        assert spec["data"]["values"] and spec["usermeta"]["kind"] == kind
        stem = str(folder / links["CSV"]).removesuffix(".csv")
        if drawn_in_html(url, kind):
            assert set(links) == {"CSV"}, where
            assert "<img" not in inner, where
            for ext in ("png", "svg", "vl.json"):  # made by the live view, not by the build
                assert not Path(f"{stem}.{ext}").exists(), where
            # PNG, SVG and spec come from the live view: buttons the script adds, named
            # after the figure (test_browser.py)
            assert "mb-chart__exports" not in inner and ident, where
            if kind == "map":
                _assert_tiles_state_the_table(inner, rows, csv_rows[1:], where)
            else:
                _assert_bars_state_the_table(kind, bars(inner), rows, csv_rows[1:], where)
        else:
            # The SVG is made at build time; the PNG by the live view, on a button.
            assert set(links) == {"SVG", "CSV", "Vega-Lite"}, where
            data_spec = re.search(r'data-spec="([^"]+)"', inner)
            assert data_spec and links["Vega-Lite"] == data_spec.group(1), where
            assert "mb-bars" not in inner, where
            image = re.search(r'<img src="([^"]+)" alt="" width="(\d+)" height="(\d+)"', inner)
            assert image, where
            svg = (folder / image.group(1)).read_bytes()
            root = ElementTree.fromstring(svg)
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            size = (round(float(root.get("width", 0))), round(float(root.get("height", 0))))
            assert size == (int(image.group(2)), int(image.group(3))), where
            assert (folder / links["SVG"]).read_bytes() == svg
            assert not Path(f"{stem}.png").exists(), where
            assert "mb-chart__exports" not in inner, where  # the PNG button: the script's


_TILE = re.compile(
    r'<span class="mb-tile" style="grid-area:(\d+)/(\d+);background:(#[0-9a-f]{6});'
    r'color:(#[0-9a-f]{6})"><b>([^<]*)</b> <span class="mb-tile__value">([^<]*)</span></span>'
)


def _assert_tiles_state_the_table(
    inner: str, rows: list[list[str]], csv_rows: list[list[str]], where: tuple[str, str]
) -> None:
    """One tile per table row (unit, abbreviation, rate, class), each on its own place,
    filled by its class's colour with readable ink, its rate rounded to a whole percent."""
    tiles = _TILE.findall(inner)
    assert len(tiles) == len(rows) == len(csv_rows), where
    assert len({(row, column) for row, column, *_ in tiles}) == len(tiles), where  # no overlap
    key = dict(
        (html.unescape(label), fill)
        for fill, label in re.findall(
            r'<li><span class="mb-tiles__swatch" style="background:(#[0-9a-f]{6})"></span>'
            r"([^<]*)</li>",
            inner,
        )
    )
    assert len(key) == len(charts.MAP_FILLS) + 1, where
    for (_, _, fill, ink, abbr, text), row, machine in zip(tiles, rows, csv_rows, strict=True):
        _unit, shown_abbr, rate, klass = row
        assert abbr == shown_abbr, where
        assert fill == key[klass], (where, abbr, klass)
        assert charts.contrast(ink, fill) >= 4.5, (where, abbr)
        if rate == "—":
            assert text == "—" and machine[2] == "", (where, abbr)
        else:
            # the rate as the CSV gives it, in %, to one decimal at most (its own if fewer)
            mark = "," if "," in rate or "." not in rate else "."  # the edition's decimal mark
            digits = len(rate.rstrip("%").partition(mark)[2])
            shown = Decimal(machine[2]).quantize(Decimal(10) ** -min(digits, 1))
            assert text == f"{shown}%".replace(".", mark), (where, abbr, rate, text)


def _assert_bars_state_the_table(
    kind: str,
    drawn: list[Bar],
    rows: list[list[str]],
    csv_rows: list[list[str]],
    where: tuple[str, str],
) -> None:
    """One bar per table row, with its label and figure as the table shows them, its
    length the figure on the chart's scale, no bar for a missing figure."""
    column = HTML_LABEL_COLUMN[kind]
    if kind in RANKINGS:
        assert [(b.label, b.text) for b in drawn] == [(f"{r[0]}. {r[1]}", r[2]) for r in rows]
    else:
        labels = [(r[column], r[column + 1]) for r in rows]
        assert [(b.label, b.text) for b in drawn] == labels, where
    if column == 1 and kind not in RANKINGS:  # the first column groups the rows
        assert [b.group for b in drawn] == [r[0] for r in rows], where
    for bar, width in zip(drawn, expected_widths(kind, csv_rows), strict=True):
        if width is None:
            assert bar.width is None and bar.text == "—", (where, bar)
        else:
            assert bar.width == pytest.approx(width, abs=0.006), (where, bar)
            assert bar.colour in charts.SERIES.values(), (where, bar)
    if kind == "rate_target":
        for bar, row in zip(drawn, csv_rows, strict=True):
            target = _number(row[2])
            assert bar.target == (None if target is None else pytest.approx(target)), where
            assert bar.colour == charts.SERIES[row[0]], where


def test_unit_and_period_pages_have_no_chart_images(built: Path) -> None:
    """A unit and period's charts are drawn in HTML: no image is made for any of them.

    Only a unit's trend, on its history page, is an image."""
    unit_pages = [
        p.parent
        for p in built.rglob("index.html")
        if _UNIT_PAGE.match(p.parent.relative_to(built).as_posix())
    ]
    assert len(unit_pages) >= 10
    period_pages = [built / "2024/3-thang", built / "en/2024/3-months"]
    images = [
        str(f)
        for page in unit_pages + period_pages
        for f in page.iterdir()
        if f.suffix in (".png", ".svg")
    ]
    assert images == []
    images = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.svg"))
    assert images and all("/don-vi/" in f"/{image}" or "/units/" in image for image in images)


def test_chart_text_uses_the_page_number_formats(built: Path) -> None:
    url = "2024/3-thang/quang-ninh"
    page = text_of(built, url)
    inner = {kind: inner for kind, _, inner in figures(built, url)}
    rates = [b.text for b in bars(inner["rate_target"])]
    assert rates == ["47,10%", "4,91%"]
    assert "47,10%" in page and "4,91%" in page
    breakdown = [b.text for b in bars(inner["breakdown"])]
    assert "1.577 việc" in breakdown and "1.577 việc" in page
    assert "97,6 tỷ đồng" in breakdown and "97,6 tỷ đồng" in page
    english = {kind: inner for kind, _, inner in figures(built, "en/2024/3-months/quang-ninh")}
    assert [b.text for b in bars(english["rate_target"])] == ["47.10%", "4.91%"]
    period = {kind: inner for kind, _, inner in figures(built, "2024/3-thang")}
    assert "47,10%" in [b.text for b in bars(period["ranking_cases"])]


def test_a_rate_target_bar_shows_the_target(built: Path) -> None:
    inner = {k: inner for k, _, inner in figures(built, "2016/ca-nam/quang-tri")}["rate_target"]
    drawn = bars(inner)
    assert [(b.label, b.text, b.width, b.target) for b in drawn] == [
        ("Về việc", "92%", 92.0, 74.0),
        ("Về tiền", "45%", 45.0, 32.0),
    ]
    assert "chỉ tiêu 74%" in inner and "chỉ tiêu 32%" in inner


def test_chart_summaries_state_the_same_figures_as_the_page(built: Path) -> None:
    url = "2016/ca-nam/quang-tri"
    page = text_of(built, url)
    history = text_of(built, "don-vi/quang-tri")
    summaries = {
        kind: html.unescape(re.search(r'<p class="mb-chart__summary">(.+?)</p>', inner).group(1))
        for kind, _, inner in figures(built, url)
    }
    assert "Quảng Trị đạt 92% về việc, vượt chỉ tiêu 18 điểm %" in summaries["rate_target"]
    for kind, summary in summaries.items():
        for figure in re.findall(r"\d[\d.,]*(?:%| việc| tỷ đồng)", summary):
            if kind == "trend":  # its table is the unit history's, which the figure links to
                assert history.count(figure) >= 2, figure
            else:
                assert page.count(figure) >= 2, figure  # in the summary and elsewhere on the page


def test_trend_axis_uses_vietnamese_month_names(built: Path) -> None:
    texts = _svg_texts((built / "don-vi/quang-tri/thads-quang-tri-xu-huong.svg").read_bytes())
    assert any(t.startswith("thg ") for t in texts), texts
    english = _svg_texts((built / "en/units/quang-tri/thads-quang-tri-trend.svg").read_bytes())
    assert any(t[:3] in ("Jan", "Apr", "Jul", "Oct") for t in english), english


def test_vega_bundle_and_locale_are_files_of_the_site(built: Path) -> None:
    for root in (built, built / "en"):
        bundle = (root / "assets/charts/vega.js").read_text(encoding="utf-8")
        assert "vegaEmbed" in bundle and len(bundle) > 500_000
        locale = json.loads((root / "assets/charts/locale.json").read_text(encoding="utf-8"))
        assert set(locale) == {"format", "time"}
    vi = json.loads((built / "assets/charts/locale.json").read_text(encoding="utf-8"))
    assert vi["format"]["decimal"] == "," and vi["time"]["months"][0] == "tháng 1"


def test_an_unchanged_rebuild_renders_no_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(CONTENT, tmp_path) == 0
    first = capsys.readouterr().err
    rendered = re.search(r"charts: (\d+), (\d+) rendered, (\d+) from the cache", first)
    assert rendered and int(rendered.group(2)) > 0
    forget_last_build(tmp_path / "cache")  # run every stage, not the up-to-date stop
    assert build(CONTENT, tmp_path) == 0
    again = re.search(
        r"charts: (\d+), (\d+) rendered, (\d+) from the cache", capsys.readouterr().err
    )
    assert again and again.group(1) == rendered.group(1) and again.group(2) == "0"


@pytest.mark.parametrize(
    ("url", "lang"), [("2024/3-thang/quang-ninh", "vi"), ("en/2024/3-months/quang-ninh", "en")]
)
def test_results_rows_carry_their_indicators_definitions(built: Path, url: str, lang: str) -> None:
    """The first results table of a unit page gives each indicator's definition as its row
    header's title; the page's later tables of the same indicators leave it out."""
    page = (built / url / "index.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table tabindex="0" class="mb-results[^"]*".*?</table>', page, re.S)
    assert len(tables) > 1
    fields = get_catalogue().groups["results"].fields
    definitions = {f.label[lang]: f.definition[lang] for f in fields.values()}
    titled = re.findall(r'<th scope="row" title="([^"]*)">([^<]*)</th>', tables[0])
    assert len(titled) >= 3
    for title, label in titled:
        assert html.unescape(title) == definitions[html.unescape(label)], label
    assert all('<th scope="row" title=' not in table for table in tables[1:])
