"""The charts of the built bundled site in a real browser (Playwright driving the system Chromium).

The bundled content is built once into a temporary folder and served from 127.0.0.1 by
`http.server`; each test opens pages of both editions as a reader would. Without JavaScript
every chart is drawn, with a summary sentence and a data table: a unit and period's charts
as HTML bars, the others as their build-time SVG image; with JavaScript
`assets/minhbach-charts.js` swaps in the live Vega view (same texts, same Vietnamese or
English number formats, plus tooltips), all from the site's own files, and the live view
makes the PNG and SVG of the charts drawn in HTML. The downloads are checked against the
figure's table, and the charts must fit a phone screen and read in the dark scheme.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium. Where it
is missing the module is skipped, except under CI (the `CI` environment variable set), where
a browser test that silently never runs would be a defect, so the module fails instead.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Protocol

import pytest

from minhbach.render import charts
from tests.chromium import CHROMIUM, LAUNCH_ARGS
from tests.test_build import CONTENT, build, drawn_in_html

CI = bool(os.environ.get("CI"))

if not CI:
    pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    if CI:
        pytest.fail(
            f"CI: {CHROMIUM} is missing, so the browser tests cannot run "
            "(install it with `apt-get install chromium`, as .ci/run does)",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import (  # noqa: E402  (after the skip checks on purpose)
    Browser,
    FloatRect,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

LIVE_TIMEOUT = 15_000  # ms for a chart to load Vega, its spec and render
SVG_TEXT = "{http://www.w3.org/2000/svg}text"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PHONE: ViewportSize = {"width": 360, "height": 740}

KINDS = {
    "rate_target",
    "breakdown",
    "trend",
    "ranking_cases",
    "ranking_money",
    "map",
    "inspections",
    "reform",
}

VI_UNIT = "2024/3-thang/quang-ninh/"
VI_PERIOD = "2024/3-thang/"
EN_UNIT = "en/2024/3-months/quang-ninh/"
EN_PERIOD = "en/2024/3-months/"

# Unit, period and unit-history pages of both editions: together every chart kind the
# bundled content has (test_pages_cover_every_chart_kind keeps it so).
PAGES = [
    VI_UNIT,
    VI_PERIOD,
    "don-vi/quang-tri/",
    "2016/ca-nam/quang-tri/",
    "2020/6-thang/khanh-hoa/",
    EN_UNIT,
    EN_PERIOD,
    "en/units/quang-tri/",
    "en/2016/full-year/quang-tri/",
]

# The rate in the first row of the Quảng Ninh rate_target table, in each edition's format.
RATE = {VI_UNIT: "47,10%", EN_UNIT: "47.10%"}


# --- the site, the server, the browser ---------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    assert build(CONTENT, out, "--strict") == 0
    return out / "site"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class Watch:
    """What a page did: every request, failed responses, console errors, page errors."""

    base_url: str
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests to anywhere but the local server (data: and blob: URLs are local)."""
        return [
            url for url in self.requests if not url.startswith((self.base_url, "data:", "blob:"))
        ]

    def assert_clean(self) -> None:
        assert self.outside() == [], "requests leave the local server"
        assert self.failures == [], "failed requests"
        assert self.console_errors == [], "console errors"
        assert self.page_errors == [], "page errors"


@dataclass
class Opened:
    page: Page
    watch: Watch


class Opener(Protocol):
    def __call__(
        self,
        url: str,
        *,
        js: bool = True,
        viewport: ViewportSize | None = None,
        color_scheme: Literal["light", "dark"] = "light",
        live_charts: bool = True,
    ) -> Opened: ...


@pytest.fixture
def open_page(browser: Browser, base_url: str) -> Iterator[Opener]:
    """open_page(url, js=True, viewport=None, color_scheme, live_charts): a fresh context
    and page at `url`, watched. live_charts=False serves minhbach-charts.js empty, so the
    page runs its other scripts (Material's dark scheme) and keeps the charts as built."""
    contexts = []

    def opener(
        url: str,
        *,
        js: bool = True,
        viewport: ViewportSize | None = None,
        color_scheme: Literal["light", "dark"] = "light",
        live_charts: bool = True,
    ) -> Opened:
        context = browser.new_context(
            java_script_enabled=js, viewport=viewport, color_scheme=color_scheme
        )
        contexts.append(context)
        page = context.new_page()
        if not live_charts:
            page.route(
                "**/assets/minhbach-charts.js",
                lambda route: route.fulfill(body="", content_type="text/javascript"),
            )
        watch = Watch(base_url)
        page.on("request", lambda request: watch.requests.append(request.url))
        page.on(
            "requestfailed",
            lambda request: watch.failures.append(f"{request.url}: {request.failure}"),
        )
        page.on(
            "response",
            lambda response: (
                watch.failures.append(f"{response.url}: {response.status}")
                if response.status >= 400
                else None
            ),
        )
        page.on(
            "console",
            lambda message: (
                watch.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        response = page.goto(base_url + url)
        assert response is not None and response.status == 200, url
        return Opened(page, watch)

    yield opener
    for context in contexts:
        context.close()


def figures(page: Page) -> list[Locator]:
    found = page.locator("figure.mb-chart").all()
    assert found, f"no chart on {page.url}"
    return found


def kind(figure: Locator) -> str:
    classes = (figure.get_attribute("class") or "").split()
    kinds = [c.removeprefix("mb-chart--") for c in classes if c.startswith("mb-chart--")]
    assert len(kinds) == 1, classes
    return kinds[0]


def in_html(page: Page, figure: Locator) -> bool:
    """Whether a figure is drawn in HTML without JavaScript (a unit and period's charts)."""
    url = page.url.split("/", 3)[3].rstrip("/")
    return drawn_in_html(url, kind(figure))


def go_live(figure: Locator) -> Locator:
    """Scroll the figure into view and wait for its live Vega view; return the live svg."""
    figure.scroll_into_view_if_needed()
    view = figure.locator(".mb-chart__view")
    expect(view).to_have_class(re.compile(r"\bmb-chart__view--live\b"), timeout=LIVE_TIMEOUT)
    svg = view.locator(".mb-chart__live svg")
    expect(svg).to_have_count(1)
    return svg


def body_rows(figure: Locator) -> int:
    return figure.locator("table.mb-chart-table tbody tr").count()


def svg_texts(svg: bytes) -> set[str]:
    root = ET.fromstring(svg)
    return {"".join(text.itertext()) for text in root.iter(SVG_TEXT)}


def resolved(locator: Locator, attribute: str) -> str:
    """The absolute URL of an element's src or href, as the browser resolves it."""
    url = locator.evaluate(f"element => element.{attribute}")
    assert isinstance(url, str) and url
    return url


# --- the pages chosen ---------------------------------------------------------------------


def test_pages_cover_every_chart_kind(site: Path) -> None:
    """The pages below show every chart kind the bundled site has, and only known kinds."""
    pattern = re.compile(r'<figure class="mb-chart mb-chart--([a-z_]+)"')
    built = {k for page in site.rglob("*.html") for k in pattern.findall(page.read_text("utf-8"))}
    chosen = set()
    for url in PAGES:
        kinds = pattern.findall((site / url / "index.html").read_text("utf-8"))
        assert kinds, f"{url} has no chart"
        chosen.update(kinds)
    assert built <= KINDS
    assert built == chosen


# --- 1. without JavaScript: the build-time image, the summary and the table ---------------


BAR_ROWS = ".mb-bars > li:not(.mb-bars__group)"  # each: label, bar, figure


def assert_bars_drawn(figure: Locator) -> None:
    """Every HTML bar is on screen, as long as its figure says; a missing one has none."""
    bars = figure.locator(".mb-bars")
    expect(bars).to_be_visible()
    rows = figure.locator(BAR_ROWS).all()
    assert rows, figure.get_attribute("id")
    for row in rows:
        label, track, value = row.locator("> *").all()
        expect(value).to_be_visible()
        expect(label).to_be_visible()
        fill = track.evaluate("(e) => getComputedStyle(e, '::before').display")
        if (value.text_content() or "") == "—":
            assert fill == "none", figure.get_attribute("id")
            continue
        track_box = track.bounding_box()
        assert track_box is not None and track_box["width"] > 40
        declared = float((row.get_attribute("style") or "").split("--w:")[1].split("%")[0])
        drawn = (
            100
            * float(
                track.evaluate("(e) => getComputedStyle(e, '::before').width").removesuffix("px")
            )
            / track_box["width"]
        )
        assert abs(drawn - declared) < 1, (declared, drawn)


def assert_tiles_drawn(figure: Locator) -> None:
    """Every tile of a map is on screen, square, apart from the others, with its text."""
    grid = figure.locator(".mb-tiles")
    expect(grid).to_be_visible()
    tiles = grid.locator(".mb-tile").all()
    assert tiles, figure.get_attribute("id")
    boxes = []
    for tile in tiles:
        expect(tile).to_be_visible()
        box = tile.bounding_box()
        assert box is not None and box["width"] >= 20, figure.get_attribute("id")
        assert abs(box["width"] - box["height"]) < 1, box
        for part in (tile.locator("b"), tile.locator(".mb-tile__value")):
            inner = part.bounding_box()
            assert inner is not None and inner["x"] >= box["x"] - 0.5, (part, box)
            assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5, (part, box)
        boxes.append(box)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] + 0.5
                or b["x"] + b["width"] <= a["x"] + 0.5
                or a["y"] + a["height"] <= b["y"] + 0.5
                or b["y"] + b["height"] <= a["y"] + 0.5
            )
            assert apart, (a, b)
    expect(figure.locator(".mb-tiles__key li")).to_have_count(len(charts.MAP_FILLS) + 1)


@pytest.mark.parametrize("url", PAGES)
def test_without_javascript_every_chart_is_drawn_with_summary_and_table(
    open_page: Opener, url: str
) -> None:
    opened = open_page(url, js=False)
    page = opened.page
    for figure in figures(page):
        img = figure.locator(".mb-chart__view img")
        if in_html(page, figure):
            expect(img).to_have_count(0)
            if kind(figure) == "map":
                assert_tiles_drawn(figure)
            else:
                assert_bars_drawn(figure)
            expect(figure.locator(".mb-chart__exports")).to_have_count(0)
        else:
            expect(img).to_have_count(1)
            img.scroll_into_view_if_needed()
            expect(img).to_have_js_property("complete", True)
            assert img.evaluate("img => img.naturalWidth") > 0, resolved(img, "src")
            box = img.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0
            expect(img).to_be_visible()
            expect(figure.locator(".mb-bars")).to_have_count(0)
        summary = figure.locator(".mb-chart__summary")
        assert summary.inner_text().strip(), "empty summary"
        link = figure.locator(".mb-chart__data-link a")
        if link.count():  # its figures are in a table elsewhere: the link leads to it
            target, _, anchor = resolved(link, "href").partition("#")
            if target == page.url.partition("#")[0]:
                assert page.locator(f"table#{anchor} tbody tr").count() >= 1, anchor
            else:
                response = page.request.get(target)
                assert response.status == 200, target
                assert f'id="{anchor}"' in response.text(), (target, anchor)
        else:
            assert body_rows(figure) >= 1, "no data rows"
        expect(figure.locator(".mb-chart__live")).to_have_count(0)
    opened.watch.assert_clean()


# --- 2. with JavaScript: the live Vega view, from the site's own files --------------------


@pytest.mark.parametrize("url", PAGES)
def test_with_javascript_every_chart_goes_live(open_page: Opener, url: str) -> None:
    opened = open_page(url)
    for figure in figures(opened.page):
        svg = go_live(figure)
        expect(svg).to_be_visible()
        if in_html(opened.page, figure):
            expect(figure.locator(".mb-bars, .mb-tiles")).to_be_hidden()
            expect(figure.locator(".mb-chart__exports")).to_be_visible()
        else:
            expect(figure.locator(".mb-chart__view > img")).to_be_hidden()
        expect(figure.locator(".mb-chart__view")).to_have_attribute("aria-hidden", "true")
    assert any(u.endswith("/assets/charts/vega.js") for u in opened.watch.requests)
    opened.watch.assert_clean()


# --- 3. the same texts, hence the same number formats, at build time and in the browser ---


@pytest.mark.parametrize("url", [VI_UNIT, EN_UNIT, VI_PERIOD, EN_PERIOD])
def test_live_chart_has_the_texts_of_the_chart_without_javascript(
    open_page: Opener, url: str
) -> None:
    # Images: set equality of every text (axis labels too): the Vega bundle is vl-convert's
    # own and both sides format with the same d3 locale, so any difference is a locale or
    # spec bug. HTML bars: each figure the bars show is a label of the live view.
    opened = open_page(url)
    page = opened.page
    for figure in figures(page):
        drawn = in_html(page, figure)
        shown = (
            figure.locator(
                f"{BAR_ROWS} > :last-child, .mb-tile b, .mb-tile__value"
            ).all_text_contents()
            if drawn
            else []
        )
        svg = go_live(figure)
        live = set(svg.locator("text").all_text_contents())
        if drawn:
            for text in shown:
                assert text == "—" or any(t.startswith(text) for t in live), (text, live)
        else:
            static = page.request.get(resolved(figure.locator(".mb-chart__view img"), "src"))
            assert static.status == 200
            assert live == svg_texts(static.body()), figure.get_attribute("id")
        if kind(figure) == "rate_target":
            rate = RATE[url]
            assert any(rate in text for text in live), live
            if figure.locator("table").count():  # its own table (a period's national chart)
                first_rate = figure.locator("tbody tr").first.locator("td").first
                expect(first_rate).to_have_text(rate, use_inner_text=False)
            else:  # a unit's: the rates are rows of the results table it links to
                target = figure.locator(".mb-chart__data-link a").get_attribute("href") or ""
                assert target.startswith("#"), target
                expect(page.locator(f"table{target}")).to_contain_text(rate)
    opened.watch.assert_clean()


# --- 4. tooltips ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [VI_UNIT, EN_UNIT])
def test_hovering_a_bar_shows_its_tooltip(open_page: Opener, url: str) -> None:
    opened = open_page(url)
    page = opened.page
    figure = page.locator("figure.mb-chart--rate_target")
    svg = go_live(figure)
    tooltip = page.locator("#vg-tooltip-element")
    # Vega draws each bar as a <path> in a `g.mark-rect` group (the grey 100% tracks first,
    # then the coloured rates): hover each in turn; the first that answers is the first rate.
    for bar in svg.locator("g.mark-rect path").all():
        box = bar.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            expect(tooltip).to_have_class(re.compile(r"\bvisible\b"), timeout=500)
        except AssertionError:
            continue
        break
    else:
        pytest.fail("no bar of the live chart shows a tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(RATE[url])
    first_row = figure.locator(f"{BAR_ROWS} > :first-child").first.text_content() or ""
    assert first_row.strip()
    expect(tooltip).to_contain_text(first_row)
    opened.watch.assert_clean()


# --- 5. downloads -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [VI_UNIT, EN_PERIOD])
def test_downloads_match_the_chart(open_page: Opener, url: str) -> None:
    opened = open_page(url, js=False)
    page = opened.page
    for figure in figures(page):
        name = figure.get_attribute("id")
        links = figure.locator(".mb-chart__downloads a[download]")
        drawn = in_html(page, figure)
        offered = ["CSV"] if drawn else ["SVG", "CSV", "Vega-Lite"]
        assert links.all_inner_texts() == offered, name
        responses = [page.request.get(resolved(link, "href")) for link in links.all()]
        for response in responses:
            assert response.status == 200, response.url
        # The PNG (and the SVG and spec of a chart drawn in HTML) only from the live view:
        # not offered without JavaScript.
        expect(figure.locator(".mb-chart__exports")).to_have_count(0)
        if drawn:
            (table,) = responses
        else:
            svg, table, spec = responses
            root = ET.fromstring(svg.body())
            assert root.tag == "{http://www.w3.org/2000/svg}svg", svg.url
            assert json.loads(spec.body())["usermeta"]["kind"] == kind(figure), spec.url
            data_spec = figure.locator(".mb-chart__view").evaluate(
                "view => new URL(view.dataset.spec, document.baseURI).href"
            )
            assert spec.url == data_spec, name  # the spec the live view draws

        rows = list(csv.reader(io.StringIO(table.body().decode("utf-8"), newline="")))
        if figure.locator(".mb-chart__data-link").count():
            continue  # its figures are in a table elsewhere, which it links to
        # text_content, not inner_text: the table is in a closed <details>, so not rendered
        header = [
            " ".join(text.split())
            for text in figure.locator("table.mb-chart-table thead th").all_text_contents()
        ]
        assert rows[0] == header, table.url
        assert len(rows) - 1 == body_rows(figure), table.url
    opened.watch.assert_clean()


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("url", [VI_UNIT, EN_UNIT, EN_PERIOD])
def test_the_live_view_makes_the_png_svg_and_spec_of_a_chart_drawn_in_html(
    open_page: Opener, url: str
) -> None:
    """And the PNG of a chart whose SVG was made at build time (EN_PERIOD's map).

    Each chart on a page of its own: Chromium stops honouring script-made downloads from
    one page after about ten (the eleventh, a period's reform SVG, never came)."""
    count = len(figures(open_page(url).page))
    assert count
    for index in range(count):
        opened = open_page(url)
        page = opened.page
        figure = figures(page)[index]
        name = figure.get_attribute("id")
        live = go_live(figure)
        exports = figure.locator(".mb-chart__exports")
        expect(exports).to_be_visible()
        drawn_here = in_html(page, figure)
        assert figure.locator(".mb-chart__downloads").locator("a, button").all_inner_texts() == (
            ["PNG", "SVG", "Vega-Lite", "CSV"] if drawn_here else ["PNG", "SVG", "CSV", "Vega-Lite"]
        )
        with page.expect_download() as png_download:
            exports.get_by_role("button", name="PNG").click()
        assert png_download.value.suggested_filename == f"{name}.png"
        png = Path(png_download.value.path()).read_bytes()
        width = float(live.get_attribute("width") or 0)
        height = float(live.get_attribute("height") or 0)
        assert png_size(png) == (round(2 * width), round(2 * height)), name  # twice the size

        # An image's SVG is the build-time file, checked in test_downloads_match_the_chart.
        if drawn_here:
            with page.expect_download() as svg_download:
                exports.get_by_role("button", name="SVG").click()
            assert svg_download.value.suggested_filename == f"{name}.svg"
            svg = Path(svg_download.value.path()).read_bytes()
            assert svg_texts(svg) == set(live.locator("text").all_text_contents()), name
            # The spec the live view drew: its kind's template with what the figure adds.
            with page.expect_download() as spec_download:
                exports.get_by_role("button", name="Vega-Lite").click()
            assert spec_download.value.suggested_filename == f"{name}.vl.json"
            spec = json.loads(Path(spec_download.value.path()).read_text(encoding="utf-8"))
            assert spec["usermeta"]["kind"] == kind(figure), name
            packed = json.loads(figure.locator("script.mb-chart__spec").text_content() or "")
            own = charts.unpack_data(packed)
            assert own["data"]["values"] and all(spec[key] == own[key] for key in own), name
        opened.watch.assert_clean()


# --- 6. phones ------------------------------------------------------------------------------


def assert_fits(box: FloatRect | None, what: str) -> None:
    assert box is not None and box["width"] > 0, what
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (what, box)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("url", [VI_UNIT, VI_PERIOD, EN_UNIT, EN_PERIOD])
def test_charts_fit_a_phone(open_page: Opener, url: str, js: bool) -> None:
    opened = open_page(url, js=js, viewport=PHONE)
    page = opened.page
    for figure in figures(page):
        name = figure.get_attribute("id") or ""
        if js:
            chart = go_live(figure)
        elif in_html(page, figure):
            chart = figure.locator(".mb-bars, .mb-tiles")
            chart.scroll_into_view_if_needed()
            # every label, bar and figure; every tile and key entry
            parts = figure.locator(f"{BAR_ROWS} > *, .mb-tile, .mb-tiles__key li").all()
            assert parts, name
            for part in parts:
                assert_fits(part.bounding_box(), name)
        else:
            chart = figure.locator(".mb-chart__view img")
            chart.scroll_into_view_if_needed()
            expect(chart).to_have_js_property("complete", True)
        assert_fits(chart.bounding_box(), name)
        assert_fits(figure.bounding_box(), name)
        # The data table, opened, scrolls inside itself rather than widening the page.
        # (A chart whose figures are in a table elsewhere links to it instead.)
        if figure.locator(".mb-chart__data-link").count():
            continue
        figure.locator(".mb-chart__data > summary").click()
        table = figure.locator("table.mb-chart-table")
        expect(table).to_be_visible()
        assert_fits(table.bounding_box(), name)
    if js:
        # Only with JavaScript: without it, Material's header language menu
        # (div.md-select__inner, hidden but laid out) sticks out past 360 px on every page,
        # chart or not: a theme matter, not the charts'; the boxes above cover the charts.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], "the page scrolls sideways"
    opened.watch.assert_clean()


# --- 7. the chart itself is decorative: the summary and the table carry the content --------


@pytest.mark.parametrize("url", PAGES)
def test_chart_views_are_decorative(open_page: Opener, url: str) -> None:
    opened = open_page(url, js=False)
    for figure in figures(opened.page):
        views = figure.locator(".mb-chart__view")
        expect(views).to_have_count(1)
        expect(views).to_have_attribute("aria-hidden", "true")
        images = figure.locator("img")
        if in_html(opened.page, figure):
            expect(images).to_have_count(0)
            expect(views.locator(".mb-bars, .mb-tiles")).to_have_count(1)
        else:
            expect(images).to_have_count(1)
            assert images.get_attribute("alt") == "", figure.get_attribute("id")


@pytest.mark.parametrize(
    "url", [*PAGES, "", "don-vi/", "phuong-phap/", "du-lieu/", "en/methodology/"]
)
def test_tables_align_each_column_as_its_header(open_page: Opener, url: str) -> None:
    """Figures to the right, words to the left, as the column's header says (`th.mb-num`
    over figures): in our tables a cell is a figure unless it is marked as text, and a
    results table's changes on last year are aligned by their column."""
    opened = open_page(url, js=False)
    tables = opened.page.locator('table[class^="mb-"], table[class*=" mb-"]').all()
    assert tables
    cells = 0
    for table in tables:
        heads = table.locator("thead th").all()
        numeric = ["mb-num" in (head.get_attribute("class") or "") for head in heads]
        for row in table.locator("tbody tr:not(.mb-break)").all():
            row_cells = row.locator("> *").all()
            assert len(row_cells) == len(heads), url
            for cell, figure in zip(row_cells, numeric, strict=True):
                if cell.evaluate("(e) => e.tagName") == "TH":
                    continue  # a row's header: its label, aligned as headers are
                align = cell.evaluate("(e) => getComputedStyle(e).textAlign")
                assert align == ("right" if figure else "left"), (url, cell.inner_text(), align)
                cells += 1
    assert cells
    opened.watch.assert_clean()


#: Queries as people type them, and the first result: the unit's history, then its
#: latest period (Quảng Trị's: 4 months of 2017, then 2016), whatever the diacritics, the
#: tone placement ("Hoà", "Hòa") and a "tp"/"tỉnh"/"thành phố" before the name.
SEARCHES = [
    ("", "khanh hoa", ["Khánh Hòa", "Khánh Hòa: 6 tháng năm 2020"]),
    ("", "Khánh Hoà", ["Khánh Hòa", "Khánh Hòa: 6 tháng năm 2020"]),
    ("", "Khánh Hòa", ["Khánh Hòa", "Khánh Hòa: 6 tháng năm 2020"]),
    ("", "tỉnh khanh hoa", ["Khánh Hòa", "Khánh Hòa: 6 tháng năm 2020"]),
    ("", "dong thap", ["Đồng Tháp", "Đồng Tháp: năm 2021"]),
    ("", "quang tri", ["Quảng Trị", "Quảng Trị: 4 tháng năm 2017", "Quảng Trị: năm 2016"]),
    ("", "Quang Tri", ["Quảng Trị", "Quảng Trị: 4 tháng năm 2017", "Quảng Trị: năm 2016"]),
    ("", "thành phố quảng trị", ["Quảng Trị", "Quảng Trị: 4 tháng năm 2017"]),
    ("en/", "quang ninh", ["Quang Ninh", "Quang Ninh: 3 months of 2024"]),
    ("en/", "Khánh Hoà", ["Khanh Hoa", "Khanh Hoa: 6 months of 2020"]),
    ("en/", "tp dong thap", ["Dong Thap", "Dong Thap: statistical year 2021"]),
]


@pytest.mark.parametrize(("url", "query", "first"), SEARCHES)
def test_search_puts_the_named_units_pages_first(
    open_page: Opener, url: str, query: str, first: list[str]
) -> None:
    """Typed into the header's search box and sent with Enter, as people do: Pagefind's
    results on the search page, the named unit's own pages first."""
    opened = open_page(url)
    page = opened.page
    search = page.locator("input.mb-header-search__input")
    search.press_sequentially(query, delay=10)
    search.press("Enter")
    status = page.locator(".mb-search__status")
    expect(status).not_to_be_empty(timeout=15_000)
    titles = page.locator(".mb-search__title a").all_inner_texts()
    assert titles[: len(first)] == first, (query, titles[:5])
    assert page.locator("input.mb-search__input").input_value() == query
    opened.watch.assert_clean()


def test_search_says_when_nothing_is_found(open_page: Opener) -> None:
    opened = open_page("tim-kiem/?q=zzzz")
    expect(opened.page.locator(".mb-search__status")).to_have_text(
        "Không tìm thấy trang nào cho “zzzz”", timeout=15_000
    )
    assert opened.page.locator(".mb-search__result").count() == 0
    opened.watch.assert_clean()


# --- 8. the dark scheme: the HTML bars keep the charts' white view and their own ink -------


def rgb(css: str, over: str = "#ffffff") -> str:
    """'rgb(31, 31, 31)' → '#1f1f1f'; a translucent 'rgba(...)' as it shows over `over`."""
    match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css)
    assert match, css
    alpha = float(match.group(4) or 1)
    behind = [int(over[i : i + 2], 16) for i in (1, 3, 5)]
    channels = [
        round(alpha * int(c) + (1 - alpha) * b)
        for c, b in zip(match.groups()[:3], behind, strict=True)
    ]
    return "#" + "".join(f"{c:02x}" for c in channels)


def style(locator: Locator, prop: str, over: str = "#ffffff") -> str:
    return rgb(locator.evaluate(f"(e) => getComputedStyle(e).{prop}"), over)


@pytest.mark.parametrize("url", [VI_UNIT, "2016/ca-nam/quang-tri/", EN_UNIT])
def test_html_bars_read_in_the_dark_scheme(open_page: Opener, url: str) -> None:
    opened = open_page(url, color_scheme="dark", live_charts=False)
    page = opened.page
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    assert scheme == "slate"
    assert charts.luminance(style(page.locator("body"), "backgroundColor")) < 0.05  # dark
    drawn = [f for f in figures(page) if in_html(page, f)]
    assert drawn
    for figure in drawn:
        name = figure.get_attribute("id")
        back = style(figure.locator(".mb-chart__view"), "backgroundColor")
        texts = f".mb-bars__group, {BAR_ROWS} > :first-child, {BAR_ROWS} > :last-child"
        for text in figure.locator(texts).all():
            assert charts.contrast(style(text, "color", back), back) >= 4.5, name
        for note in figure.locator(".mb-bars__note").all():
            assert charts.contrast(style(note, "color", back), back) >= 4.5, name
        filled = f"{BAR_ROWS}:not(.mb-bars__row--total, .mb-bars__row--missing) > :nth-child(2)"
        for bar in figure.locator(filled).all():
            colour = rgb(bar.evaluate("(e) => getComputedStyle(e, '::before').backgroundColor"))
            track = style(bar, "backgroundColor")
            assert charts.contrast(colour, back) >= 3, name
            assert charts.contrast(colour, track) >= 3, name
    opened.watch.assert_clean()


# --- accessibility: axe-core, WCAG 2.0/2.1 A and AA, every page type of both editions -----

#: axe-core from the npm registry, unpacked by .ci/run (`npm pack axe-core@AXE_VERSION`):
#: a tool of the tests, never part of the site.
AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: One page of each type, in each edition (the search page with a query).
EVERY_TYPE = [
    "", "ky-bao-cao/", "don-vi/", "phuong-phap/", "du-lieu/", "dieu-chinh/",
    "tim-kiem/?q=quang+tri", "2024/3-thang/", VI_UNIT, "don-vi/quang-ninh/",
    "thong-cao/2016-ca-nam/", "gioi-thieu/",
    "en/", "en/periods/", "en/units/", "en/methodology/", "en/data/", "en/revisions/",
    "en/search/?q=quang+ninh", "en/2024/3-months/", EN_UNIT, "en/units/quang-ninh/",
    "en/press-releases/2016-full-year/", "en/about/",
]  # fmt: skip


def axe_violations(page: Page) -> list[str]:
    """What axe-core finds on the page as it is now: rule, impact, the first elements."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise AssertionError(f"{AXE} is missing (.ci/run unpacks axe-core {AXE_VERSION})")
        pytest.skip(f"{AXE} is missing (npm pack axe-core@{AXE_VERSION})")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => `${v.id} (${v.impact}): ` +"
        " v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))",
        AXE_TAGS,
    )
    return list(found)


@pytest.mark.parametrize("url", EVERY_TYPE)
@pytest.mark.parametrize("width", [1280, 360])
def test_no_accessibility_violation(open_page: Opener, url: str, width: int) -> None:
    """axe-core finds nothing on any page type, on a wide screen and on a phone, once
    the page's scripts ran (live charts, sortable tables, search results)."""
    opened = open_page(url, viewport={"width": width, "height": 800})
    page = opened.page
    page.wait_for_load_state("networkidle")
    if "?q=" in url:
        expect(page.locator(".mb-search__status")).not_to_be_empty(timeout=15_000)
    assert axe_violations(page) == [], (url, width)
    opened.watch.assert_clean()


@pytest.mark.parametrize("url", EVERY_TYPE)
def test_no_accessibility_violation_without_the_sites_scripts(
    open_page: Opener, base_url: str, url: str
) -> None:
    """The same with none of the site's script files (the pages as built: charts drawn
    in HTML or as images, tables unsorted); axe-core itself is injected."""
    opened = open_page("", live_charts=True)
    page = opened.page
    page.route("**/*.js", lambda route: route.abort())
    page.goto(base_url + url)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], url


@pytest.mark.parametrize("width", [1280, 360])
def test_a_figures_source_sentence_opens_on_tap_and_on_keyboard_focus(
    open_page: Opener, width: int
) -> None:
    """Not on hover alone: a tap (a click) or Tab on a quoted figure shows its sentence in
    a panel inside the screen."""
    opened = open_page(VI_UNIT, viewport={"width": width, "height": 800})
    page = opened.page
    cell = page.locator("[data-mb-quote]").first
    quote = cell.get_attribute("title")
    assert quote
    shown = "(e) => getComputedStyle(e, '::after').content"
    assert cell.evaluate(shown) in ("none", "normal", "")
    cell.click()
    assert quote in cell.evaluate(shown)
    assert cell.evaluate("(e) => getComputedStyle(e, '::after').position") == "fixed"
    page.locator("h1").first.click()  # elsewhere: the panel goes
    assert cell.evaluate(shown) in ("none", "normal", "")
    cell.focus()  # as Tab reaches it
    assert quote in cell.evaluate(shown)
    opened.watch.assert_clean()


@pytest.mark.parametrize("width", [1280, 360])
def test_reform_rows_never_run_into_each_other(open_page: Opener, width: int) -> None:
    """The administrative-reform chart drawn in HTML: on a wide screen name, bar and status
    on one line; on a phone each on a line of its own, a row's status above the next
    row's name (it read "Tiếp tục thực hiện Hỗ trợ trực tuyến…" on one line)."""
    opened = open_page(VI_UNIT, viewport={"width": width, "height": 800})
    rows = opened.page.locator("figure.mb-chart--reform ul.mb-bars > li")
    boxes = rows.evaluate_all(
        "(rows) => rows.map(r => [...r.children].map(c => c.getBoundingClientRect().toJSON()))"
    )
    assert len(boxes) >= 3
    for (name, bar, status), following in zip(boxes, [*boxes[1:], None], strict=True):
        if width > 700:
            assert name["right"] <= bar["left"] and bar["right"] <= status["left"]
        else:
            assert name["bottom"] <= bar["top"] and bar["bottom"] <= status["top"]
        if following is not None:
            assert status["bottom"] <= following[0]["top"], (status, following[0])
    opened.watch.assert_clean()
