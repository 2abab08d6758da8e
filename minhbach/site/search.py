"""The site's search index: Pagefind, over the site as it is about to be published.

Pagefind (the `pagefind` distribution, which runs Pagefind's own binary) reads every
page's `data-pagefind-body` (main.html puts it on the article, so the header, menus and
footer are not indexed, nor the 404 page), leaves out what the render stage marked
`data-pagefind-ignore` (data tables, charts, cards, download lines: their figures are
in the open data) and the headings' permalinks, and writes a chunked index, one per
`<html lang>`, into `pagefind/` at the site's root. A phone loads only the chunks its
query needs, not every page's text. Words are matched without regard to case and
diacritics, Vietnamese tones included, with exact diacritics ranked higher; the unit
pages carry a `unit` filter and an `end` sort so the search page can list a named
unit's own pages first (assets/minhbach-search.js).

The index is made again on every build that publishes, over the whole new version, into
a fresh folder: the version started as hard links of the published one, whose files
are never written into.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from minhbach.layout import SEARCH_DIR
from minhbach.problems import UserError

#: Not indexed, on every page: the headings' permalinks ("¶").
EXCLUDED = (".headerlink",)
#: Pagefind's own search interfaces, which the site does not use (its search page is the
#: site's own, assets/minhbach-search.js, over `pagefind.js`).
UNUSED = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


def index_site(site: Path) -> str:
    """Write the search index of `site` into `site/pagefind/`; a line for the build's log."""
    out = site / SEARCH_DIR
    shutil.rmtree(out, ignore_errors=True)
    started = time.monotonic()
    command = [
        sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", SEARCH_DIR,
        "--exclude-selectors", ",".join(EXCLUDED), "--silent",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (out / "pagefind.js").is_file():
        said = (done.stderr or done.stdout).strip() or f"exit code {done.returncode}"
        raise UserError(f"{site}: not published: Pagefind could not index the site: {said}")
    for pattern in UNUSED:
        for unused in out.glob(pattern):
            unused.unlink()
    # Its entry file lists the languages in no fixed order: written again with sorted keys
    # (the same JSON), so that two builds of the same content are the same bytes.
    entry = out / "pagefind-entry.json"
    entry.write_text(
        json.dumps(json.loads(entry.read_text("utf-8")), sort_keys=True, ensure_ascii=False,
                   separators=(",", ":")),
        encoding="utf-8",
    )  # fmt: skip
    return f"search: indexed by Pagefind in {time.monotonic() - started:.1f} s"
