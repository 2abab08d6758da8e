"""Stage 2, validate: decide whether the content can be published.

`check_content` loads the registry, targets, releases and every dataset, then
checks each dataset against the domain (units per period, measures, money units,
the identities of the catalogue, quotes against archived sources) and the
datasets of one unit against each other (cumulative periods, year-to-year
carry-over, published changes). It returns the checked content and every
problem found; it never raises for bad input and never writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel

from minhbach.check.checkcache import CheckCache, CrossCheck, FileCheck, context_key, dumps
from minhbach.check.checked import CheckedDataset, Content, Loc, Summary, catalogue_figures
from minhbach.check.embargo import release_time
from minhbach.check.revisions import check_revisions, load_frozen
from minhbach.content.boundary import ContentFolder, ContentPathError, name_problem, shown_path
from minhbach.content.catalogue import (
    Catalogue,
    FieldDef,
    Identity,
    did_you_mean,
    get_catalogue,
    suggest,
)
from minhbach.content.editorial import check_pages
from minhbach.content.figures import MAX_DECIMALS, Figure, FigureError, MoneyUnit, resolve
from minhbach.content.load import validate_document, validate_pruned
from minhbach.content.models import (
    FLAT_GROUPS,
    SUBAGGREGATES,
    Change,
    Dataset,
    Reform,
    RegistryFile,
    ReleasesFile,
    Results,
    Source,
    SubAggregate,
    SubUnit,
    SubunitsFile,
    TargetEntry,
    TargetsFile,
    UnitEntry,
)
from minhbach.content.numbers import EXACT_MONEY_STEP, figure_text, number, span
from minhbach.content.periods import Period, PeriodError
from minhbach.content.registry import MERGER_DATE, Registry, ResolveError, check_regions
from minhbach.content.yamlfile import Document, decode_text, load_yaml_bytes
from minhbach.machinery.cache import Store
from minhbach.machinery.memory import collector_paused
from minhbach.machinery.processes import fork_map
from minhbach.problems import Problem, Problems, Severity

M = TypeVar("M", bound=BaseModel)
HUNDRED = Decimal(100)
RATE_TOLERANCE = Decimal("0.05")  # percentage points, THADS.md §6
#: A source's web address: http or https, no space anywhere.
WEB_ADDRESS = re.compile(r"https?://\S+")
#: Releases without a time zone are dated in Vietnam's (UTC+7, no daylight saving).
#: What a content folder holds; anything else at its top is reported, not silently ignored
#: (dot-files, such as .gitkeep, are left alone).
CONTENT_ENTRIES = (
    "provinces.yml",
    "subunits.yml",
    "targets.yml",
    "releases.yml",
    "datasets",
    "released",
    "sources",
    "pages",
    "README.md",
)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Paths in messages are relative to the working directory (resolved) when they can be.

    The last part is kept as written: `site` is a link to its published version, and
    messages name `site`, not the version."""
    try:
        resolved = path.parent.resolve() / path.name if path.name else path.resolve()
        return str(resolved.relative_to(cwd or Path.cwd().resolve()))
    except ValueError:
        return str(path)


def check_content(
    root: Path, store: Store | None = None, as_of: dt.datetime | None = None
) -> tuple[Content, Problems]:
    """Load and check every file of a content folder; return what passed and all problems.

    With a `store`, each dataset file's own checks are skipped when the file and all
    they read are unchanged since a run that stored them there (see `checkcache`).
    Releases are compared with `as_of` (aware; now by default): one dated later cannot
    be published yet.
    """
    problems = Problems()
    # The editors' pages (editorial.py) are few and Markdown's converter is a web of
    # reference cycles: checked with the collector running, before the pause.
    check_pages(root, display_path(root), problems)
    with collector_paused():
        return _check_content(root, store, as_of or dt.datetime.now(dt.UTC), problems)


def _check_content(
    root: Path, store: Store | None, as_of: dt.datetime, problems: Problems
) -> tuple[Content, Problems]:
    catalogue = get_catalogue()
    content = Content(root)
    folder = ContentFolder(root)
    shown_root = display_path(root)
    _check_entries(folder, shown_root, problems)
    content.registry = _load_registry(root / "provinces.yml", problems)
    if content.registry is not None:
        content.targets = _load_targets(root / "targets.yml", content.registry, problems)
    content.releases = _load_releases(root / "releases.yml", problems, as_of)
    cache = None
    if store is not None:
        # What a file's checks read besides the file: registry, targets, where sources are.
        context = context_key(
            root.resolve(),
            display_path(root / "sources"),
            content.registry,
            sorted(content.targets.items()),
        )
        cache = CheckCache(store, context, functools.partial(source_state, folder))
    files = []
    for relative in _dataset_paths(folder, shown_root, problems):
        shown = shown_path(shown_root, relative)
        try:
            files.append((shown, folder.read(relative)))
        except ContentPathError as exc:
            problems.error(shown, None, None, exc.message, hint=exc.hint, rule="path")
    # One hash of each file for the later stages' caches (rendercache, opendata).
    content.hashes = {shown: hashlib.sha256(data).hexdigest() for shown, data in files}
    results: list[FileCheck | None] = [None] * len(files)
    keys: list[bytes] = []
    if cache is not None:
        keys = [cache.key(shown, data) for shown, data in files]
        results = [cache.get(key) for key in keys]
    todo = [index for index, result in enumerate(results) if result is None]
    for index, checked_file, pickled in _check_files(
        [files[index] for index in todo], todo, root, content, catalogue, cache is not None
    ):
        results[index] = checked_file
        if checked_file.checked is not None:
            # Unpickled now, while the workers check the other files, not after them: the
            # checks across a unit's periods read every dataset checked in this run (1.1 s
            # of the reference's cold build, when this process had nothing else to do).
            checked_file.checked.dataset  # noqa: B018
        if cache is not None:
            assert pickled is not None
            cache.put(keys[index], pickled)
    keys_of: dict[int, bytes] = {}  # the key of each checked dataset's file, by id
    for index, result in enumerate(results):
        assert result is not None
        problems.extend(result.problems)
        if result.checked is not None:
            content.datasets.append(result.checked)
            if cache is not None:
                keys_of[id(result.checked)] = keys[index]
    _check_duplicates(content, problems)
    _check_across(content, problems, catalogue, cache, keys_of)
    _acknowledge(content, problems)
    frozen = load_frozen(folder, shown_root, problems, catalogue)
    content.revised = check_revisions(content, frozen, problems, catalogue)
    return content, problems


#: The warnings a dataset can acknowledge, by rule name (docs/checks.md, "Warnings"), besides the
#: catalogue's identities of severity warning and its checks across periods.
OTHER_WARNINGS = ("change_consistency", "source_date")


def warning_rules(catalogue: Catalogue) -> list[str]:
    """The names of the warnings a dataset's figures can get (and acknowledge)."""
    names = [i.id for i in catalogue.identities if i.severity == "warning"]
    return [*names, *(c.id for c in catalogue.cross_checks), *OTHER_WARNINGS]


def _acknowledge(content: Content, problems: Problems) -> None:
    """Mark the warnings each dataset acknowledges; warn of acknowledgements that match none.

    Runs after every check, on what they found (cached or not), so an acknowledgement is
    matched against this run's warnings. Then records each dataset's flags for the pages.
    """
    by_path: dict[str, list[int]] = defaultdict(list)
    for index, problem in enumerate(problems.items):
        if problem.severity is Severity.WARNING:
            by_path[problem.path].append(index)
    for checked in content.datasets:
        for position, ack in enumerate(checked.summary.acknowledged):
            matched = False
            for index in by_path.get(checked.src_path, ()):
                problem = problems.items[index]
                if problem.rule != ack.warning or not _field_matches(problem.loc, ack.field):
                    continue
                problems.items[index] = dc_replace(
                    problem, severity=Severity.ACKNOWLEDGED, reason=ack.reason
                )
                matched = True
            if not matched:
                loc: Loc = ("acknowledged", position)
                where = f" on {ack.field}" if ack.field else ""
                problems.warning(
                    checked.src_path,
                    checked.doc.mark(loc),
                    f"acknowledged[{position}]",
                    f"acknowledges a '{ack.warning}' warning{where} that the check does not give",
                    hint="remove the acknowledgement, or correct its warning name and field",
                    rule="stale_acknowledgement",
                    loc=loc,
                )
    paths = {checked.src_path for checked in content.datasets}
    flags: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems.items:
        if (
            problem.path in paths
            and problem.loc
            and problem.severity in (Severity.WARNING, Severity.ACKNOWLEDGED)
        ):
            flags[problem.path].append(problem)
    content.flags = {path: tuple(found) for path, found in flags.items()}


def _field_matches(loc: tuple[str | int, ...] | None, path: str | None) -> bool:
    """Whether a warning at `loc` is on the field `path` ('cases.carried_over') or below it."""
    if path is None:
        return True
    if loc is None:
        return False
    dotted = ".".join(str(part) for part in loc)
    return dotted == path or dotted.startswith(path + ".")


def _check_across(
    content: Content,
    problems: Problems,
    catalogue: Catalogue,
    cache: CheckCache | None,
    keys_of: dict[int, bytes],
) -> None:
    """Check the datasets of each unit against each other.

    With a cache, only a unit one of whose dataset files changed is checked again: the
    checks read nothing but the unit's datasets.
    """
    by_unit: dict[str, dict[Period, CheckedDataset]] = defaultdict(dict)
    for checked in content.datasets:
        by_unit[checked.unit_id][checked.period] = checked
    keys: dict[str, bytes] = {}
    stored: dict[str, CrossCheck | None] = {}
    for unit, periods in by_unit.items():
        stored[unit] = None
        if cache is not None:
            keys[unit] = cache.across_key([keys_of[id(c)] for _, c in sorted(periods.items())])
            stored[unit] = cache.get_across(keys[unit])
    todo = [unit for unit, found in stored.items() if found is None]
    for unit, pickled in zip(todo, _cross_check(todo, by_unit, catalogue), strict=True):
        stored[unit] = pickle.loads(pickled)
        if cache is not None:
            cache.put(keys[unit], pickled)
    for found in stored.values():
        assert found is not None
        problems.extend(found.problems)


def _cross_check(
    units: list[str], by_unit: dict[str, dict[Period, CheckedDataset]], catalogue: Catalogue
) -> list[bytes]:
    """The checks across the periods of each unit, pickled, in order (`fork_map`)."""
    for unit in units:  # read here once, not in each forked process (`UnreadDataset`)
        for checked in by_unit[unit].values():
            checked.dataset  # noqa: B018
    return list(fork_map(lambda unit: _cross_check_unit(by_unit[unit], catalogue), units))


def _cross_check_unit(periods: dict[Period, CheckedDataset], catalogue: Catalogue) -> bytes:
    found = Problems()
    CrossChecker(found, catalogue).run(periods)
    return dumps(CrossCheck(tuple(found)))


def _check_files(
    files: list[tuple[str, bytes]],
    indexes: list[int],
    root: Path,
    content: Content,
    catalogue: Catalogue,
    pickled: bool,
) -> Iterator[tuple[int, FileCheck, bytes | None]]:
    """Check each (path shown, bytes) on its own: its index, result and, if `pickled`, pickle.

    Many files are checked in processes forked from this one (`fork_map`: they start
    with the registry, targets and catalogue loaded); results come back in order, so
    the problems are reported as one process reports them.
    """

    def task(file: tuple[str, bytes]) -> bytes:
        return dumps(check_file(file[1], file[0], root, content, catalogue))

    for index, reply in zip(indexes, fork_map(task, files), strict=True):
        yield index, pickle.loads(reply), reply if pickled else None


def check_file(
    data: bytes, shown: str, root: Path, content: Content, catalogue: Catalogue
) -> FileCheck:
    """Check one dataset file on its own, against the registry and targets of `content`."""
    problems = Problems()
    doc = load_yaml_bytes(data, problems, shown, catalogue.describe)
    if doc is None:
        return FileCheck(tuple(problems), None, ())
    loaded = validate_document(doc, Dataset, problems, catalogue)
    dataset = loaded[1] if loaded else validate_pruned(doc, Dataset)
    if dataset is None or content.registry is None:
        return FileCheck(tuple(problems), None, ())
    checker = DatasetChecker(doc, dataset, root, content, problems, catalogue)
    checked = checker.run()
    passed = checked if loaded is not None else None
    return FileCheck(tuple(problems), passed, tuple(checker.sources_read))


# --- registry, targets, releases ---


def _read_model(
    path: Path, model: type[M], problems: Problems, missing: str | None = None
) -> tuple[str, tuple[Document, M] | None]:
    """A content file (`path`, at the top of the content folder) read through the
    boundary and validated as `model`: its path as shown, and what was read.

    A file that is not there is nothing to read, or the error `missing` if it is required.
    """
    shown = shown_path(display_path(path.parent), path.name)
    if not os.path.lexists(path):
        if missing is not None:
            problems.error(
                shown,
                None,
                None,
                missing,
                hint=f"every content folder needs {path.name}",
                rule="path",
            )
        return shown, None
    try:
        data = ContentFolder(path.parent).read(path.name)
    except ContentPathError as exc:
        problems.error(shown, None, None, exc.message, hint=exc.hint, rule="path")
        return shown, None
    doc = load_yaml_bytes(data, problems, shown)
    if doc is None:
        return shown, None
    return shown, validate_document(doc, model, problems)


def _field(loc: Loc) -> str:
    """A place in a file that is not a dataset, for a message: 'units[3].name.vi'."""
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")


def _load_registry(path: Path, problems: Problems) -> Registry | None:
    shown, loaded = _read_model(
        path, RegistryFile, problems, missing="the unit registry is missing"
    )
    if loaded is None:
        return None
    doc, data = loaded
    registry = Registry.from_file(data)
    found = registry.check() + check_regions(data.regions)
    for loc, message in found:
        problems.error(shown, doc.mark(loc), _field(loc), message, rule="registry")
    if found:
        return None
    return _load_subunits(path.parent / "subunits.yml", registry, problems)


def _load_subunits(path: Path, registry: Registry, problems: Problems) -> Registry | None:
    """The registry with the sub-units of subunits.yml, if the file is there and sound."""
    shown, loaded = _read_model(path, SubunitsFile, problems)
    if loaded is None:
        return None if os.path.lexists(path) else registry
    doc, data = loaded
    found = registry.check_subunits(data.subunits)
    for loc, message, hint in found:
        problems.error(shown, doc.mark(loc), _field(loc), message, hint=hint, rule="registry")
    return None if found else registry.with_subunits(data.subunits)


def _check_progress_targets(
    shown: str,
    doc: Document,
    loc: Loc,
    index: int,
    entry: TargetEntry,
    folder: ContentFolder,
    problems: Problems,
) -> None:
    """Each progress target names a sub-annual period of the entry's year, with percentages."""
    for key, progress in entry.progress_target.items():
        where: Loc = (*loc, "progress_target", key)
        field_name = f"targets[{index}].progress_target.{key}"
        try:
            period = Period.parse(key)
        except PeriodError as exc:
            problems.error(
                shown,
                doc.mark(where),
                field_name,
                str(exc),
                hint="write Y-Nm, e.g. 2024-6m",
                rule="target",
            )
            continue
        if period.year != entry.year:
            problems.error(
                shown,
                doc.mark(where),
                field_name,
                f"{key} is in statistical year {period.year}, not {entry.year}",
                hint=f"move it to the entry of {period.year}",
                rule="target",
            )
        if period.is_annual:
            problems.error(
                shown,
                doc.mark(where),
                field_name,
                f"{key} is the whole year: the annual target judges it, not a progress target",
                hint="write the year's target as cases: and money: of the entry",
                rule="target",
            )
        if progress.cases is None and progress.money is None:
            problems.error(
                shown,
                doc.mark(where),
                field_name,
                "a progress target needs cases:, money: or both",
                rule="target",
            )
        for measure in ("cases", "money"):
            figure = getattr(progress, measure)
            if figure is not None and not 0 <= figure.value <= HUNDRED:
                problems.error(
                    shown,
                    doc.mark((*where, measure)),
                    f"{field_name}.{measure}",
                    f"a target is a percentage from 0 to 100, not {figure.value}",
                    rule="target",
                )
        if progress.source is not None:
            for name, message, hint in _source_problems(progress.source, folder):
                problems.error(
                    shown,
                    doc.mark((*where, "source", name)),
                    f"{field_name}.source.{name}",
                    message,
                    hint=hint,
                    rule="source",
                )


def _overlaps(sub: SubUnit, first: dt.date, last: dt.date) -> bool:
    return (sub.valid_from or dt.date.min) <= last and first <= (sub.valid_to or dt.date.max)


def _load_targets(
    path: Path, registry: Registry, problems: Problems
) -> dict[tuple[str, int], TargetEntry]:
    shown, loaded = _read_model(path, TargetsFile, problems)
    if loaded is None:
        return {}
    doc, data = loaded
    catalogue = get_catalogue()
    folder = ContentFolder(path.parent)
    targets: dict[tuple[str, int], TargetEntry] = {}
    for index, entry in enumerate(data.targets):
        loc: Loc = ("targets", index)
        bases = list(catalogue.enums["target_basis"])
        if entry.basis is not None and entry.basis not in bases:
            problems.error(
                shown,
                doc.mark((*loc, "basis")),
                f"targets[{index}].basis",
                f"{entry.basis!r} is not one of {', '.join(bases)}",
                hint=did_you_mean(entry.basis, bases),
                rule="schema",
            )
        if entry.source is not None:
            for key, message, hint in _source_problems(entry.source, folder):
                problems.error(
                    shown,
                    doc.mark((*loc, "source", key)),
                    f"targets[{index}].source.{key}",
                    message,
                    hint=hint,
                    rule="source",
                )
        try:
            first, last = Period(entry.year, 1).start, Period(entry.year, 12).end
        except PeriodError as exc:
            problems.error(shown, doc.mark((*loc, "year")), f"targets[{index}].year", str(exc))
            continue
        candidates = [
            u
            for u in registry.by_slug(entry.unit)
            if entry.scheme in (None, u.scheme)
            and any(
                registry.scheme_on(day) == u.scheme or u.scheme == "national"
                for day in (first, last)
            )
            # A sub-unit has its own days: some of them in the year.
            and (not isinstance(u, SubUnit) or _overlaps(u, first, last))
        ]
        if not candidates:
            hint = None
            try:
                registry.resolve(entry.unit, last)
            except ResolveError as exc:
                hint = exc.hint
            problems.error(
                shown,
                doc.mark((*loc, "unit")),
                f"targets[{index}].unit",
                f"no unit '{entry.unit}' in statistical year {entry.year}",
                hint=hint,
                rule="target",
            )
            continue
        if len(candidates) > 1:
            problems.error(
                shown,
                doc.mark((*loc, "unit")),
                f"targets[{index}].unit",
                f"'{entry.unit}' names two units in {entry.year}, before and after "
                "the 01/07/2025 merger",
                hint="add scheme: pre2025 or scheme: post2025",
                rule="target",
            )
            continue
        for key in ("cases", "money"):
            figure = getattr(entry, key)
            if figure is not None and figure.ambiguous is not None:
                try:
                    resolve(figure, "percent")
                except FigureError as exc:
                    problems.error(
                        shown,
                        doc.mark((*loc, key)),
                        f"targets[{index}].{key}",
                        exc.message,
                        hint=exc.hint,
                        rule="schema",
                    )
                continue
            if figure is not None and not 0 <= figure.value <= HUNDRED:
                problems.error(
                    shown,
                    doc.mark((*loc, key)),
                    f"targets[{index}].{key}",
                    f"a target is a percentage from 0 to 100, not {figure.value}",
                )
        _check_progress_targets(shown, doc, loc, index, entry, folder, problems)
        target_key = (candidates[0].id, entry.year)
        if target_key in targets:
            problems.error(
                shown,
                doc.mark(loc),
                f"targets[{index}]",
                f"a second target for {entry.unit} in {entry.year}",
                hint="keep one entry per unit and year",
                rule="target",
            )
            continue
        targets[target_key] = entry
    return targets


def _load_releases(path: Path, problems: Problems, as_of: dt.datetime) -> list[Any]:
    shown, loaded = _read_model(path, ReleasesFile, problems)
    if loaded is None:
        return []
    doc, data = loaded
    seen: set[str] = set()
    for index, release in enumerate(data.releases):
        try:
            period = Period.parse(release.period)
        except PeriodError as exc:
            problems.error(
                shown,
                doc.mark(("releases", index, "period")),
                f"releases[{index}].period",
                str(exc),
                rule="release",
            )
            continue
        if period.key in seen:
            problems.error(
                shown,
                doc.mark(("releases", index)),
                f"releases[{index}]",
                f"period {period} is released twice",
                rule="release",
            )
        seen.add(period.key)
        publish_day = release.publish_at if isinstance(release.publish_at, dt.date) else None
        if isinstance(release.publish_at, dt.datetime):
            publish_day = release.publish_at.date()
            if release.publish_at.tzinfo is None:
                problems.error(
                    shown,
                    doc.mark(("releases", index, "publish_at")),
                    f"releases[{index}].publish_at",
                    "a publish time needs its time zone",
                    hint="write it as 2024-04-10 09:00:00+07:00",
                    rule="release",
                )
        if publish_day is not None and publish_day <= period.end:
            problems.error(
                shown,
                doc.mark(("releases", index, "publish_at")),
                f"releases[{index}].publish_at",
                f"published {publish_day:%d/%m/%Y}, before period {period} ends "
                f"({period.end:%d/%m/%Y})",
                rule="release",
            )
        if release.status == "published" and _is_after(release.publish_at, as_of):
            problems.error(
                shown,
                doc.mark(("releases", index, "status")),
                f"releases[{index}].status",
                "a release dated in the future cannot be published",
                hint="set status: scheduled",
                rule="release",
            )
    return list(data.releases)


def _is_after(publish_at: dt.datetime | dt.date, now: dt.datetime) -> bool:
    """Is a release's time later than `now`? (`embargo.release_time`: a day without a time
    is Vietnam's day.)"""
    return release_time(publish_at) > now


def _dataset_paths(folder: ContentFolder, shown_root: str, problems: Problems) -> list[str]:
    """The dataset files (paths below the content folder) to check; what else is under
    datasets/ is reported. Dot-files (an editor's or the system's) are left alone."""
    shown = shown_path(shown_root, "datasets")
    if not folder.is_folder("datasets"):
        where = folder.path("datasets")
        hint = (
            "every content folder needs datasets/<period>/<unit>.yml: nothing can be "
            "published without it"
        )
        if where.is_symlink():
            message = "datasets is a symbolic link; it must be a folder inside the content folder"
            hint = "replace the link by the folder itself"
        elif where.exists():
            message = "datasets is not a folder"
        else:
            message = "the datasets folder is missing"
        problems.error(shown, None, None, message, hint=hint, rule="path")
        return []
    paths = []
    found = False
    for relative, problem in folder.walk("datasets"):
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        found = True
        path = PurePosixPath(relative)
        file_shown = shown_path(shown_root, relative)
        if problem is not None:
            problems.error(file_shown, None, None, problem.message, hint=problem.hint, rule="path")
        elif path.suffix == ".yaml":
            problems.error(
                file_shown,
                None,
                None,
                "datasets end in .yml",
                hint=f"rename it to {path.with_suffix('.yml').name}",
                rule="path",
            )
        elif path.suffix != ".yml":
            problems.warning(
                file_shown, None, None, "not a dataset (.yml); it is ignored", rule="path"
            )
        elif len(path.parts) != 3:
            problems.error(
                file_shown,
                None,
                None,
                "a dataset lives at datasets/<period>/<unit>.yml",
                hint="move it into its period's folder, e.g. datasets/2024-6m/",
                rule="path",
            )
        else:
            paths.append(relative)
    if not found:
        # An error, not a warning: a build without datasets would replace the published
        # site with one that has no period or unit page, i.e. unpublish everything.
        problems.error(
            shown,
            None,
            None,
            "no datasets: the site would have no period or unit page",
            hint="add datasets/<period>/<unit>.yml; nothing is published without one",
            rule="path",
        )
    return paths


def _source_problems(
    source: Source, folder: ContentFolder
) -> Iterator[tuple[str, str, str | None]]:
    """What is wrong with a source's address and archived copy: (field, message, hint)."""
    if source.url and not WEB_ADDRESS.fullmatch(source.url):
        yield "url", f"{source.url!r} is not a web address", None
    if source.archive:
        try:
            decode_text(read_archive(folder, source.archive))
        except ContentPathError as exc:
            yield "archive", exc.message, exc.hint
        except UnicodeDecodeError as exc:
            yield "archive", _not_utf8(source.archive, exc), "save the archived source as UTF-8"


def read_archive(folder: ContentFolder, name: str) -> bytes:
    """The bytes of the archived source `name` (a `source.archive`), or ContentPathError:
    only a regular file inside the content folder's sources/ is read."""
    problem = name_problem(name)
    if problem is not None:
        raise problem
    relative = f"sources/{name}"
    if not os.path.lexists(folder.path(relative)):
        shown = display_path(folder.path("sources"))
        raise ContentPathError(f"no archived source {name} in {shown}/")
    return folder.read(relative)


def source_state(folder: ContentFolder, name: str) -> str:
    """An archived source as the check cache records it: its sha256, or why it is refused."""
    try:
        return hashlib.sha256(read_archive(folder, name)).hexdigest()
    except ContentPathError as exc:
        return _refused(exc)


def _refused(exc: ContentPathError) -> str:
    """What the check cache records of an archived source that could not be read: why,
    compared with why not on the next run (`CheckCache.source_hash`)."""
    return f"refused: {exc.message}"


def _not_utf8(name: str, exc: UnicodeDecodeError) -> str:
    return f"the archived source {name} is not UTF-8 text ({exc.reason} at byte {exc.start})"


def _check_entries(folder: ContentFolder, shown_root: str, problems: Problems) -> None:
    """Warn of what a content folder holds that no stage reads: it would be left out unseen."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder.root))
    except OSError:
        return
    for name in names:
        if name.startswith(".") or name in CONTENT_ENTRIES:
            continue
        near = suggest(name, CONTENT_ENTRIES)
        problems.warning(
            shown_path(shown_root, name),
            None,
            None,
            "not part of a content folder; it is ignored",
            hint=f"did you mean {near}?"
            if near
            else f"a content folder holds {', '.join(CONTENT_ENTRIES)}",
            rule="path",
        )


def _check_duplicates(content: Content, problems: Problems) -> None:
    seen: dict[tuple[str, Period], CheckedDataset] = {}
    for checked in content.datasets:
        key = (checked.unit_id, checked.period)
        if key in seen:
            problems.error(
                checked.src_path,
                checked.doc.mark(("unit",)),
                "unit",
                f"a second dataset for {checked.unit_id} in {checked.period}, "
                f"after {seen[key].src_path}",
                rule="path",
            )
        seen[key] = checked


# --- one dataset ---


@dataclass
class Block:
    """A results block inside a dataset, with what its `amount` fields measure."""

    loc: Loc
    results: Results
    amount: str  # "count" or "money"


def results_blocks(dataset: Dataset) -> Iterator[Block]:
    """Every results block of a dataset: cases, money and each sub-aggregate's."""
    for key in ("cases", "money"):
        results = getattr(dataset, key)
        if results is not None:
            yield Block((key,), results, "count" if key == "cases" else "money")
    for name in SUBAGGREGATES:
        sub: SubAggregate | None = getattr(dataset, name)
        if sub is None:
            continue
        for key in ("cases", "money"):
            results = getattr(sub, key)
            if results is not None:
                yield Block((name, key), results, "count" if key == "cases" else "money")


class DatasetChecker:
    """Checks one dataset and returns it with money scaled to đồng."""

    def __init__(
        self,
        doc: Document,
        dataset: Dataset,
        root: Path,
        content: Content,
        problems: Problems,
        catalogue: Catalogue,
    ) -> None:
        self.doc = doc
        self.dataset = dataset
        self.root = root
        self.content = content
        self.problems = problems
        self.catalogue = catalogue
        self.path = doc.path
        self.failed = False
        self.money_unit: MoneyUnit | None = None
        self.sources_read: list[tuple[str, str]] = []  # archive name, `source_state`
        self.scaled_figures: list[tuple[Loc, FieldDef, Figure, str | None]] = []

    def error(
        self,
        loc: Loc,
        message: str,
        hint: str | None = None,
        rule: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        if severity is Severity.ERROR:
            self.failed = True
        self.problems.add(
            severity,
            self.path,
            self.doc.mark(loc),
            self.catalogue.describe(loc),
            message,
            hint=hint,
            rule=rule,
            loc=loc,
        )

    def run(self) -> CheckedDataset | None:
        period = self.check_period()
        unit_id = self.check_unit(period) if period else None
        self.check_enum(("status",), self.dataset.status, "status")
        self.check_source(period)
        self.check_acknowledged()
        self.check_money_unit()
        dataset = self.scale_money()
        self.check_measures()
        self.check_lists(dataset)
        targets = self.effective_targets(dataset, unit_id, period)
        for block in results_blocks(dataset):
            self.check_progress_target(block, period)
            judging = self.judging_target(block, targets, unit_id, period)
            self.check_identities(block, "results", judging)
            self.check_changes(block)
        for name in SUBAGGREGATES:
            self.check_subset(dataset, name)
        for group in (*FLAT_GROUPS, "ranking"):
            obj = getattr(dataset, group)
            if obj is not None:
                self.check_group_identities(group, (group,), obj)
        if self.failed or period is None or unit_id is None:
            return None
        return CheckedDataset(
            self.path, self.doc, dataset, period, unit_id, targets, Summary.of(dataset)
        )

    # -- header --

    def check_period(self) -> Period | None:
        try:
            period = Period.parse(self.dataset.period)
        except PeriodError as exc:
            self.error(
                ("period",),
                str(exc),
                "the N months since 1 October: 2024-3m, 2024-12m",
                rule="period",
            )
            return None
        folder = Path(self.path).parent.name
        if folder != period.key:
            self.error(
                ("period",),
                f"the dataset says {period.key} but is in folder {folder}/",
                f"move it to datasets/{period.key}/ or correct the period",
                rule="path",
            )
        return period

    def check_unit(self, period: Period) -> str | None:
        registry = self.content.registry
        assert registry is not None
        stem = Path(self.path).stem
        if stem != self.dataset.unit:
            self.error(
                ("unit",),
                f"the dataset says unit '{self.dataset.unit}' but the file is named {stem}.yml",
                f"rename the file to {self.dataset.unit}.yml or correct the unit",
                rule="path",
            )
        reported_as = self.dataset.reported_as
        if reported_as is not None:
            return self.check_reported_as(reported_as, period)
        try:
            unit = registry.resolve(self.dataset.unit, period.end)
        except ResolveError as exc:
            self.error(("unit",), exc.message, exc.hint, rule="unit")
            return None
        self.check_rank_scheme(unit, period)
        return unit.id

    def check_reported_as(self, reported_as: str, period: Period) -> str | None:
        """`reported_as: post2025`: a statistical-year-2025 period before 01/07/2025, reported
        after the merger by the merged unit for the whole period; filed under that unit."""
        registry = self.content.registry
        assert registry is not None
        self.check_enum(("reported_as",), reported_as, "reported_as")
        if reported_as != "post2025":
            return None
        if period.end >= MERGER_DATE:
            self.error(
                ("reported_as",),
                f"{period} ends on {period.end:%d/%m/%Y}, after the merger: its units are "
                "the 34 merged units already",
                "remove reported_as: it is only for periods of 2025 ending before 01/07/2025",
                rule="reported_as",
            )
            return None
        if period.year != 2025:
            self.error(
                ("reported_as",),
                f"{period} is in statistical year {period.year}: only the statistical year "
                "2025 (01/10/2024–30/09/2025) spans the merger",
                "remove reported_as: a period before statistical year 2025 is reported "
                "by the 63 units of its time",
                rule="reported_as",
            )
            return None
        merged = [u for u in registry.by_slug(self.dataset.unit) if u.scheme == "post2025"]
        if not merged:
            slugs = sorted(u.slug for u in registry.in_scheme("post2025"))
            self.error(
                ("unit",),
                f"'{self.dataset.unit}' is not one of the 34 units formed on 01/07/2025",
                did_you_mean(self.dataset.unit, slugs)
                or "with reported_as: post2025, unit: names the merged unit",
                rule="unit",
            )
            return None
        self.check_rank_scheme(merged[0], period)
        return merged[0].id

    def check_rank_scheme(self, unit: UnitEntry, period: Period) -> None:
        """A nationwide rank "x/63" belongs to the 63 units, "x/34" to the 34: a rank out
        of the other scheme's count files the dataset under the wrong unit."""
        registry = self.content.registry
        assert registry is not None
        ranking = self.dataset.ranking
        scheme = unit.scheme
        if scheme == "national" or ranking is None or ranking.of is None or ranking.scope:
            return
        if ranking.of.qualifier is not None or ranking.of.ambiguous is not None:
            return
        counts = {s: len(registry.in_scheme(s)) for s in ("pre2025", "post2025")}
        of = ranking.of.value
        if scheme not in counts or of == counts[scheme] or of not in counts.values():
            return
        if scheme == "pre2025":
            hint = (
                f"a rank out of {counts['post2025']} is among the merged units: if the figures "
                "are the merged unit's, add reported_as: post2025 with unit: "
                f"{registry.successor(unit).slug}"
            )
        else:
            hint = (
                f"a rank out of {counts['pre2025']} is among the units before the merger: "
                f"check the period (periods ending from 01/07/2025 have {counts['post2025']} units)"
            )
        self.error(
            ("ranking", "of"),
            f"a nationwide rank out of {of} units, but {period} is reported by the "
            f"{counts[scheme]} units of scheme {scheme}",
            hint,
            rule="rank_scheme",
        )

    def check_enum(self, loc: Loc, value: str | None, enum: str) -> None:
        if value is None:
            return
        values = list(self.catalogue.enums[enum])
        if value not in values:
            self.error(
                loc,
                f"'{value}' is not one of {', '.join(values)}",
                did_you_mean(value, values),
                rule="schema",
            )

    def check_source(self, period: Period | None) -> None:
        dataset = self.dataset
        if dataset.source is not None and dataset.sources:
            self.error(
                ("sources",),
                "the dataset gives both source: and sources:",
                "keep one: source: for one source, sources: (a list with ids) for several",
                rule="source",
            )
        elif dataset.source is None and not dataset.sources:
            self.error(
                ("source",),
                "the dataset names no source",
                "add source: (title, publisher, url or archive), or sources: for several",
                rule="source",
            )
        if dataset.sources:
            places: list[Loc] = [("sources", index) for index in range(len(dataset.sources))]
        else:
            places = [("source",)] if dataset.source is not None else []
        archives: dict[str | None, tuple[str | None, str | None]] = {}  # id: (archive, text)
        seen: set[str] = set()
        for loc, source in zip(places, dataset.all_sources, strict=True):
            if dataset.sources:
                if not source.id:
                    self.error(
                        loc,
                        "a source in sources: needs an id",
                        "add id: a short name figures refer to, e.g. id: bao-cao",
                        rule="source",
                    )
                elif source.id in seen:
                    self.error(
                        (*loc, "id"), f"a second source with id '{source.id}'", rule="source"
                    )
                seen.add(source.id or "")
            text = self.check_one_source(loc, source, period)
            archives.setdefault(source.id, (source.archive, text))
            if loc[-1] == 0 or loc == ("source",):
                archives.setdefault(None, (source.archive, text))
        ids = sorted(i for i in seen if i)
        sourced = list(_sourced(self.dataset, ()))  # one walk of the dataset, for both loops
        for loc, figure in sourced:
            if figure.source is None:
                continue
            if not dataset.sources:
                self.error(
                    (*loc, "source"),
                    f"the figure names source '{figure.source}' but the dataset has one source:",
                    "list the sources under sources:, each with an id, to name one per figure",
                    rule="source",
                )
            elif figure.source not in seen:
                self.error(
                    (*loc, "source"),
                    f"no source with id '{figure.source}' in sources:",
                    did_you_mean(figure.source, ids) or f"the ids are {', '.join(ids)}",
                    rule="source",
                )
        for loc, figure in sourced:
            quote = figure.quote
            if not quote:
                continue
            archive, archive_text = archives.get(figure.source, (None, None))
            if figure.source is not None and figure.source not in archives:
                continue  # an unknown source id: reported above
            if archive_text is None:  # reported above if named
                if not archive:
                    self.error(
                        (*loc, "quote"),
                        "a quote needs the archived source to check it against",
                        "add archive: to the figure's source in sources:"
                        if dataset.sources
                        else "add source.archive",
                        rule="source",
                    )
                continue
            if _normalise(quote) not in archive_text:
                self.error(
                    (*loc, "quote"),
                    f"the quote is not in the archived source {archive}",
                    "copy the sentence exactly as the source writes it",
                    rule="source",
                )

    def check_one_source(self, loc: Loc, source: Source, period: Period | None) -> str | None:
        """Check one source block; return its archived text as quotes are compared with it."""
        if not source.url and not source.archive:
            self.error(
                loc,
                "a source needs a url or an archived copy",
                "add url: or archive: (a text file in content/sources/)",
                rule="source",
            )
        if source.url and not WEB_ADDRESS.fullmatch(source.url):
            self.error((*loc, "url"), f"{source.url!r} is not a web address", rule="source")
        if source.date is not None and period is not None and source.date < period.end:
            self.error(
                (*loc, "date"),
                f"the source is dated {source.date:%d/%m/%Y}, before period {period} ends "
                f"({period.end:%d/%m/%Y})",
                "a period's results are reported once it has ended: check the date, the "
                "period and the source",
                rule="source_date",
                severity=Severity.WARNING,
            )
        archive_text = None
        if source.archive:
            folder = ContentFolder(self.root)
            try:
                raw = read_archive(folder, source.archive)
            except ContentPathError as exc:
                self.sources_read.append((source.archive, _refused(exc)))
                self.error((*loc, "archive"), exc.message, exc.hint, rule="source")
            else:
                self.sources_read.append((source.archive, hashlib.sha256(raw).hexdigest()))
                try:
                    archive_text = _archive_text(raw)
                except UnicodeDecodeError as exc:
                    self.error(
                        (*loc, "archive"),
                        _not_utf8(source.archive, exc),
                        "save the archived source as UTF-8",
                        rule="source",
                    )
        return archive_text

    def check_acknowledged(self) -> None:
        names = warning_rules(self.catalogue)
        for index, ack in enumerate(self.dataset.acknowledged):
            if ack.warning not in names:
                self.error(
                    ("acknowledged", index, "warning"),
                    f"'{ack.warning}' is not the name of a warning",
                    did_you_mean(ack.warning, names) or f"the warnings are {', '.join(names)}",
                    rule="schema",
                )
            if not ack.reason.strip():
                self.error(
                    ("acknowledged", index, "reason"),
                    "an acknowledged warning needs its reason",
                    "say why the source's figures stand; the page shows it beside the figure",
                    rule="schema",
                )

    def quotes(self) -> Iterator[tuple[Loc, str]]:
        return _quotes(self.dataset, ())

    def check_money_unit(self) -> None:
        unit = self.dataset.money_unit
        if unit is None:
            return
        values = [u.value for u in MoneyUnit]
        if unit not in values:
            self.error(
                ("money_unit",),
                f"'{unit}' is not one of {', '.join(values)}",
                did_you_mean(unit, values),
                rule="schema",
            )
            return
        self.money_unit = MoneyUnit(unit)

    # -- figures --

    def figures(self, dataset: Dataset) -> Iterator[tuple[Loc, FieldDef, Figure, str | None]]:
        """Every figure with its catalogue field and, for results, its block's amount."""
        return catalogue_figures(self.catalogue, dataset)

    def scale_money(self) -> Dataset:
        """Return the dataset with every money figure in đồng, reporting money without a unit."""
        updates: dict[Loc, Figure | None] = {}
        found = list(self.figures(self.dataset))
        unread: set[Loc] = set()
        for index, (loc, spec, figure, amount) in enumerate(found):
            measure = amount if spec.measure == "amount" else spec.measure
            read = self.resolve(loc, figure, measure or "")
            if read is None:
                unread.add(loc)  # reported: left out, so no other check reads it
                updates[loc] = None
                continue
            if read is not figure:
                updates[loc] = figure = read
                found[index] = (loc, spec, figure, amount)
            if measure != "money":
                continue
            unit = figure.unit or self.money_unit
            if unit is None:
                if self.dataset.money_unit is None:
                    self.error(
                        loc,
                        "a money figure needs a unit",
                        "add money_unit: billion_vnd (or the unit the source uses) at "
                        'the top of the file, or write the unit: "97,6 tỷ"',
                        rule="money",
                    )
                continue
            updates[loc] = figure.scaled(unit.scale)
        scaled: Dataset = _replace_figures(self.dataset, updates)
        # The scaled dataset's figures, as `figures(scaled)` would find them: the same
        # places in the same order, with the money figures replaced.
        self.scaled_figures = [
            (loc, spec, updates.get(loc) or figure, amount)
            for loc, spec, figure, amount in found
            if loc not in unread
        ]
        return scaled

    def resolve(self, loc: Loc, figure: Figure, measure: str) -> Figure | None:
        """The figure as its field reads it ("3.700" in a count), or None (reported)."""
        try:
            return resolve(figure, measure, self.money_unit)
        except FigureError as exc:
            self.error(loc, exc.message, exc.hint, rule="measure")
            return None

    def check_measures(self) -> None:
        """Check every figure of the scaled dataset against its field's measure."""
        for loc, spec, figure, amount in self.scaled_figures:
            measure = amount if spec.measure == "amount" else spec.measure
            if measure != "money" and figure.unit is not None:
                self.error(
                    loc,
                    f"'{figure.text}' names a money unit but this is not money",
                    "write the number alone",
                    rule="measure",
                )
                continue
            if figure.value < 0 and not spec.signed and spec.measure != "points":
                self.error(
                    loc,
                    f"{written(figure, measure or '', self.money_unit)} is negative",
                    "only changes and gaps may be negative",
                    rule="measure",
                )
            if measure in ("count", "rank") and figure.value != figure.value.to_integral_value():
                hint = "a count is a whole number"
                if re.fullmatch(r"\d{1,3}\.\d{3}", format(figure.value, "f")):
                    whole = format(figure.value * 1000, "f").split(".")[0]
                    hint = (
                        f"YAML reads {figure.value} as a decimal; for {whole} cases write "
                        f"{whole} without the thousands dot"
                    )
                self.error(
                    loc, f"{format(figure.value, 'f')} is not a whole number", hint, rule="measure"
                )
            if measure == "rank" and figure.value < 1:
                self.error(loc, f"a rank starts at 1, not {_as_written(figure)}", rule="measure")
            if measure == "percent" and not spec.signed and figure.value > HUNDRED:
                self.error(loc, f"{_as_written(figure)}% is more than 100%", rule="measure")

    def check_lists(self, dataset: Dataset) -> None:
        seen_kinds: dict[str, int] = {}
        for index, inspection in enumerate(dataset.inspections):
            self.check_enum(("inspections", index, "kind"), inspection.kind, "kind")
            if inspection.kind in seen_kinds:
                self.error(
                    ("inspections", index, "kind"),
                    f"'{inspection.kind}' is listed "
                    f"twice (first as inspections[{seen_kinds[inspection.kind]}])",
                    "add the counts up into one entry per kind",
                    rule="schema",
                )
            seen_kinds.setdefault(inspection.kind, index)
        seen_keys: dict[str, int] = {}
        for index, item in enumerate(dataset.reform):
            self.check_enum(("reform", index, "key"), item.key, "key")
            self.check_enum(("reform", index, "status"), item.status, "reform_status")
            if item.key in seen_keys:
                self.error(
                    ("reform", index, "key"),
                    f"'{item.key}' is listed twice (first as reform[{seen_keys[item.key]}])",
                    rule="schema",
                )
            seen_keys.setdefault(item.key, index)
        if dataset.ranking is not None:
            self.check_enum(("ranking", "basis"), dataset.ranking.basis, "basis")
        for block in results_blocks(dataset):
            fields = self.catalogue.groups["results"].fields
            for key in block.results.change:
                loc = (*block.loc, "change", key)
                if key not in fields or key == "change":
                    self.error(
                        loc,
                        f"'{key}' is not a results field",
                        did_you_mean(key, [k for k in fields if k != "change"]),
                        rule="schema",
                    )
                    continue
                change = block.results.change[key]
                is_rate = fields[key].measure in ("percent", "points")
                if is_rate and (change.absolute or change.percent):
                    self.error(
                        loc,
                        f"{key} is a rate: its change is given in points",
                        "write points: (percentage points), as in 'tăng 1,82%'",
                        rule="schema",
                    )
                if not is_rate and change.points:
                    self.error(
                        loc,
                        f"{key} is not a rate: its change is absolute or percent",
                        rule="schema",
                    )

    def effective_targets(
        self, dataset: Dataset, unit_id: str | None, period: Period | None
    ) -> dict[str, Figure]:
        targets: dict[str, Figure] = {}
        entry = self.content.targets.get((unit_id, period.year)) if unit_id and period else None
        for key in ("cases", "money"):
            block: Results | None = getattr(dataset, key)
            own = block.target if block else None
            listed = getattr(entry, key) if entry else None
            if own is not None:
                targets[key] = own
            elif listed is not None:
                targets[key] = listed
        return targets

    def check_progress_target(self, block: Block, period: Period | None) -> None:
        if period is None or not period.is_annual or block.results.progress_target is None:
            return
        self.error(
            (*block.loc, "progress_target"),
            f"{period} is a 12-month period: the annual target judges it, not a progress target",
            "write the year's target as target:, or move the figure to a sub-annual dataset",
            rule="target",
        )

    def judging_target(
        self,
        block: Block,
        targets: dict[str, Figure],
        unit_id: str | None,
        period: Period | None,
    ) -> Figure | None:
        """The target a published gap is measured against: a sub-annual period's progress
        target when on record, else the annual one (the source's own comparison)."""
        key = str(block.loc[0])
        if period is not None and not period.is_annual:
            if block.results.progress_target is not None:
                return block.results.progress_target
            entry = self.content.targets.get((unit_id, period.year)) if unit_id else None
            listed = entry.progress_target.get(period.key) if entry is not None else None
            figure = getattr(listed, key, None) if listed is not None else None
            if isinstance(figure, Figure):
                return figure
        return targets.get(key)

    # -- identities --

    def check_identities(self, block: Block, group: str, target: Figure | None) -> None:
        for identity in self.catalogue.identities_of(group):
            if identity.kind == "partition":
                self.check_partition(identity, block.loc, block.results, block.amount)
            elif identity.kind == "ratio":
                self.check_ratio(identity, block.loc, block.results, block.amount)
            elif identity.kind == "difference":
                self.check_difference(identity, block.loc, block.results, target)

    def check_group_identities(self, group: str, loc: Loc, obj: Any) -> None:
        for identity in self.catalogue.identities_of(group):
            if identity.kind == "partition":
                self.check_partition(identity, loc, obj, "count")
            elif identity.kind == "ratio":
                self.check_ratio(identity, loc, obj, "count")
            elif identity.kind == "rank":
                self.check_rank(identity, loc, obj)

    def bounds(self, figure: Figure, amount: str) -> tuple[Decimal, Decimal]:
        return _bounds(figure, amount)

    def show(self, figure: Figure, amount: str) -> str:
        return written(figure, amount, self.money_unit)

    def show_sum(self, low: Decimal, high: Decimal, amount: str) -> str:
        return written_span(low, high, amount, self.money_unit)

    def check_partition(self, identity: Identity, loc: Loc, obj: Any, amount: str) -> None:
        assert identity.whole is not None
        whole: Figure | None = getattr(obj, identity.whole)
        parts = [(key, getattr(obj, key)) for key in identity.parts]
        present = [(key, fig) for key, fig in parts if fig is not None]
        if whole is None or not present:
            return
        severity = Severity(identity.severity)
        w_low, w_high = self.bounds(whole, amount)
        p_low = sum((self.bounds(f, amount)[0] for _, f in present), Decimal(0))
        p_high = sum((self.bounds(f, amount)[1] for _, f in present), Decimal(0))
        prefix = ".".join(str(p) for p in loc)
        if identity.complete and len(present) == len(parts):
            if p_high < w_low or p_low > w_high:
                terms = " + ".join(key for key, _ in present)
                values = " + ".join(self.show(f, amount) for _, f in present)
                self.error(
                    (*loc, identity.whole),
                    f"{self.show(whole, amount)} does not equal {terms} = {values} = "
                    f"{self.show_sum(p_low, p_high, amount)}",
                    f"{identity.text.en}; check each figure against the source",
                    rule=identity.id,
                    severity=severity,
                )
            return
        if p_low > w_high:
            if len(present) == 1:
                key, figure = present[0]
                fields = self.catalogue.groups[identity.group].fields
                self.error(
                    (*loc, key),
                    f"{self.show(figure, amount)} is larger than "
                    f"{prefix}.{identity.whole} ({self.show(whole, amount)})",
                    f"{fields[key].label.en} is a part of "
                    f"{fields[identity.whole].label.en.lower()}; check both figures "
                    "against the source",
                    rule=identity.id,
                    severity=severity,
                )
            else:
                terms = " + ".join(key for key, _ in present)
                self.error(
                    (*loc, identity.whole),
                    f"{self.show(whole, amount)} is smaller than {terms} = "
                    f"{self.show_sum(p_low, p_high, amount)}",
                    identity.text.en,
                    rule=identity.id,
                    severity=severity,
                )

    def check_ratio(self, identity: Identity, loc: Loc, obj: Any, amount: str) -> None:
        assert identity.value and identity.numerator and identity.denominator
        value: Figure | None = getattr(obj, identity.value)
        numerator: Figure | None = getattr(obj, identity.numerator)
        denominator: Figure | None = getattr(obj, identity.denominator)
        if value is None or numerator is None or denominator is None:
            return
        n_low, n_high = self.bounds(numerator, amount)
        d_low, d_high = self.bounds(denominator, amount)
        if d_low <= 0:
            return
        c_low, c_high = n_low / d_high * HUNDRED, n_high / d_low * HUNDRED
        tolerance = max(value.step / 2, RATE_TOLERANCE)
        low, high = value.value - tolerance, value.value + tolerance
        if value.qualifier is not None:
            low, high = value.bounds()
        if c_high < low or c_low > high:
            self.error(
                (*loc, identity.value),
                f"published {figure_text(value)}% but {identity.numerator} / "
                f"{identity.denominator} = {self.show(numerator, amount)} / "
                f"{self.show(denominator, amount)} = {span(c_low, c_high)}%",
                f"{identity.text.en}; check the rate and both figures against the source",
                rule=identity.id,
                severity=Severity(identity.severity),
            )

    def check_difference(
        self, identity: Identity, loc: Loc, obj: Any, target: Figure | None
    ) -> None:
        assert identity.value and identity.minuend
        value: Figure | None = getattr(obj, identity.value)
        minuend: Figure | None = getattr(obj, identity.minuend)
        if value is None or minuend is None or target is None:
            return
        m_low, m_high = minuend.bounds(rounded=True)
        t_low, t_high = target.bounds(rounded=True)
        c_low, c_high = m_low - t_high, m_high - t_low
        v_low, v_high = value.bounds(rounded=True)
        if c_high < v_low or c_low > v_high:
            self.error(
                (*loc, identity.value),
                f"published {figure_text(value)} points but rate − target = "
                f"{figure_text(minuend)} − {figure_text(target)} = "
                f"{number(minuend.value - target.value)}",
                f"{identity.text.en}; check the target for this unit and year",
                rule=identity.id,
                severity=Severity(identity.severity),
            )

    def check_rank(self, identity: Identity, loc: Loc, ranking: Any) -> None:
        of = ranking.of
        for key in ("cases", "money"):
            rank: Figure | None = getattr(ranking, key)
            # "trong tốp 10" of "hơn 60": only a rank above every count it may be is wrong.
            if rank is not None and of is not None and rank.bounds()[0] > of.bounds()[1]:
                self.error(
                    (*loc, key),
                    f"rank {figure_text(rank)} of only {figure_text(of)} units",
                    identity.text.en,
                    rule=identity.id,
                    severity=Severity(identity.severity),
                )

    def check_subset(self, dataset: Dataset, name: str) -> None:
        identity = next(i for i in self.catalogue.identities if i.kind == "subset")
        sub: SubAggregate | None = getattr(dataset, name)
        if sub is None:
            return
        for key in ("cases", "money"):
            part: Results | None = getattr(sub, key)
            total: Results | None = getattr(dataset, key)
            if part is None or total is None:
                continue
            amount = "count" if key == "cases" else "money"
            for field_key in identity.fields:
                p, t = part.figure(field_key), total.figure(field_key)
                if p is None or t is None:
                    continue
                if self.bounds(p, amount)[0] > self.bounds(t, amount)[1]:
                    self.error(
                        (name, key, field_key),
                        f"{self.show(p, amount)} is larger than the total "
                        f"{key}.{field_key} ({self.show(t, amount)})",
                        identity.text.en,
                        rule=identity.id,
                        severity=Severity(identity.severity),
                    )

    def check_changes(self, block: Block) -> None:
        """A published change given both ways must agree with itself, hedges as ranges."""
        amount = block.amount
        for key, change in block.results.change.items():
            value = block.results.figure(key)
            if value is None or change.absolute is None or change.percent is None:
                continue
            v_low, v_high = self.bounds(value, amount)
            a_low, a_high = self.bounds(change.absolute, amount)
            if v_low - a_high <= 0:
                continue  # last year's figure may be zero or less: no relative change
            # absolute / (value − absolute) grows with the absolute change and moves one
            # way with the value, so over the ranges its extremes are at the corners.
            corners = [a / (v - a) * HUNDRED for a in (a_low, a_high) for v in (v_low, v_high)]
            low, high = min(corners), max(corners)
            p_low, p_high = change.percent.bounds()
            if change.percent.qualifier is None:  # rounded, to a step either side
                tolerance = max(change.percent.step, RATE_TOLERANCE)
                p_low, p_high = change.percent.value - tolerance, change.percent.value + tolerance
            if high < p_low or low > p_high:
                self.error(
                    (*block.loc, "change", key, "percent"),
                    f"published {figure_text(change.percent)}% but "
                    f"{self.show(change.absolute, amount)} on "
                    f"{self.show_sum(v_low - a_high, v_high - a_low, amount)} is "
                    f"{span(low, high)}%",
                    "relative change = absolute change / last year's figure × 100",
                    rule="change_consistency",
                    severity=Severity.WARNING,
                )


def _sourced(value: Any, loc: Loc) -> Iterator[tuple[Loc, Figure | Reform]]:
    """Every figure in a dataset with a quote or a source, where it is; and every reform
    item whose status has its own (a status is a word, not a figure, but quoted alike)."""
    if isinstance(value, Figure):
        if value.quote or value.source:
            yield loc, value
        return
    if isinstance(value, Reform) and (value.quote or value.source):
        yield loc, value  # then its figures (its count), below
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _sourced(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _sourced(item, (*loc, index))
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            if key not in ("quote", "source"):  # a reform item's own, yielded above
                yield from _sourced(getattr(value, key), (*loc, key))


def _quotes(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every quote in a dataset, where it is."""
    # A module function, not a closure calling itself: that would be a reference cycle
    # per dataset, left to the cyclic collector (paused here).
    if isinstance(value, Figure):
        if value.quote:
            yield (*loc, "quote"), value.quote
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _quotes(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _quotes(item, (*loc, index))
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            yield from _quotes(getattr(value, key), (*loc, key))


def _as_written(figure: Figure) -> str:
    """A figure for a message: the source's text, or the number (formatted only when needed)."""
    return figure.text or number(figure.value)


def _money_label(unit: MoneyUnit) -> str:
    return get_catalogue().enum_label("money_unit", unit.value)


def written(figure: Figure, amount: str, money_unit: MoneyUnit | None) -> str:
    """A figure for a message as the officer wrote it: money in its unit, never in đồng.

    A text naming its unit is given as written ("gần 337 nghìn tỷ đồng", "05 tỷ 057
    triệu 879 nghìn đồng"); a number, in the dataset's money_unit ("51.446,056327 tỷ đồng").
    """
    if amount != "money":
        return figure_text(figure)
    if figure.text is not None and figure.unit is not None:
        return figure.text if figure.text.lower().endswith("đồng") else f"{figure.text} đồng"
    unit = money_unit or MoneyUnit.VND
    return f"{figure_text(figure, unit.scale)} {_money_label(unit)}"


def written_span(low: Decimal, high: Decimal, amount: str, money_unit: MoneyUnit | None) -> str:
    """A computed value or range for a message, money in the dataset's money_unit."""
    unit = (money_unit or MoneyUnit.VND) if amount == "money" else None
    if unit is None:
        return span(low, high, decimals=_decimals(low, high))
    low, high = low / unit.scale, high / unit.scale
    # Money to its last digit (a thousand đồng is six decimals of a tỷ): exact, as written.
    text = span(low, high, decimals=_decimals(low, high, MAX_DECIMALS))
    return f"{text} {_money_label(unit)}"


def _money_unit_of(checked: CheckedDataset) -> MoneyUnit | None:
    unit = checked.dataset.money_unit
    return MoneyUnit(unit) if unit in {u.value for u in MoneyUnit} else None


def _change_bounds(published: Figure) -> tuple[Decimal, Decimal]:
    """The range a published change in percent or points stands for.

    A hedged change is its qualifier's range ("tăng hơn 6%" is 6-7%); a plain one is
    rounded, to at least the rate tolerance either side.
    """
    if published.qualifier is not None:
        return published.bounds()
    tolerance = max(published.step / 2, RATE_TOLERANCE)
    return published.value - tolerance, published.value + tolerance


def _decimals(low: Decimal, high: Decimal, most: int = 3) -> int:
    exponents = [v.normalize().as_tuple().exponent for v in (low, high)]
    return min(most, max(0, *(-e for e in exponents if isinstance(e, int))))


@functools.lru_cache(maxsize=16)
def _archive_text(raw: bytes) -> str:
    """An archived source as quotes are compared with it; many datasets may quote one."""
    return _normalise(decode_text(raw))


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def _replace_figures(model: Any, updates: dict[Loc, Figure | None]) -> Any:
    """Rebuild a frozen model with the figures at the given paths replaced."""
    # Every path leading to an update, so a branch without one is left as it is at a glance.
    leading = {path[:depth] for path in updates for depth in range(len(path) + 1)}
    return _replace_below(model, updates, leading, ())


def _replace_below(
    model: Any, updates: dict[Loc, Figure | None], leading: set[Loc], loc: Loc
) -> Any:
    if loc not in leading:
        return model
    if loc in updates:
        return updates[loc]
    if isinstance(model, dict):
        return {k: _replace_below(v, updates, leading, (*loc, k)) for k, v in model.items()}
    if isinstance(model, list):
        return [_replace_below(v, updates, leading, (*loc, i)) for i, v in enumerate(model)]
    if isinstance(model, BaseModel):
        changed = {
            key: _replace_below(getattr(model, key), updates, leading, (*loc, key))
            for key in type(model).model_fields
            if (*loc, key) in leading
        }
        return model.model_copy(update=changed)
    return model


# --- across datasets of one unit ---


class CrossChecker:
    """Checks between periods of one unit (THADS.md §1.6.7-9)."""

    def __init__(self, problems: Problems, catalogue: Catalogue) -> None:
        self.problems = problems
        self.catalogue = catalogue
        fields = catalogue.groups["results"].fields
        # The fields with a rule within a statistical year, in the catalogue's order.
        self.within_year = [
            (key, spec.cumulative)
            for key, spec in fields.items()
            if spec.cumulative or key == "carried_over"
        ]
        self._blocks: dict[int, dict[Loc, Block]] = {}

    def warn(
        self, checked: CheckedDataset, loc: Loc, message: str, hint: str | None, rule: str
    ) -> None:
        self.problems.warning(
            checked.src_path,
            checked.doc.mark(loc),
            self.catalogue.describe(loc),
            message,
            hint=hint,
            rule=rule,
            loc=loc,
        )

    def run(self, periods: dict[Period, CheckedDataset]) -> None:
        """Check the datasets of one unit, by period."""
        earlier = None
        for period, checked in sorted(periods.items()):
            # Periods sort by year, then months: the one before, if of the same year, is
            # the latest with fewer months.
            if earlier is not None and earlier.period.year == period.year:
                self.check_cumulative(checked, earlier)
            self.check_carry_over(checked, periods)
            self.check_published_changes(checked, periods)
            earlier = checked

    def blocks(self, checked: CheckedDataset) -> dict[Loc, Block]:
        """A dataset's results blocks by place, made once per dataset."""
        found = self._blocks.get(id(checked))
        if found is None:
            found = {b.loc: b for b in results_blocks(checked.dataset)}
            self._blocks[id(checked)] = found
        return found

    def check_cumulative(self, later: CheckedDataset, earlier: CheckedDataset) -> None:
        before = self.blocks(earlier)
        for loc, block in self.blocks(later).items():
            if loc not in before:
                continue
            for key, cumulative in self.within_year:
                now, then = block.results.figure(key), before[loc].results.figure(key)
                if now is None or then is None:
                    continue
                n_low, n_high = _bounds(now, block.amount)
                t_low, t_high = _bounds(then, block.amount)
                falls = cumulative and n_high < t_low
                changes = key == "carried_over" and (n_high < t_low or n_low > t_high)
                if not (falls or changes):
                    continue  # the words below are made for a warning only
                now_text = written(now, block.amount, _money_unit_of(later))
                then_text = written(then, block.amount, _money_unit_of(earlier))
                if falls:
                    self.warn(
                        later,
                        (*loc, key),
                        f"{now_text} is less than {then_text} in {earlier.period}",
                        "figures since 1 October only grow within a statistical year",
                        "cumulative",
                    )
                else:
                    self.warn(
                        later,
                        (*loc, key),
                        f"{now_text} differs from {then_text} in {earlier.period}",
                        "the figure carried over into a statistical year stays the same "
                        "in all its periods",
                        "cumulative",
                    )

    def check_carry_over(
        self, checked: CheckedDataset, periods: dict[Period, CheckedDataset]
    ) -> None:
        previous = periods.get(checked.period.previous_annual())
        if previous is None:
            return
        before = self.blocks(previous)
        for loc, block in self.blocks(checked).items():
            opening = block.results.carried_over
            last = before.get(loc)
            if opening is None or last is None:
                continue
            closing = _carried_forward(last.results, block.amount)
            if closing is None:
                continue
            c_low, c_high = closing
            o_low, o_high = _bounds(opening, block.amount)
            tracked = block.results.separately_tracked
            if tracked is not None:
                s_low, s_high = _bounds(tracked, block.amount)
                o_low, o_high = o_low + s_low, o_high + s_high
            if o_high < c_low or o_low > c_high:
                unit = _money_unit_of(checked)
                gap = c_low - o_high if o_high < c_low else o_low - c_high
                hint = (
                    "if the difference was moved to separate tracking (chuyển sổ theo dõi "
                    "riêng), record it as separately_tracked"
                    if o_high < c_low and tracked is None
                    else "check both years' figures against their sources"
                )
                self.warn(
                    checked,
                    (*loc, "carried_over"),
                    f"{written(opening, block.amount, unit)} does not follow from "
                    f"{previous.period}: to_enforce − completed = "
                    f"{written_span(*closing, block.amount, _money_unit_of(previous))} "
                    f"(difference {written_span(gap, gap, block.amount, unit)})",
                    hint,
                    "carry_over",
                )

    def check_published_changes(
        self, checked: CheckedDataset, periods: dict[Period, CheckedDataset]
    ) -> None:
        previous = periods.get(checked.period.same_period_previous_year())
        if previous is None:
            return
        before = self.blocks(previous)
        for loc, block in self.blocks(checked).items():
            last = before.get(loc)
            if last is None:
                continue
            for key, change in block.results.change.items():
                now, then = block.results.figure(key), last.results.figure(key)
                if now is None or then is None:
                    continue
                self.compare_change(
                    checked, previous, (*loc, "change", key), change, now, then, block.amount
                )

    def compare_change(
        self,
        checked: CheckedDataset,
        previous: CheckedDataset,
        loc: Loc,
        change: Change,
        now: Figure,
        then: Figure,
        amount: str,
    ) -> None:
        n_low, n_high = _bounds(now, amount)
        t_low, t_high = _bounds(then, amount)
        computed: list[tuple[str, Figure, Decimal, Decimal]] = []
        if change.absolute is not None or change.points is not None:
            published = change.absolute or change.points
            assert published is not None
            computed.append(
                (
                    "absolute" if change.absolute else "points",
                    published,
                    n_low - t_high,
                    n_high - t_low,
                )
            )
        if change.percent is not None and t_low > 0:
            computed.append(
                (
                    "percent",
                    change.percent,
                    (n_low / t_high - 1) * HUNDRED,
                    (n_high / t_low - 1) * HUNDRED,
                )
            )
        unit = _money_unit_of(checked)
        shown_as = "" if change.points is not None else amount  # a rate is no money
        for name, published, low, high in computed:
            if name == "percent" or name == "points":
                p_low, p_high = _change_bounds(published)
            else:
                p_low, p_high = published.bounds(rounded=True)
            if high < p_low or low > p_high:
                shown = (
                    span(low, high, decimals=2)
                    if name == "percent"
                    else written_span(low, high, shown_as, unit)
                )
                self.warn(
                    checked,
                    (*loc, name),
                    f"published {written(published, shown_as if name == 'absolute' else '', unit)}"
                    f" but {previous.period} has "
                    f"{written(then, shown_as, _money_unit_of(previous))} and this period "
                    f"{written(now, shown_as, unit)}: {shown}",
                    "check the change against last year's dataset",
                    "published_change",
                )


def _bounds(figure: Figure, amount: str) -> tuple[Decimal, Decimal]:
    """The range a figure stands for; money given coarser than the thousand đồng is rounded."""
    return figure.bounds(rounded=amount == "money" and figure.step > EXACT_MONEY_STEP)


def _carried_forward(results: Results, amount: str) -> tuple[Decimal, Decimal] | None:
    if results.carried_forward is not None:
        return _bounds(results.carried_forward, amount)
    if results.to_enforce is not None and results.completed is not None:
        e_low, e_high = _bounds(results.to_enforce, amount)
        c_low, c_high = _bounds(results.completed, amount)
        return e_low - c_high, e_high - c_low
    return None


__all__ = ["CheckedDataset", "Content", "check_content", "display_path"]
