"""Stage 3, compute: derive everything the pages show from checked content.

`compute(content)` returns the site model: for every unit and period its
results blocks with the rate (published, or recomputed from completed ÷
enforceable), the target and the gap to it in percentage points, the change
against the same period of the previous statistical year (relative % for
counts and money, points for rates; the published "so với cùng kỳ" figure
when last year's dataset is absent); per period the units ranked by rate and
national totals summed from units when every unit reported; per unit its
history, merged units combining their predecessors with the break marked.

Published figures are carried as they are, so pages show them as the source
gives them; computed values keep their precision and say when they rest on a
hedged figure ("gần 47"). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Generic, Literal, NamedTuple, TypeVar

from minhbach.check.checked import CheckedDataset, Content
from minhbach.check.embargo import release_time
from minhbach.check.revisions import Revised
from minhbach.content.catalogue import get_catalogue
from minhbach.content.figures import Figure, Qualifier
from minhbach.content.models import (
    SUBAGGREGATES,
    Dataset,
    Inspection,
    Reform,
    Release,
    Results,
    SubUnit,
    TargetEntry,
    UnitEntry,
)
from minhbach.content.numbers import show
from minhbach.content.periods import Period
from minhbach.content.registry import MERGER_DATE, NATION, Registry
from minhbach.machinery.cache import Store
from minhbach.machinery.cache import key as cache_key
from minhbach.machinery.memory import collector_paused
from minhbach.machinery.uptodate import read_files
from minhbach.problems import Problem, Problems

Measure = Literal["count", "money", "percent", "points"]
Basis = Literal["computed", "combined"]
COMPUTED: Basis = "computed"
ZERO = Decimal(0)
HUNDRED = Decimal(100)
RATE_STEP = Decimal("0.01")  # computed rates and changes are shown to two decimals, as reports do


class Value(NamedTuple):
    """A number a page shows: a published figure as given, or a computed value.

    `point` is the value itself (in cases, đồng, % or points); `step` the
    precision to show it with; `approximate` when it rests on a hedged figure. A named
    tuple, not a dataclass: a build makes about a million, which as frozen dataclasses
    took a third of compute to make (each field set through object.__setattr__) and
    twice the memory.
    """

    point: Decimal
    measure: Measure
    step: Decimal = Decimal(1)
    figure: Figure | None = None
    approximate: bool = False

    @classmethod
    def of(cls, figure: Figure, measure: Measure) -> Value:
        return cls(figure.value, measure, figure.step, figure, figure.is_approximate)

    @property
    def published(self) -> bool:
        return self.figure is not None

    @property
    def origin(self) -> Literal["published", "computed"]:
        return "published" if self.figure is not None else "computed"

    def __str__(self) -> str:
        return show(self, "vi")


def add(values: Sequence[Value]) -> Value:
    """The sum of values of one measure; as coarse as its coarsest part."""
    point = ZERO  # the sum() of the points from Decimal(0), term by term
    step = values[0].step
    approximate = False
    for value in values:  # one plain loop: sum, max and any() each cost as much again
        point += value.point
        if value.step > step:
            step = value.step
        if value.approximate:
            approximate = True
    return Value(point, values[0].measure, step, None, approximate)


def ratio(numerator: Value, denominator: Value) -> Value | None:
    """numerator ÷ denominator × 100, or None when the denominator is zero."""
    if denominator.point <= ZERO:  # a Decimal compares with a Decimal three times faster
        return None
    return Value(
        numerator.point / denominator.point * HUNDRED,
        "percent",
        RATE_STEP,
        None,
        numerator.approximate or denominator.approximate,
    )


def difference(minuend: Value, subtrahend: Value, measure: Measure) -> Value:
    """minuend − subtrahend, to the finer of the two precisions (81,89 − 81,50 = 0,39)."""
    # The first of equal steps, as min() gives: Decimal("1") and Decimal("1.0") are equal.
    step = subtrahend.step if subtrahend.step < minuend.step else minuend.step
    return Value(
        minuend.point - subtrahend.point,
        measure,
        step,
        None,
        minuend.approximate or subtrahend.approximate,
    )


class Change(NamedTuple):
    """How one field moved against the same period of the previous statistical year (a
    named tuple, as `Value` is: a build makes a quarter of a million)."""

    key: str
    absolute: Value | None = None  # in the field's own measure
    percent: Value | None = None  # relative change, for counts and money
    points: Value | None = None  # for rates
    previous: Value | None = None  # last year's value, when it is known
    basis: Literal["computed", "published", "combined"] = "computed"
    published: Change | None = None  # the source's own change, beside a computed one
    differs: bool = False  # the source's change disagrees with the computed one (the check)


@dataclass(frozen=True)
class Target:
    """The completion-rate target a block is measured against, and where it comes from.

    An annual target judges a 12-month result only; on a sub-annual page it is shown for
    reference (`judged` false: no gap, no met or not met), unless a progress target for
    that period is on record (`kind` "progress"), which then judges it. A target `derived`
    from a published gap (rate − gap) is one no source states.
    """

    value: Value
    origin: Literal["dataset", "targets", "derived"]
    entry: TargetEntry | None = None
    kind: Literal["annual", "progress"] = "annual"
    judged: bool = True
    year: int | None = None  # the statistical year of an annual target

    @property
    def derived(self) -> bool:
        return self.origin == "derived"

    @property
    def reference(self) -> bool:
        """An annual target shown beside a sub-annual result, not judging it."""
        return not self.judged


@dataclass(frozen=True)
class BlockView:
    """One results block (cases, money, or a sub-aggregate's) with what is derived from it."""

    key: str  # "cases", "money", "state_budget.money"
    group: str | None  # sub-aggregate name, or None for the totals
    amount: Literal["count", "money"]
    fields: dict[str, Value]  # published amounts, in catalogue order
    rate: Value | None  # published rate, else the recomputed one
    rate_computed: Value | None  # completed ÷ enforceable, when both are published
    target: Target | None
    gap: Value | None  # rate − target in points (the published margin when given)
    met: bool | None
    changes: dict[str, Change]

    @property
    def measure(self) -> Measure:
        return self.amount

    def get(self, key: str) -> Value | None:
        if key == "rate":
            return self.rate
        return self.fields.get(key)


T = TypeVar("T")


class Later(Generic[T]):
    """A value made on first use, by `make`, once; equal to another by that value.

    The model is made lazily where a rebuild needs only part of it: a one-dataset
    rebuild renders the pages of one period and one unit's history, and deriving the
    blocks, totals and rankings of every other page was a third of its time.
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    def get(self) -> T:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value  # type: ignore[return-value]

    @property
    def made(self) -> bool:
        return self._make is None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Later):
            return bool(self.get() == other.get())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:  # without making it
        return f"Later({self._value!r})" if self.made else "Later(not made yet)"


class Blocks(Mapping[str, BlockView]):
    """A page's blocks by key, derived on first use (see `Later`)."""

    __slots__ = ("_later",)

    def __init__(self, make: Callable[[], dict[str, BlockView]]) -> None:
        self._later = Later(make)

    @property
    def made(self) -> bool:
        return self._later.made

    def __getitem__(self, key: str) -> BlockView:
        return self._later.get()[key]

    def get(self, key: str, default: BlockView | None = None) -> BlockView | None:  # type: ignore[override]
        return self._later.get().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._later.get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._later.get())

    def __len__(self) -> int:
        return len(self._later.get())

    def __repr__(self) -> str:
        return f"Blocks({self._later!r})"


@dataclass(frozen=True)
class UnitPeriod:
    """One unit's page for one period."""

    unit: UnitEntry
    period: Period
    checked: CheckedDataset
    blocks: Mapping[str, BlockView]
    rank: dict[str, int] = field(default_factory=dict)  # rank by rate among the period's units
    ranked_of: int = 0
    flags: tuple[Problem, ...] = ()  # the check's warnings on its figures (`Content.flags`)
    revised: tuple[Revised, ...] = ()  # its figures revised since the release (`Content.revised`)

    @property
    def dataset(self) -> Dataset:
        return self.checked.dataset

    @property
    def is_national(self) -> bool:
        return self.unit.scheme == "national"

    @property
    def is_subunit(self) -> bool:
        """A district branch or regional office: never ranked, mapped or summed."""
        return isinstance(self.unit, SubUnit)

    def block(self, key: str) -> BlockView | None:
        return self.blocks.get(key)

    def rate_point(self, key: str) -> Decimal | None:
        """The rate of block `key` (as `block(key).rate.point`), without deriving the blocks."""
        if isinstance(self.blocks, Blocks) and not self.blocks.made:
            headline = self.checked.summary.headline.get(key)
            if headline is None:
                return None
            rate, completed, enforceable = headline
            if rate is not None:
                return rate.value
            if isinstance(completed, Figure) and isinstance(enforceable, Figure):
                computed = ratio(Value.of(completed, "count"), Value.of(enforceable, "count"))
                return computed.point if computed is not None else None
            return None
        block = self.blocks.get(key)
        return block.rate.point if block is not None and block.rate is not None else None


@dataclass(frozen=True)
class RankRow:
    """A unit's place in a period's ranking by completion rate."""

    page: UnitPeriod
    cases: BlockView | None
    money: BlockView | None
    rank_cases: int | None
    rank_money: int | None


@dataclass(frozen=True)
class Totals:
    """National totals summed from every unit of a period, reconciled with a national dataset."""

    blocks: dict[str, BlockView]
    units: int
    mismatches: list[str]


@dataclass(frozen=True)
class PeriodView:
    """One period: its units, ranking, national figures and release."""

    period: Period
    scheme: str
    expected: int  # units in force at the period's end
    pages: list[UnitPeriod]  # provincial pages, by name
    merged: list[UnitPeriod]  # merged units reporting this pre-merger period (`reported_as`)
    national: UnitPeriod | None
    later_ranking: Later[list[RankRow]]
    later_totals: Later[tuple[Totals | None, list[Problem]]]
    release: Release | None
    subunits: list[UnitPeriod] = field(default_factory=list)  # by parent, then name

    @property
    def complete(self) -> bool:
        return len(self.pages) == self.expected

    @property
    def revisions(self) -> list[Revised]:
        """The period's figures revised since its release, as `SiteModel.revisions`."""
        return latest_first(r for page in self.every_page for r in page.revised)

    @property
    def every_page(self) -> list[UnitPeriod]:
        """Every page of the period: the national page, the provinces', the merged units'
        (`reported_as`), the sub-units'."""
        return [
            *([self.national] if self.national else []),
            *self.pages,
            *self.merged,
            *self.subunits,
        ]

    @property
    def ranking(self) -> list[RankRow]:
        return self.later_ranking.get()

    @property
    def totals(self) -> Totals | None:
        """The units' figures summed, when every unit reported (made on first use)."""
        return self.later_totals.get()[0]

    @property
    def reconciliation(self) -> list[Problem]:
        """A warning for each figure of the national dataset the units' totals contradict."""
        return self.later_totals.get()[1]


@dataclass(frozen=True)
class Combined:
    """Predecessors' figures of one pre-merger period, summed for a merged unit."""

    period: Period
    parts: list[UnitPeriod]
    blocks: Mapping[str, BlockView]


@dataclass(frozen=True)
class SubunitRow:
    """A sub-unit as its province's history lists it: with its newest page, if any."""

    unit: SubUnit
    latest: UnitPeriod | None


@dataclass(frozen=True)
class UnitHistory:
    """Every period of one unit slug, across the 2025 merger."""

    slug: str
    units: list[UnitEntry]  # the entries with this slug: pre2025 and/or post2025, or the nation
    pages: list[UnitPeriod]  # this slug's own pages, oldest first
    predecessors: list[UnitEntry]  # of the post2025 unit, when it was formed from others
    predecessor_pages: list[UnitPeriod]
    combined: list[Combined]  # predecessor periods where every predecessor reported
    successor: UnitEntry | None  # the post2025 unit an old unit became part of
    subunits: list[SubunitRow] = field(default_factory=list)  # of a province, as listed
    parent: UnitEntry | None = None  # of a sub-unit

    @property
    def is_subunit(self) -> bool:
        return self.parent is not None

    @property
    def current(self) -> UnitEntry:
        return self.units[-1]

    @property
    def merged(self) -> bool:
        """Whether the 2025 merger changed this unit (a break in its series)."""
        if self.successor is not None:
            return self.successor.formed_from != [self.slug]
        return len(self.predecessors) > 1


@dataclass(frozen=True)
class SiteModel:
    """Everything the pages show, derived from checked content."""

    content: Content
    pages: list[UnitPeriod]  # every unit × period, by period then unit
    periods: list[PeriodView]  # newest first
    histories: list[UnitHistory]  # by unit name
    releases: list[Release]
    epoch: int  # reproducible build time: the newest date in the content

    @property
    def registry(self) -> Registry:
        assert self.content.registry is not None
        return self.content.registry

    @property
    def latest(self) -> PeriodView | None:
        return self.periods[0] if self.periods else None

    @property
    def revisions(self) -> list[Revised]:
        """Every figure revised since its release: the latest revision first, then by
        period, unit and field."""
        return latest_first(r for revised in self.content.revised.values() for r in revised)

    def history(self, slug: str) -> UnitHistory:
        """The history of a unit slug; KeyError if no page belongs to it."""
        return self._history_by_slug[slug]

    def page_of(self, unit_id: str, period: Period) -> UnitPeriod | None:
        """The page of a unit (by `UnitEntry.id`) in a period, if it reported."""
        return self._page_by_key.get((unit_id, period))

    def derived_from(self, page: UnitPeriod) -> list[UnitPeriod]:
        """The pages whose datasets a page's blocks are made of: itself, and the same
        period a year before, its own or its predecessors' (the rule of `_previous_blocks`)."""
        before = page.period.same_period_previous_year()
        own = self.page_of(page.unit.id, before)
        if own is not None:
            return [page, own]
        if page.unit.scheme == "post2025" and before.end < MERGER_DATE:
            parts = [self.page_of(old.id, before) for old in self.registry.predecessors(page.unit)]
            return [page, *(part for part in parts if part is not None)]
        return [page]

    def make(
        self, periods: Iterable[Period], slugs: Iterable[str], pages: Iterable[UnitPeriod]
    ) -> None:
        """Make now what the pages of these periods, unit histories and unit pages show,
        which is otherwise made on first use: forked renderers then share it, instead of
        each making its own copy."""
        with collector_paused():  # millions of values: see `collector_paused`
            self._make(set(periods), set(slugs), pages)

    def _make(self, wanted: set[Period], slugs: set[str], pages: Iterable[UnitPeriod]) -> None:
        for one in pages:
            len(one.blocks)
        for view in self.periods:
            if view.period in wanted:
                for page in view.every_page:
                    len(page.blocks)
                view.ranking, view.totals  # noqa: B018
        for slug in slugs:
            history = self._history_by_slug.get(slug)
            if history is not None:
                latest = [row.latest for row in history.subunits if row.latest is not None]
                for page in [*history.pages, *history.predecessor_pages, *latest]:
                    len(page.blocks)
                for combined in history.combined:
                    len(combined.blocks)

    # Indexes, built on first use: pages look each other up thousands of times.

    @functools.cached_property
    def _history_by_slug(self) -> dict[str, UnitHistory]:
        by_slug: dict[str, UnitHistory] = {}
        for history in self.histories:
            by_slug.setdefault(history.slug, history)  # the first, as a scan would find it
        return by_slug

    @functools.cached_property
    def _page_by_key(self) -> dict[tuple[str, Period], UnitPeriod]:
        by_key: dict[tuple[str, Period], UnitPeriod] = {}
        for page in self.pages:
            by_key.setdefault((page.unit.id, page.period), page)
        return by_key


# --- the stage ---


def latest_first(revisions: Iterable[Revised]) -> list[Revised]:
    """Revised figures, the latest revision first, then by period, unit and field."""
    found = sorted(revisions, key=lambda r: (r.period.end, r.period.months, r.unit_id, r.field))
    found.sort(key=lambda r: r.date, reverse=True)
    return found


def compute(content: Content, store: Store | None = None) -> tuple[SiteModel, Problems]:
    """Derive the site model from checked content; reconciliation problems are warnings.

    The pages' blocks, the periods' rankings and totals and the combined predecessors are
    made on first use (`Later`); the national reconciliation's warnings are reported here,
    for every period. With a `store`, they are kept there by the datasets of each period,
    so that a period whose datasets did not change is not summed until a page needs it.
    """
    with collector_paused():
        model, problems = _compute(content)
        shared = read_files(content.root, ("provinces.yml", "subunits.yml", "targets.yml"))
        base = cache_key(str(content.root), *shared)
        for view in model.periods:
            key = _reconciled_key(base, content, view)
            found = store.get_object(RECONCILED, key) if store is not None else None
            if not isinstance(found, list):
                found = view.reconciliation
                if store is not None:
                    store.put_object(RECONCILED, key, found)
            problems.extend(found)
    return model, problems


#: The national reconciliation's warnings of a period, by what it read: the registry and
#: targets, and the files of the period's datasets.
RECONCILED = "reconciled"


def _reconciled_key(base: str, content: Content, view: PeriodView) -> str:
    pages = [*view.pages, *([view.national] if view.national else [])]
    files = sorted(f"{p.checked.src_path}\0{content.file_hash(p.checked.src_path)}" for p in pages)
    return cache_key(base, view.period.key, *files)


def _compute(content: Content) -> tuple[SiteModel, Problems]:
    problems = Problems()
    registry = content.registry
    assert registry is not None, "compute runs only on content that passed the check"
    by_key = {(c.unit_id, c.period): c for c in content.datasets}
    made = _Made(by_key, content.flags, content.revised)
    # In the content's order, as ranks' ties need.
    pages = {key: _unit_period(by_key[key], registry, made, content.targets) for key in by_key}
    keys_by_period: dict[Period, list[tuple[str, Period]]] = defaultdict(list)
    for key in pages:
        keys_by_period[key[1]].append(key)
    periods = [
        _period_view(period, registry, pages, keys_by_period[period], content, made)
        for period in sorted(keys_by_period, key=lambda p: (p.end, p.months), reverse=True)
    ]
    all_pages = sorted(
        pages.values(),
        key=lambda p: (p.period.end, p.period.months, not p.is_national, name_key(p.unit.name.vi)),
    )
    pages_by_id: dict[str, list[UnitPeriod]] = defaultdict(list)
    for page in all_pages:
        pages_by_id[page.unit.id].append(page)
    histories = _histories(registry, pages_by_id)
    model = SiteModel(
        content=content,
        pages=all_pages,
        periods=periods,
        histories=histories,
        releases=sorted(content.releases, key=lambda r: _as_date(r.publish_at), reverse=True),
        epoch=_epoch(content),
    )
    return model, problems


@dataclass
class _Made:
    """The datasets by unit id and period, and the blocks made of them so far.

    The pages' blocks are made when first used, each from its own dataset and the same
    period last year (`_previous_blocks`): that year's are read here, not through its page,
    so that no page's lazy blocks refer back to the pages (no reference cycles).
    """

    checked: dict[tuple[str, Period], CheckedDataset]
    flags: dict[str, tuple[Problem, ...]] = field(default_factory=dict)  # Content.flags
    revised: dict[str, tuple[Revised, ...]] = field(default_factory=dict)  # Content.revised
    blocks: dict[tuple[str, Period], Mapping[str, BlockView]] = field(default_factory=dict)

    def bare(self, unit_id: str, period: Period) -> Mapping[str, BlockView] | None:
        """The blocks of a dataset as a change against them reads them (fields and rate):
        the page's blocks if made, else made without their own changes, so that a page does
        not make last year's blocks, and those of the year before, back to the first year."""
        key = (unit_id, period)
        found = self.blocks.get(key)
        if found is None and (checked := self.checked.get(key)) is not None:
            found = self.blocks[key] = {
                key: block_view(key, group, amount, results, None)
                for key, group, results, amount in _results_of(checked.dataset)
            }
        return found


def _unit_period(
    checked: CheckedDataset,
    registry: Registry,
    made: _Made,
    targets: dict[tuple[str, int], TargetEntry],
) -> UnitPeriod:
    unit = registry.get(checked.unit_id)

    def derive() -> dict[str, BlockView]:
        previous = _previous_blocks(unit, checked.period, registry, made)
        entry = targets.get((checked.unit_id, checked.period.year))
        differing = _differing(made.flags.get(checked.src_path, ()))
        blocks: dict[str, BlockView] = {}
        for key, group, results, amount in _results_of(checked.dataset):
            target = _target(checked, key, group, results, entry)
            before, basis = previous.get(key) or (None, COMPUTED)
            blocks[key] = block_view(
                key,
                group,
                amount,
                results,
                target,
                before,
                basis,
                checked.period,
                differing.get(key, frozenset()),
            )
        made.blocks[(unit.id, checked.period)] = blocks
        return blocks

    flags = made.flags.get(checked.src_path, ())
    revised = made.revised.get(checked.src_path, ())
    return UnitPeriod(unit, checked.period, checked, Blocks(derive), flags=flags, revised=revised)


def _differing(flags: tuple[Problem, ...]) -> dict[str, frozenset[str]]:
    """The fields, by block key, whose published change the check found to disagree with
    last year's dataset (a `published_change` warning, acknowledged or not)."""
    found: dict[str, set[str]] = defaultdict(set)
    for problem in flags:
        loc = problem.loc
        if problem.rule == "published_change" and loc and len(loc) >= 4 and loc[-3] == "change":
            found[".".join(str(part) for part in loc[:-3])].add(str(loc[-2]))
    return {key: frozenset(fields) for key, fields in found.items()}


def _results_of(
    dataset: Dataset,
) -> Iterable[tuple[str, str | None, Results, Literal["count", "money"]]]:
    for name in ("cases", "money"):
        results: Results | None = getattr(dataset, name)
        if results is not None:
            yield name, None, results, _amount(name)
    for group in SUBAGGREGATES:
        sub = getattr(dataset, group)
        for name in ("cases", "money"):
            results = getattr(sub, name) if sub is not None else None
            if results is not None:
                yield f"{group}.{name}", group, results, _amount(name)


def _amount(name: str) -> Literal["count", "money"]:
    return "count" if name == "cases" else "money"


def _target(
    checked: CheckedDataset,
    key: str,
    group: str | None,
    results: Results,
    entry: TargetEntry | None,
) -> Target | None:
    """The target that judges the block: the annual one for a 12-month period; for a
    sub-annual one its progress target when on record, else the annual one for reference."""
    period = checked.period
    annual = period.months == 12
    year = period.year
    if not annual:
        progress = progress_target(results, entry, period.key, None if group else key)
        if progress is not None:
            own, origin = progress
            listed = entry if origin == "targets" else None
            return Target(Value.of(own, "percent"), origin, listed, "progress", True)
    if group is not None:
        if results.target is None:
            return None
        return Target(Value.of(results.target, "percent"), "dataset", None, "annual", annual, year)
    figure = checked.targets.get(key)
    if figure is None:
        return None
    if results.target is not None:
        return Target(Value.of(figure, "percent"), "dataset", None, "annual", annual, year)
    return Target(Value.of(figure, "percent"), "targets", entry, "annual", annual, year)


def progress_target(
    results: Results, entry: TargetEntry | None, period_key: str, key: str | None
) -> tuple[Figure, Literal["dataset", "targets"]] | None:
    """A sub-annual period's progress target: the dataset's own, else targets.yml's for
    that period (`key` 'cases' or 'money'; None for a sub-aggregate, which has only its own)."""
    if results.progress_target is not None:
        return results.progress_target, "dataset"
    if key is None or entry is None:
        return None
    listed = entry.progress_target.get(period_key)
    figure = getattr(listed, key) if listed is not None else None
    return (figure, "targets") if figure is not None else None


AMOUNT_KEYS = tuple(
    key for key, f in get_catalogue().groups["results"].fields.items() if f.measure == "amount"
)


def block_view(
    key: str,
    group: str | None,
    amount: Literal["count", "money"],
    results: Results,
    target: Target | None,
    previous: BlockView | None = None,
    basis: Literal["computed", "combined"] = "computed",
    period: Period | None = None,
    differing: frozenset[str] = frozenset(),
) -> BlockView:
    """Derive a block's rate, gap to target and change from its published figures.

    A target that does not judge the period (an annual one beside a sub-annual result)
    gives no gap and no met; a published gap without a target on record implies one
    (rate − gap), marked derived."""
    fields: dict[str, Value] = {}
    for k in AMOUNT_KEYS:
        figure = getattr(results, k)  # as Results.figure(k), without a call per key
        if isinstance(figure, Figure):
            fields[k] = Value(figure.value, amount, figure.step, figure, figure.is_approximate)
    published_rate = Value.of(results.rate, "percent") if results.rate is not None else None
    completed, enforceable = fields.get("completed"), fields.get("enforceable")
    rate_computed = ratio(completed, enforceable) if completed and enforceable else None
    rate = published_rate or rate_computed
    gap: Value | None = None
    if results.target_gap is not None:
        gap = Value.of(results.target_gap, "points")
        if target is None and rate is not None:
            target = _derived_target(rate, gap, period)
    elif rate is not None and target is not None and target.judged:
        gap = target_gap(rate, target)
    met = _met(rate, target, gap) if target is None or target.judged else None
    changes = _changes(amount, fields, rate, results, previous, basis, differing)
    return BlockView(key, group, amount, fields, rate, rate_computed, target, gap, met, changes)


# A target "trên 81,50%" is a threshold, not a hedged figure: the gap to it is as exact as
# the rate ("thấp hơn 32,30 điểm %", not "khoảng 32,30").
_THRESHOLDS = frozenset({Qualifier.OVER, Qualifier.MORE_THAN, Qualifier.UNDER})


def target_gap(rate: Value, target: Target) -> Value:
    """rate − target in points; a threshold's qualifier does not make the gap approximate."""
    value = target.value
    qualifier = value.figure.qualifier if value.figure is not None else None
    if qualifier in _THRESHOLDS:
        value = Value(value.point, value.measure, value.step, value.figure, False)
    return difference(rate, value, "points")


def _derived_target(rate: Value, gap: Value, period: Period | None) -> Target:
    """The target a published gap implies (rate − gap): a 12-month one judges, a
    sub-annual one is shown for reference like any annual target."""
    annual = period is None or period.months == 12
    value = difference(rate, gap, "percent")
    return Target(value, "derived", None, "annual", annual, period.year if period else None)


def _met(rate: Value | None, target: Target | None, gap: Value | None) -> bool | None:
    if rate is None or target is None or gap is None:
        return None
    # "chỉ tiêu trên 83,25%" is met only above it; a plain target is met from it.
    qualifier = target.value.figure.qualifier if target.value.figure else None
    if qualifier is not None and qualifier.direction > 0:
        return gap.point > 0
    return gap.point >= 0


def _changes(
    amount: Literal["count", "money"],
    fields: dict[str, Value],
    rate: Value | None,
    results: Results,
    previous: BlockView | None,
    basis: Literal["computed", "combined"],
    differing: frozenset[str] = frozenset(),
) -> dict[str, Change]:
    """Each field's change on the same period last year: computed from last year's dataset
    when there is one, else the source's; where both exist the computed one carries the
    source's (`Change.published`), so the page shows the source's figure and the computed
    one beside it when they disagree (`differing`: the fields the check found so)."""
    changes: dict[str, Change] = {}
    if previous is not None:
        before = previous.fields
        for key, now in fields.items():
            then = before.get(key)
            if then is None:
                continue
            # difference(now, then) and ratio(absolute, then), inlined: a build runs this
            # a quarter of a million times.
            approximate = now.approximate or then.approximate
            step = then.step if then.step < now.step else now.step
            absolute = Value(now.point - then.point, now.measure, step, None, approximate)
            percent = None
            if then.point > ZERO:
                point = absolute.point / then.point * HUNDRED
                percent = Value(point, "percent", RATE_STEP, None, approximate)
            changes[key] = Change(key, absolute, percent, None, then, basis)
        if rate is not None and previous.rate is not None:
            points = difference(rate, previous.rate, "points")
            changes["rate"] = Change("rate", None, None, points, previous.rate, basis)
    for key, published in results.change.items():
        measure: Measure = "percent" if key == "rate" else amount
        source = Change(
            key,
            absolute=Value.of(published.absolute, measure) if published.absolute else None,
            percent=Value.of(published.percent, "percent") if published.percent else None,
            points=Value.of(published.points, "points") if published.points else None,
            basis="published",
        )
        computed = changes.get(key)
        if computed is None:
            changes[key] = source
        else:
            changes[key] = computed._replace(published=source, differs=key in differing)
    return changes


def _previous_blocks(
    unit: UnitEntry,
    period: Period,
    registry: Registry,
    made: _Made,
) -> dict[str, tuple[BlockView, Literal["computed", "combined"]]]:
    """Last year's blocks of the same period: the unit's own, or its predecessors' summed."""
    # A change reads only the fields and rate of last year's blocks, which do not depend
    # on that page's target or changes: its page's blocks serve as they are.
    before = period.same_period_previous_year()
    own = made.bare(unit.id, before)
    if own is not None:
        return {key: (block, "computed") for key, block in own.items()}
    if unit.scheme == "post2025" and before.end < MERGER_DATE:
        parts = [made.bare(old.id, before) for old in registry.predecessors(unit)]
        if parts and all(p is not None for p in parts):
            blocks = combine_blocks([p for p in parts if p is not None])
            # A unit the merger left unchanged continues its own series.
            basis: Basis = "computed" if unit.formed_from == [unit.slug] else "combined"
            return {key: (block, basis) for key, block in blocks.items()}
    return {}


def combine_blocks(
    parts: Sequence[Mapping[str, BlockView]], target: dict[str, Target] | None = None
) -> dict[str, BlockView]:
    """Sum the blocks of several units: each amount every part has, and the rate recomputed."""
    combined: dict[str, BlockView] = {}
    keys = [key for key in parts[0] if all(key in p for p in parts)] if parts else []
    for key in keys:
        blocks = [p[key] for p in parts]
        fields: dict[str, Value] = {}
        for k in AMOUNT_KEYS:  # each amount every part has
            values = [block.fields.get(k) for block in blocks]
            if all(values):  # a Value is always true, None false
                fields[k] = add(values)  # type: ignore[arg-type]
        if not fields:
            continue  # a sum of rates alone means nothing: no figure to add up
        completed, enforceable = fields.get("completed"), fields.get("enforceable")
        rate = ratio(completed, enforceable) if completed and enforceable else None
        own_target = (target or {}).get(key)
        judged = own_target is not None and own_target.judged
        gap = target_gap(rate, own_target) if rate and own_target is not None and judged else None
        combined[key] = BlockView(
            key,
            blocks[0].group,
            blocks[0].amount,
            fields,
            rate,
            rate,
            own_target,
            gap,
            _met(rate, own_target, gap) if judged else None,
            {},
        )
    return combined


# --- periods ---


def _period_view(
    period: Period,
    registry: Registry,
    pages: dict[tuple[str, Period], UnitPeriod],
    period_keys: list[tuple[str, Period]],
    content: Content,
    made: _Made,
) -> PeriodView:
    """Rank the period's units (updating their pages in `pages`); its ranking and national
    totals are made on first use."""
    scheme = registry.scheme_on(period.end)
    expected = len(registry.in_scheme(scheme))
    keys = sorted(
        (key for key in period_keys if not pages[key].is_national and not pages[key].is_subunit),
        key=lambda key: name_key(pages[key].unit.name.vi),
    )
    # A merged unit reporting a 2025 period before the merger (`reported_as: post2025`) is
    # not one of the period's 63 units: it is listed apart, never ranked or summed with them.
    merged = [pages[k] for k in keys if pages[k].unit.scheme != scheme]
    keys = [k for k in keys if pages[k].unit.scheme == scheme]
    # Sub-units have pages of their own but are never ranked or summed with the provinces.
    subunits = sorted(
        (pages[key] for key in period_keys if pages[key].is_subunit),
        key=lambda page: _subunit_order(page.unit, registry),
    )
    ranks = {amount: _ranks([pages[k] for k in keys], amount) for amount in ("cases", "money")}
    rated = max(len(r) for r in ranks.values())
    for key in keys:
        rank = {a: r[key[0]] for a, r in ranks.items() if key[0] in r}
        pages[key] = replace(pages[key], rank=rank, ranked_of=rated)
    units = [pages[k] for k in keys]
    national = pages.get((NATION, period))
    release = next((r for r in content.releases if r.period == period.key), None)

    def totals() -> tuple[Totals | None, list[Problem]]:
        if not units or len(units) != expected:
            return None, []
        # Summed from the units' bare blocks (`_Made.bare`): the sums read only their fields.
        bare = [made.bare(unit.unit.id, period) or {} for unit in units]
        reported = made.bare(NATION, period) if national is not None else None
        summed, found = _totals(period, bare, national, reported, content)
        return (summed if summed.blocks else None), found

    return PeriodView(
        period,
        scheme,
        expected,
        units,
        merged,
        national,
        Later(functools.partial(_ranking, units)),
        Later(totals),
        release,
        subunits,
    )


def _subunit_order(unit: UnitEntry, registry: Registry) -> tuple[str, str]:
    """Sub-units by their province's name, then their own."""
    parent = registry.parent(unit) if isinstance(unit, SubUnit) else unit
    return name_key(parent.name.vi), name_key(unit.name.vi)


def _ranking(pages: Sequence[UnitPeriod]) -> list[RankRow]:
    """The period's units by rank in cases, then money, then name; unrated units last."""
    rows = [
        RankRow(
            page,
            page.block("cases"),
            page.block("money"),
            page.rank.get("cases"),
            page.rank.get("money"),
        )
        for page in pages
    ]
    unranked = len(rows) + 1
    return sorted(
        rows,
        key=lambda r: (
            r.rank_cases or unranked,
            r.rank_money or unranked,
            name_key(r.page.unit.name.vi),
        ),
    )


def _ranks(pages: Sequence[UnitPeriod], key: str) -> dict[str, int]:
    """Competition ranks by rate, highest first: equal rates share a rank (1, 2, 2, 4)."""
    rated = [(rate, page.unit.id) for page in pages if (rate := page.rate_point(key)) is not None]
    rated.sort(key=lambda r: r[0], reverse=True)
    ranks: dict[str, int] = {}
    for index, (rate, unit_id) in enumerate(rated):
        same = index > 0 and rated[index - 1][0] == rate
        ranks[unit_id] = ranks[rated[index - 1][1]] if same else index + 1
    return ranks


def _totals(
    period: Period,
    units: Sequence[Mapping[str, BlockView]],
    national: UnitPeriod | None,
    reported_blocks: Mapping[str, BlockView] | None,
    content: Content,
) -> tuple[Totals, list[Problem]]:
    """The units' blocks summed, and a warning for each national figure they contradict."""
    problems = Problems()
    entry = content.targets.get((NATION, period.year))
    annual = period.months == 12
    targets: dict[str, Target] = {}
    for key in ("cases", "money"):
        listed = entry.progress_target.get(period.key) if entry is not None else None
        progress = getattr(listed, key) if listed is not None and not annual else None
        fig = getattr(entry, key) if entry is not None else None
        if progress is not None:
            targets[key] = Target(Value.of(progress, "percent"), "targets", entry, "progress")
        elif fig is not None:
            value = Value.of(fig, "percent")
            targets[key] = Target(value, "targets", entry, "annual", annual, period.year)
    blocks = combine_blocks(units, targets)
    mismatches: list[str] = []
    if national is not None and reported_blocks is not None:
        for key, summed in blocks.items():
            reported = reported_blocks.get(key)
            if reported is None:
                continue
            for name, total in summed.fields.items():
                figure = reported.fields.get(name)
                if figure is None or figure.figure is None:
                    continue
                low, high = figure.figure.bounds(rounded=figure.step > 1)
                s_low, s_high = _summed_bounds(units, key, name, total)
                if s_high < low or s_low > high:
                    message = (
                        f"the national dataset has {show(figure, 'vi')} but the "
                        f"{len(units)} units of {period} sum to {show(total, 'vi')}"
                    )
                    mismatches.append(f"{key}.{name}: {message}")  # the page names the field
                    problems.warning(
                        national.checked.src_path,
                        national.checked.doc.mark((*key.split("."), name)),
                        f"{key}.{name}",
                        message,
                        hint="check the national and the units' datasets against their sources",
                        rule="national_totals",
                    )
    return Totals(blocks, len(units), mismatches), problems.items


def _summed_bounds(
    units: Sequence[Mapping[str, BlockView]], key: str, name: str, total: Value
) -> tuple[Decimal, Decimal]:
    """The range the units' sum of a field stands for: a hedged unit figure is its range."""
    if not total.approximate:
        return total.point, total.point
    low = high = Decimal(0)
    for unit in units:
        value = unit[key].fields[name]  # every unit has it: `total` sums them all
        if value.figure is not None and value.figure.qualifier is not None:
            v_low, v_high = value.figure.bounds()
        else:
            v_low = v_high = value.point
        low, high = low + v_low, high + v_high
    return low, high


# --- histories ---


def _histories(registry: Registry, pages_by_id: dict[str, list[UnitPeriod]]) -> list[UnitHistory]:
    """A history for every unit with data, and for every unit a history links to.

    A predecessor's history links to its successor, and a merged unit's history links to
    all its predecessors (its merger note), so both are added: a predecessor with data
    brings its successor, and every successor brings all its predecessors, with or
    without data of their own (their page then says there is none). Without the second
    step, Nam Định's data alone made a Ninh Bình history linking to a Hà Nam page that
    was never made, and the strict MkDocs build failed on a dataset the check accepted.

    A sub-unit's history links to its province's, which lists all the province's
    sub-units, each linking to its own: a sub-unit with data brings its province (and
    what the province brings), and every province brings its sub-units.
    """
    slugs = {page.unit.slug for pages in pages_by_id.values() for page in pages}
    for pages in pages_by_id.values():
        for page in pages:
            unit = page.unit
            if isinstance(unit, SubUnit):
                unit = registry.parent(unit)
                slugs.add(unit.slug)
            if unit.scheme == "pre2025":
                slugs.add(registry.successor(unit).slug)
    for unit in registry.in_scheme("post2025"):
        if unit.slug in slugs:
            slugs.update(unit.formed_from)
    for slug in list(slugs):
        for unit in registry.by_slug(slug):
            slugs.update(sub.slug for sub in registry.subunits_of(unit))
    histories = [_history(slug, registry, pages_by_id) for slug in sorted(slugs)]
    return sorted(
        histories, key=lambda h: (h.current.scheme != "national", name_key(h.current.name.vi))
    )


def _history(
    slug: str, registry: Registry, pages_by_id: dict[str, list[UnitPeriod]]
) -> UnitHistory:
    units = sorted(registry.by_slug(slug), key=lambda u: u.scheme == "post2025")
    pages = sorted(
        (p for u in units for p in pages_by_id.get(u.id, [])),
        key=lambda p: (p.period.end, p.period.months),
    )
    if isinstance(units[0], SubUnit):  # a sub-unit's slug names it alone: no merger
        return UnitHistory(slug, units, pages, [], [], [], None, parent=registry.parent(units[0]))
    new = next((u for u in units if u.scheme == "post2025"), None)
    old = next((u for u in units if u.scheme == "pre2025"), None)
    predecessors = (
        registry.predecessors(new) if new is not None and new.formed_from != [slug] else []
    )
    predecessor_pages = sorted(
        (p for u in predecessors if u.slug != slug for p in pages_by_id.get(u.id, [])),
        key=lambda p: (p.period.end, p.period.months, name_key(p.unit.name.vi)),
    )
    combined: list[Combined] = []
    if predecessors:
        by_period: dict[Period, list[UnitPeriod]] = defaultdict(list)
        for u in predecessors:
            for p in pages_by_id.get(u.id, []):
                by_period[p.period].append(p)
        for period in sorted(by_period, key=lambda p: (p.end, p.months)):
            parts = by_period[period]
            if len(parts) == len(predecessors):
                blocks = Blocks(functools.partial(_combine_pages, parts))
                combined.append(Combined(period, parts, blocks))
    successor = registry.successor(old) if old is not None and new is None else None
    subunits = [
        SubunitRow(sub, own[-1] if (own := pages_by_id.get(sub.id)) else None)
        for unit in units
        for sub in registry.subunits_of(unit)
    ]
    return UnitHistory(
        slug, units, pages, predecessors, predecessor_pages, combined, successor, subunits
    )


def _combine_pages(parts: list[UnitPeriod]) -> dict[str, BlockView]:
    return combine_blocks([p.blocks for p in parts])


# --- the reproducible build time ---


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _epoch(content: Content) -> int:
    """The newest date the content states (sources, releases), as a Unix time at 00:00 UTC;
    never later than the publication time (`Content.published_at`), whose future releases
    are left out."""
    dates = [c.summary.source.date for c in content.datasets if c.summary.source.date]
    releases = content.releases
    if content.published_at is not None:
        releases = [r for r in releases if release_time(r.publish_at) <= content.published_at]
    dates += [_as_date(r.publish_at) for r in releases]
    newest = max(dates, default=dt.date(2000, 1, 1))
    if content.published_at is not None:
        newest = min(newest, content.published_at.astimezone(dt.UTC).date())
    return int(dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC).timestamp())


# --- summaries and ordering ---


@functools.lru_cache(maxsize=4096)  # a few hundred names, sorted by thousands of times
def name_key(name: str) -> str:
    """Sort key for Vietnamese names: letters without tone marks first ('Đồng Tháp' near 'Đà')."""
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return f"{base.casefold()}\0{name}"


@dataclass(frozen=True)
class InspectionTotal:
    """One inspection kind summed over the units of a period that reported it."""

    units_reporting: int
    count: Value | None
    units: Value | None
    findings: Value | None
    recommendations: Value | None

    def __getitem__(self, key: str) -> Value | None:
        value: Value | None = getattr(self, key)
        return value


def inspection_totals(view: PeriodView) -> dict[str, InspectionTotal]:
    """Inspections of a period by kind: each figure summed where every reporting unit gives it."""
    by_kind: dict[str, list[Inspection]] = defaultdict(list)
    for page in view.pages:
        for item in page.dataset.inspections:
            by_kind[item.kind].append(item)

    def total(items: list[Inspection], key: str) -> Value | None:
        figures = [getattr(i, key) for i in items]
        if any(f is None for f in figures):
            return None
        return add([Value.of(f, "count") for f in figures])

    return {
        kind: InspectionTotal(
            len(items),
            total(items, "count"),
            total(items, "units"),
            total(items, "findings"),
            total(items, "recommendations"),
        )
        for kind, items in sorted(by_kind.items())
    }


def reform_totals(view: PeriodView) -> dict[str, dict[str, int]]:
    """How many units of a period report each reform initiative at each status."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for page in view.pages:
        for item in page.dataset.reform:
            counts[item.key][item.status] += 1
    return {key: dict(statuses) for key, statuses in sorted(counts.items())}


@dataclass(frozen=True)
class ReformRun:
    """An initiative's status over consecutive reporting periods of a unit: from `first`
    to `last` (the same page when it was reported once); `item` is the first report."""

    key: str
    status: str
    first: UnitPeriod
    last: UnitPeriod
    item: Reform


def reform_over_periods(pages: Sequence[UnitPeriod]) -> list[ReformRun]:
    """A unit's reform initiatives over its periods, as runs of one status (a status is a
    state on a day, so the periods are taken by end date, whatever their length): by
    initiative, oldest first. Forty periods of one status are one row, not forty cells."""
    ordered = sorted(
        (page for page in pages if page.dataset.reform),
        key=lambda page: (page.period.end, page.period.months),
    )
    runs: dict[str, list[ReformRun]] = defaultdict(list)
    for page in ordered:
        for item in page.dataset.reform:
            same = runs[item.key]
            if same and same[-1].status == item.status:
                same[-1] = replace(same[-1], last=page)
            else:
                same.append(ReformRun(item.key, item.status, page, page, item))
    return [run for key in sorted(runs) for run in runs[key]]


def reform_by_unit(view: PeriodView) -> list[tuple[UnitPeriod, dict[str, Reform]]]:
    """Each unit of a period that reports reform, with its initiatives by key (for a table of
    statuses: one row per unit, one column per initiative)."""
    return [
        (page, {item.key: item for item in page.dataset.reform})
        for page in view.pages
        if page.dataset.reform
    ]
