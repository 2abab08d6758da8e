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

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from minhbach.machinery.cache import Store, templates_hash
from minhbach.machinery.cache import key as digest
from minhbach.machinery.uptodate import read_files
from minhbach.render.charts import Chart
from minhbach.render.contexts import HistoryPage, PageContext, PeriodPage, UnitPeriodPage

if TYPE_CHECKING:
    from minhbach.compute.model import SiteModel, UnitHistory, UnitPeriod
    from minhbach.content.periods import Period
    from minhbach.render.charts import Chart


@dataclass
class Keys:
    """The cache key of each generated page, from the model and the files behind it."""

    model: SiteModel
    base: str
    _period: dict[Period, str] = field(default_factory=dict)
    _history: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, model: SiteModel, lang: str) -> Keys:
        root = model.content.root
        shared = read_files(root, ("provinces.yml", "subunits.yml", "targets.yml", "releases.yml"))
        published = sorted(f"{p.period.key}/{p.unit.id}" for p in model.pages)
        # The code and libraries are in every key of the store (`cache.fingerprint`).
        base = digest(lang, templates_hash(), *shared, "\n".join(published))
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

    def page(self, path: str, other: str, context: PageContext) -> str | None:
        """The key of a page, or None for a page that depends on everything."""
        if isinstance(context, UnitPeriodPage):
            unit = context.page
            ranks = json.dumps(
                [sorted(unit.rank.items()), unit.ranked_of, [p.format() for p in unit.flags]]
            )
            try:
                own = self.history(self.model.history(unit.unit.slug))
            except KeyError:  # no history (none is expected): the whole period, as before
                own = digest(self.period(unit.period), self.dataset(unit))
            return digest(self.base, path, other, own, ranks)
        if isinstance(context, PeriodPage):
            period = context.view.period
            before = period.same_period_previous_year()
            return digest(self.base, path, other, self.period(period), self.period(before))
        if isinstance(context, HistoryPage):
            return digest(self.base, path, other, self.history(context.history))
        return None


@dataclass
class RenderCache:
    """The files each rendered page wrote (its Markdown and its charts'), by page key.

    A page whose key is here, and whose files are still what it wrote (the tree's
    record says so without reading them), is not rendered again: the files stay.
    """

    store: Store
    hits: int = 0
    misses: int = 0

    def __post_init__(self) -> None:
        self.store.preload(PAGES)  # small entries, one per page: one query, not thousands

    def get(self, key: str) -> list[tuple[str, str]] | None:
        """The files (path in reports/, digest) the page of this key wrote, if known."""
        found = self.store.get(PAGES, key)
        files = None
        if found is not None:
            try:
                files = [(str(rel), str(sha)) for rel, sha in json.loads(found)]
            except (ValueError, TypeError):
                files = None
        if files is None:
            self.misses += 1
        else:
            self.hits += 1
        return files

    def put(self, key: str, files: Iterable[tuple[str, str]]) -> None:
        self.store.put(PAGES, key, json.dumps(list(files), separators=(",", ":")).encode())


PAGES = "rendered-page"
TRENDS = "trend-chart"


@dataclass
class ChartMemo:
    """The charts a build made from the units' histories (their trends), by key. Made
    again, a trend costs its history's values and a Vega-Lite spec."""

    store: Store
    keys: Keys

    def key(self, history: UnitHistory) -> str:
        """The key of a history's trend: its slug too, since two histories can rest on the
        same datasets (a province with none of its own, and its one sub-unit with data)."""
        return digest(self.keys.base, "trend", history.slug, self.keys.history(history))

    def get(self, key: str) -> Chart | None:
        """The chart kept under `key`, or None (also for a history that has none)."""
        found = self.store.get_object(TRENDS, key)
        return found if isinstance(found, Chart) else None

    def put(self, key: str, chart: Chart | None) -> None:
        if chart is not None:
            self.store.put_object(TRENDS, key, chart)
