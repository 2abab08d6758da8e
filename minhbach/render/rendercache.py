"""Rendered pages kept between builds, valid while what each page read is unchanged.

A data officer who fixes one figure must see the site updated in seconds, but the
reference collection has 2,600 pages per edition and a page takes about 10 ms to
render. Most pages cannot have changed. A page's entry is found by its key, which
covers what every page depends on (the generator's code and libraries, by the store;
the templates; the registry, targets and releases; the set of pages published; the
page's path and its twin in the other edition), and holds the names of the model
objects the page read while it was rendered (`reads`) with a digest of their content
then. It is used while that digest is still the content's, and the page's files in
`reports/` are still the ones it wrote.

The content of each object a page can read (`Sources`), by the datasets behind it:

- a unit's page in a period: its dataset and those its figures are compared with (the
  same period a year before, its own or its predecessors': `SiteModel.derived_from`),
  its ranks in the period, the check's warnings on it and its revisions since its
  release;
- a period: each of its pages, as above;
- a unit's history: the figures of each of its pages, its predecessors' and its
  sub-units' newest (not their ranks: a template reads a rank from a unit's page, which
  is noted with its ranks);
- the whole model: everything; a page that read it is rendered every time.

A dataset is identified by the hash of its file. Digests are conservative: a page is
rendered again when a dataset behind what it read changes, however little of it the
page shows (a unit's every page, for one figure of one period: each shows the trend).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from minhbach.content.periods import Period
from minhbach.machinery.cache import Store, templates_hash
from minhbach.machinery.cache import key as digest
from minhbach.machinery.uptodate import read_files
from minhbach.render.charts import Chart
from minhbach.render.reads import EVERYTHING

if TYPE_CHECKING:
    from minhbach.compute.model import SiteModel, UnitHistory, UnitPeriod


@dataclass
class Sources:
    """What every page's key holds (`base`), and the content of what a page can read now."""

    model: SiteModel
    base: str
    _digests: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, model: SiteModel, lang: str) -> Sources:
        root = model.content.root
        shared = read_files(root, ("provinces.yml", "subunits.yml", "targets.yml", "releases.yml"))
        published = sorted(f"{p.period.key}/{p.unit.id}" for p in model.pages)
        # The code and libraries are in every key of the store (`cache.fingerprint`).
        base = digest(lang, templates_hash(), *shared, "\n".join(published))
        return cls(model, base)

    def key(self, path: str, other: str, own: str = "") -> str:
        """The key of a page's entry: what every page depends on, and the page (`own`:
        what it shows that is not in the model)."""
        return digest(self.base, path, other, own)

    def digest(self, names: Iterable[str]) -> str | None:
        """The content of what a page read (`reads.Reads.names`) as it is now; None when
        it read everything, or something that is no longer there."""
        parts: list[str] = []
        for name in sorted(names):
            found = self.of_name(name)
            if found is None:
                return None
            parts += [name, found]
        return digest(*parts)

    def of_name(self, name: str) -> str | None:
        if name not in self._digests:
            self._digests[name] = self._of_name(name)
        return self._digests[name]

    def _of_name(self, name: str) -> str | None:
        kind, _, rest = name.partition(":")
        model = self.model
        if kind == "unit":
            period_key, _, unit_id = rest.partition("/")
            page = model.page_of(unit_id, Period.parse(period_key))
            return None if page is None else self.unit(page)
        if kind == "period":
            view = next((v for v in model.periods if v.period == Period.parse(rest)), None)
            return None if view is None else digest(*map(self.unit, view.every_page))
        if kind == "history":
            try:
                history = model.history(rest)
            except KeyError:
                return None
            return self.history(history)
        assert name == EVERYTHING, name
        return None

    def unit(self, page: UnitPeriod) -> str:
        """A unit's page in a period: the datasets of its figures, its ranks and warnings."""
        name = f"unit:{page.period.key}/{page.unit.id}"
        found = self._digests.get(name)
        if found is None:
            ranks = json.dumps([sorted(page.rank.items()), page.ranked_of])
            found = self._digests[name] = digest(self.figures(page), ranks)
        return found

    def figures(self, page: UnitPeriod) -> str:
        """A unit's page in a period without its ranks: the datasets of its figures (its
        own, and those it is compared with: `SiteModel.derived_from`) and the warnings."""
        files = self.model.content.file_hash
        behind = [f"{p.period.key}/{p.unit.id}={files(p.checked.src_path)}"
                  for p in self.model.derived_from(page)]  # fmt: skip
        revised = [f"{r.field}:{r.before}:{r.after}:{r.date}:{r.reason}:{r.released_at}"
                   for r in page.revised]  # fmt: skip
        return digest(*behind, *(problem.format() for problem in page.flags), *revised)

    def history(self, history: UnitHistory) -> str:
        """A unit's history: the figures of each of its pages, its predecessors' and its
        sub-units' newest. Not their ranks: what a history gives is their figures; a page
        that reads a rank reads it from a unit's page, which is noted with its ranks."""
        return digest(*map(self.figures, history_pages(history)))


def history_pages(history: UnitHistory) -> list[UnitPeriod]:
    """The pages a unit's history shows: its own, its predecessors', its sub-units' newest."""
    latest = [row.latest for row in history.subunits if row.latest is not None]
    return [*history.pages, *history.predecessor_pages, *latest]


@dataclass(frozen=True)
class Entry:
    """A rendered page, as the cache keeps it: what it read, and the files it wrote."""

    reads: list[str]  # the names of what it read (`reads.Reads.names`)
    digest: str  # their content then (`Sources.digest`)
    files: list[tuple[str, str]]  # (path in reports/, digest of the bytes)


@dataclass
class RenderCache:
    """The files each rendered page wrote (its page and its charts' data), by page key,
    with what the page read.

    A page whose entry is here, whose reads are unchanged, and whose files are still
    what it wrote (the tree's record says so without reading them), is not rendered
    again: the files stay.
    """

    store: Store

    def __post_init__(self) -> None:
        self.store.preload(PAGES)  # small entries, one per page: one query, not thousands

    def get(self, key: str) -> Entry | None:
        """The entry of the page of this key, if kept (whether still valid or not)."""
        found = self.store.get(PAGES, key)
        entry = None
        if found is not None:
            try:
                data = json.loads(found)
                entry = Entry(
                    [str(name) for name in data["reads"]],
                    str(data["digest"]),
                    [(str(rel), str(sha)) for rel, sha in data["files"]],
                )
            except (ValueError, TypeError, KeyError):
                entry = None
        return entry

    def put(self, key: str, entry: Entry) -> None:
        data = {"reads": entry.reads, "digest": entry.digest, "files": entry.files}
        self.store.put(PAGES, key, json.dumps(data, separators=(",", ":")).encode())


PAGES = "rendered-page"
TRENDS = "trend-chart"


@dataclass
class ChartMemo:
    """The charts a build made from the units' histories (their trends), by key: the
    datasets of the history's pages. Made again, a trend costs its history's values and a
    Vega-Lite spec."""

    store: Store
    sources: Sources

    def key(self, history: UnitHistory) -> str:
        """The key of a history's trend: its slug too, since two histories can rest on the
        same datasets (a province with none of its own, and its one sub-unit with data)."""
        files = self.sources.model.content.file_hash
        behind = sorted(files(page.checked.src_path) for page in history_pages(history))
        return digest(self.sources.base, "trend", history.slug, *behind)

    def get(self, key: str) -> Chart | None:
        """The chart kept under `key`, or None (also for a history that has none)."""
        found = self.store.get_object(TRENDS, key)
        return found if isinstance(found, Chart) else None

    def put(self, key: str, chart: Chart | None) -> None:
        if chart is not None:
            self.store.put_object(TRENDS, key, chart)
