"""Releases frozen as published, and every later change to their figures, recorded.

`python build.py release PERIOD` freezes the figures of a period's release, as the check
reads them, into `content/released/<period>.yml`, committed with the content (`freeze`).
From then on a figure of that period that differs from its frozen value (changed, added
or gone) needs a revision entry in its dataset:

    revisions:
      - date: 2021-03-01
        reason: final            # or why, in words
        fields: [cases.completed]  # optional: none covers every figure that changed

or the check fails, naming the dataset, the field, the frozen value and the new one
(`check_revisions`, rule `revision`). What passes is listed once (`Revised`): the pages
mark each revised figure with its value as released, the revisions page and the feeds
list them, and the open data flags them. A figure's precision ("97,6 tỷ" written
"97,60 tỷ") is not a change; its value or its hedge ("gần") is.

Official practice (UK Code of Practice T3.9, the IMF's SDDS): a published figure is never
changed silently; every revision is labelled, dated and explained.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from minhbach.check.checked import CheckedDataset, Content, Loc, catalogue_figures
from minhbach.check.embargo import VIETNAM, release_time
from minhbach.content.boundary import ContentFolder, ContentPathError, shown_path
from minhbach.content.catalogue import Catalogue
from minhbach.content.figures import Figure, Qualifier
from minhbach.content.load import validate_document
from minhbach.content.models import FrozenFigure, ReleasedFile, Revision
from minhbach.content.numbers import figure_text
from minhbach.content.periods import Period, PeriodError
from minhbach.content.yamlfile import load_yaml_bytes
from minhbach.problems import Problems

#: The folder of the frozen releases, in the content folder.
FOLDER = "released"
#: The reason that says final figures replace provisional ones (shown in words).
FINAL = "final"


@dataclass(frozen=True)
class Revised:
    """One figure of a released period that differs from its frozen value, and the
    revision entry that explains it."""

    period: Period
    unit_id: str
    src_path: str
    field: str
    """Its path in the dataset: 'cases.completed', 'inspections[thanh_tra].count'."""
    loc: Loc | None
    """Where it is in the dataset now; None: no longer given."""
    measure: str
    before: Figure | None
    """As released; None: not in the release (added since)."""
    after: Figure | None
    """As it is now; None: no longer given."""
    date: dt.date
    reason: str
    released_at: dt.datetime

    @property
    def is_final(self) -> bool:
        """Whether the reason is that final figures replace provisional ones."""
        return self.reason.strip().lower() == FINAL


@dataclass(frozen=True)
class Frozen:
    """A frozen release as read: where it is, and what it holds."""

    shown: str
    release: ReleasedFile
    mark: Any  # its document's `mark`, for messages


# --- the field paths and the frozen values ---


def field_path(dataset: Any, loc: Loc) -> str:
    """A figure's path as an editor writes it: an item of a list by its kind or key."""
    parts: list[str] = []
    here = dataset
    for part in loc:
        if isinstance(part, int):
            here = here[part]
            name = getattr(here, "kind", None) or getattr(here, "key", None) or str(part)
            parts[-1] += f"[{name}]"
        else:
            here = here[part] if isinstance(here, dict) else getattr(here, part)
            parts.append(part)
    return ".".join(parts)


def figures_of(checked: CheckedDataset, catalogue: Catalogue) -> dict[str, tuple[Loc, str, Figure]]:
    """Every figure of a checked dataset by its path: where it is, its measure, itself."""
    found = {}
    for loc, spec, figure, amount in catalogue_figures(catalogue, checked.dataset):
        measure = amount if spec.measure == "amount" else spec.measure
        found[field_path(checked.dataset, loc)] = (loc, measure or "count", figure)
    return found


def digits(value: Decimal) -> str:
    """An exact decimal as plain digits, without trailing zeros: '1577', '47.1'."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def frozen_figure(figure: Figure, measure: str) -> FrozenFigure:
    return FrozenFigure(
        value=digits(figure.value),
        measure=measure,
        step=digits(figure.step),
        qualifier=figure.qualifier.value if figure.qualifier is not None else None,
    )


def thawed(frozen: FrozenFigure) -> Figure:
    """A frozen figure as a figure again (exact value, precision, hedge)."""
    qualifier = Qualifier(frozen.qualifier) if frozen.qualifier else None
    return Figure(Decimal(frozen.value), Decimal(frozen.step), qualifier)


def same(before: FrozenFigure, after: Figure) -> bool:
    """Whether a figure is as released: its value and hedge (not its precision)."""
    qualifier = after.qualifier.value if after.qualifier is not None else None
    return Decimal(before.value) == after.value and before.qualifier == qualifier


# --- `build.py release PERIOD` ---


def freeze(content: Content, period: Period, released_at: dt.datetime, catalogue: Catalogue) -> str:
    """The frozen release of `period`: every figure of its checked datasets, as YAML."""
    datasets: dict[str, Any] = {}
    root = content.root.resolve()
    for checked in sorted(content.datasets, key=lambda c: c.unit_id):
        if checked.period != period:
            continue
        try:
            file = Path(checked.src_path).resolve().relative_to(root).as_posix()
        except ValueError:
            file = checked.src_path
        datasets[checked.unit_id] = {
            "file": file,
            "status": checked.dataset.status,
            "figures": {
                path: frozen_figure(figure, measure).model_dump(exclude_defaults=True)
                for path, (_, measure, figure) in figures_of(checked, catalogue).items()
            },
        }
    data = {
        "period": period.key,
        "released_at": released_at.isoformat(timespec="minutes"),
        "datasets": datasets,
    }
    head = (
        f"# The figures of the release of {period.key} ({period.name('en')}) as published,\n"
        "# frozen by `python build.py release`. Commit it with the content and do not edit it:\n"
        "# a later change to one of these figures needs a revision entry in its dataset\n"
        "# (docs/releases.md, 'Revisions'). Values are exact, in cases, đồng, % or points.\n"
    )
    body = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )
    return head + body


# --- reading the frozen releases ---


def load_frozen(
    folder: ContentFolder, shown_root: str, problems: Problems, catalogue: Catalogue
) -> dict[Period, Frozen]:
    """The frozen releases of a content folder (`released/<period>.yml`), by period."""
    found: dict[Period, Frozen] = {}
    if not folder.is_folder(FOLDER):
        if folder.path(FOLDER).exists() or folder.path(FOLDER).is_symlink():
            problems.error(
                shown_path(shown_root, FOLDER),
                None,
                None,
                f"{FOLDER} is not a folder inside the content folder",
                hint="it holds the frozen releases, released/<period>.yml",
                rule="path",
            )
        return found
    for relative, problem in folder.walk(FOLDER):
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        shown = shown_path(shown_root, relative)
        name = relative.split("/")[-1]
        if problem is not None:
            problems.error(shown, None, None, problem.message, hint=problem.hint, rule="path")
            continue
        stem, dot, suffix = name.rpartition(".")
        if relative.count("/") != 1 or not dot or suffix != "yml":
            problems.error(
                shown,
                None,
                None,
                "a frozen release is released/<period>.yml",
                hint="write it with python build.py release PERIOD",
                rule="path",
            )
            continue
        try:
            period = Period.parse(stem)
            data = folder.read(relative)
        except (PeriodError, ContentPathError) as exc:
            message = exc.message if isinstance(exc, ContentPathError) else str(exc)
            problems.error(shown, None, None, message, rule="path")
            continue
        doc = load_yaml_bytes(data, problems, shown)
        if doc is None:
            continue
        loaded = validate_document(doc, ReleasedFile, problems, catalogue)
        if loaded is None:
            continue
        release = loaded[1]
        if release.period != period.key:
            problems.error(
                shown,
                doc.mark(("period",)),
                "period",
                f"the release of {release.period} in the file of {period.key}",
                hint="a frozen release is named by its period; write it again with "
                f"python build.py release {release.period}",
                rule="revision",
            )
            continue
        bad = False
        for unit, frozen in release.datasets.items():
            for path, figure in frozen.figures.items():
                try:
                    thawed(figure)
                except (InvalidOperation, ValueError):
                    bad = True
                    problems.error(
                        shown,
                        doc.mark(("datasets", unit, "figures", path)),
                        f"datasets.{unit}.figures.{path}",
                        "not a frozen figure (value and step are digits, the hedge a word "
                        "such as gần)",
                        hint="a frozen release is written by python build.py release; "
                        "restore it from the repository",
                        rule="revision",
                    )
        if not bad:
            found[period] = Frozen(shown, release, doc.mark)
    return found


# --- the check ---


def _covering(revisions: list[Revision], path: str) -> tuple[int, Revision] | None:
    """The revision entry that explains a change of `path`: the latest that names it,
    else the latest that names no field."""
    named = [(r.date, i) for i, r in enumerate(revisions) if path in r.fields]
    if not named:
        named = [(r.date, i) for i, r in enumerate(revisions) if not r.fields]
    if not named:
        return None
    index = max(named)[1]
    return index, revisions[index]


_LIST_ITEM = re.compile(r"\[[^\]]*\]")


def check_revisions(
    content: Content, frozen: dict[Period, Frozen], problems: Problems, catalogue: Catalogue
) -> dict[str, tuple[Revised, ...]]:
    """Compare each dataset of a frozen period with its release; report every change
    without a revision entry, and every revision entry that revises nothing. Return the
    revised figures by the dataset's `src_path`."""
    revised: dict[str, tuple[Revised, ...]] = {}
    seen: set[tuple[Period, str]] = set()
    for checked in content.datasets:
        seen.add((checked.period, checked.unit_id))
        release = frozen.get(checked.period)
        if release is None:
            # From the summary: a dataset from the check cache is read only when used.
            for index in range(checked.summary.revisions):
                problems.error(
                    checked.src_path,
                    checked.doc.mark(("revisions", index)),
                    f"revisions[{index}]",
                    f"period {checked.period.key} has no frozen release to revise "
                    f"({FOLDER}/{checked.period.key}.yml)",
                    hint="a figure changed before its release needs no revision entry; "
                    f"freeze the release when it is published: python build.py release "
                    f"{checked.period.key}",
                    rule="revision",
                )
            continue
        found = _revised(checked, release, problems, catalogue)
        if found:
            revised[checked.src_path] = found
    for period, release in frozen.items():
        for unit in release.release.datasets:
            if (period, unit) not in seen and not problems.errors:
                problems.error(
                    release.shown,
                    release.mark(("datasets", unit)),
                    f"datasets.{unit}",
                    f"the released dataset of {unit} for {period.key} is gone",
                    hint="a released dataset is never withdrawn silently: restore it, and "
                    "record what changed in its revisions",
                    rule="revision",
                )
    return revised


def _revised(
    checked: CheckedDataset, release: Frozen, problems: Problems, catalogue: Catalogue
) -> tuple[Revised, ...]:
    entries = checked.dataset.revisions
    released_at = release_time(release.release.released_at)
    released_day = released_at.astimezone(VIETNAM).date()
    frozen = release.release.datasets.get(checked.unit_id)
    before = dict(frozen.figures) if frozen is not None else {}
    now = figures_of(checked, catalogue)
    changed: list[tuple[str, Loc | None, str, FrozenFigure | None, Figure | None]] = []
    for path, (loc, measure, figure) in now.items():
        old = before.get(path)
        if old is None or not same(old, figure):
            changed.append((path, loc, measure, old, figure))
    for path, old in before.items():
        if path not in now:
            changed.append((path, None, old.measure, old, None))
    changed_paths = {change[0] for change in changed}
    for index, entry in enumerate(entries):
        if entry.date < released_day:
            problems.error(
                checked.src_path,
                checked.doc.mark(("revisions", index, "date")),
                f"revisions[{index}].date",
                f"a revision dated {entry.date:%d/%m/%Y}, before the release on "
                f"{released_day:%d/%m/%Y}",
                hint="date it on the day the figures were revised",
                rule="revision",
            )
        for place, path in enumerate(entry.fields):
            if path not in changed_paths:
                known = path in now or path in before
                problems.warning(
                    checked.src_path,
                    checked.doc.mark(("revisions", index, "fields", place)),
                    f"revisions[{index}].fields[{place}]",
                    f"{path} is as released; this revision does not change it"
                    if known
                    else f"{path} is not a figure of this dataset or its release",
                    hint="list the fields whose figures changed since the release",
                    rule="revision",
                )
    out = []
    used: set[int] = set()
    for path, at, measure, old, new in changed:
        covering = _covering(entries, path)
        if covering is None:
            where = at if at is not None else _nearest(checked, path)
            was = _said(thawed(old), measure) if old is not None else "not in the release"
            is_ = _said(new, measure) if new is not None else "not given"
            problems.error(
                checked.src_path,
                checked.doc.mark(where),
                catalogue.describe(where) if at is not None else path,
                f"differs from the release of {released_day:%d/%m/%Y} "
                f"({release.shown}): released {was}, now {is_}",
                hint="record the change in the dataset: revisions: [{date: YYYY-MM-DD, "
                f"reason: ..., fields: [{path}]}}] (docs/releases.md, 'Revisions'), or "
                "restore the released figure",
                rule="revision",
            )
            continue
        index, entry = covering
        used.add(index)
        out.append(
            Revised(
                checked.period,
                checked.unit_id,
                checked.src_path,
                path,
                at,
                measure,
                thawed(old) if old is not None else None,
                new,
                entry.date,
                entry.reason,
                released_at,
            )
        )
    for index, entry in enumerate(entries):
        if index not in used and not entry.fields:
            problems.warning(
                checked.src_path,
                checked.doc.mark(("revisions", index)),
                f"revisions[{index}]",
                "no figure differs from the release: this revision revises nothing",
                hint="remove it, or correct the figures it records",
                rule="revision",
            )
    return tuple(out)


def _nearest(checked: CheckedDataset, path: str) -> Loc:
    """Where a figure no longer given was: its block, if the dataset still has it."""
    parts = _LIST_ITEM.sub("", path).split(".")
    for length in range(len(parts) - 1, 0, -1):
        loc = tuple(parts[:length])
        if checked.doc.mark(loc) is not None:
            return loc
    return ()


def _said(figure: Figure, measure: str) -> str:
    """A figure in a message: exact, in its base unit ('1.577', '97.600.000.000 đồng')."""
    text = figure_text(figure, lang="vi")
    return f"{text} đồng" if measure == "money" else f"{text}%" if measure == "percent" else text
