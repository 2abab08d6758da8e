"""The unit registry: which provincial units exist on which day, and how they merged.

Until 30/06/2025 there were 63 provinces (scheme `pre2025`); from 01/07/2025,
34 (scheme `post2025`, Resolution 202/2025/QH15). 23 new units reuse a
predecessor's slug and many reuse another predecessor's code, so a unit is
only ever found by slug *and* date: `resolve(slug, period.end)`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .catalogue import Text, did_you_mean
from .models import Region, RegistryFile, Scheme, UnitEntry

MERGER_DATE = dt.date(2025, 7, 1)
NATION = "toan-quoc"

Loc = tuple[str | int, ...]


class ResolveError(LookupError):
    """A slug that names no unit on the given day; `hint` says which one to use."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Registry:
    """All units of both schemes and the nation, with the 2025 crosswalk."""

    schemes: tuple[Scheme, ...]
    units: tuple[UnitEntry, ...]
    regions: dict[str, Text]

    @classmethod
    def from_file(cls, data: RegistryFile) -> Registry:
        return cls(tuple(data.schemes), tuple(data.units), {r.key: r.name for r in data.regions})

    def scheme_on(self, day: dt.date) -> str:
        for scheme in self.schemes:
            if (scheme.valid_from or dt.date.min) <= day <= (scheme.valid_to or dt.date.max):
                return scheme.id
        raise ResolveError(f"no administrative scheme covers {day:%d/%m/%Y}")

    def in_scheme(self, scheme: str) -> list[UnitEntry]:
        return list(self._by_scheme.get(scheme, ()))

    def get(self, unit_id: str) -> UnitEntry:
        return self._by_id[unit_id]

    def by_slug(self, slug: str) -> list[UnitEntry]:
        return list(self._by_slug.get(slug, ()))

    # Indexes, built on first use: pages look units up thousands of times.

    @functools.cached_property
    def _by_id(self) -> dict[str, UnitEntry]:
        by_id: dict[str, UnitEntry] = {}
        for unit in self.units:
            by_id.setdefault(unit.id, unit)  # the first, as a scan would find it
        return by_id

    @functools.cached_property
    def _by_slug(self) -> dict[str, tuple[UnitEntry, ...]]:
        by_slug: dict[str, list[UnitEntry]] = defaultdict(list)
        for unit in self.units:
            by_slug[unit.slug].append(unit)
        return {slug: tuple(units) for slug, units in by_slug.items()}

    @functools.cached_property
    def _by_scheme(self) -> dict[str, tuple[UnitEntry, ...]]:
        by_scheme: dict[str, list[UnitEntry]] = defaultdict(list)
        for unit in self.units:
            by_scheme[unit.scheme].append(unit)
        return {scheme: tuple(units) for scheme, units in by_scheme.items()}

    @functools.cached_property
    def _successors(self) -> dict[str, UnitEntry]:
        successors: dict[str, UnitEntry] = {}
        for unit in self._by_scheme.get("post2025", ()):
            for slug in unit.formed_from:
                successors.setdefault(slug, unit)  # the first, as a scan would find it
        return successors

    def resolve(self, slug: str, day: dt.date) -> UnitEntry:
        """The unit a slug names on `day` (a period's end date)."""
        candidates = self.by_slug(slug)
        if not candidates:
            slugs = sorted({u.slug for u in self.units})
            raise ResolveError(f"unknown unit '{slug}'", did_you_mean(slug, slugs))
        for unit in candidates:
            if unit.scheme == "national":
                return unit
        scheme = self.scheme_on(day)
        for unit in candidates:
            if unit.scheme == scheme:
                return unit
        unit = candidates[0]
        if unit.scheme == "pre2025":
            successor = self.successor(unit)
            raise ResolveError(
                f"'{slug}' ({unit.name.vi}) no longer exists on {day:%d/%m/%Y}: it was merged into "
                f"'{successor.slug}' ({successor.name.vi}) on 01/07/2025 "
                "(Nghị quyết 202/2025/QH15)",
                f"use unit: {successor.slug} for periods ending from 01/07/2025",
            )
        olds = ", ".join(f"'{s}'" for s in unit.formed_from)
        raise ResolveError(
            f"'{slug}' ({unit.name.vi}) exists only from 01/07/2025, not on {day:%d/%m/%Y}",
            f"before the merger, use one of its predecessors: {olds}",
        )

    def successor(self, old: UnitEntry) -> UnitEntry:
        """The post-2025 unit an old unit became part of."""
        try:
            return self._successors[old.slug]
        except KeyError:
            raise KeyError(old.id) from None

    def predecessors(self, new: UnitEntry) -> list[UnitEntry]:
        """The pre-2025 units a new unit was formed from, in code order."""
        olds = {u.slug: u for u in self.in_scheme("pre2025")}
        return [olds[slug] for slug in new.formed_from]

    def check(self) -> list[tuple[Loc, str]]:
        """Consistency problems as (place in provinces.yml, message); empty when sound.

        A registry that passes never makes `resolve`, `scheme_on`, `successor` or
        `predecessors` fail for lack of a unit or scheme: every day has exactly one scheme.
        """
        found = self._check_schemes()
        schemes = {s.id for s in self.schemes}
        keys = Counter((u.slug, u.scheme) for u in self.units)
        codes: dict[str, Counter[str]] = defaultdict(Counter)
        for unit in self.units:
            if unit.code:
                codes[unit.scheme][unit.code] += 1
        pre = {u.slug for u in self.in_scheme("pre2025")}
        used: Counter[str] = Counter()
        for index, unit in enumerate(self.units):
            at: Loc = ("units", index)
            found += _slug_problems((*at, "slug"), unit.slug)
            found += _text_problems((*at, "name"), unit.name)
            if keys[(unit.slug, unit.scheme)] > 1:
                found.append(((*at, "slug"), f"'{unit.slug}' is listed twice in {unit.scheme}"))
            if unit.scheme != "national" and unit.scheme not in schemes:
                found.append(
                    ((*at, "scheme"), f"scheme '{unit.scheme}' is not listed under schemes:")
                )
            if unit.code and codes[unit.scheme][unit.code] > 1:
                found.append(((*at, "code"), f"code {unit.code} is used twice in {unit.scheme}"))
            if unit.scheme != "national" and not unit.code:
                found.append(((*at, "code"), "a province needs its official code"))
            if unit.scheme != "national" and unit.region not in self.regions:
                found.append(((*at, "region"), f"unknown region '{unit.region}'"))
            if unit.scheme == "post2025":
                if not unit.formed_from:
                    found.append(((*at, "formed_from"), "a post2025 unit lists its predecessors"))
                for slug in unit.formed_from:
                    used[slug] += 1
                    if slug not in pre:
                        found.append(((*at, "formed_from"), f"'{slug}' is not a pre2025 unit"))
            elif unit.formed_from:
                found.append(((*at, "formed_from"), "only post2025 units have predecessors"))
        for index, unit in enumerate(self.units):
            if unit.scheme == "pre2025" and used[unit.slug] != 1:
                found.append(
                    (
                        ("units", index, "slug"),
                        f"'{unit.slug}' is in {used[unit.slug]} formed_from "
                        "lists; every old unit becomes part of exactly one new unit",
                    )
                )
        return found

    def _check_schemes(self) -> list[tuple[Loc, str]]:
        """The schemes must follow each other, one day after another, from the first day on."""
        found: list[tuple[Loc, str]] = []
        ids: Counter[str] = Counter(s.id for s in self.schemes)
        for index, scheme in enumerate(self.schemes):
            at: Loc = ("schemes", index)
            found += _text_problems((*at, "label"), scheme.label, "label")
            if ids[scheme.id] > 1:
                found.append(((*at, "id"), f"scheme '{scheme.id}' is listed twice"))
            if scheme.valid_from and scheme.valid_to and scheme.valid_from > scheme.valid_to:
                found.append(
                    ((*at, "valid_to"), f"{scheme.id} ends before it starts ({scheme.valid_from})")
                )
        if found or not self.schemes:
            return found or [(("schemes",), "the registry needs at least one scheme")]
        ordered = sorted(
            range(len(self.schemes)),
            key=lambda i: self.schemes[i].valid_from or dt.date.min,
        )
        first, last = self.schemes[ordered[0]], self.schemes[ordered[-1]]
        if first.valid_from is not None:
            found.append(
                (
                    ("schemes", ordered[0], "valid_from"),
                    f"no scheme covers the days before {first.valid_from:%d/%m/%Y}; leave "
                    f"valid_from out of the first scheme ({first.id})",
                )
            )
        if last.valid_to is not None:
            found.append(
                (
                    ("schemes", ordered[-1], "valid_to"),
                    f"no scheme covers the days after {last.valid_to:%d/%m/%Y}; leave "
                    f"valid_to out of the last scheme ({last.id})",
                )
            )
        for before, after in itertools.pairwise(ordered):
            ends, starts = self.schemes[before].valid_to, self.schemes[after].valid_from
            if starts is None or ends is None or ends >= starts:
                begins = "from the first day" if starts is None else f"on {starts:%d/%m/%Y}"
                found.append(
                    (
                        ("schemes", after, "valid_from"),
                        f"{self.schemes[after].id} starts {begins}, while "
                        f"{self.schemes[before].id} is still valid",
                    )
                )
            elif ends + dt.timedelta(days=1) != starts:
                found.append(
                    (
                        ("schemes", after, "valid_from"),
                        f"no scheme covers {ends + dt.timedelta(days=1):%d/%m/%Y} to "
                        f"{starts - dt.timedelta(days=1):%d/%m/%Y}, between "
                        f"{self.schemes[before].id} and {self.schemes[after].id}",
                    )
                )
        return found


def check_regions(regions: Sequence[Region]) -> list[tuple[Loc, str]]:
    """Problems of the regions as listed (the registry keeps one per key), as `check`'s."""
    found: list[tuple[Loc, str]] = []
    keys: Counter[str] = Counter(r.key for r in regions)
    for index, region in enumerate(regions):
        found += _slug_problems(("regions", index, "key"), region.key)
        if keys[region.key] > 1:
            found.append((("regions", index, "key"), f"region '{region.key}' is listed twice"))
        found += _text_problems(("regions", index, "name"), region.name)
    return found


#: A slug is part of every page address and file name: lowercase ASCII words and hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _slug_problems(loc: Loc, slug: str) -> list[tuple[Loc, str]]:
    if SLUG.fullmatch(slug):
        return []
    return [
        (
            loc,
            f"{slug!r} is not a slug: lowercase letters a-z, digits and single hyphens only, "
            "e.g. ba-ria-vung-tau",
        )
    ]


def _text_problems(loc: Loc, text: Text, what: str = "name") -> list[tuple[Loc, str]]:
    return [
        ((*loc, lang), f"the {what} is empty") for lang in ("vi", "en") if not text[lang].strip()
    ]
