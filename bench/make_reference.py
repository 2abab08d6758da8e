"""Write a synthetic national reference collection of THADS datasets, for benchmarks (issue #5).

    python bench/make_reference.py [--out DIR] [--years 2016-2025]

The collection is a complete content folder (default `bench/reference/`, never `content/`):
the real unit registry (`provinces.yml`, copied), the editorial pages, and for every
statistical year in range the periods 3, 6, 9 and 12 months, each with one dataset per unit
in force at the period's end (63 before 01/07/2025, 34 from then on) and a national dataset
(`toan-quoc`) that is the exact sum of its units; targets per unit and year; a release
calendar. Every dataset fills every block the schema has: cases and money with their
sub-aggregates, THAHC, citizen reception, inspections, reform, ranking, year-on-year
changes, a narrative.

EVERY FIGURE IS INVENTED. The numbers come from a seeded random walk shaped like the real
series (rates near the national ones, the COVID dip of 2021, cumulative periods from
1 October, cases carried from one year into the next); they describe no real province. The
folder's README, every source title, note and narrative, and the headers of targets.yml
and releases.yml say so.

The figures satisfy every identity of `minhbach/content/catalogue.yml` and every cross-period check
of `minhbach/check/validate.py`, so `python build.py --content bench/reference --strict check`
passes with no warning. How: each unit's totals are the sum of four disjoint groups of
cases (state budget, credit and banking, corruption assets, everything else), each an
integer process per statistical year (carried over + new, deducted, classified, completed;
cumulative shares that only grow), so every sum, subset and carry-over holds exactly. A
merged unit's 2025 figures are the sum of its predecessors', and from 2026 it goes on from
their combined closing figures. Money is exact, in nghìn đồng.

Deterministic: one fixed seed, random generators keyed by unit, year and group, integer
arithmetic only, so the same command writes the same bytes on every machine; a shorter
range writes a subset of the same collection (the walk always starts in 2016).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import shutil
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from minhbach.content.models import RegistryFile, SubUnit, SubunitEntry, UnitEntry  # noqa: E402
from minhbach.content.periods import FIRST_YEAR, LAST_YEAR, Period  # noqa: E402
from minhbach.content.registry import MERGER_DATE, NATION, Registry, valid_on  # noqa: E402

SEED = "minhbach-reference-1"
DEFAULT_OUT = REPO / "bench" / "reference"
DEFAULT_YEARS = (2016, 2025)
ORIGIN = 2016  # the walk starts here (or earlier, when asked for earlier years)
MONTHS = (3, 6, 9, 12)
PM = 10_000  # parameters are integers per ten thousand

MARKER = "<!-- minhbach: synthetic reference collection, written by bench/make_reference.py -->"
ARCHIVE = "du-lieu-tong-hop.txt"
SOURCE_TITLE = "Dữ liệu tổng hợp cho kiểm thử hiệu năng (không phải số liệu thật)"
PUBLISHER = "Minh Bạch, bench/make_reference.py (dữ liệu tổng hợp)"
HEADER = (
    "# Dữ liệu tổng hợp cho kiểm thử hiệu năng, không phải số liệu thật.\n"
    "# Synthetic benchmark data written by bench/make_reference.py: NOT real figures.\n"
)

# --- the shape of the synthetic series ---

COMPONENTS = ("state_budget", "credit_banking", "corruption_assets", "other")
SUBAGGREGATES = COMPONENTS[:3]  # "other" is only ever part of the totals
MEASURES = ("cases", "money")
BASE_NEW_CASES = 6_500  # new cases a year in a unit of size PM


@dataclass(frozen=True)
class Profile:
    """How one group of cases behaves; ranges are (low, high) per ten thousand."""

    share: int  # of the unit's new cases
    value: int  # average money per case, nghìn đồng
    enforceable: Mapping[str, tuple[int, int]]  # share of to_enforce, by measure
    rate: Mapping[str, int]  # multiplies the unit's completion rate, by measure
    exempted: Mapping[str, tuple[int, int]] | None = None  # miễn, giảm: share of new


PROFILES = {
    "state_budget": Profile(
        5_000,
        25_000,
        {"cases": (7_800, 8_600), "money": (6_000, 7_000)},
        {"cases": 10_500, "money": 9_000},
        {"cases": (40, 150), "money": (10, 80)},
    ),
    "credit_banking": Profile(
        450,
        1_500_000,
        {"cases": (6_000, 7_200), "money": (5_000, 6_500)},
        {"cases": 6_000, "money": 8_000},
    ),
    "corruption_assets": Profile(
        50,
        5_000_000,
        {"cases": (5_000, 6_500), "money": (4_000, 6_000)},
        {"cases": 7_000, "money": 11_000},
    ),
    "other": Profile(
        4_500,
        80_000,
        {"cases": (7_000, 7_800), "money": (5_500, 6_800)},
        {"cases": 9_800, "money": 11_000},
    ),
}
# Share of the year's completions reached after 3, 6 and 9 months (12 months: all of it).
SHAPES = {
    "cases": ((3_800, 5_000), (6_000, 6_800), (7_800, 8_500)),
    "money": ((800, 2_000), (3_000, 4_200), (5_500, 6_800)),
}
# Points (per ten thousand) added to every unit's completion rate in a year, after the
# national series: weak 2016-2019, the COVID year 2021, rising since (THADS.md §3.2).
YEAR_EFFECT = {
    "cases": {
        2016: -300, 2017: -350, 2018: -250, 2019: -200, 2020: 50,
        2021: -550, 2022: 100, 2023: 150, 2024: 200, 2025: 250,
    },
    "money": {
        2016: -700, 2017: -600, 2018: -500, 2019: -700, 2020: -300,
        2021: -1_000, 2022: 0, 2023: 100, 2024: 300, 2025: 500,
    },
}  # fmt: skip
RATE_RANGE = {"cases": (7_900, 8_600), "money": (4_300, 5_100)}
TARGET_RANGE = {"cases": (7_500, 8_800), "money": (3_500, 5_000)}  # in hundredths of a point
# Big units, as multiples of an average one; the others draw 0.5-1.5.
SIZE_HINTS = {
    "ho-chi-minh": 90_000,
    "ha-noi": 60_000,
    "binh-duong": 30_000,
    "dong-nai": 28_000,
    "hai-phong": 20_000,
    "long-an": 17_000,
    "kien-giang": 16_000,
    "an-giang": 15_000,
    "can-tho": 15_000,
    "da-nang": 15_000,
    "khanh-hoa": 14_000,
    "ba-ria-vung-tau": 14_000,
}
INSPECTIONS = ("self_inspection", "comprehensive", "thematic", "ad_hoc", "audit")

Block = dict[str, int]  # the amount fields of one results block
BLOCK_FIELDS = (
    "carried_over",
    "new",
    "accepted",
    "deducted",
    "to_enforce",
    "enforceable",
    "completed",
    "in_progress",
    "not_enforceable",
    "postponed_suspended",
    "carried_forward",
    "enforceable_carried_forward",
    "separately_tracked",
    "exempted_reduced",
)
CHANGED_FIELDS = ("new", "completed")


def year_effect(measure: str, year: int) -> int:
    """The year's shift of every rate; years outside the table take its nearest year's."""
    effects = YEAR_EFFECT[measure]
    return effects[min(max(year, min(effects)), max(effects))]


def rng_for(*key: object) -> random.Random:
    """A generator of its own for each key, so a figure never depends on iteration order."""
    return random.Random("/".join(str(k) for k in (SEED, *key)))


def draw(rng: random.Random, bounds: tuple[int, int]) -> int:
    return rng.randint(*bounds)


def part(amount: int, share: int) -> int:
    """`share` per ten thousand of `amount`, rounded down."""
    return amount * share // PM


def months_share(amount: int, months: int) -> int:
    """The part of a yearly count done after `months` months, rounded up (1 of 3 by 3 months)."""
    return -(-amount * months // 12)


# --- one unit's series ---


@dataclass
class Opening:
    """What a results block carries into the next statistical year."""

    carried_forward: int
    not_enforceable: int


@dataclass
class Figures:
    """One unit's additive figures for one period; rates and changes are derived when written."""

    blocks: dict[tuple[str, str], Block]  # (component, measure) -> amounts
    admin: dict[str, int]
    reception: dict[str, int]
    inspections: dict[str, dict[str, int]]
    totals: dict[str, Block] = field(default_factory=dict, repr=False)

    def results(self, measure: str, component: str | None = None) -> Block:
        """A written block: one group's, or the totals summed over every group."""
        if component is not None:
            return self.blocks[(component, measure)]
        if measure not in self.totals:
            self.totals[measure] = add_blocks([self.blocks[(c, measure)] for c in COMPONENTS])
        return self.totals[measure]


def add_blocks(blocks: Sequence[Block]) -> Block:
    """Field by field; a field only some blocks have (miễn, giảm) is the sum of those."""
    keys = [k for k in BLOCK_FIELDS if any(k in b for b in blocks)]
    return {k: sum(b.get(k, 0) for b in blocks) for k in keys}


def add_figures(parts: Sequence[Figures]) -> Figures:
    """The sum of several units' figures (a merged unit's 2025, the nation)."""
    kinds = [k for k in INSPECTIONS if any(k in p.inspections for p in parts)]
    return Figures(
        blocks={key: add_blocks([p.blocks[key] for p in parts]) for key in parts[0].blocks},
        admin={k: sum(p.admin[k] for p in parts) for k in parts[0].admin},
        reception={k: sum(p.reception[k] for p in parts) for k in parts[0].reception},
        inspections={
            kind: {
                k: sum(p.inspections[kind][k] for p in parts if kind in p.inspections)
                for k in ("count", "units", "findings", "recommendations")
            }
            for kind in kinds
        },
    )


@dataclass
class Series:
    """The random walk of one unit through the statistical years."""

    unit: UnitEntry
    first_year: int
    size: int
    branches: int
    rate: dict[str, int]  # baseline completion rate by measure, per ten thousand
    new: dict[str, int] = field(default_factory=dict)  # last year's new cases, by component
    openings: dict[tuple[str, str], Opening] = field(default_factory=dict)
    admin_new: int = 0
    admin_pending: int = 0

    @classmethod
    def start(cls, unit: UnitEntry, year: int) -> Series:
        rng = rng_for(unit.id, "profile")
        size = SIZE_HINTS.get(unit.slug) or rng.randint(5_000, 15_000)
        series = cls(
            unit,
            year,
            size,
            branches=rng.randint(7, 20),
            rate={m: draw(rng, RATE_RANGE[m]) for m in MEASURES},
            admin_new=2 + part(rng.randint(4, 14), size),
            admin_pending=3 + part(rng.randint(2, 20), size),
        )
        for component, profile in PROFILES.items():
            new = max(20, part(part(BASE_NEW_CASES, size), profile.share))
            series.new[component] = new
            money_new = part(new * profile.value, rng.randint(7_000, 13_000))
            for measure, amount, carry in (
                ("cases", new, (4_500, 6_500)),
                ("money", money_new, (15_000, 25_000)),
            ):
                carried = part(amount, draw(rng, carry))
                series.openings[(component, measure)] = Opening(
                    carried, part(carried, rng.randint(3_000, 4_500))
                )
        return series

    @classmethod
    def merge(cls, unit: UnitEntry, parts: Sequence[Series], year: int) -> Series:
        """A post-2025 unit going on from its predecessors' combined closing figures."""
        rng = rng_for(unit.id, "profile")
        size = sum(p.size for p in parts)
        return cls(
            unit,
            year - 1,  # the predecessors' last year is behind it: the new cases grow
            size,
            branches=19 if unit.slug == "ho-chi-minh" else rng.randint(5, 15),
            rate={m: sum(p.rate[m] * p.size for p in parts) // size for m in MEASURES},
            new={c: sum(p.new[c] for p in parts) for c in COMPONENTS},
            openings={
                key: Opening(
                    sum(p.openings[key].carried_forward for p in parts),
                    sum(p.openings[key].not_enforceable for p in parts),
                )
                for key in parts[0].openings
            },
            admin_new=sum(p.admin_new for p in parts),
            admin_pending=sum(p.admin_pending for p in parts),
        )

    def year(self, year: int) -> dict[int, Figures]:
        """Simulate one statistical year: each period's figures; the series moves to its close."""
        rng = rng_for(self.unit.id, year)
        shares, total = [], 0
        for _ in MONTHS[:-1]:  # about a quarter of the year's new cases each quarter
            total += rng.randint(2_200, 2_700)
            shares.append(total)
        new_share = dict(zip(MONTHS, [*shares, PM], strict=True))
        shapes = {
            m: dict(zip(MONTHS, [*(draw(rng, b) for b in SHAPES[m]), PM], strict=True))
            for m in MEASURES
        }
        rate = {m: self.rate[m] + year_effect(m, year) + rng.randint(-200, 200) for m in MEASURES}
        growth = rng.randint(9_700, 10_800)
        blocks: dict[int, dict[tuple[str, str], Block]] = {m: {} for m in MONTHS}
        for component, profile in PROFILES.items():
            crng = rng_for(self.unit.id, year, component)
            if year > self.first_year:
                self.new[component] = part(self.new[component], growth + crng.randint(-150, 150))
            annual = {
                "cases": self.new[component],
                "money": part(self.new[component] * profile.value, crng.randint(8_500, 11_500)),
            }
            for measure in MEASURES:
                params = BlockYear(
                    new_share=new_share,
                    completion={
                        m: min(9_800, part(rate[measure], profile.rate[measure]))
                        * shapes[measure][m]
                        for m in MONTHS
                    },
                    deducted=crng.randint(80, 200),
                    enforceable=draw(crng, profile.enforceable[measure]),
                    postponed=crng.randint(30, 150),
                    in_progress=crng.randint(8_500, 9_700),
                    tracked=crng.randint(100, 900) if measure == "cases" else crng.randint(50, 600),
                    exempted=draw(crng, profile.exempted[measure]) if profile.exempted else None,
                )
                key = (component, measure)
                by_month = params.simulate(self.openings[key], annual[measure])
                for months, block in by_month.items():
                    blocks[months][key] = block
                closing = by_month[12]
                self.openings[key] = Opening(closing["carried_forward"], closing["not_enforceable"])
        admin = self.admin_year(rng, shapes["cases"], new_share)
        reception = self.reception_year(rng, new_share)
        inspections = self.inspection_year(rng)
        return {
            m: Figures(blocks[m], admin[m], reception[m], {k: v[m] for k, v in inspections.items()})
            for m in MONTHS
        }

    def admin_year(
        self, rng: random.Random, shape: Mapping[int, int], new_share: Mapping[int, int]
    ) -> dict[int, dict[str, int]]:
        """Administrative judgments monitored (THAHC): a small count carried from year to year."""
        annual = max(1, part(self.admin_new, rng.randint(8_500, 11_500)))
        completion, compelled = rng.randint(3_500, 5_500), rng.randint(1_500, 4_000)
        carried = self.admin_pending
        result = {}
        for months in MONTHS:
            new = part(annual, new_share[months])
            to_enforce = carried + new
            completed = to_enforce * completion * shape[months] // PM**2
            result[months] = {
                "carried_over": carried,
                "new": new,
                "to_enforce": to_enforce,
                "compelled": part(to_enforce, compelled),
                "completed": completed,
                "pending": to_enforce - completed,
            }
        self.admin_pending = result[12]["pending"]
        return result

    def reception_year(
        self, rng: random.Random, new_share: Mapping[int, int]
    ) -> dict[int, dict[str, int]]:
        """Citizen reception and petitions, cumulative from 1 October."""
        visits = part(self.size, rng.randint(250, 600))
        petitions = part(self.size, rng.randint(100, 300))
        complaints, denunciations = rng.randint(7_500, 8_800), rng.randint(400, 900)
        jurisdiction, outside = rng.randint(5_500, 7_000), rng.randint(2_500, 3_500)
        resolved = dict(zip(MONTHS, sorted(rng.randint(8_000, 9_900) for _ in MONTHS), strict=True))
        result = {}
        for months in MONTHS:
            received = part(petitions, new_share[months])
            within = part(received, jurisdiction)
            done = part(within, resolved[months])
            result[months] = {
                "visits": part(visits, new_share[months]),
                "petitions": received,
                "complaints": part(received, complaints),
                "denunciations": part(received, denunciations),
                "in_jurisdiction": within,
                "out_of_jurisdiction": min(received - within, part(received, outside)),
                "resolved": done,
                "pending": within - done,
            }
        return result

    def inspection_year(self, rng: random.Random) -> dict[str, dict[int, dict[str, int]]]:
        """Inspections of each kind, cumulative; a kind not held that year is left out.

        A kind held at all is held by the end of the first quarter (counts are rounded up).
        """
        annual = {
            "self_inspection": (self.branches + 1, 1, (1, 4)),
            "comprehensive": (max(1, part(self.branches, rng.randint(6_700, 10_000))), 1, (3, 9)),
            "thematic": (rng.randint(1, 4), rng.randint(1, 3), (1, 5)),
            "ad_hoc": (rng.randint(0, 2), 1, (0, 3)),
            "audit": (rng.randint(0, 1), 1, (2, 6)),
        }
        result: dict[str, dict[int, dict[str, int]]] = {}
        for kind, (count, units_each, per) in annual.items():
            findings_each, share = rng.randint(*per), rng.randint(4_000, 8_000)
            if count == 0:
                continue
            result[kind] = {}
            for months in MONTHS:
                held = months_share(count, months)
                findings = held * findings_each
                result[kind][months] = {
                    "count": held,
                    "units": held * units_each,
                    "findings": findings,
                    "recommendations": part(findings, share),
                }
        return result


@dataclass(frozen=True)
class BlockYear:
    """The parameters of one results block in one statistical year."""

    new_share: Mapping[int, int]  # cumulative share of the year's new cases after N months
    completion: Mapping[int, int]  # completed ÷ enforceable after N months, per 10⁸
    deducted: int
    enforceable: int
    postponed: int
    in_progress: int
    tracked: int
    exempted: int | None

    def simulate(self, opening: Opening, annual_new: int) -> dict[int, Block]:
        """The block after 3, 6, 9 and 12 months: every identity holds by construction.

        Every cumulative figure is a rounded-down share of a figure that only grows, by a
        share that only grows, so it never falls within the year.
        """
        tracked = part(opening.not_enforceable, self.tracked)
        carried_over = opening.carried_forward - tracked
        result = {}
        for months in MONTHS:
            new = part(annual_new, self.new_share[months])
            accepted = carried_over + new
            deducted = part(accepted, self.deducted)
            to_enforce = accepted - deducted
            enforceable = part(to_enforce, self.enforceable)
            postponed = part(to_enforce, self.postponed)
            completed = enforceable * self.completion[months] // PM**2
            block = {
                "carried_over": carried_over,
                "new": new,
                "accepted": accepted,
                "deducted": deducted,
                "to_enforce": to_enforce,
                "enforceable": enforceable,
                "completed": completed,
                "in_progress": part(enforceable - completed, self.in_progress),
                "not_enforceable": to_enforce - enforceable - postponed,
                "postponed_suspended": postponed,
                "carried_forward": to_enforce - completed,
                "enforceable_carried_forward": enforceable - completed,
                "separately_tracked": tracked,
            }
            if self.exempted is not None:
                block["exempted_reduced"] = part(new, self.exempted)
            result[months] = block
        return result


# --- the whole collection ---


@dataclass
class Collection:
    """Every simulated unit × period (written or not), the nation, and the targets."""

    registry: Registry
    first: int
    last: int
    figures: dict[tuple[str, Period], Figures] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # pre-2025 units' sizes
    targets: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def periods(self) -> list[Period]:
        """The periods written (the walk may have started earlier)."""
        return [Period(y, m) for y in range(self.first, self.last + 1) for m in MONTHS]

    def size(self, unit: UnitEntry) -> int:
        if unit.scheme == "pre2025":
            return self.sizes[unit.id]
        return sum(self.size(u) for u in self.registry.predecessors(unit))

    def units(self, period: Period) -> list[UnitEntry]:
        return self.registry.in_scheme(self.registry.scheme_on(period.end))

    def subunits(self, period: Period) -> list[SubUnit]:
        """The sub-units that report for a period: those of its scheme, valid at its end."""
        scheme = self.registry.scheme_on(period.end)
        return [s for s in self.registry.subunits if s.scheme == scheme and valid_on(s, period.end)]

    def simulate_subunits(self) -> None:
        """Each sub-unit's own walk, from the first year its scheme covers (never summed
        into its province: sub-units are neither ranked nor added up)."""
        start = min(self.first, ORIGIN)
        for sub in self.registry.subunits:
            first = max(start, sub.valid_from.year if sub.valid_from else start)
            series = Series.start(sub, first)
            for year in range(first, self.last + 1):
                by_months = series.year(year)
                for months in MONTHS:
                    period = Period(year, months)
                    if sub in self.subunits(period):
                        self.figures[(sub.id, period)] = by_months[months]

    def simulate(self) -> None:
        registry = self.registry
        start = min(self.first, ORIGIN)
        old = {u.slug: Series.start(u, start) for u in registry.in_scheme("pre2025")}
        self.sizes = {s.unit.id: s.size for s in old.values()}
        new: dict[str, Series] = {}
        for year in range(start, self.last + 1):
            before_merger = Period(year, 1).start < MERGER_DATE
            if not before_merger and not new:
                new = {
                    u.slug: Series.merge(u, [old[s] for s in u.formed_from], year)
                    for u in registry.in_scheme("post2025")
                }
            walking = old if before_merger else new
            by_unit = {slug: series.year(year) for slug, series in walking.items()}
            for months in MONTHS:
                period = Period(year, months)
                for unit in self.units(period):
                    series = walking.get(unit.slug)
                    if series is not None and series.unit.id == unit.id:
                        figures = by_unit[unit.slug][months]
                    else:  # a new unit in the year of the merger: its predecessors summed
                        figures = add_figures([by_unit[s][months] for s in unit.formed_from])
                    self.figures[(unit.id, period)] = figures
                self.figures[(NATION, period)] = add_figures(
                    [self.figures[(u.id, period)] for u in self.units(period)]
                )

    def same_period_last_year(self, unit: UnitEntry, period: Period) -> Figures | None:
        """Last year's figures as the build compares them: the unit's, or its predecessors'."""
        before = period.same_period_previous_year()
        own = self.figures.get((unit.id, before))
        if own is not None or unit.scheme != "post2025" or before.end >= MERGER_DATE:
            return own
        if isinstance(unit, SubUnit):  # a regional office is new in 2025
            return own
        parts = [self.figures.get((old.id, before)) for old in self.registry.predecessors(unit)]
        return add_figures([p for p in parts if p]) if all(parts) else None

    def target(self, unit: UnitEntry, year: int, measure: str) -> int | None:
        if isinstance(unit, SubUnit):
            return None  # targets are set for the provinces
        return self.province_target(unit, year, measure)

    def province_target(self, unit: UnitEntry, year: int, measure: str) -> int:
        """Last year's rate plus a little, on a 0,05 grid, in hundredths (THADS.md §3.2)."""
        key = (unit.id, year, measure)
        if key not in self.targets:
            self.targets[key] = self.new_target(unit, year, measure)
        return self.targets[key]

    def new_target(self, unit: UnitEntry, year: int, measure: str) -> int:
        last = self.same_period_last_year(unit, Period(year, 12))
        rng = rng_for(unit.id, year, "target", measure)
        if last is None:
            base = RATE_RANGE[measure][0] + year_effect(measure, year)
        else:
            base = rate_of(last.results(measure)) or RATE_RANGE[measure][0]
        low, high = TARGET_RANGE[measure]
        return min(high, max(low, (base + rng.randint(0, 60) + 2) // 5 * 5))


def rate_of(
    block: Mapping[str, int], numerator: str = "completed", denominator: str = "enforceable"
) -> int | None:
    """numerator ÷ denominator × 100 in hundredths, rounded half up; None without a denominator."""
    if block.get(denominator, 0) <= 0:
        return None
    return (2 * block[numerator] * PM + block[denominator]) // (2 * block[denominator])


def hundredths(value: int) -> Raw:
    """A number given to two decimals, as a YAML number: 8215 -> 82.15."""
    sign = "-" if value < 0 else ""
    return Raw(f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}")


def percent_change(now: int, then: int) -> int:
    """(now − then) ÷ then × 100 in hundredths, rounded half up in magnitude."""
    magnitude = (2 * abs(now - then) * PM + then) // (2 * then)
    return magnitude if now >= then else -magnitude


def competition_ranks(rates: Mapping[str, int | None]) -> dict[str, int]:
    """Highest rate first; equal rates share a rank (1, 2, 2, 4), as the build ranks them."""
    rated = sorted(((r, u) for u, r in rates.items() if r is not None), key=lambda x: -x[0])
    ranks: dict[str, int] = {}
    for index, (rate, unit_id) in enumerate(rated):
        same = index > 0 and rated[index - 1][0] == rate
        ranks[unit_id] = ranks[rated[index - 1][1]] if same else index + 1
    return ranks


# --- YAML, written by hand: fixed key order, exact numbers, no float ever ---


class Raw(str):
    """A scalar written as it is (a number with its decimals)."""


class TextBlock(str):
    """A text written as a literal block."""


Tree = dict[str, object]  # a YAML mapping, written in insertion order
PLAIN = re.compile(r"[a-z][a-z0-9_-]*")  # slugs and enum values need no quotes
RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def emit(value: Tree | list[object], indent: int, out: list[str]) -> None:
    """Append the YAML lines of a mapping or list, in block style, to `out`."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                if item:  # an empty block says nothing: leave the key out
                    out.append(f"{pad}{key}:")
                    emit(item, indent + 2, out)
            elif isinstance(item, TextBlock):
                out.append(f"{pad}{key}: |")
                out.extend(f"{pad}  {line}" for line in item.splitlines())
            else:
                out.append(f"{pad}{key}: {scalar(item)}")
        return
    for item in value:
        if isinstance(item, dict):
            first = len(out)
            emit(item, indent + 2, out)
            out[first] = f"{pad}- {out[first][indent + 2 :]}"
        else:
            out.append(f"{pad}- {scalar(item)}")


def scalar(value: object) -> str:
    if type(value) is int or isinstance(value, Raw):
        return str(value)
    if type(value) is str and PLAIN.fullmatch(value) and value not in RESERVED:
        return value
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    raise TypeError(f"cannot write {value!r} in YAML")


def to_yaml(value: Tree, header: str = HEADER) -> str:
    out: list[str] = []
    emit(value, 0, out)
    return header + "\n".join(out) + "\n"


# --- what a dataset says ---

REFORM = {
    # key: [(first year, status), ...]: the status from that statistical year on
    "one_stop": [(0, "continuing")],
    "public_procedures": [(0, "in_progress"), (2017, "done")],
    "hotline": [(2017, "in_progress"), (2018, "continuing")],
    "enforcement_software": [(0, "in_progress"), (2018, "continuing")],
    "e_documents": [(0, "in_progress"), (2019, "continuing")],
    "digital_signature": [
        (2018, "planned"), (2019, "piloting"), (2020, "in_progress"), (2023, "continuing"),
    ],
    "public_postal": [(2019, "in_progress"), (2021, "continuing")],
    "online_support": [
        (2020, "planned"), (2021, "piloting"), (2022, "in_progress"), (2024, "continuing"),
    ],
    "online_filing": [(2024, "planned"), (2025, "piloting"), (2026, "in_progress")],
    "e_receipts": [(2025, "planned"), (2026, "continuing")],
    "vneid_notices": [(2026, "in_progress")],
}  # fmt: skip
REFORM_NOTES = {
    "one_stop": "Tiếp nhận, trả kết quả theo cơ chế một cửa (số liệu tổng hợp).",
    "public_procedures": "Niêm yết công khai thủ tục hành chính về thi hành án dân sự.",
    "hotline": "Duy trì đường dây nóng tiếp nhận phản ánh.",
    "enforcement_software": "Sử dụng phần mềm quản lý án của hệ thống thi hành án dân sự.",
    "e_documents": "Gửi, nhận văn bản điện tử qua hệ thống quản lý văn bản.",
    "digital_signature": "Ký số văn bản hành chính và báo cáo thống kê.",
    "public_postal": "Tiếp nhận hồ sơ, trả kết quả qua dịch vụ bưu chính công ích.",
    "online_support": "Hỗ trợ trực tuyến người yêu cầu thi hành án.",
    "online_filing": "Tiếp nhận yêu cầu thi hành án qua Cổng Dịch vụ công quốc gia.",
    "e_receipts": "Biên lai thu tiền điện tử (số biên lai là số liệu tổng hợp).",
    "vneid_notices": "Gửi thông báo thi hành án qua ứng dụng VNeID.",
}
COUNTED = {"online_filing": 2_000, "e_receipts": 60_000}  # yearly count per unit of size PM
COUNTING = ("in_progress", "continuing")  # the statuses under which a count is published


@functools.cache
def starts_late(unit_id: str, key: str) -> bool:
    """Whether a unit takes up an initiative a year after the others (three units in ten)."""
    return (
        unit_id != NATION
        and key not in ("e_receipts", "vneid_notices")
        and (rng_for(unit_id, key).randrange(10) < 3)
    )


def reform_status(key: str, unit: UnitEntry, period: Period) -> str | None:
    """An initiative's status in a period, after its timeline and the unit's pace."""
    year = period.year - starts_late(unit.id, key)
    status = None
    for since, value in REFORM[key]:
        if year >= since:
            status = value
    # Electronic receipts: Hồ Chí Minh City from 23/06/2025, the whole country from 04/07/2025;
    # VNeID notices piloted there (THADS.md §5.8).
    if key == "e_receipts" and period.year == 2025:
        if period.months == 12:
            status = "in_progress"
        elif period.months == 9 and unit.slug == "ho-chi-minh":
            status = "piloting"
    if key == "vneid_notices" and period.year == 2025 and period.months == 12:
        status = "piloting" if unit.slug == "ho-chi-minh" else "planned"
    return status


class Writer:
    """Turns the collection into the files of a content folder."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.registry = collection.registry
        self.last_period = collection.periods()[-1]

    def release_day(self, period: Period) -> str:
        end = period.end
        return f"{end.year + (end.month == 12):04d}-{end.month % 12 + 1:02d}-15"

    def dataset(
        self, unit: UnitEntry, period: Period, ranks: Mapping[str, Mapping[str, int]]
    ) -> str:
        figures = self.collection.figures[(unit.id, period)]
        last = self.collection.same_period_last_year(unit, period)
        data: Tree = {
            "unit": unit.slug,
            "period": period.key,
            "status": "provisional" if period == self.last_period else "final",
            "source": {
                "title": SOURCE_TITLE,
                "publisher": PUBLISHER,
                "date": Raw(self.release_day(period)),
                "archive": ARCHIVE,
            },
            "money_unit": "thousand_vnd",
        }
        for measure in MEASURES:
            target = self.collection.target(unit, period.year, measure)
            data[measure] = self.results(
                figures.results(measure), last.results(measure) if last else None, target
            )
        for component in SUBAGGREGATES:
            data[component] = {
                measure: self.results(
                    figures.results(measure, component),
                    last.results(measure, component) if last else None,
                )
                for measure in MEASURES
            }
        admin: Tree = dict(figures.admin)
        if (admin_rate := rate_of(figures.admin, "completed", "to_enforce")) is not None:
            admin["rate"] = hundredths(admin_rate)
        data["admin_judgments"] = admin
        reception: Tree = dict(figures.reception)
        if (resolution := rate_of(figures.reception, "resolved", "in_jurisdiction")) is not None:
            reception["resolution_rate"] = hundredths(resolution)
        data["citizen_reception"] = reception
        data["inspections"] = [
            {"kind": kind, **values} for kind, values in figures.inspections.items()
        ]
        data["reform"] = self.reform(unit, period)
        if unit.slug != NATION and not isinstance(unit, SubUnit):
            data["ranking"] = {
                "basis": "rate",
                **{m: ranks[m][unit.id] for m in MEASURES if unit.id in ranks[m]},
                "of": len(self.collection.units(period)),
                "scope": "toàn quốc",
            }
        data["narrative"] = TextBlock(self.narrative(unit, period, figures))
        data["notes"] = self.notes(unit, period)
        return to_yaml(data)

    def results(self, block: Block, last: Block | None, target: int | None = None) -> Tree:
        """A results block as written: its amounts, rate, gap to target and changes."""
        written: Tree = dict(block)
        rate = rate_of(block)
        if rate is not None:
            written["rate"] = hundredths(rate)
            if target is not None:
                written["target_gap"] = hundredths(rate - target)
        if last is not None:
            change: Tree = {}
            for key in CHANGED_FIELDS:
                if key in block and key in last:
                    moved: Tree = {"absolute": block[key] - last[key]}
                    if last[key] > 0:
                        moved["percent"] = hundredths(percent_change(block[key], last[key]))
                    change[key] = moved
            last_rate = rate_of(last)
            if rate is not None and last_rate is not None:
                change["rate"] = {"points": hundredths(rate - last_rate)}
            written["change"] = change
        return written

    def reform(self, unit: UnitEntry, period: Period) -> list[Tree]:
        """The initiatives under way; the nation counts what its units count."""
        items: list[Tree] = []
        units = [unit] if unit.slug != NATION else self.collection.units(period)
        for key in REFORM:
            status = reform_status(key, unit, period)
            if status is None:
                continue
            item: Tree = {"key": key, "status": status}
            if key in COUNTED and status in COUNTING:
                item["count"] = sum(self.reform_count(key, u, period) for u in units)
            item["note"] = REFORM_NOTES[key]
            items.append(item)
        return items

    def reform_count(self, key: str, unit: UnitEntry, period: Period) -> int:
        """Filings or receipts since 1 October (electronic receipts began on 04/07/2025)."""
        if reform_status(key, unit, period) not in COUNTING:
            return 0
        months = period.months - 9 if key == "e_receipts" and period.year == 2025 else period.months
        return months_share(part(COUNTED[key], self.collection.size(unit)), months)

    def narrative(self, unit: UnitEntry, period: Period, figures: Figures) -> str:
        cases, money = figures.results("cases"), figures.results("money")
        who = "Toàn hệ thống" if unit.slug == NATION else unit.name.vi
        text = (
            f"Dữ liệu tổng hợp cho kiểm thử hiệu năng, không phải số liệu thật. "
            f"{period.name('vi').capitalize()} ({period.date_range('vi')}), {who} thi hành xong "
            f"{vi_int(cases['completed'])}/{vi_int(cases['enforceable'])} việc có điều kiện "
            f"thi hành, đạt {vi_rate(rate_of(cases))}%; về tiền thi hành xong "
            f"{vi_billions(money['completed'])}/{vi_billions(money['enforceable'])} tỷ đồng, "
            f"đạt {vi_rate(rate_of(money))}%. Chuyển kỳ sau {vi_int(cases['carried_forward'])} "
            f"việc. Theo dõi {vi_int(figures.admin['to_enforce'])} bản án hành chính, "
            f"đã thi hành xong {vi_int(figures.admin['completed'])}."
        )
        return textwrap.fill(text, width=92)

    def notes(self, unit: UnitEntry, period: Period) -> list[str]:
        notes = [
            "Synthetic benchmark data (bench/make_reference.py, fixed seed): invented figures "
            "that describe no real unit.",
            "Money in thousand đồng, exact. The totals are the sum of four disjoint groups: "
            "state budget, credit and banking, corruption assets, other cases.",
        ]
        if unit.slug == NATION:
            count = len(self.collection.units(period))
            notes.append(f"National figures are the sum of the {count} units' datasets.")
        elif unit.scheme == "post2025" and period.year == 2025 and len(unit.formed_from) > 1:
            olds = ", ".join(unit.formed_from)
            notes.append(f"Formed on 01/07/2025 from {olds}: the year's figures are their sum.")
        return notes

    def ranks(self, period: Period) -> dict[str, dict[str, int]]:
        pages = [
            (u.id, self.collection.figures[(u.id, period)]) for u in self.collection.units(period)
        ]
        return {
            m: competition_ranks({u: rate_of(f.results(m)) for u, f in pages}) for m in MEASURES
        }

    def targets(self) -> tuple[str, int]:
        entries: list[Tree] = []
        for year in range(self.collection.first, self.collection.last + 1):
            units: dict[str, UnitEntry] = {}
            for months in MONTHS:
                units.update((u.id, u) for u in self.collection.units(Period(year, months)))
            for unit in [self.registry.get(NATION), *units.values()]:
                entry: Tree = {"year": year, "unit": unit.slug}
                if unit.scheme != "national":
                    entry["scheme"] = unit.scheme
                for measure in MEASURES:
                    entry[measure] = hundredths(
                        self.collection.province_target(unit, year, measure)
                    )
                entry["basis"] = "stated"
                entry["source"] = {
                    "title": SOURCE_TITLE,
                    "publisher": PUBLISHER,
                    "archive": ARCHIVE,
                }
                entries.append(entry)
        header = HEADER + (
            "# Completion-rate targets per unit and statistical year, invented: last year's\n"
            "# synthetic rate plus up to 0,6 points, within 75-88% (cases) and 35-50% (money).\n"
        )
        return to_yaml({"targets": entries}, header), len(entries)

    def releases(self) -> str:
        entries = [
            {
                "period": period.key,
                "publish_at": Raw(f"{self.release_day(period)} 09:00:00+07:00"),
                "status": "published",
                "title": {
                    "vi": f"Kết quả THADS {period.name('vi')} (dữ liệu tổng hợp)",
                    "en": f"THADS results, {period.name('en')} (synthetic data)",
                },
                "note": "Synthetic release date: the 15th of the month after the period ends.",
            }
            for period in self.collection.periods()
        ]
        header = HEADER + "# Release calendar of the synthetic collection.\n"
        return to_yaml({"releases": entries}, header)


def vi_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def vi_rate(value: int | None) -> str:
    return "—" if value is None else f"{vi_int(value // 100)},{value % 100:02d}"


def vi_billions(thousands: int) -> str:
    """Nghìn đồng as tỷ đồng to two decimals, rounded half up: 1.234,57."""
    return vi_rate((thousands + 5_000) // 10_000)


# --- the folder ---

README = f"""{MARKER}
# Bộ dữ liệu tham chiếu tổng hợp — synthetic reference collection

**Dữ liệu tổng hợp cho kiểm thử hiệu năng, không phải số liệu thật.**
**Synthetic benchmark data: none of these figures is real.**

Written by `bench/make_reference.py` (issue #5) with a fixed seed: the same command writes
the same bytes. Delete it or write it again at will; the generator replaces this folder
(it recognises it by the marker on the first line of this file).

- `provinces.yml`: the real unit registry, copied from `content/`.
- `pages/`: the editorial pages of `content/`, with a notice that the data are synthetic.
- `datasets/`, `targets.yml`, `releases.yml`: invented figures. National datasets are the
  exact sum of the units; every identity and cross-period check of the build holds.
- `sources/{ARCHIVE}`: the "source" every dataset names, a statement that it has none.

Check it with `python build.py --content DIR --strict check`.
"""
ARCHIVE_TEXT = """Dữ liệu tổng hợp cho kiểm thử hiệu năng (không phải số liệu thật).

Các bộ số liệu trong thư mục này do bench/make_reference.py sinh ngẫu nhiên với hạt giống
cố định để đo hiệu năng của Minh Bạch. Không có bài viết, văn bản nguồn nào; không con số
nào mô tả một đơn vị thi hành án dân sự có thật.

Synthetic benchmark data, not real figures: generated by bench/make_reference.py with a
fixed seed to benchmark Minh Bạch. There is no source article; no figure describes a real
civil judgment enforcement agency.
"""
PAGE_NOTICE = {
    "vi": "> **Dữ liệu tổng hợp:** bộ nội dung này do `bench/make_reference.py` sinh ra để "
    "kiểm thử hiệu năng; mọi con số là giả định, không phải số liệu thật.",
    "en": "> **Synthetic data:** this collection was written by `bench/make_reference.py` for "
    "benchmarks; every figure is invented, none is real.",
}


@dataclass(frozen=True)
class Summary:
    datasets: int
    national: int
    periods: list[Period]
    units: dict[str, int]  # by scheme (sub-units with their province's)
    targets: int
    subunits: int = 0


def generate(out: Path, first: int, last: int, subunits: int = 0) -> Summary:
    """Write the collection into `out`, replacing a previous one; return what was written.

    With `subunits`, every province has that many district branches until the 2025
    reorganisation and that many regional offices after it, each with its own datasets
    (a collection several times the reference's size, for the scale benchmark).
    """
    refuse_foreign(out)
    entries = subunit_entries(load_registry(), subunits)
    registry = load_registry().with_subunits(entries)
    collection = Collection(registry, first, last)
    collection.simulate()
    collection.simulate_subunits()
    writer = Writer(collection)
    targets, target_count = writer.targets()
    files: dict[str, str] = {
        "README.md": README,
        "provinces.yml": (REPO / "content" / "provinces.yml").read_text(encoding="utf-8"),
        f"sources/{ARCHIVE}": ARCHIVE_TEXT,
        "targets.yml": targets,
        "releases.yml": writer.releases(),
    }
    if entries:
        files["subunits.yml"] = subunits_yaml(entries)
    for page in sorted((REPO / "content" / "pages").glob("*/*.md")):
        files[f"pages/{page.parent.name}/{page.name}"] = with_notice(
            page.read_text(encoding="utf-8"), PAGE_NOTICE.get(page.parent.name, PAGE_NOTICE["en"])
        )
    units: dict[str, set[str]] = defaultdict(set)
    national = 0
    for period in collection.periods():
        ranks = writer.ranks(period)
        for unit in [registry.get(NATION), *collection.units(period), *collection.subunits(period)]:
            files[f"datasets/{period.key}/{unit.slug}.yml"] = writer.dataset(unit, period, ranks)
            units[unit.scheme].add(unit.id)
            national += unit.slug == NATION
    replace_folder(out, files)
    return Summary(
        datasets=sum(1 for name in files if name.startswith("datasets/")),
        national=national,
        periods=collection.periods(),
        units={s: len(units[s]) for s in ("pre2025", "post2025", "national") if s in units},
        subunits=len(entries),
        targets=target_count,
    )


def subunit_entries(registry: Registry, per_province: int) -> list[SubunitEntry]:
    """`per_province` district branches of each pre-2025 province and regional offices of
    each post-2025 one, with invented names."""
    entries = []
    for scheme, kind, vi, en in (
        ("pre2025", "branch", "Chi cục THADS số {n}", "District Branch {n}"),
        ("post2025", "regional", "Phòng THADS khu vực {n}", "Regional Office {n}"),
    ):
        for unit in registry.in_scheme(scheme):
            for n in range(1, per_province + 1):
                name = {
                    "vi": f"{vi.format(n=n)} ({unit.name.vi}, tổng hợp)",
                    "en": f"{en.format(n=n)} ({unit.name.en}, synthetic)",
                }
                slug = f"{unit.slug}-{'chi-cuc' if kind == 'branch' else 'khu-vuc'}-{n}"
                entries.append(
                    SubunitEntry.model_validate(
                        {"slug": slug, "parent": unit.slug, "kind": kind, "name": name}
                    )
                )
    return entries


def subunits_yaml(entries: Sequence[SubunitEntry]) -> str:
    lines = [HEADER.rstrip("\n"), "subunits:"]
    for entry in entries:
        lines.append(f"  - slug: {entry.slug}")
        lines.append(f"    parent: {entry.parent}")
        lines.append(f"    kind: {entry.kind}")
        lines.append(
            f"    name: {{vi: {json.dumps(entry.name.vi, ensure_ascii=False)}, "
            f"en: {json.dumps(entry.name.en)}}}"
        )
    return "\n".join(lines) + "\n"


def with_notice(page: str, notice: str) -> str:
    """The page with the synthetic-data notice after its first heading."""
    lines = page.splitlines(keepends=True)
    if lines and lines[0].startswith("# "):
        return f"{lines[0]}\n{notice}\n{''.join(lines[1:])}"
    return f"{notice}\n\n{page}"


def load_registry() -> Registry:
    data = yaml.safe_load((REPO / "content" / "provinces.yml").read_text(encoding="utf-8"))
    return Registry.from_file(RegistryFile.model_validate(data))


class RefuseError(Exception):
    """The output folder holds something we did not write."""


def replace_folder(out: Path, files: Mapping[str, str]) -> None:
    """Write every file into a temporary folder beside `out`, then swap it in."""
    refuse_foreign(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for relative, text in sorted(files.items()):
            path = tmp / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def refuse_foreign(out: Path) -> None:
    """Never delete a folder we did not write."""
    if out.exists() and not is_ours(out):
        raise RefuseError(
            f"{shown(out)} exists and is not a collection this script wrote (no marker in "
            f"its README.md); remove it yourself or choose another --out"
        )


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def is_ours(out: Path) -> bool:
    if out.is_dir() and not any(out.iterdir()):
        return True
    readme = out / "README.md"
    return readme.is_file() and readme.read_text(encoding="utf-8").startswith(MARKER)


def parse_years(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        years = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a range of years like 2016-2025"
        ) from None
    if not FIRST_YEAR <= years[0] <= years[1] <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"years must run forwards within {FIRST_YEAR}-{LAST_YEAR}")
    return years


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make_reference.py",
        description="Write a synthetic national reference collection (NOT real figures).",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder to (re)write (default: bench/reference)",
    )
    parser.add_argument(
        "--years",
        type=parse_years,
        default=DEFAULT_YEARS,
        help="statistical years, e.g. 2016-2025 (the default) or 2024-2025",
    )
    parser.add_argument(
        "--subunits",
        type=int,
        default=0,
        metavar="N",
        help="district branches (before 2025) and regional offices (after) per province, "
        "each with its own datasets: 3 makes a collection four times the reference's",
    )
    args = parser.parse_args(None if argv is None else list(argv))
    started = time.perf_counter()
    try:
        summary = generate(args.out, *args.years, subunits=args.subunits)
    except RefuseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    periods = summary.periods
    units = ", ".join(f"{count} {scheme}" for scheme, count in summary.units.items())
    print(
        f"wrote {shown(args.out)}/: {summary.datasets} synthetic datasets "
        f"({summary.datasets - summary.national} unit, {summary.national} national), "
        f"{len(periods)} periods {periods[0]}…{periods[-1]}, units: {units}"
        + (f", {summary.subunits} sub-units" if summary.subunits else "")
    )
    print(
        f"  and {summary.targets} targets, {len(periods)} releases "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
