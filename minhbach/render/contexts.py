"""What each page type's template is given: one dataclass per page type, made from the model.

A page template reads its page type's fields, the page's helpers (`pages.PAGE_NAMES`)
and the renderer's globals, and no other name (tests/test_templates.py). The render
cache keeps a page while what it read of these is unchanged (`reads`, `rendercache`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, get_args

from minhbach.compute.model import PeriodView, SiteModel, UnitHistory, UnitPeriod


@dataclass(frozen=True)
class HomePage:
    """The home page: the latest period, the release calendar, the sections."""

    template: ClassVar[str] = "home.html.j2"
    model: SiteModel


@dataclass(frozen=True)
class PeriodsPage:
    """Every reporting period, by statistical year."""

    template: ClassVar[str] = "periods.html.j2"
    periods: list[PeriodView]


@dataclass(frozen=True)
class UnitsPage:
    """Every unit, with its history's page."""

    template: ClassVar[str] = "units.html.j2"
    histories: list[UnitHistory]


@dataclass(frozen=True)
class MethodologyPage:
    """The methodology, from the catalogue, the rules, the targets and the sources."""

    template: ClassVar[str] = "methodology.html.j2"
    model: SiteModel


@dataclass(frozen=True)
class OpenDataPage:
    """The open data: its files and their columns."""

    template: ClassVar[str] = "open_data.html.j2"
    model: SiteModel
    columns: Any
    """`opendata.COLUMNS`: each file's columns, with their types and descriptions."""


@dataclass(frozen=True)
class SearchPage:
    """The search: a form, and the results Pagefind finds for the query in the address
    (`?q=`), by the site's script (assets/minhbach-search.js). Made from nothing."""

    template: ClassVar[str] = "search.html.j2"


@dataclass(frozen=True)
class RevisionsPage:
    """Every figure revised since its release: release, unit, field, old and new, date,
    reason (`SiteModel.revisions`)."""

    template: ClassVar[str] = "revisions.html.j2"
    model: SiteModel


@dataclass(frozen=True)
class PeriodPage:
    """One period: national figures, ranking, map, the units' inspections and reform."""

    template: ClassVar[str] = "period.html.j2"
    view: PeriodView


@dataclass(frozen=True)
class UnitPeriodPage:
    """One unit in one period. Not the period's view: the page's cache key covers its
    ranks, not the period's other datasets: a page that read the view would be rendered
    again for any dataset of the period (`rendercache`)."""

    template: ClassVar[str] = "unit_period.html.j2"
    page: UnitPeriod
    previous: UnitPeriod | None
    """The same unit a year before, if it reported."""


@dataclass(frozen=True)
class HistoryPage:
    """One unit across its periods (and its predecessors', across the merger)."""

    template: ClassVar[str] = "unit_history.html.j2"
    history: UnitHistory


@dataclass(frozen=True)
class PressReleasePage:
    """The press release of one period's release: headline, key figures, leading and
    trailing units, charts, sources, status and links to the data."""

    template: ClassVar[str] = "press_release.html.j2"
    view: PeriodView
    text: str | None = None  # the editor's own text, Markdown (`editorial.press_texts`)


PageContext = (
    HomePage
    | PeriodsPage
    | UnitsPage
    | MethodologyPage
    | OpenDataPage
    | RevisionsPage
    | SearchPage
    | PeriodPage
    | UnitPeriodPage
    | HistoryPage
    | PressReleasePage
)

#: Every page type, as `PageContext` lists them.
PAGE_TYPES: tuple[type[Any], ...] = get_args(PageContext)


def values(context: PageContext) -> dict[str, Any]:
    """A page's fields by name, as its template sees them (not copied: `asdict` would)."""
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


@dataclass(frozen=True)
class Page:
    """One generated page: its path in the edition, its title, and what it shows."""

    path: str
    title: str
    context: PageContext
    # Its description, made when the page is rendered: a unit page's headline reads its
    # blocks, which a rebuild derives only for the pages it renders (compute.Later).
    describe: Callable[[], str] | None = field(default=None, compare=False)
    other: str = ""  # the same page in the other edition, from the site root

    @property
    def description(self) -> str:
        return self.describe() if self.describe is not None else ""

    @property
    def template(self) -> str:
        """Its page type's template, in `site_templates/pages/`."""
        return self.context.template
