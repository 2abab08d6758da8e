"""The indicator catalogue: labels, definitions, measures and identities of every field.

Loaded once from `catalogue.yml` beside this module. Everything that names a field
to a person (error messages, pages, the methodology page) asks the catalogue.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from minhbach.problems import UserError

Lang = Literal["vi", "en"]
CATALOGUE_PATH = Path(__file__).with_name("catalogue.yml")


class Text(BaseModel):
    """A phrase in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    vi: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


Measure = Literal[
    "count", "money", "amount", "percent", "points", "rank", "text", "date", "enum", "block", "list"
]


class FieldDef(BaseModel):
    """One field of a group: what it is called, what it means, what it measures."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = ""
    label: Text
    definition: Text
    measure: Measure
    group: str | None = None  # for blocks and lists: the group of their fields
    amount: Literal["count", "money"] | None = None  # for results blocks: what `amount` means
    values: list[str] = []  # for enums
    cumulative: bool = False  # grows through the statistical year
    signed: bool = False  # may be negative (changes)


class Group(BaseModel):
    """A set of fields that appear together (a block, a list entry)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: Text
    fields: dict[str, FieldDef]


class Identity(BaseModel):
    """An arithmetic rule between fields of one group."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    group: str
    kind: Literal["partition", "ratio", "difference", "subset", "rank"]
    severity: Literal["error", "warning"]
    text: Text
    evidence: str
    whole: str | None = None
    parts: list[str] = []
    complete: bool = False
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    minuend: str | None = None
    subtrahend: str | None = None
    fields: list[str] = []

    def field_keys(self) -> list[str]:
        keys = [
            self.whole,
            *self.parts,
            self.value,
            self.numerator,
            self.denominator,
            self.minuend,
            self.subtrahend,
            *self.fields,
        ]
        return [k for k in keys if k]


class CrossCheck(BaseModel):
    """A rule across datasets of one unit, implemented in `validate`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    severity: Literal["error", "warning"]
    text: Text
    evidence: str


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    groups: dict[str, Group]
    enums: dict[str, dict[str, Text]]
    identities: list[Identity]
    cross_checks: list[CrossCheck]

    def model_post_init(self, context: object, /) -> None:
        for group in self.groups.values():
            for key, field in group.fields.items():
                object.__setattr__(field, "key", key)

    def field_at(self, loc: Sequence[str | int]) -> FieldDef | None:
        """Find the field a dataset path names, e.g. ('state_budget', 'money', 'rate')."""
        group: str | None = "dataset"
        found: FieldDef | None = None
        parts = [p for p in loc if isinstance(p, str)]
        skip_next = False
        for part in parts:
            if skip_next:  # change.<results field>.<change field>
                skip_next = False
                found = self.groups["results"].fields.get(part)
                group = "change"
                continue
            if group is None or part not in self.groups[group].fields:
                return found if part in ("value", "qualifier", "quote", "note") else None
            found = self.groups[group].fields[part]
            skip_next = found.group == "change"
            group = found.group
        return found

    def describe(self, loc: Sequence[str | int], lang: Lang = "vi") -> str:
        """Name a path for a message: 'cases.completed (Thi hành xong)'."""
        path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        found = self.field_at(loc)
        if found is None:
            return path
        label = found.label[lang]
        parts = [p for p in loc if isinstance(p, str)]
        if "change" in parts and len(parts) > parts.index("change") + 2:
            changed = self.field_at(parts[: parts.index("change") + 2])
            if changed is not None:
                label = f"{changed.label[lang]}: {label[0].lower()}{label[1:]}"
        return f"{path} ({label})"

    def enum_label(self, enum: str, value: str, lang: Lang = "vi") -> str:
        return self.enums[enum][value][lang]

    def identities_of(self, group: str) -> list[Identity]:
        return [i for i in self.identities if i.group == group]


@functools.cache
def get_catalogue() -> Catalogue:
    """Load and check the catalogue shipped with the package."""
    # Part of the code, not of the content: a missing or broken catalogue is a broken
    # installation, told in one line rather than a traceback.
    try:
        text = CATALOGUE_PATH.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UserError(
            f"the indicator catalogue {CATALOGUE_PATH} cannot be read ({reason}); "
            "it is part of Minh Bạch: restore it from the repository"
        ) from None
    try:
        return Catalogue.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
    except (yaml.YAMLError, ValidationError) as exc:
        raise UserError(
            f"the indicator catalogue {CATALOGUE_PATH} is broken: {str(exc).splitlines()[0]}; "
            "it is part of Minh Bạch: restore it from the repository"
        ) from None


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """The nearest valid word, for 'did you mean' hints."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A hint naming the nearest valid word, or listing them when none is near."""
    near = suggest(word, choices)
    if near:
        return f"did you mean '{near}'?"
    listed = ", ".join(sorted(choices))
    return f"valid keys: {listed}"
