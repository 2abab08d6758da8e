"""What the check stage gives the later stages: the checked datasets and the content.

Only the check makes these (`validate.check_content`, or the check cache); compute,
render and the caches read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from minhbach.content.catalogue import Catalogue, FieldDef
from minhbach.content.figures import Figure
from minhbach.content.models import Acknowledgement, Dataset, Source, TargetEntry
from minhbach.content.periods import Period
from minhbach.content.registry import Registry
from minhbach.content.yamlfile import Document
from minhbach.problems import Problem

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Summary:
    """What the pages of the whole collection read of every dataset: its rate figures (for
    the periods' ranks) and its source (the build's date, the methodology page's list of
    sources, the archived texts). A dataset from the check cache is read (unpickled) only
    when a page needs more of it."""

    headline: dict[str, tuple[Figure | None, Figure | None, Figure | None]]
    """Of the cases and money blocks: the published rate, completed and enforceable."""
    source: Source
    """The main source (the first of `sources`)."""
    sources: tuple[Source, ...] = ()
    acknowledged: tuple[Acknowledgement, ...] = ()
    """The warnings the dataset acknowledges, matched with the check's after all checks."""
    quoted: bool = False
    """Whether a figure carries a quote (the page then says how to see it)."""
    noted: bool = False
    """Whether a figure carries a note (the page then shows notes beside figures)."""
    revisions: int = 0
    """How many revision entries it has (`check.revisions` reads it only then, or when
    its period's release is frozen)."""

    @classmethod
    def of(cls, dataset: Dataset) -> Summary:
        headline = {}
        for key in ("cases", "money"):
            results = getattr(dataset, key)
            if results is not None:
                headline[key] = (results.rate, results.completed, results.enforceable)
        quoted = noted = False
        for _, figure in dataset_figures(dataset):
            quoted = quoted or figure.quote is not None
            noted = noted or figure.note is not None
        quoted = quoted or any(item.quote for item in dataset.reform)
        return cls(
            headline,
            dataset.main_source,
            tuple(dataset.all_sources),
            tuple(dataset.acknowledged),
            quoted,
            noted,
            len(dataset.revisions),
        )


@dataclass(frozen=True)
class CheckedDataset:
    """A dataset that passed validation, with money in đồng and its unit and period resolved."""

    src_path: str
    doc: Document
    dataset: Dataset
    period: Period
    unit_id: str
    targets: dict[str, Figure]  # effective target per results block key ('cases', 'money')
    summary: Summary


@dataclass
class Content:
    """Everything in a content folder, checked."""

    root: Path
    registry: Registry | None = None
    targets: dict[tuple[str, int], TargetEntry] = field(default_factory=dict)
    datasets: list[CheckedDataset] = field(default_factory=list)
    releases: list[Any] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    """The sha256 (hex) of each dataset file as checked, by its `src_path`."""
    flags: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    """The warnings (acknowledged or not) on each checked dataset's figures, by `src_path`:
    the pages show each beside its figure, the open data in its row."""
    revised: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """The figures of released periods that differ from their frozen release, each with
    the revision entry that explains it (`revisions.Revised`), by the dataset's `src_path`."""
    published_at: dt.datetime | None = None
    """The build's publication time, once the embargo has withheld what is not due then
    (`embargo.withhold`): no date the site shows is later. None: not decided (a check, a
    preview)."""

    def file_hash(self, path: str) -> str:
        """The sha256 of a dataset file: as the check read it, or read now."""
        known = self.hashes.get(path)
        if known is None:
            known = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return known

    @property
    def units(self) -> set[str]:
        return {d.unit_id for d in self.datasets}

    @property
    def periods(self) -> set[Period]:
        return {d.period for d in self.datasets}


def dataset_figures(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Figure]]:
    """Every figure in a dataset, where it is (for the pages' notes beside figures)."""
    if isinstance(value, Figure):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from dataset_figures(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from dataset_figures(item, (*loc, index))
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            yield from dataset_figures(getattr(value, key), (*loc, key))


def catalogue_figures(
    catalogue: Catalogue,
    obj: Any,
    group: str = "dataset",
    loc: Loc = (),
    amount: str | None = None,
) -> Iterator[tuple[Loc, FieldDef, Figure, str | None]]:
    """Every figure in `obj` (a dataset, or a part of one of catalogue `group`), where it
    is, with its catalogue field and, for results, its block's amount ('count', 'money')."""
    groups = catalogue.groups
    for key, spec in groups[group].fields.items():
        value = getattr(obj, key, None)
        if value is None:
            continue
        if isinstance(value, Figure):
            yield (*loc, key), spec, value, amount
        elif spec.group == "change":
            for field_key, change in value.items():
                changed = groups[group].fields.get(field_key)
                is_rate = changed is not None and changed.measure in ("percent", "points")
                yield from catalogue_figures(
                    catalogue,
                    change,
                    "change",
                    (*loc, key, field_key),
                    "percent" if is_rate else amount,
                )
        elif spec.measure == "list" and spec.group:
            for index, item in enumerate(value):
                yield from catalogue_figures(
                    catalogue, item, spec.group, (*loc, key, index), amount
                )
        elif spec.measure == "block" and spec.group:
            yield from catalogue_figures(
                catalogue, value, spec.group, (*loc, key), spec.amount or amount
            )
