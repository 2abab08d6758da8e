"""Where things live in a built site: the sections of each edition and the shared folders.

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
}
#: The open data, language-neutral: one copy, linked from both editions.
DATA_DIR = "du-lieu"
#: Per edition: vega.js (the bundle), locale.json, the chart kinds' templates.
ASSETS = "assets/charts"
