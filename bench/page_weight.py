"""The bytes a phone downloads for a page with an empty cache (issue 27, item 3).

Serves a built site (default `site/`) from 127.0.0.1, opens each page in Chromium at
360 x 800 with the cache disabled, and sums what it loaded: each response as served
(`raw`) and as a server would send it gzipped (`gzip`, level 6; images and files that
are compressed already count as they are). Prints one line per page, with and without
the site's interactive charts (minhbach-charts.js and the Vega bundle it loads).

    python bench/page_weight.py [--site site] [PAGE ...]

Measures only; it sets no target.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = ["", "2024/3-thang/", "2024/3-thang/quang-ninh/", "don-vi/quang-ninh/"]
COMPRESSED = (".png", ".jpg", ".woff2", ".gz", ".zip", ".pagefind", ".pf_fragment", ".pf_index")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def weigh(base: str, page: str, live_charts: bool) -> tuple[int, int, int]:
    """Requests, raw bytes and gzipped bytes of one page's cold load."""
    loaded: list[tuple[str, bytes]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 800})
        tab = context.new_page()
        if not live_charts:
            tab.route(
                "**/assets/minhbach-charts.js",
                lambda route: route.fulfill(body="", content_type="text/javascript"),
            )

        def keep(response: object) -> None:
            with contextlib.suppress(Exception):  # a redirect or an aborted request: no body
                loaded.append((response.url, response.body()))  # type: ignore[attr-defined]

        tab.on("response", keep)
        tab.goto(base + page)
        tab.wait_for_load_state("networkidle")
        browser.close()
    raw = sum(len(body) for _, body in loaded)
    packed = sum(
        len(body) if url.endswith(COMPRESSED) else len(gzip.compress(body, 6))
        for url, body in loaded
    )
    return len(loaded), raw, packed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("pages", nargs="*", default=PAGES)
    options = parser.parse_args()
    handler = functools.partial(_Quiet, directory=str(options.site.resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"{'page':<34} {'charts':<11} {'requests':>8} {'raw kB':>9} {'gzip kB':>9}")
    try:
        for page in options.pages:
            for live in (False, True):
                count, raw, packed = weigh(base, page, live)
                kind = "live" if live else "as built"
                print(f"/{page:<33} {kind:<11} {count:>8} {raw / 1000:>9.1f} {packed / 1000:>9.1f}")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
