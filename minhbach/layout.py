"""Where things live: the sections of each edition, the shared folders, the records in reports/.

The editors' pages may not take these names (`editorial.reserved_names`); the render
stage writes its pages and files under them.
"""

from __future__ import annotations

from minhbach.content.periods import Lang

SECTIONS: dict[str, dict[Lang, str]] = {
    "periods": {"vi": "ky-bao-cao", "en": "periods"},
    "units": {"vi": "don-vi", "en": "units"},
    "methodology": {"vi": "phuong-phap", "en": "methodology"},
    "open_data": {"vi": "du-lieu", "en": "data"},
    "about": {"vi": "gioi-thieu", "en": "about"},
    "press": {"vi": "thong-cao", "en": "press-releases"},
    "revisions": {"vi": "dieu-chinh", "en": "revisions"},
    "search": {"vi": "tim-kiem", "en": "search"},
}
#: Pagefind's index and scripts, at the site's root, for both editions (`site.search`).
SEARCH_DIR = "pagefind"
#: The open data, language-neutral: one copy, linked from both editions.
DATA_DIR = "du-lieu"
#: Per edition: vega.js (the bundle), locale.json, the chart kinds' templates.
ASSETS = "assets/charts"

#: In `reports/`: the generated pages (`render.generated`), `pages/<lang>/<path>.json`.
PAGES_DIR = "pages"
#: In `reports/`: every file the render stage wrote, rel path -> [size, mtime_ns,
#: blake2b-128 hex], so that the site stage knows a file's content without reading it.
TREE_MANIFEST = ".minhbach-tree.json"
#: In `reports/`: the content files each generated page was made from, by the page's file
#: ("pages/vi/don-vi/ninh-binh/index.json"), as the check names them. A message about a
#: page names them: the officer wrote those, not the page.
SOURCES_MANIFEST = ".minhbach-sources.json"
