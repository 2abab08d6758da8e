"""Typed models of what editors write in `content/` (the input contract of DESIGN.md).

These models check structure only: types, required keys, unknown keys. The
domain rules (identities, units per period, money units) live in `validate`,
which knows the line of every value. Every field here has its entry in
`catalogue.yml`; `tests/test_catalogue.py` keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError

from minhbach.content.catalogue import Text
from minhbach.content.figures import Figure, FigureError, parse_figure
from minhbach.content.periods import date_problem


def _read_figure(raw: Any) -> Figure:
    try:
        return parse_figure(raw)
    except FigureError as exc:
        raise PydanticCustomError("figure", exc.message, {"hint": exc.hint or ""}) from None


Fig = Annotated[Figure, PlainValidator(_read_figure)]


def _check_day(value: dt.date) -> dt.date:
    # The YAML loader bounds the dates it reads; this bounds a date written as quoted text.
    problem = date_problem(value.date() if isinstance(value, dt.datetime) else value)
    if problem is not None:
        raise PydanticCustomError("date_range", f"the date {problem}")
    return value


Day = Annotated[dt.date, AfterValidator(_check_day)]
Moment = Annotated[dt.datetime | dt.date, AfterValidator(_check_day)]


class Strict(BaseModel):
    """Base of every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Source(Strict):
    id: str | None = None  # its name in a dataset's `sources:`, which figures refer to
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: Day | None = None
    archive: str | None = None


class Change(Strict):
    absolute: Fig | None = None
    percent: Fig | None = None
    points: Fig | None = None


class Results(Strict):
    """One results block (form 1 in cases, form 2 in money, or a sub-aggregate)."""

    carried_over: Fig | None = None
    new: Fig | None = None
    accepted: Fig | None = None
    deducted: Fig | None = None
    to_enforce: Fig | None = None
    enforceable: Fig | None = None
    completed: Fig | None = None
    in_progress: Fig | None = None
    not_enforceable: Fig | None = None
    postponed_suspended: Fig | None = None
    carried_forward: Fig | None = None
    enforceable_carried_forward: Fig | None = None
    separately_tracked: Fig | None = None
    exempted_reduced: Fig | None = None
    rate: Fig | None = None
    target: Fig | None = None
    progress_target: Fig | None = None  # chỉ tiêu tiến độ of a sub-annual period
    target_gap: Fig | None = None
    change: dict[str, Change] = Field(default_factory=dict)

    def figure(self, key: str) -> Figure | None:
        value = getattr(self, key, None)
        return value if isinstance(value, Figure) else None


class SubAggregate(Strict):
    cases: Results | None = None
    money: Results | None = None


class AdminJudgments(Strict):
    carried_over: Fig | None = None
    new: Fig | None = None
    to_enforce: Fig | None = None
    compelled: Fig | None = None
    completed: Fig | None = None
    pending: Fig | None = None
    rate: Fig | None = None


# The flat blocks of named figures (one official form each, or two): checked by their
# catalogue identities, shown as one table each and exported figure by figure.
FLAT_GROUPS = ("admin_judgments", "citizen_reception", "coercion", "state_compensation")


class Coercion(Strict):
    """Form 07: security and coercive measures (biện pháp bảo đảm, cưỡng chế)."""

    security_measures: Fig | None = None
    coercion_decisions: Fig | None = None
    coercions: Fig | None = None
    coercions_completed: Fig | None = None


class StateCompensation(Strict):
    """Form 11: settling state compensation (bồi thường nhà nước)."""

    claims: Fig | None = None
    resolved: Fig | None = None
    pending: Fig | None = None
    amount: Fig | None = None


class CitizenReception(Strict):
    visits: Fig | None = None
    petitions: Fig | None = None
    complaints: Fig | None = None
    denunciations: Fig | None = None
    in_jurisdiction: Fig | None = None
    out_of_jurisdiction: Fig | None = None
    resolved: Fig | None = None
    pending: Fig | None = None
    resolution_rate: Fig | None = None


class Inspection(Strict):
    kind: str
    count: Fig | None = None
    units: Fig | None = None
    findings: Fig | None = None
    recommendations: Fig | None = None
    note: str | None = None


class Reform(Strict):
    key: str
    status: str
    count: Fig | None = None
    note: str | None = None
    quote: str | None = None  # the source's sentence for the status, checked like a figure's
    source: str | None = None  # its source's id among the dataset's `sources:`


class Ranking(Strict):
    basis: str | None = None
    cases: Fig | None = None
    money: Fig | None = None
    of: Fig | None = None
    scope: str | None = None


class Acknowledgement(Strict):
    """A warning the dataset accepts, with the reason a reader is shown beside the figure."""

    warning: str
    field: str | None = None
    reason: str


class Revision(Strict):
    """A change to figures after their period's release (`check.revisions`)."""

    date: Day
    reason: str
    fields: list[str] = Field(default_factory=list)  # none: every figure that changed


class Dataset(Strict):
    """One unit's figures for one period, as the editor wrote them."""

    unit: str
    period: str
    status: str
    source: Source | None = None  # or `sources`, exactly one of them (checked in validate)
    sources: list[Source] = Field(default_factory=list)
    reported_as: str | None = None  # "post2025": a 2025 period's figures of the merged unit
    money_unit: str | None = None
    cases: Results | None = None
    money: Results | None = None
    state_budget: SubAggregate | None = None
    credit_banking: SubAggregate | None = None
    corruption_assets: SubAggregate | None = None
    admin_judgments: AdminJudgments | None = None
    citizen_reception: CitizenReception | None = None
    coercion: Coercion | None = None
    state_compensation: StateCompensation | None = None
    inspections: list[Inspection] = Field(default_factory=list)
    reform: list[Reform] = Field(default_factory=list)
    ranking: Ranking | None = None
    narrative: str | None = None
    notes: list[str] = Field(default_factory=list)
    acknowledged: list[Acknowledgement] = Field(default_factory=list)
    revisions: list[Revision] = Field(default_factory=list)

    @property
    def all_sources(self) -> list[Source]:
        """The dataset's sources: its `sources:`, or its one `source:`."""
        return list(self.sources) if self.sources else [self.source] if self.source else []

    @property
    def main_source(self) -> Source:
        """The source of figures that name none: the first (a checked dataset has one)."""
        found = self.all_sources
        return found[0] if found else Source()


SUBAGGREGATES = ("state_budget", "credit_banking", "corruption_assets")


# --- the unit registry (content/provinces.yml) ---

SchemeId = Literal["national", "pre2025", "post2025"]


class Scheme(Strict):
    id: Literal["pre2025", "post2025"]
    label: Text
    valid_from: Day | None = None
    valid_to: Day | None = None
    basis: str | None = None


class Region(Strict):
    key: str
    name: Text


class UnitEntry(Strict):
    """A reporting unit valid under one administrative scheme."""

    slug: str
    scheme: SchemeId
    # branch and regional are sub-units (`SubUnit`), listed in subunits.yml, never here.
    kind: Literal["nation", "province", "city", "branch", "regional"]
    name: Text
    code: str | None = None
    region: str | None = None
    formed_from: list[str] = Field(default_factory=list)

    @property
    def id(self) -> str:
        """Identity across the merger: the slug alone is reused, so the scheme is part of it."""
        return self.slug if self.scheme == "national" else f"{self.scheme}:{self.slug}"


class RegistryFile(Strict):
    schemes: list[Scheme]
    regions: list[Region]
    units: list[UnitEntry]


#: A sub-unit's kind decides its scheme: Chi cục THADS (district branches) until
#: 30/06/2025, Phòng THADS khu vực (regional offices) from 01/07/2025.
SUBUNIT_SCHEMES: dict[str, Literal["pre2025", "post2025"]] = {
    "branch": "pre2025",
    "regional": "post2025",
}


class SubunitEntry(Strict):
    """A unit under a province (content/subunits.yml), as the editor writes it."""

    slug: str
    parent: str  # the province's slug, in the scheme of the sub-unit's kind
    kind: Literal["branch", "regional"]
    name: Text
    code: str | None = None
    valid_from: Day | None = None  # default: the first day of the kind's scheme
    valid_to: Day | None = None  # default: the last day of the kind's scheme


class SubunitsFile(Strict):
    subunits: list[SubunitEntry]


class SubUnit(UnitEntry):
    """A sub-unit as the registry holds it: a unit of its kind's scheme, with its parent
    and the days it exists (filled in from the scheme when not written; None: open)."""

    parent: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


# --- targets (content/targets.yml) and releases (content/releases.yml) ---


class ProgressTarget(Strict):
    """Progress targets (chỉ tiêu tiến độ) of one unit for one sub-annual period."""

    cases: Fig | None = None
    money: Fig | None = None
    source: Source | None = None
    note: str | None = None


class TargetEntry(Strict):
    """Completion-rate targets of one unit for one statistical year."""

    year: int
    unit: str
    scheme: SchemeId | None = None
    cases: Fig | None = None
    money: Fig | None = None
    basis: str | None = None
    source: Source | None = None
    note: str | None = None
    # Progress targets by sub-annual period of the year ('2022-6m'): they judge that period.
    progress_target: dict[str, ProgressTarget] = Field(default_factory=dict)


class TargetsFile(Strict):
    targets: list[TargetEntry]


class Release(Strict):
    """A scheduled or published release of one period's results."""

    period: str
    publish_at: Moment
    status: Literal["scheduled", "published"]
    title: Text | None = None
    note: str | None = None


class ReleasesFile(Strict):
    releases: list[Release]


# --- releases frozen as published (content/released/<period>.yml, `build.py release`) ---


class FrozenFigure(Strict):
    """A figure as released: its exact value in the field's base unit (cases, đồng, % or
    points), as digits, its precision and its hedge."""

    value: str
    measure: str  # count, money (đồng), percent, points, rank
    step: str = "1"
    qualifier: str | None = None


class FrozenDataset(Strict):
    file: str  # the dataset's file below the content folder, when it was frozen
    status: str
    figures: dict[str, FrozenFigure] = Field(default_factory=dict)  # by field path


class ReleasedFile(Strict):
    """The figures of one period's release, as published: `build.py release` writes it."""

    period: str
    released_at: Moment
    datasets: dict[str, FrozenDataset]  # by unit id
