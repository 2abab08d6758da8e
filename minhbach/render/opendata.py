"""Open data: every figure of the site as a Frictionless Data Package of normalised tables.

Laid out the way statistical offices publish tidy data, one table per kind of thing, joined
by the keys `datapackage.json` declares:

- **observations**: one row per figure, with only what belongs to the figure (period, unit,
  block, field, value, qualifier, precision, origin, text, quote, what the check found, and
  when it was revised since its release with its value as released). Money is in đồng, exact
  as the source gives it; a figure that was not published has no row. The collection's
  rows are `thads.csv.gz`; a period's rows (`<period>/thads-<period>.csv.gz`, and as JSON
  `.json.gz`) are slices of it.
- **datasets.csv**: one row per dataset (period, unit): its dates, its unit's scheme and
  code, its status and its source, which every observation of the dataset shares.
- **units.csv**: the unit registry with names; **indicators.csv**: every (block, field) an
  observation can have, with its measure, labels and definition.

A unit page's own file (`<period>/thads-<period>-<unit>.csv`, its "Tải CSV" link) holds
the same figures in a shorter layout for a spreadsheet (`PAGE_COLUMNS`, described under
`unitPages` in the descriptor, ~9 KB where the page's rows are ~30 KB): no period or unit
column (the file's name says them) nor precision (the period's file has it); one row per
figure, with its change on the same period of last year beside it (`change`,
`change_percent`) instead of on `change.<field>.<kind>` rows; origin said only where it is
not the usual one (a figure the site computed or took from the targets; a change the
source published).

Every figure is written once per file that holds it. A page is encoded once, for its own
file and its period's; a period is compressed once and the collection's gzip is joined
from the periods' gzip members (`GzipFile`). With a cache folder, a period whose
inputs are unchanged since the last build is not encoded again (`period_keys`,
`PeriodCache`): a build after one dataset changed encodes its period and the same period
of the next year (whose changes compare with it), and the files are the same bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from minhbach.compute.model import BlockView, PeriodView, SiteModel, UnitPeriod, Value
from minhbach.content.catalogue import get_catalogue
from minhbach.content.figures import Figure
from minhbach.content.models import FLAT_GROUPS, SUBAGGREGATES, SubUnit, UnitEntry
from minhbach.content.periods import Period
from minhbach.layout import DATA_DIR
from minhbach.machinery.cache import Store
from minhbach.machinery.cache import key as digest
from minhbach.machinery.processes import fork_map
from minhbach.machinery.uptodate import read_files
from minhbach.render.tables import safe_row

COLLECTION = "thads"

Column = tuple[str, str, str, str]  # name, Frictionless type, vi description, en description

# The column that keeps a sub-unit's rows apart from the provinces' (observations, datasets).
UNIT_PARENT: Column = (
    "unit_parent",
    "string",
    "Tỉnh mà đơn vị trực thuộc (slug), chỉ với Chi cục THADS và Phòng THADS khu vực: "
    "không cộng các dòng này với các tỉnh",
    "The province a sub-unit belongs to (slug), for district branches and regional "
    "offices only: never add these rows to the provinces'",
)

# A figure revised since its release (`Content.revised`), in both tables of observations.
REVISION_COLUMNS: tuple[Column, ...] = (
    (
        "revised",
        "date",
        "Ngày điều chỉnh số liệu sau khi công bố (xem trang Điều chỉnh số liệu); trống: "
        "chưa điều chỉnh",
        "The date the figure was revised after its release (see the revisions page); empty: "
        "not revised",
    ),
    (
        "released_value",
        "number",
        "Giá trị khi công bố, nếu đã điều chỉnh; trống: chưa có trong bản công bố",
        "The value as released, if revised; empty: not in the release",
    ),
)

OBSERVATION_COLUMNS: tuple[Column, ...] = (
    (
        "period",
        "string",
        "Kỳ báo cáo (Y-Nm: N tháng đầu năm thống kê Y); cùng unit chỉ ra bộ số liệu trong "
        "datasets.csv (ngày, nguồn, tình trạng)",
        "Period (Y-Nm: first N months of statistical year Y); with unit, names the dataset "
        "in datasets.csv (dates, source, status)",
    ),
    ("unit", "string", "Mã định danh đơn vị (slug)", "Unit slug"),
    UNIT_PARENT,
    (
        "block",
        "string",
        "Nhóm số liệu: cases, money, state_budget.cases, citizen_reception...",
        "Block: cases, money, state_budget.cases, citizen_reception...",
    ),
    (
        "field",
        "string",
        "Chỉ tiêu thống kê; cùng block chỉ ra dòng của indicators.csv (tên, định nghĩa, đơn vị đo)",
        "Indicator; with block, names the row of indicators.csv (label, definition, measure)",
    ),
    ("value", "number", "Giá trị; tiền tính bằng đồng", "Value; money in VND"),
    (
        "qualifier",
        "string",
        "Cách nói ước lượng của nguồn: trên, hơn, gần, khoảng, xấp xỉ, dưới",
        "The source's hedge: trên (over), hơn (more than), gần (nearly), khoảng (about)...",
    ),
    (
        "precision",
        "number",
        "Độ chính xác của giá trị (đơn vị của chữ số cuối)",
        "Precision of the value (one unit of its last digit)",
    ),
    (
        "origin",
        "string",
        "published: nguồn công bố; targets: danh mục chỉ tiêu; computed: tính toán",
        "published: as the source gives it; targets: the targets list; computed: derived",
    ),
    (
        "text",
        "string",
        "Cách ghi của nguồn, hoặc giá trị dạng chữ",
        "The source's wording, or a categorical value",
    ),
    ("quote", "string", "Câu trích nguyên văn từ nguồn", "Verbatim sentence from the source"),
    (
        "source",
        "string",
        "Mã nguồn của số liệu trong sources.csv; trống: nguồn chính của bộ số liệu",
        "Id of the figure's source in sources.csv; empty: the dataset's main source",
    ),
    ("note", "string", "Ghi chú của bộ số liệu về số liệu", "The dataset's note on the figure"),
    (
        "check",
        "string",
        "Kết quả kiểm tra: mismatch:<quy tắc> số liệu nguồn không khớp; acknowledged:<quy tắc> "
        "không khớp, đã ghi nhận; trống: khớp (quy tắc: xem README)",
        "Check: mismatch:<rule> source figures do not match; acknowledged:<rule> they do not, "
        "acknowledged; empty: consistent (rules: see the README)",
    ),
    (
        "check_note",
        "string",
        "Nội dung kiểm tra, hoặc lý do ghi nhận",
        "What the check found, or the reason it is acknowledged",
    ),
    *REVISION_COLUMNS,
)
DATASET_COLUMNS: tuple[Column, ...] = (
    ("period", "string", "Kỳ báo cáo", "Period"),
    ("unit", "string", "Mã định danh đơn vị (slug), xem units.csv", "Unit slug, see units.csv"),
    ("period_start", "date", "Ngày đầu kỳ", "First day of the period"),
    ("period_end", "date", "Ngày cuối kỳ", "Last day of the period"),
    (
        "statistical_year",
        "integer",
        "Năm thống kê (01/10/Y−1 – 30/09/Y)",
        "Statistical year (1 Oct Y−1 – 30 Sep Y)",
    ),
    ("months", "integer", "Số tháng lũy kế từ 01/10", "Months cumulated from 1 October"),
    (
        "unit_scheme",
        "string",
        "Giai đoạn đơn vị hành chính: national, pre2025 (63 tỉnh), post2025 (34 tỉnh)",
        "Administrative scheme: national, pre2025 (63 provinces), post2025 (34 provinces)",
    ),
    (
        "unit_code",
        "string",
        "Mã đơn vị hành chính (theo giai đoạn)",
        "Administrative code (within its scheme)",
    ),
    UNIT_PARENT,
    (
        "status",
        "string",
        "Tình trạng số liệu: provisional, final",
        "Data status: provisional, final",
    ),
    ("source_title", "string", "Tên văn bản nguồn", "Source title"),
    ("source_publisher", "string", "Cơ quan công bố", "Source publisher"),
    ("source_url", "string", "Địa chỉ văn bản nguồn", "Source URL"),
    ("source_date", "date", "Ngày của văn bản nguồn", "Source date"),
    (
        "source_archive",
        "string",
        "Bản lưu nguyên văn nguồn, đường dẫn tính từ tệp này",
        "Verbatim copy of the source, path relative to this file",
    ),
)
# Every source of every dataset (a dataset with `sources:` has several; its figures name
# theirs in the observations' `source` column).
SOURCE_COLUMNS: tuple[Column, ...] = (
    ("period", "string", "Kỳ báo cáo", "Period"),
    ("unit", "string", "Mã định danh đơn vị (slug)", "Unit slug"),
    (
        "source",
        "string",
        "Mã nguồn trong bộ số liệu (cột source của thads.csv.gz); trống: nguồn duy nhất",
        "The source's id in its dataset (thads.csv.gz's source column); empty: its only source",
    ),
    (
        "main",
        "boolean",
        "Nguồn chính (của số liệu không ghi nguồn)",
        "Main source (of figures naming none)",
    ),
    ("title", "string", "Tên văn bản nguồn", "Source title"),
    ("publisher", "string", "Cơ quan công bố", "Source publisher"),
    ("url", "string", "Địa chỉ văn bản nguồn", "Source URL"),
    ("date", "date", "Ngày của văn bản nguồn", "Source date"),
    (
        "archive",
        "string",
        "Bản lưu nguyên văn nguồn, đường dẫn tính từ tệp này",
        "Verbatim copy of the source, path relative to this file",
    ),
)
SOURCE_FIELDNAMES = tuple(c[0] for c in SOURCE_COLUMNS)
# A unit page's own file: its period and unit are in the file's name, a figure's change
# against last year stands beside it, and only what matters of where it comes from is said.
PAGE_COLUMNS: tuple[Column, ...] = (
    (
        "block",
        "string",
        "Nhóm số liệu, như trong thads.csv.gz",
        "Block, as in thads.csv.gz",
    ),
    (
        "field",
        "string",
        "Chỉ tiêu; cùng block chỉ ra dòng của indicators.csv",
        "Indicator; with block, names the row of indicators.csv",
    ),
    ("value", "number", "Giá trị; tiền tính bằng đồng", "Value; money in VND"),
    (
        "qualifier",
        "string",
        "Cách nói ước lượng của giá trị: trên, hơn, gần, khoảng...; trống: chính xác",
        "The value's hedge: trên (over), gần (nearly), khoảng (about)...; empty: exact",
    ),
    (
        "origin",
        "string",
        "computed: do trang tính; targets: danh mục chỉ tiêu; trống: nguồn công bố",
        "computed: derived by the site; targets: the targets list; empty: as the source "
        "publishes it",
    ),
    (
        "change",
        "number",
        "Tăng, giảm so với cùng kỳ năm trước, cùng đơn vị đo với giá trị (tỷ lệ: điểm %)",
        "Change on the same period of the previous year, in the value's measure (a rate: "
        "percentage points)",
    ),
    (
        "change_qualifier",
        "string",
        "Cách nói ước lượng của change; trống: chính xác",
        "The hedge of change; empty: exact",
    ),
    (
        "change_percent",
        "number",
        "Tăng, giảm so với cùng kỳ năm trước, tính bằng %",
        "Change on the same period of the previous year, in percent",
    ),
    (
        "change_percent_qualifier",
        "string",
        "Cách nói ước lượng của change_percent; trống: chính xác",
        "The hedge of change_percent; empty: exact",
    ),
    (
        "change_origin",
        "string",
        "published: nguồn công bố (so với cùng kỳ); trống: tính từ số liệu năm trước",
        "published: as the source publishes it; empty: computed from last year's figures",
    ),
    (
        "text",
        "string",
        "Cách ghi của nguồn, hoặc giá trị dạng chữ",
        "The source's wording, or a categorical value",
    ),
    ("quote", "string", "Câu trích nguyên văn từ nguồn", "Verbatim sentence from the source"),
    (
        "source",
        "string",
        "Mã nguồn của số liệu trong sources.csv; trống: nguồn chính của bộ số liệu",
        "Id of the figure's source in sources.csv; empty: the dataset's main source",
    ),
    ("note", "string", "Ghi chú của bộ số liệu về số liệu", "The dataset's note on the figure"),
    (
        "check",
        "string",
        "Kết quả kiểm tra: mismatch:<quy tắc> số liệu nguồn không khớp; acknowledged:<quy tắc> "
        "không khớp, đã ghi nhận; trống: khớp (quy tắc: xem README)",
        "Check: mismatch:<rule> source figures do not match; acknowledged:<rule> they do not, "
        "acknowledged; empty: consistent (rules: see the README)",
    ),
    (
        "check_note",
        "string",
        "Nội dung kiểm tra, hoặc lý do ghi nhận",
        "What the check found, or the reason it is acknowledged",
    ),
    *REVISION_COLUMNS,
)
PAGE_FILE = f"{COLLECTION}-<period>-<unit>.csv"
# The tables the open data page documents, by the file that holds them.
COLUMNS: tuple[tuple[str, tuple[Column, ...]], ...] = (
    (f"{COLLECTION}.csv.gz", OBSERVATION_COLUMNS),
    ("datasets.csv", DATASET_COLUMNS),
    ("sources.csv", SOURCE_COLUMNS),
    (PAGE_FILE, PAGE_COLUMNS),
)
FIELDNAMES = tuple(c[0] for c in OBSERVATION_COLUMNS)
DATASET_FIELDNAMES = tuple(c[0] for c in DATASET_COLUMNS)
PAGE_FIELDNAMES = tuple(c[0] for c in PAGE_COLUMNS)

RANKING_COLUMNS = (
    "rank_cases", "unit", "unit_name", "rate_cases", "target_cases", "gap_cases",
    "rank_money", "rate_money", "target_money", "gap_money",
    "target_kind_cases", "target_kind_money",
)  # fmt: skip
INDICATOR_COLUMNS = (
    "block", "field", "measure", "block_label_vi", "block_label_en",
    "label_vi", "label_en", "definition_vi", "definition_en",
)  # fmt: skip
UNIT_COLUMNS = (
    "slug",
    "scheme",
    "code",
    "kind",
    "name",
    "name_en",
    "region",
    "formed_from",
    "parent",
    "valid_from",
    "valid_to",
)

Row = dict[str, Any]


@dataclass(frozen=True)
class DataFile:
    """A file of the open data, by its path under the site root."""

    path: str
    data: bytes


class Observation(NamedTuple):
    """One figure of a page; its period and unit are the page's."""

    block: str
    field: str
    value: str  # plain decimal digits, exact; '' for a categorical figure (see text)
    qualifier: str
    precision: str
    origin: str
    text: str
    quote: str
    source: str
    note: str
    check: str
    check_note: str
    revised: str  # the date of its revision since the release (`Content.revised`), or ''
    released_value: str  # its value as released, if revised
    measure: str  # not published per figure: indicators.csv gives it by (block, field)


def plain(value: Decimal | None) -> str:
    """A decimal as plain digits, exact ('47000000000', '47.10'); '' for none."""
    if value is None:
        return ""
    text = str(value)  # several times faster than format(value, "f"), the same unless it has E
    return format(value, "f") if "E" in text else text


def rounded(value: Value | None) -> str:
    """A value to its precision: published as written, computed ratios to 0.01."""
    if value is None:
        return ""
    if value.figure is None and value.step < 1:
        return plain(value.point.quantize(value.step))
    return plain(value.point)


# --- observations ---


def observations(page: UnitPeriod) -> list[Observation]:
    """Every figure of one unit × period page."""
    rows: list[Observation] = []
    for block in page.blocks.values():
        _block_rows(block, rows)
    dataset = page.dataset
    catalogue = get_catalogue()
    for group in FLAT_GROUPS:
        obj = getattr(dataset, group)
        if obj is None:
            continue
        for key, fdef in catalogue.groups[group].fields.items():
            figure = getattr(obj, key)
            if figure is not None:
                rows.append(_figure_row(group, key, fdef.measure, figure))
    for inspection in dataset.inspections:
        for key in INSPECTION_FIELDS:
            figure = getattr(inspection, key)
            if figure is not None:
                rows.append(_figure_row("inspections", f"{inspection.kind}.{key}", "count", figure))
    for reform in dataset.reform:
        rows.append(
            _text_row("reform", f"{reform.key}.status", reform.status, reform.quote, reform.source)
        )
        if reform.count is not None:
            rows.append(_figure_row("reform", f"{reform.key}.count", "count", reform.count))
    ranking = dataset.ranking
    if ranking is not None:
        for key in ("cases", "money", "of"):
            figure = getattr(ranking, key)
            if figure is not None:
                rows.append(_figure_row("ranking", key, "rank", figure))
        if ranking.basis:
            rows.append(_text_row("ranking", "basis", ranking.basis))
        if ranking.scope:
            rows.append(_text_row("ranking", "scope", ranking.scope))
    for key, rank in page.rank.items():
        rows.append(
            Observation(
                "ranking",
                f"rate_rank.{key}",
                str(rank),
                "",
                "1",
                "computed",
                *_NO_MORE,
                "rank",
            )
        )
    if page.flags:
        _flag_rows(page, rows)
    if page.revised:
        _revision_rows(page, rows)
    return rows


_NO_MORE = ("",) * 8  # text, quote, source, note, check, check_note, revised, released_value


def _flag_rows(page: UnitPeriod, rows: list[Observation]) -> None:
    """Say on each published figure's row what the check found of it (`Content.flags`)."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for flag in page.flags:
        place = _row_place(flag.loc or ())
        if place is None:
            continue
        acknowledged = flag.reason is not None
        status = "acknowledged" if acknowledged else "mismatch"
        text = flag.reason if acknowledged and flag.reason else flag.message
        found.setdefault(place, []).append((f"{status}:{flag.rule}", text))
    for index, row in enumerate(rows):
        flags = found.get((row.block, row.field))
        if flags and row.origin == "published":
            rows[index] = row._replace(
                check="; ".join(c for c, _ in flags), check_note="; ".join(n for _, n in flags)
            )


def _revision_rows(page: UnitPeriod, rows: list[Observation]) -> None:
    """Say on each revised figure's row when it was revised and what it was as released."""
    revised = {_path_place(r.field): r for r in page.revised}
    for index, row in enumerate(rows):
        found = revised.get((row.block, row.field))
        if found is not None and row.origin == "published":
            before = found.before
            rows[index] = row._replace(
                revised=found.date.isoformat(),
                released_value=plain(before.value) if before is not None else "",
            )


def _path_place(path: str) -> tuple[str, str]:
    """The (block, field) of the observation of a figure by its path in the dataset
    (`revisions.field_path`): 'inspections[thanh_tra].count' is ('inspections',
    'thanh_tra.count'), 'cases.change.completed.percent' ('cases', 'change.completed.percent')."""
    if "[" in path:
        block, _, rest = path.partition("[")
        key, _, field = rest.partition("]")
        return block, f"{key}{field}"
    if ".change." in path:
        block, _, rest = path.partition(".change.")
        return block, f"change.{rest}"
    block, _, field = path.rpartition(".")
    return block, field


def _row_place(loc: tuple[str | int, ...]) -> tuple[str, str] | None:
    """The (block, field) of the observation of the figure at `loc` in a dataset."""
    parts = [str(part) for part in loc]
    if len(parts) >= 4 and parts[-3] == "change":
        return ".".join(parts[:-3]), f"change.{parts[-2]}.{parts[-1]}"
    if parts and parts[0] in ("inspections", "reform"):
        return None  # rows named by kind or key, not by place: not flagged by any check
    if len(parts) >= 2:
        return ".".join(parts[:-1]), parts[-1]
    return None


INSPECTION_FIELDS = ("count", "units", "findings", "recommendations")

# ~10⁶ figures are made here on the national collection, so the hot path avoids the
# NamedTuple constructor's Python frame and formats each precision once.
_new = tuple.__new__
_STEPS: dict[Decimal, tuple[str, bool]] = {}  # precision text, and whether it is below 1


def _step(step: Decimal) -> tuple[str, bool]:
    known = _STEPS.get(step)
    if known is None:
        known = _STEPS[step] = (plain(step), step < 1)
    return known


def _figure_row(
    block: str, field: str, measure: str, figure: Figure, origin: str = "published"
) -> Observation:
    qualifier = figure.qualifier
    return _new(
        Observation,
        (
            block,
            field,
            plain(figure.value),
            qualifier.value if qualifier else "",
            _step(figure.step)[0],
            origin,
            figure.text or "",
            figure.quote or "",
            figure.source or "",
            figure.note or "",
            "",
            "",
            "",
            "",
            measure,
        ),
    )


def _text_row(
    block: str, field: str, text: str, quote: str | None = None, source: str | None = None
) -> Observation:
    return Observation(
        block,
        field,
        "",
        "",
        "",
        "published",
        text,
        quote or "",
        source or "",
        *_NO_MORE[3:],
        "status",
    )


def _value_row(block: str, field: str, value: Value, origin: str = "published") -> Observation:
    if value.figure is not None:
        return _figure_row(block, field, value.measure, value.figure, origin)
    step = value.step
    precision, fractional = _STEPS.get(step) or _step(step)
    point = value.point.quantize(step) if fractional else value.point  # as `rounded`
    qualifier = "khoảng" if value.approximate else ""
    return _new(
        Observation,
        (block, field, plain(point), qualifier, precision, "computed", *_NO_MORE, value.measure),
    )


def _block_rows(block: BlockView, rows: list[Observation]) -> None:
    key = block.key
    append = rows.append
    steps = _STEPS
    for name, value in block.fields.items():
        figure = value.figure
        if figure is None:
            append(_value_row(key, name, value))
            continue
        # `_figure_row` inlined: a block's published amounts are most of the figures.
        qualifier = figure.qualifier
        step = steps.get(figure.step) or _step(figure.step)
        row = (
            key,
            name,
            plain(figure.value),
            qualifier.value if qualifier else "",
            step[0],
            "published",
            figure.text or "",
            figure.quote or "",
            figure.source or "",
            figure.note or "",
            "",
            "",
            "",
            "",
            value.measure,
        )
        append(_new(Observation, row))
    if block.rate is not None:
        append(_value_row(key, "rate", block.rate))
    if block.rate_computed is not None and block.rate is not block.rate_computed:
        append(_value_row(key, "rate", block.rate_computed))
    if block.target is not None:
        # A sub-annual period's progress target is its own field; an annual target beside a
        # sub-annual result (not judging it) has no gap row; one a published gap implies is
        # computed.
        target = block.target
        origin = {"dataset": "published", "targets": "targets", "derived": "computed"}
        name = "progress_target" if target.kind == "progress" else "target"
        append(_value_row(key, name, target.value, origin[target.origin]))
    if block.gap is not None:
        append(_value_row(key, "target_gap", block.gap))
    names = _CHANGE_NAMES
    for name, change in block.changes.items():
        fields = names.get(name)
        if fields is None:
            fields = names[name] = tuple(f"change.{name}.{kind}" for kind in CHANGE_KINDS)
        # The computed change, then the source's beside it (origin published) when both are.
        for one in (change, change.published) if change.published else (change,):
            if one.absolute is not None:
                append(_value_row(key, fields[0], one.absolute))
            if one.percent is not None:
                append(_value_row(key, fields[1], one.percent))
            if one.points is not None:
                append(_value_row(key, fields[2], one.points))


CHANGE_KINDS = ("absolute", "percent", "points")
_CHANGE_NAMES: dict[str, tuple[str, ...]] = {}


def dataset_row(page: UnitPeriod) -> dict[str, str]:
    """The row of datasets.csv for a page: what every observation of its dataset shares."""
    period, unit, source = page.period, page.unit, page.dataset.main_source
    return {
        "period": period.key,
        "unit": unit.slug,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "statistical_year": str(period.year),
        "months": str(period.months),
        "unit_scheme": unit.scheme,
        "unit_code": unit.code or "",
        "unit_parent": unit.parent if isinstance(unit, SubUnit) else "",
        "status": page.dataset.status,
        "source_title": source.title or "",
        "source_publisher": source.publisher or "",
        "source_url": source.url or "",
        "source_date": source.date.isoformat() if source.date else "",
        "source_archive": f"nguon/{source.archive}" if source.archive else "",
    }


def source_rows(page: UnitPeriod) -> list[list[str]]:
    """The rows of sources.csv for a page: each source of its dataset, the main one first."""
    summary = page.checked.summary
    rows = []
    for index, source in enumerate(summary.sources or (summary.source,)):
        rows.append(
            [
                page.period.key,
                page.unit.slug,
                source.id or "",
                "true" if index == 0 else "false",
                source.title or "",
                source.publisher or "",
                source.url or "",
                source.date.isoformat() if source.date else "",
                f"nguon/{source.archive}" if source.archive else "",
            ]
        )
    return rows


# --- encoding ---


def csv_bytes(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> bytes:
    """A CSV file: the header, then one line per row."""
    return _csv_text([header, *rows]).encode("utf-8")


def _csv_text(lines: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(map(safe_row, lines))
    return out.getvalue()


CSV_HEADER = csv_bytes([], FIELDNAMES)

# An observation's cells in its JSON record (block … check_note, not its measure), and the
# two that are numbers. json writes a Decimal only through float (47.10 would be 47.1, and
# a long amount rounded), so a number is written as its digits (`plain`), which are the
# exact JSON number; json encodes every string.
_JSON_CELLS = tuple(json.dumps(name) + ": " for name in FIELDNAMES[3:])
_JSON_NUMBERS = frozenset(_JSON_CELLS[i] for i in (2, 4, 13))  # value, precision, released
_encode_string = json.JSONEncoder(ensure_ascii=False).encode


def _json_observation(row: Observation) -> str:
    """An observation as one line of JSON: its cells but the empty ones, numbers as numbers."""
    numbers, encode = _JSON_NUMBERS, _encode_string
    return (
        "{"
        + ", ".join(
            [
                key + (cell if key in numbers else encode(cell))
                for key, cell in zip(_JSON_CELLS, row, strict=False)  # not its measure
                if cell
            ]
        )
        + "}"
    )


def _one_per_line(head: dict[str, Any], key: str, items: Sequence[bytes]) -> bytes:
    """`head` and, under `key`, the list of `items` (JSON texts): json.dumps's text, with
    each item on a line of its own."""
    opening = json.dumps({**head, key: []}, ensure_ascii=False).removesuffix("]}").encode()
    if not items:
        return opening + b"]}"
    return b"".join([opening, b"\n", b",\n".join(items), b"\n]}"])


def json_dataset(meta: dict[str, str], rows: Sequence[Observation]) -> bytes:
    """A dataset as JSON: its datasets.csv row on one line, then one observation per line."""
    head = {k: int(v) if k in _INTEGER_KEYS else v for k, v in meta.items() if v}
    return _one_per_line(head, "observations", [_json_observation(r).encode() for r in rows])


@dataclass(frozen=True)
class EncodedPage:
    """A page's observations encoded once, for its own file and its period's and collection's."""

    dataset: dict[str, str]  # its row of datasets.csv
    csv: bytes  # CSV lines, without the header
    json: bytes  # the dataset as JSON (`json_dataset`)
    page: bytes  # the page's own file, with its header (`page_csv`)


def encode_page(page: UnitPeriod) -> EncodedPage:
    """Encode a page's observations (`observations`) as CSV lines and as a JSON dataset."""
    return encode_rows(dataset_row(page), observations(page))


def encode_rows(meta: dict[str, str], rows: Sequence[Observation]) -> EncodedPage:
    """Encode one dataset's observations: its lines of the CSV, its JSON and its page's file."""
    lead = (meta["period"], meta["unit"], meta["unit_parent"])
    return EncodedPage(
        meta,
        _csv_text((*lead, *row[:_CSV_CELLS]) for row in rows).encode("utf-8"),
        json_dataset(meta, rows),
        page_csv(rows),
    )


_CSV_CELLS = 14  # an observation's cells after period, unit and parent (not its measure)
_INTEGER_KEYS = {c[0] for c in DATASET_COLUMNS if c[1] == "integer"}


def json_period(view: PeriodView, datasets: Sequence[bytes]) -> bytes:
    """A period's JSON: its datasets (`json_dataset`), one a line."""
    return _one_per_line({"period": view.period.key}, "datasets", datasets) + b"\n"


# --- a unit page's own file ---

PAGE_HEADER = csv_bytes([], PAGE_FIELDNAMES)
_PUBLISHED = "published"  # the usual origin, left empty in a page's file


def page_table(rows: Iterable[Observation]) -> list[list[str]]:
    """A page's observations as its file's rows: one per figure, its change beside it.

    A change row of the normalised tables (`change.<field>.<kind>`) joins the row of its
    field: absolute change or points in `change`, relative change in `change_percent`;
    for a rate the change is the rate's (the published one when there are two rows). A
    change whose field has no figure gets a row of its own with no value.
    """
    table: list[list[str]] = []
    by_field: dict[tuple[str, str], list[str]] = {}
    changes = _CHANGE_FIELDS
    published: set[tuple[str, str]] = set()  # fields whose change cells hold the source's
    for row_in in rows:
        block, field, value, qualifier, _, origin, text, quote = row_in[:8]
        source, note, check, check_note, revised, released = row_in[8:14]
        change = changes.get(field)
        if change is None and field not in changes:
            change = changes[field] = _change_field(field)
        if change is None:
            flag = "" if origin == _PUBLISHED else origin
            row = [block, field, value, qualifier, flag, "", "", "", "", "", text, quote]
            row += [source, note, check, check_note, revised, released]
            by_field.setdefault((block, field), row)
            table.append(row)
            continue
        name, cell = change
        changed = by_field.get((block, name))
        if changed is None:
            changed = by_field[(block, name)] = [block, name, *[""] * 16]
            table.append(changed)
        if origin == _PUBLISHED:  # a change is computed, but for the source's own
            if (block, name) not in published:  # which replaces a computed one, wholly
                published.add((block, name))
                changed[5:10] = ["", "", "", "", origin]
            for at, said in ((12, source), (13, note), (14, check), (15, check_note)):
                if said:
                    changed[at] = f"{changed[at]}; {said}" if changed[at] else said
        elif (block, name) in published:
            continue  # the source's change stands in the page's file
        changed[cell] = value
        changed[cell + 1] = qualifier
    return table


_CHANGE_FIELDS: dict[str, tuple[str, int] | None] = {}


def _change_field(field: str) -> tuple[str, int] | None:
    """For `change.<field>.<kind>`: the field, and the page column of the change's value."""
    if not field.startswith("change."):
        return None
    name, _, kind = field[7:].rpartition(".")
    return name, PAGE_FIELDNAMES.index("change_percent" if kind == "percent" else "change")


def page_csv(rows: Iterable[Observation]) -> bytes:
    """A unit page's own CSV file (`PAGE_COLUMNS`): `page_table` by csv.writer."""
    return PAGE_HEADER + _csv_text(page_table(rows)).encode("utf-8")


# --- gzip: one member per piece, compressed once ---

LEVEL = 6  # zlib's default: on these files level 9 saves 4% for twice the time


def gzip_member(data: bytes) -> bytes:
    """`data` as one gzip member with mtime 0 (same input, same bytes)."""
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


@dataclass(frozen=True)
class Piece:
    """Data compressed once as a gzip member, joined as it is into every file that holds it."""

    member: bytes

    @classmethod
    def of(cls, data: bytes) -> Piece:
        return cls(gzip_member(data))

    def data(self) -> bytes:
        return self.member


@dataclass
class GzipFile:
    """A gzip file of several members (RFC 1952, section 2.2): what every gzip reader
    reads as the members' data joined. A period's piece, compressed for its own file, is
    joined as it is into the collection's: nothing is compressed twice."""

    pieces: list[Piece] = dataclasses.field(default_factory=list)

    def add(self, piece: Piece) -> None:
        self.pieces.append(piece)

    def bytes(self) -> bytes:
        return b"".join(piece.data() for piece in self.pieces)


# --- a period's files, encoded once, and kept between builds ---


@dataclass(frozen=True)
class EncodedPeriod:
    """What a period's files are made of: its pages' own files, its rows and JSON deflated."""

    pages: tuple[bytes, ...]  # each page's file (`page_csv`), as `period_pages`
    csv: Piece  # every page's CSV lines, without the header
    json: Piece  # the period's JSON (`json_period`)
    ranking: bytes  # the period's ranking (`ranking_rows`), a plain CSV
    datasets: bytes  # its pages' rows of datasets.csv (`dataset_row`), without the header


def period_pages(view: PeriodView) -> list[UnitPeriod]:
    """A period's pages in its files' order: the national page first, then the provinces',
    the merged units' reporting a pre-merger period (`reported_as`), then the sub-units'
    (whose rows carry their province in `unit_parent`)."""
    return view.every_page


def encode_period(view: PeriodView, pages: Sequence[EncodedPage] | None = None) -> EncodedPeriod:
    """Encode a period's pages (unless given, as `encode_page` encodes them), and compress
    its rows and JSON."""
    encoded = [encode_page(page) for page in period_pages(view)] if pages is None else pages
    return EncodedPeriod(
        tuple(e.page for e in encoded),
        Piece.of(b"".join(e.csv for e in encoded)),
        Piece.of(json_period(view, [e.json for e in encoded])),
        csv_bytes(
            ([row[key] for key in RANKING_COLUMNS] for row in ranking_rows(view)),
            RANKING_COLUMNS,
        ),
        _csv_text(
            [row[key] for key in DATASET_FIELDNAMES] for row in map(dataset_row, period_pages(view))
        ).encode("utf-8"),
    )


def period_keys(model: SiteModel) -> dict[Period, str]:
    """Each period's cache key: a hash of all its files are made from, and of the code.

    A period's files hold its datasets' figures and what is computed from them: the rates,
    gaps and ranks among the period's units (its datasets), the targets and the units'
    registry (`targets.yml`, `provinces.yml`), and the changes against the same period of
    the previous year (that period's datasets, a merged unit's predecessors among them).
    A dataset is its file's bytes: reading and hashing the reference's 2,531 files takes
    ~60 ms, where encoding them takes seconds.
    """
    root = model.content.root
    shared = read_files(root, _SHARED_FILES)
    base = digest(*shared)  # the code is in every key of the store (`cache.fingerprint`)
    own = {
        view.period: digest(
            *(
                f"{p.unit.id}\t{p.checked.src_path}\t{model.content.file_hash(p.checked.src_path)}"
                + "".join(f"\t{flag.format()}" for flag in p.flags)
                + "".join(f"\t{r.field}:{r.date}:{r.before}" for r in p.revised)
                for p in period_pages(view)
            )
        )
        for view in model.periods
    }
    return {
        period: digest(base, period.key, datasets, own.get(period.same_period_previous_year(), ""))
        for period, datasets in own.items()
    }


_SHARED_FILES = ("provinces.yml", "subunits.yml", "targets.yml")


class PeriodCache:
    """Encoded periods (`EncodedPeriod`) by key (`period_keys`), in the build's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.hits = 0
        self.misses = 0

    def get(self, key: str, pages: int) -> EncodedPeriod | None:
        """The entry stored under `key`, if it is whole and has `pages` pages; else None."""
        entry = self.store.get_object(KIND, key)
        if not (isinstance(entry, EncodedPeriod) and len(entry.pages) == pages):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, entry: EncodedPeriod) -> None:
        self.store.put_object(KIND, key, entry)


KIND = "open-data-period"


# --- files ---


def page_file_stem(page: UnitPeriod) -> str:
    return f"{DATA_DIR}/{page.period.key}/{COLLECTION}-{page.period.key}-{page.unit.slug}"


def period_file_stem(of: PeriodView | UnitPeriod) -> str:
    """The period's files without their extension (.csv.gz, .json.gz), of a period or a page."""
    return f"{DATA_DIR}/{of.period.key}/{COLLECTION}-{of.period.key}"


def ranking_file(view: PeriodView) -> str:
    return f"{DATA_DIR}/{view.period.key}/{COLLECTION}-{view.period.key}-xep-hang.csv"


def data_files(model: SiteModel, store: Store | None = None) -> list[DataFile]:
    """Every open-data file: per page, per period, the collection, its tables and descriptor.

    Plain CSV per unit page (what its download link gives), in its own short layout
    (`PAGE_COLUMNS`); per period and for the whole collection gzip only, because their
    rows are the pages' figures again: each plain copy of every row would be ~75 MB on
    the national reference collection (JSON half as much more).

    With a `store`, a period whose key (`period_keys`) is unchanged since a build that
    stored it there is not encoded again; the files are the same bytes either way.
    """
    files: list[DataFile] = []
    cache = PeriodCache(store) if store is not None else None
    keys = period_keys(model) if cache is not None else {}
    views = sorted(model.periods, key=lambda v: (v.period.end, v.period.months))
    header = Piece.of(CSV_HEADER)
    collection = GzipFile()
    collection.add(header)
    encoded: list[tuple[PeriodView, EncodedPeriod]] = []
    made: list[tuple[str, EncodedPeriod]] = []
    entries = {
        view.period: cache.get(keys[view.period], len(period_pages(view))) if cache else None
        for view in views
    }
    # The pages of the periods to encode, encoded by `fork_map` (by forked processes
    # when there are many), while this process compresses the periods they complete.
    todo = [page for view in views if entries[view.period] is None for page in period_pages(view)]
    pages = iter(fork_map(encode_page, todo))
    for view in views:
        in_period = period_pages(view)
        entry = entries[view.period]
        if entry is None:
            entry = encode_period(view, [next(pages) for _ in in_period])
            made.append((keys.get(view.period, ""), entry))
        encoded.append((view, entry))
        for page, data in zip(in_period, entry.pages, strict=True):
            files.append(DataFile(f"{page_file_stem(page)}.csv", data))
        collection.add(entry.csv)
    for view, entry in encoded:
        stem = period_file_stem(view)
        period_csv, period_json = GzipFile(), GzipFile()
        period_csv.add(header)
        period_csv.add(entry.csv)
        period_json.add(entry.json)
        files.append(DataFile(f"{stem}.csv.gz", period_csv.bytes()))
        files.append(DataFile(f"{stem}.json.gz", period_json.bytes()))
        files.append(DataFile(ranking_file(view), entry.ranking))
    files.append(DataFile(f"{DATA_DIR}/{COLLECTION}.csv.gz", collection.bytes()))
    if cache is not None:
        for key, entry in made:
            cache.put(key, entry)
    datasets = csv_bytes([], DATASET_FIELDNAMES) + b"".join(e.datasets for _, e in encoded)
    files.append(DataFile(f"{DATA_DIR}/datasets.csv", datasets))
    sources = [
        row for view, _ in encoded for page in period_pages(view) for row in source_rows(page)
    ]
    files.append(DataFile(f"{DATA_DIR}/sources.csv", csv_bytes(sources, SOURCE_FIELDNAMES)))
    indicators = [[row[key] for key in INDICATOR_COLUMNS] for row in indicator_rows()]
    files.append(DataFile(f"{DATA_DIR}/indicators.csv", csv_bytes(indicators, INDICATOR_COLUMNS)))
    units = [[row[key] for key in UNIT_COLUMNS] for row in unit_rows(model)]
    files.append(DataFile(f"{DATA_DIR}/units.csv", csv_bytes(units, UNIT_COLUMNS)))
    files.append(DataFile(f"{DATA_DIR}/datapackage.json", datapackage(model)))
    return files


def ranking_rows(view: PeriodView) -> list[Row]:
    def rate(block: BlockView | None) -> tuple[str, str, str]:
        if block is None or block.rate is None:
            return "", "", ""
        return (
            rounded(block.rate),
            rounded(block.target.value if block.target else None),
            rounded(block.gap),
        )

    def kind(block: BlockView | None) -> str:
        """What the target column holds: 'annual' (judging a 12-month result), 'reference'
        (the annual target beside a sub-annual result, not judged), 'progress', with
        '-derived' when a published gap implies it."""
        target = block.target if block is not None and block.rate is not None else None
        if target is None:
            return ""
        name = (
            "progress" if target.kind == "progress" else "annual" if target.judged else "reference"
        )
        return f"{name}-derived" if target.derived else name

    rows = []
    for row in view.ranking:
        cases, money = rate(row.cases), rate(row.money)
        rows.append(
            {
                "rank_cases": row.rank_cases or "",
                "unit": row.page.unit.slug,
                "unit_name": row.page.unit.name.vi,
                "rate_cases": cases[0],
                "target_cases": cases[1],
                "gap_cases": cases[2],
                "rank_money": row.rank_money or "",
                "rate_money": money[0],
                "target_money": money[1],
                "gap_money": money[2],
                "target_kind_cases": kind(row.cases),
                "target_kind_money": kind(row.money),
            }
        )
    return rows


# --- the code lists ---

# Fields the catalogue does not define: the ranks the site computes among a period's units.
_RATE_RANK = {
    "cases": (
        "Hạng theo tỷ lệ thi hành xong về việc",
        "Rank by completion rate in cases",
    ),
    "money": (
        "Hạng theo tỷ lệ thi hành xong về tiền",
        "Rank by completion rate in money",
    ),
}
_RATE_RANK_DEFINITION = (
    "Thứ hạng trong các đơn vị của kỳ, do trang tính; các đơn vị cùng tỷ lệ cùng hạng.",
    "Rank among the period's units, computed by the site; equal rates share a rank.",
)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def indicator_rows() -> list[Row]:
    """One row per (block, field) an observation can have: its measure, labels, definition."""
    catalogue = get_catalogue()
    groups, enums = catalogue.groups, catalogue.enums
    dataset = groups["dataset"].fields
    rows: list[Row] = []

    def add(
        block: str,
        block_label: tuple[str, str],
        key: str,
        measure: str,
        label: tuple[str, str],
        definition: tuple[str, str],
    ) -> None:
        rows.append(
            {
                "block": block,
                "field": key,
                "measure": measure,
                "block_label_vi": block_label[0],
                "block_label_en": block_label[1],
                "label_vi": label[0],
                "label_en": label[1],
                "definition_vi": definition[0],
                "definition_en": definition[1],
            }
        )

    results_blocks: list[tuple[str, tuple[str, str], str]] = [
        (key, (dataset[key].label.vi, dataset[key].label.en), key_amount)
        for key, key_amount in (("cases", "count"), ("money", "money"))
    ]
    for group in SUBAGGREGATES:
        for key, whole in groups["subaggregate"].fields.items():
            assert whole.amount is not None
            label = (
                f"{dataset[group].label.vi}, {_lower(whole.label.vi)}",
                f"{dataset[group].label.en}, {_lower(whole.label.en)}",
            )
            results_blocks.append((f"{group}.{key}", label, whole.amount))
    change = groups["change"]
    for block, block_label, amount in results_blocks:
        for key, fdef in groups["results"].fields.items():
            if fdef.measure == "block":  # change: its fields below
                continue
            measure = amount if fdef.measure == "amount" else fdef.measure
            label = (fdef.label.vi, fdef.label.en)
            add(block, block_label, key, measure, label, (fdef.definition.vi, fdef.definition.en))
        for key, fdef in groups["results"].fields.items():
            if fdef.measure == "block":
                continue
            # A rate moves in points; an amount absolutely and in percent (validate, compute).
            kinds = (
                ("points",) if fdef.measure in ("percent", "points") else ("absolute", "percent")
            )
            for kind in kinds:
                cdef = change.fields[kind]
                measure = {"absolute": amount, "percent": "percent", "points": "points"}[kind]
                label = (
                    f"{fdef.label.vi}: {_lower(cdef.label.vi)}",
                    f"{fdef.label.en}: {_lower(cdef.label.en)}",
                )
                definition = (
                    f"{change.label.vi} năm trước. {cdef.definition.vi}",
                    f"{change.label.en} of the previous year. {cdef.definition.en}",
                )
                add(block, block_label, f"change.{key}.{kind}", measure, label, definition)
    for group in FLAT_GROUPS:
        block_label = (groups[group].label.vi, groups[group].label.en)
        for key, fdef in groups[group].fields.items():
            label = (fdef.label.vi, fdef.label.en)
            definition = (fdef.definition.vi, fdef.definition.en)
            add(group, block_label, key, fdef.measure, label, definition)
    inspection = groups["inspection"]
    block_label = (inspection.label.vi, inspection.label.en)
    for kind, kind_label in enums["kind"].items():
        for key in INSPECTION_FIELDS:
            fdef = inspection.fields[key]
            label = (
                f"{kind_label.vi}: {_lower(fdef.label.vi)}",
                f"{kind_label.en}: {_lower(fdef.label.en)}",
            )
            definition = (fdef.definition.vi, fdef.definition.en)
            add("inspections", block_label, f"{kind}.{key}", "count", label, definition)
    reform = groups["reform"]
    block_label = (reform.label.vi, reform.label.en)
    for key, key_label in enums["key"].items():
        for part, measure in (("status", "status"), ("count", "count")):
            fdef = reform.fields[part]
            label = (
                f"{key_label.vi}: {_lower(fdef.label.vi)}",
                f"{key_label.en}: {_lower(fdef.label.en)}",
            )
            definition = (fdef.definition.vi, fdef.definition.en)
            add("reform", block_label, f"{key}.{part}", measure, label, definition)
    ranking = groups["ranking"]
    block_label = (ranking.label.vi, ranking.label.en)
    for key, fdef in ranking.fields.items():
        measure = "rank" if key in ("cases", "money", "of") else "status"
        label = (fdef.label.vi, fdef.label.en)
        add("ranking", block_label, key, measure, label, (fdef.definition.vi, fdef.definition.en))
    for key, label in _RATE_RANK.items():
        add("ranking", block_label, f"rate_rank.{key}", "rank", label, _RATE_RANK_DEFINITION)
    return rows


def unit_rows(model: SiteModel) -> list[Row]:
    return [
        {
            "slug": u.slug,
            "scheme": u.scheme,
            "code": u.code or "",
            "kind": u.kind,
            "name": u.name.vi,
            "name_en": u.name.en,
            "region": u.region or "",
            "formed_from": " ".join(u.formed_from),
            **_subunit_cells(u),
        }
        for u in (*model.registry.units, *model.registry.subunits)
    ]


def _subunit_cells(unit: UnitEntry) -> dict[str, str]:
    """A sub-unit's province and days in units.csv; empty for a province or the nation."""
    if not isinstance(unit, SubUnit):
        return {"parent": "", "valid_from": "", "valid_to": ""}
    days = (unit.valid_from, unit.valid_to)
    start, end = (day.isoformat() if day is not None else "" for day in days)
    return {"parent": unit.parent, "valid_from": start, "valid_to": end}


# --- the descriptor ---


def _fields(columns: Sequence[Column]) -> list[dict[str, str]]:
    return [
        {"name": name, "type": kind, "title": vi, "description": en}
        for name, kind, vi, en in columns
    ]


def _strings(columns: Sequence[str]) -> list[dict[str, str]]:
    return [{"name": name, "type": "string"} for name in columns]


def _resource(name: str, path: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
    resource = {
        "name": name,
        "path": path,
        "title": title,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
    }
    if path.endswith(".gz"):
        resource["compression"] = "gz"  # the Frictionless "compression of resources" pattern
    return resource | {"schema": {**schema, "missingValues": [""]}}


def datapackage(model: SiteModel) -> bytes:
    """The Frictionless Data Package descriptor: the four tables and the keys that join them."""
    package = {
        "name": "minh-bach-thads",
        "title": "Kết quả thi hành án dân sự / Civil judgment enforcement results",
        "description": (
            "Số liệu thi hành án dân sự theo đơn vị và kỳ báo cáo, mỗi dòng một số liệu; "
            "tiền tính bằng đồng. Kỳ, đơn vị và nguồn của mỗi số liệu ở datasets.csv; tên "
            "đơn vị ở units.csv; tên, định nghĩa và đơn vị đo của chỉ tiêu ở indicators.csv. "
            "Mỗi kỳ có tệp riêng (<kỳ>/thads-<kỳ>.csv.gz, .json.gz): các phần của "
            "thads.csv.gz. Mỗi trang đơn vị có tệp CSV gọn hơn (unitPages): cùng các số liệu, "
            "thay đổi so với cùng kỳ năm trước bên cạnh giá trị. / "
            "Civil judgment enforcement figures by unit and period, one figure per row; money "
            "in VND. The period, unit and source of each figure are in datasets.csv; unit names "
            "in units.csv; indicator labels, definitions and measures in indicators.csv. Each "
            "period has its own files (<period>/thads-<period>.csv.gz, .json.gz): slices of "
            "thads.csv.gz. Each unit page has a shorter CSV (unitPages): the same figures, each "
            "change on the same period of last year beside its value."
        ),
        "created": _iso(model.epoch),
        "resources": [
            _resource(
                "observations",
                f"{COLLECTION}.csv.gz",
                "Toàn bộ số liệu / All figures",
                {
                    "fields": _fields(OBSERVATION_COLUMNS),
                    "primaryKey": ["period", "unit", "block", "field", "origin"],
                    "foreignKeys": [
                        {
                            "fields": ["period", "unit"],
                            "reference": {"resource": "datasets", "fields": ["period", "unit"]},
                        },
                        {
                            "fields": ["block", "field"],
                            "reference": {"resource": "indicators", "fields": ["block", "field"]},
                        },
                    ],
                },
            ),
            _resource(
                "datasets",
                "datasets.csv",
                "Bộ số liệu và nguồn / Datasets and sources",
                {
                    "fields": _fields(DATASET_COLUMNS),
                    "primaryKey": ["period", "unit"],
                    # A slug alone is not a unit: post-2025 units reuse old units' slugs.
                    "foreignKeys": [
                        {
                            "fields": ["unit", "unit_scheme"],
                            "reference": {"resource": "units", "fields": ["slug", "scheme"]},
                        }
                    ],
                },
            ),
            _resource(
                "sources",
                "sources.csv",
                "Các nguồn của bộ số liệu / The datasets' sources",
                {
                    "fields": _fields(SOURCE_COLUMNS),
                    "primaryKey": ["period", "unit", "source"],
                    "foreignKeys": [
                        {
                            "fields": ["period", "unit"],
                            "reference": {"resource": "datasets", "fields": ["period", "unit"]},
                        }
                    ],
                },
            ),
            _resource(
                "units",
                "units.csv",
                "Danh mục đơn vị / Units",
                {"fields": _strings(UNIT_COLUMNS), "primaryKey": ["slug", "scheme"]},
            ),
            _resource(
                "indicators",
                "indicators.csv",
                "Danh mục chỉ tiêu / Indicators",
                {"fields": _strings(INDICATOR_COLUMNS), "primaryKey": ["block", "field"]},
            ),
        ],
        # Not a resource: one file per unit page, which a resource would list one by one.
        "unitPages": _resource(
            "unit_pages",
            f"<period>/{PAGE_FILE}",
            "Số liệu của một trang đơn vị / A unit page's figures",
            {
                "fields": _fields(PAGE_COLUMNS),
                # (block, field, origin) is unique, but an empty origin is "published".
                "foreignKeys": [
                    {
                        "fields": ["block", "field"],
                        "reference": {"resource": "indicators", "fields": ["block", "field"]},
                    }
                ],
            },
        )
        | {
            "description": (
                "Kỳ và đơn vị là tên tệp; một dòng mỗi số liệu của thads.csv.gz, trừ các "
                "dòng change.<field>.<kind>: chúng ở cột change, change_percent của dòng "
                "<field>; độ chính xác (precision) ở tệp của kỳ. / "
                "The period and unit are the file's name; one row per figure of "
                "thads.csv.gz but the change.<field>.<kind> rows, which are in the change "
                "and change_percent columns of the <field> row; precision is in the "
                "period's files."
            )
        },
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
