"""Rendered pages kept between builds, keyed by the datasets each page depends on.

A data officer who fixes one figure must see the site updated in seconds, but the
reference collection has 2,600 pages per edition and a page takes about 10 ms to
render. Most pages cannot have changed: a page's key is the hash of everything it
can show, and a page whose key is in the cache, and whose files in `reports/` are
still the ones it wrote, is not rendered again.

What a page shows, and so its key (besides the generator's code and templates, the
registry, targets, releases, the set of periods and units published, which every
page depends on through links, names and targets):

- a unit × period page: every dataset of its unit's history (its own figures, the
  trend, the same period last year, the predecessors of a merged unit) and its ranks
  in the period (each rank and the number of units ranked), which the period's other
  datasets decide. Nothing else of the period: the page is rendered without the
  period's view (`render.get_pages`), so a template that reached for it would fail;
- a period page: every dataset of that period (its sub-units' too) and of the same
  period a year before;
- a unit history page: every dataset of its history, and the newest of each sub-unit
  it lists;
- the home page, the lists, the methodology and the open data page: everything, so
  they are always rendered (five pages per edition).

A dataset is identified by the hash of its file. Keys are conservative: a page is
rendered again when a dataset it depends on changes, however little of it the page
shows (a unit's every page, for one figure of one period: each shows the trend).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .pagecache import digest, load_kept, save_kept
from .uptodate import read_files

if TYPE_CHECKING:
    from .charts import Chart
    from .compute import SiteModel, UnitHistory, UnitPeriod
    from .periods import Period

#: Bump when what is cached, or how keys are made, changes.
CACHE_VERSION = "4"

PACKAGE = Path(__file__).resolve().parent


def _tree(root: Path, suffixes: tuple[str, ...]) -> str:
    hasher = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(suffixes):
                path = Path(folder, name)
                hasher.update(str(path.relative_to(root)).encode() + b"\0")
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


@dataclass
class Keys:
    """The cache key of each generated page, from the model and the files behind it."""

    model: SiteModel
    base: str
    _period: dict[Period, str] = field(default_factory=dict)
    _history: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, model: SiteModel, templates: Path, lang: str) -> Keys:
        root = model.content.root
        shared = read_files(root, ("provinces.yml", "subunits.yml", "targets.yml", "releases.yml"))
        published = sorted(f"{p.period.key}/{p.unit.id}" for p in model.pages)
        from .charts import vl_convert_version

        base = digest(
            CACHE_VERSION,
            lang,
            vl_convert_version(),  # image sizes are written into the pages
            _tree(PACKAGE, (".py", ".yml")),
            _tree(templates, (".j2", ".yml")),
            *shared,
            "\n".join(published),
        )
        return cls(model, base)

    def dataset(self, page: UnitPeriod) -> str:
        return self.model.content.file_hash(page.checked.src_path)

    def period(self, period: Period) -> str:
        if period not in self._period:
            view = next((v for v in self.model.periods if v.period == period), None)
            pages = (
                []
                if view is None
                else [*view.pages, *view.subunits, *([view.national] if view.national else [])]
            )
            self._period[period] = digest(*sorted(self.dataset(p) for p in pages))
        return self._period[period]

    def history(self, history: UnitHistory) -> str:
        if history.slug not in self._history:
            latest = [row.latest for row in history.subunits if row.latest is not None]
            pages = [*history.pages, *history.predecessor_pages, *latest]
            self._history[history.slug] = digest(*sorted(self.dataset(p) for p in pages))
        return self._history[history.slug]

    def page(self, template: str, path: str, other: str, context: dict[str, Any]) -> str | None:
        """The key of a page, or None for a page that depends on everything."""
        if template == "unit_period.md.j2":
            unit: UnitPeriod = context["page"]
            ranks = json.dumps(
                [sorted(unit.rank.items()), unit.ranked_of, [p.format() for p in unit.flags]]
            )
            try:
                own = self.history(self.model.history(unit.unit.slug))
            except KeyError:  # no history (none is expected): the whole period, as before
                own = digest(self.period(unit.period), self.dataset(unit))
            return digest(self.base, path, other, own, ranks)
        if template == "period.md.j2":
            period = context["view"].period
            before = period.same_period_previous_year()
            return digest(self.base, path, other, self.period(period), self.period(before))
        if template == "unit_history.md.j2":
            return digest(self.base, path, other, self.history(context["history"]))
        return None


@dataclass
class RenderCache:
    """The files each rendered page wrote (its Markdown and its charts'), by page key.

    A page whose key is here, and whose files are still what it wrote (the tree's
    record says so without reading them), is not rendered again: the files stay.
    One JSON file per edition.
    """

    path: Path
    entries: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    hits: int = 0
    misses: int = 0

    @classmethod
    def load(cls, path: Path) -> RenderCache:
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = {}
        if not isinstance(entries, dict) or entries.get("version") != CACHE_VERSION:
            entries = {"version": CACHE_VERSION, "pages": {}}
        pages = entries.get("pages", {})
        return cls(path, {key: [tuple(f) for f in files] for key, files in pages.items()})

    def get(self, key: str) -> list[tuple[str, str]] | None:
        """The files (path in reports/, digest) the page of this key wrote, if known."""
        found = self.entries.get(key)
        if found is not None:
            self.used.add(key)
            self.hits += 1
        else:
            self.misses += 1
        return found

    def put(self, key: str, files: Iterable[tuple[str, str]]) -> None:
        self.entries[key] = list(files)
        self.used.add(key)

    def save(self) -> None:
        """Keep the entries this build used; drop the rest."""
        kept = {key: self.entries[key] for key in sorted(self.used) if key in self.entries}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        document = {"version": CACHE_VERSION, "pages": kept}
        tmp.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)


@dataclass
class ChartMemo:
    """The charts a build made from the units' histories (their trends), by key: one
    pickle per edition. Made again, a trend costs its history's values and a Vega-Lite
    spec: 0.4 s for the reference's 65 units, on the path of a one-dataset rebuild.
    """

    path: Path
    keys: Keys
    charts: dict[str, Chart | None] = field(default_factory=dict)
    used: dict[str, Chart | None] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, keys: Keys) -> ChartMemo:
        return cls(path, keys, load_kept(path, CACHE_VERSION))

    def key(self, history: UnitHistory) -> str:
        return digest(self.keys.base, "trend", self.keys.history(history))

    def get(self, key: str) -> Chart | None:
        """The chart kept under `key`, or None (also for a history that has none)."""
        found = self.charts.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: str, chart: Chart | None) -> None:
        self.used[key] = chart

    def save(self) -> None:
        """Keep the charts this build used, if they are not what is kept already."""
        if self.used.keys() != self.charts.keys():
            save_kept(self.path, CACHE_VERSION, self.used)
