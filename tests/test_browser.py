"""The charts of the built bundled site in a real browser (Playwright driving the system Chromium).

The bundled content is built once into a temporary folder and served from 127.0.0.1 by
`http.server`; each test opens pages of both editions as a reader would. Without JavaScript
every chart is its build-time SVG image, with a summary sentence and a data table; with
JavaScript `assets/minhbach-charts.js` swaps in the live Vega view (same texts, same
Vietnamese or English number formats, plus tooltips), all from the site's own files. The
downloads are checked against the figure's table, and the charts must fit a phone screen.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium. Where it
is missing the module is skipped, except under CI (the `CI` environment variable set), where
a browser test that silently never runs would be a defect, so the module fails instead.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.test_build import CONTENT, build

CI = bool(os.environ.get("CI"))
CHROMIUM = Path("/usr/bin/chromium")

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

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
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
        self, url: str, *, js: bool = True, viewport: ViewportSize | None = None
    ) -> Opened: ...


@pytest.fixture
def open_page(browser: Browser, base_url: str) -> Iterator[Opener]:
    """open_page(url, js=True, viewport=None): a fresh context and page at `url`, watched."""
    contexts = []

    def opener(url: str, *, js: bool = True, viewport: ViewportSize | None = None) -> Opened:
        context = browser.new_context(java_script_enabled=js, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
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


@pytest.mark.parametrize("url", PAGES)
def test_without_javascript_every_chart_is_an_image_with_summary_and_table(
    open_page: Opener, url: str
) -> None:
    opened = open_page(url, js=False)
    page = opened.page
    for figure in figures(page):
        img = figure.locator(".mb-chart__view img")
        expect(img).to_have_count(1)
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("img => img.naturalWidth") > 0, resolved(img, "src")
        box = img.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        expect(img).to_be_visible()
        summary = figure.locator(".mb-chart__summary")
        assert summary.inner_text().strip(), "empty summary"
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
        expect(figure.locator(".mb-chart__view > img")).to_be_hidden()
        expect(figure.locator(".mb-chart__view")).to_have_attribute("aria-hidden", "true")
    assert any(u.endswith("/assets/charts/vega.js") for u in opened.watch.requests)
    opened.watch.assert_clean()


# --- 3. the same texts, hence the same number formats, at build time and in the browser ---


@pytest.mark.parametrize("url", [VI_UNIT, EN_UNIT, VI_PERIOD, EN_PERIOD])
def test_live_chart_has_the_texts_of_the_build_time_svg(open_page: Opener, url: str) -> None:
    # Set equality of every text (axis labels too): the Vega bundle is vl-convert's own and
    # both sides format with the same d3 locale, so any difference is a locale or spec bug.
    opened = open_page(url)
    page = opened.page
    for figure in figures(page):
        svg = go_live(figure)
        live = set(svg.locator("text").all_text_contents())
        static = page.request.get(resolved(figure.locator(".mb-chart__view img"), "src"))
        assert static.status == 200
        assert live == svg_texts(static.body()), figure.get_attribute("id")
        if kind(figure) == "rate_target":
            rate = RATE[url]
            assert any(rate in text for text in live), live
            first_rate = figure.locator("tbody tr").first.locator("td").first
            expect(first_rate).to_have_text(rate, use_inner_text=False)
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
    first_row = figure.locator("tbody tr").first.locator("th").text_content() or ""
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
        assert links.all_inner_texts() == ["PNG", "SVG", "CSV"], name
        png, svg, table = (page.request.get(resolved(link, "href")) for link in links.all())
        for response in (png, svg, table):
            assert response.status == 200, response.url

        assert png.body().startswith(PNG_SIGNATURE), png.url

        root = ET.fromstring(svg.body())
        assert root.tag == "{http://www.w3.org/2000/svg}svg", svg.url

        rows = list(csv.reader(io.StringIO(table.body().decode("utf-8"), newline="")))
        # text_content, not inner_text: the table is in a closed <details>, so not rendered
        header = [
            " ".join(text.split())
            for text in figure.locator("table.mb-chart-table thead th").all_text_contents()
        ]
        assert rows[0] == header, table.url
        assert len(rows) - 1 == body_rows(figure), table.url
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
        else:
            chart = figure.locator(".mb-chart__view img")
            chart.scroll_into_view_if_needed()
            expect(chart).to_have_js_property("complete", True)
        assert_fits(chart.bounding_box(), name)
        assert_fits(figure.bounding_box(), name)
        # The data table, opened, scrolls inside itself rather than widening the page.
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
        expect(images).to_have_count(1)
        assert images.get_attribute("alt") == "", figure.get_attribute("id")
