"""The unit registry: which provincial units exist on which day, and how they merged.

Until 30/06/2025 there were 63 provinces (scheme `pre2025`); from 01/07/2025,
34 (scheme `post2025`, Resolution 202/2025/QH15). 23 new units reuse a
predecessor's slug and many reuse another predecessor's code, so a unit is
only ever found by slug *and* date: `resolve(slug, period.end)`.

Below the provinces are sub-units (`content/subunits.yml`, optional): district branches
(Chi cục THADS) until 30/06/2025 and regional offices (Phòng THADS khu vực) from
01/07/2025. Each has a parent province of its kind's scheme and the days it exists; it
has datasets and pages of its own, but is never one of the provinces a period ranks,
maps or sums (`in_scheme` lists provinces only).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from minhbach.content.catalogue import Text, did_you_mean, suggest
from minhbach.content.models import (
    SUBUNIT_SCHEMES,
    Region,
    RegistryFile,
    Scheme,
    SubUnit,
    SubunitEntry,
    UnitEntry,
)

MERGER_DATE = dt.date(2025, 7, 1)
NATION = "toan-quoc"

Loc = tuple[str | int, ...]

#: What each kind of sub-unit is called in messages.
SUBUNIT_KINDS = {
    "branch": "a branch (Chi cục THADS)",
    "regional": "a regional office (Phòng THADS khu vực)",
}


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
    units: tuple[UnitEntry, ...]  # the nation and the provinces of both schemes
    regions: dict[str, Text]
    subunits: tuple[SubUnit, ...] = ()

    @classmethod
    def from_file(cls, data: RegistryFile) -> Registry:
        return cls(tuple(data.schemes), tuple(data.units), {r.key: r.name for r in data.regions})

    def with_subunits(self, entries: Sequence[SubunitEntry]) -> Registry:
        """This registry with the sub-units of subunits.yml (checked by `check_subunits`)."""
        made = []
        for entry in entries:
            scheme = SUBUNIT_SCHEMES[entry.kind]
            parent = self._unit_in(entry.parent, scheme)
            start, end = self._scheme_bounds(scheme)
            made.append(
                SubUnit(
                    slug=entry.slug,
                    scheme=scheme,
                    kind=entry.kind,
                    name=entry.name,
                    code=entry.code,
                    region=parent.region if parent is not None else None,
                    parent=entry.parent,
                    valid_from=entry.valid_from or start,
                    valid_to=entry.valid_to or end,
                )
            )
        return replace(self, subunits=tuple(made))

    def scheme_on(self, day: dt.date) -> str:
        for scheme in self.schemes:
            if (scheme.valid_from or dt.date.min) <= day <= (scheme.valid_to or dt.date.max):
                return scheme.id
        raise ResolveError(f"no administrative scheme covers {day:%d/%m/%Y}")

    def in_scheme(self, scheme: str) -> list[UnitEntry]:
        return list(self._by_scheme.get(scheme, ()))

    def get(self, unit_id: str) -> UnitEntry:
        return self._by_id[unit_id]

    def parent(self, sub: SubUnit) -> UnitEntry:
        """The province a sub-unit belongs to."""
        return self._by_id[f"{sub.scheme}:{sub.parent}"]

    def subunits_of(self, unit: UnitEntry) -> list[SubUnit]:
        """The sub-units of a province, in the order of subunits.yml."""
        return [s for s in self.subunits if s.scheme == unit.scheme and s.parent == unit.slug]

    def _unit_in(self, slug: str, scheme: str) -> UnitEntry | None:
        return next((u for u in self.by_slug(slug) if u.scheme == scheme), None)

    def _scheme_bounds(self, scheme: str) -> tuple[dt.date | None, dt.date | None]:
        found = next((s for s in self.schemes if s.id == scheme), None)
        return (found.valid_from, found.valid_to) if found is not None else (None, None)

    def by_slug(self, slug: str) -> list[UnitEntry]:
        return list(self._by_slug.get(slug, ()))

    # Indexes, built on first use: pages look units up thousands of times.

    @functools.cached_property
    def _by_id(self) -> dict[str, UnitEntry]:
        by_id: dict[str, UnitEntry] = {}
        for unit in (*self.units, *self.subunits):
            by_id.setdefault(unit.id, unit)  # the first, as a scan would find it
        return by_id

    @functools.cached_property
    def _by_slug(self) -> dict[str, tuple[UnitEntry, ...]]:
        by_slug: dict[str, list[UnitEntry]] = defaultdict(list)
        for unit in (*self.units, *self.subunits):
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
            slugs = sorted({u.slug for u in (*self.units, *self.subunits)})
            near = suggest(slug, slugs)
            raise ResolveError(
                f"unknown unit '{slug}'",
                f"did you mean '{near}'?"
                if near
                else "a unit is a slug of provinces.yml; a district branch or regional office "
                "is listed in subunits.yml first, under its province",
            )
        subs = [u for u in candidates if isinstance(u, SubUnit)]
        for sub in subs:
            if valid_on(sub, day):
                return sub
        if subs:
            sub = subs[0]
            raise ResolveError(
                f"'{slug}' ({sub.name.vi}) exists {validity_text(sub)}, not on {day:%d/%m/%Y}",
                f"a dataset of '{slug}' is for a period ending {validity_text(sub)}",
            )
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
            if unit.kind in SUBUNIT_KINDS:
                found.append(
                    (
                        (*at, "kind"),
                        f"{SUBUNIT_KINDS[unit.kind]} is listed in subunits.yml, with its parent",
                    )
                )
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

    def check_subunits(self, entries: Sequence[SubunitEntry]) -> list[tuple[Loc, str, str | None]]:
        """Problems of subunits.yml as (place, message, hint); empty when sound.

        A sub-unit's slug names it alone (page addresses are made of slugs): no province
        and no other sub-unit, of either kind, has it. Its parent is a province of its
        kind's scheme, which exists every day the sub-unit does, since the sub-unit's days
        lie within that scheme's.
        """
        found: list[tuple[Loc, str, str | None]] = []
        provinces = sorted({u.slug for u in self.units if u.scheme != "national"})
        first: dict[str, int] = {}
        codes: dict[tuple[str, str, str], int] = {}
        for index, entry in enumerate(entries):
            at: Loc = ("subunits", index)
            kind = SUBUNIT_KINDS[entry.kind]
            scheme = SUBUNIT_SCHEMES[entry.kind]
            found += [(loc, m, None) for loc, m in _slug_problems((*at, "slug"), entry.slug)]
            found += [(loc, m, None) for loc, m in _text_problems((*at, "name"), entry.name)]
            if entry.slug in first:
                found.append(
                    (
                        (*at, "slug"),
                        f"'{entry.slug}' is listed twice (first as subunits[{first[entry.slug]}])",
                        "a slug names one sub-unit, whatever its kind and days",
                    )
                )
            first.setdefault(entry.slug, index)
            taken = self.by_slug(entry.slug)
            if taken:
                found.append(
                    (
                        (*at, "slug"),
                        f"'{entry.slug}' is the slug of {taken[0].name.vi} in provinces.yml",
                        "page addresses are made of slugs: give the sub-unit its own, e.g. "
                        f"'{entry.parent}-{entry.slug}'",
                    )
                )
            found += self._parent_problems((*at, "parent"), entry, kind, scheme, provinces)
            start, end = self._scheme_bounds(scheme)
            label = next((s.label.vi for s in self.schemes if s.id == scheme), scheme)
            within = _span_text(start, end)
            for key, day in (("valid_from", entry.valid_from), ("valid_to", entry.valid_to)):
                if day is not None and not ((start or dt.date.min) <= day <= (end or dt.date.max)):
                    found.append(
                        (
                            (*at, key),
                            f"{day:%d/%m/%Y} is outside the days of {kind}, which exists "
                            f"{within} ({label})",
                            _KIND_HINTS[entry.kind],
                        )
                    )
            begins, ends = entry.valid_from or start, entry.valid_to or end
            if begins is not None and ends is not None and begins > ends:
                found.append(
                    (
                        (*at, "valid_to"),
                        f"the sub-unit ends ({ends:%d/%m/%Y}) before it starts ({begins:%d/%m/%Y})",
                        None,
                    )
                )
            if entry.code:
                same = (entry.parent, entry.kind, entry.code)
                if same in codes:
                    found.append(
                        (
                            (*at, "code"),
                            f"code {entry.code} is used twice under '{entry.parent}' "
                            f"(first by subunits[{codes[same]}])",
                            None,
                        )
                    )
                codes.setdefault(same, index)
        return found

    def _parent_problems(
        self, at: Loc, entry: SubunitEntry, kind: str, scheme: str, provinces: list[str]
    ) -> list[tuple[Loc, str, str | None]]:
        units = self.by_slug(entry.parent)
        if not units:
            return [(at, f"unknown parent '{entry.parent}'", did_you_mean(entry.parent, provinces))]
        if any(u.scheme == "national" for u in units):
            return [(at, "a sub-unit's parent is a province, not the nation", None)]
        if any(u.scheme == scheme for u in units):
            return []
        unit = units[0]
        if scheme == "post2025":
            successor = self.successor(unit)
            return [
                (
                    at,
                    f"'{entry.parent}' ({unit.name.vi}) no longer exists from 01/07/2025, "
                    f"when {kind} is",
                    f"its successor is parent: {successor.slug} ({successor.name.vi})",
                )
            ]
        olds = ", ".join(f"'{s}'" for s in unit.formed_from)
        return [
            (
                at,
                f"'{entry.parent}' ({unit.name.vi}) exists only from 01/07/2025, after the "
                f"days of {kind}",
                f"a branch belongs to one of its predecessors: {olds}",
            )
        ]


_KIND_HINTS = {
    "branch": "from 01/07/2025 the branches were replaced by regional offices: list one "
    "with kind: regional",
    "regional": "before 01/07/2025 a province had district branches: list one with kind: branch",
}


def valid_on(sub: SubUnit, day: dt.date) -> bool:
    """Whether a sub-unit exists on `day`."""
    return (sub.valid_from or dt.date.min) <= day <= (sub.valid_to or dt.date.max)


def validity_text(sub: SubUnit) -> str:
    """The days a sub-unit exists, for a message: 'from 01/07/2025', 'until 30/06/2025'."""
    return _span_text(sub.valid_from, sub.valid_to)


def _span_text(start: dt.date | None, end: dt.date | None) -> str:
    if start is not None and end is not None:
        return f"from {start:%d/%m/%Y} to {end:%d/%m/%Y}"
    if start is not None:
        return f"from {start:%d/%m/%Y}"
    if end is not None:
        return f"until {end:%d/%m/%Y}"
    return "on every day"


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
