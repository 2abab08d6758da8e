"""Open data: every figure of the site as tidy rows, in CSV and JSON, with a data package.

One row is one figure of one unit in one period (long format), so a unit page,
a period and the whole collection share one schema. Money is in đồng, exact
as the source gives it; a figure that was not published has no row. The
columns and the indicator list are described from the catalogue in
`datapackage.json` (Frictionless Data Package v1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from .catalogue import get_catalogue
from .compute import BlockView, PeriodView, SiteModel, UnitPeriod, Value
from .figures import Figure
from .models import UnitEntry

DATA_DIR = "du-lieu"  # language-neutral: one copy, linked from both editions
COLLECTION = "thads"

# (name, Frictionless type, vi description, en description)
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    (
        "period",
        "string",
        "Kỳ báo cáo (Y-Nm: N tháng đầu năm thống kê Y)",
        "Period (Y-Nm: first N months of statistical year Y)",
    ),
    ("period_start", "date", "Ngày đầu kỳ", "First day of the period"),
    ("period_end", "date", "Ngày cuối kỳ", "Last day of the period"),
    (
        "statistical_year",
        "integer",
        "Năm thống kê (01/10/Y−1 – 30/09/Y)",
        "Statistical year (1 Oct Y−1 – 30 Sep Y)",
    ),
    ("months", "integer", "Số tháng lũy kế từ 01/10", "Months cumulated from 1 October"),
    ("unit", "string", "Mã định danh đơn vị (slug)", "Unit slug"),
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
    ("unit_name", "string", "Tên đơn vị", "Unit name (Vietnamese)"),
    ("unit_name_en", "string", "Tên đơn vị bằng tiếng Anh", "Unit name (English)"),
    (
        "block",
        "string",
        "Nhóm số liệu: cases, money, state_budget.cases, citizen_reception...",
        "Block: cases, money, state_budget.cases, citizen_reception...",
    ),
    ("field", "string", "Chỉ tiêu thống kê (xem indicators.csv)", "Indicator (see indicators.csv)"),
    (
        "measure",
        "string",
        "Đơn vị đo: count (việc), money (đồng), percent, points (điểm %), rank, status",
        "Measure: count, money (VND), percent, points (pp), rank, status",
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
        "status",
        "string",
        "Tình trạng số liệu: provisional, final",
        "Data status: provisional, final",
    ),
    ("source_title", "string", "Tên văn bản nguồn", "Source title"),
    ("source_publisher", "string", "Cơ quan công bố", "Source publisher"),
    ("source_url", "string", "Địa chỉ văn bản nguồn", "Source URL"),
    ("source_date", "date", "Ngày của văn bản nguồn", "Source date"),
)
FIELDNAMES = [c[0] for c in COLUMNS]

RANKING_COLUMNS = (
    "rank_cases", "unit", "unit_name", "rate_cases", "target_cases", "gap_cases",
    "rank_money", "rate_money", "target_money", "gap_money",
)  # fmt: skip

Row = dict[str, Any]


@dataclass(frozen=True)
class DataFile:
    """A file of the open data, by its path under the site root."""

    path: str
    data: bytes


def plain(value: Decimal | None) -> str:
    """A decimal as plain digits, exact ('47000000000', '47.10'); '' for none."""
    return "" if value is None else format(value, "f")


def rounded(value: Value | None) -> str:
    """A value to its precision: published as written, computed ratios to 0.01."""
    if value is None:
        return ""
    if value.figure is None and value.step < 1:
        return plain(value.point.quantize(value.step))
    return plain(value.point)


def page_rows(page: UnitPeriod) -> list[Row]:
    """Every figure of one unit × period page."""
    head = _head(page)
    return [head | row for row in _figure_rows(page)]


def _figure_rows(page: UnitPeriod) -> list[Row]:
    """The page's rows without the columns every row of the page shares (`_head`)."""
    rows: list[Row] = []
    for block in page.blocks.values():
        rows.extend(_block_rows(block))
    dataset = page.dataset
    for group in ("admin_judgments", "citizen_reception"):
        obj = getattr(dataset, group)
        if obj is None:
            continue
        fields = get_catalogue().groups[group].fields
        for key, fdef in fields.items():
            figure = getattr(obj, key)
            if figure is not None:
                rows.append(_figure_row(group, key, fdef.measure, figure))
    for inspection in dataset.inspections:
        for key in ("count", "units", "findings", "recommendations"):
            figure = getattr(inspection, key)
            if figure is not None:
                rows.append(_figure_row("inspections", f"{inspection.kind}.{key}", "count", figure))
    for reform in dataset.reform:
        rows.append(_text_row("reform", f"{reform.key}.status", reform.status))
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
            _empty()
            | {
                "block": "ranking",
                "field": f"rate_rank.{key}",
                "measure": "rank",
                "value": str(rank),
                "precision": "1",
                "origin": "computed",
            }
        )
    return rows


def _head(page: UnitPeriod) -> Row:
    period, unit, source = page.period, page.unit, page.dataset.source
    return {
        "period": period.key,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "statistical_year": period.year,
        "months": period.months,
        "unit": unit.slug,
        "unit_scheme": unit.scheme,
        "unit_code": unit.code or "",
        "unit_name": unit.name.vi,
        "unit_name_en": unit.name.en,
        "status": page.dataset.status,
        "source_title": source.title or "",
        "source_publisher": source.publisher or "",
        "source_url": source.url or "",
        "source_date": source.date.isoformat() if source.date else "",
    }


def _empty() -> Row:
    return dict.fromkeys(("qualifier", "text", "quote"), "")


def _figure_row(block: str, field: str, measure: str, figure: Figure) -> Row:
    return {
        "block": block,
        "field": field,
        "measure": measure,
        "value": plain(figure.value),
        "qualifier": figure.qualifier.value if figure.qualifier else "",
        "precision": plain(figure.step),
        "origin": "published",
        "text": figure.text or "",
        "quote": figure.quote or "",
    }


def _text_row(block: str, field: str, text: str) -> Row:
    return _empty() | {
        "block": block,
        "field": field,
        "measure": "status",
        "value": "",
        "precision": "",
        "origin": "published",
        "text": text,
    }


def _value_row(block: str, field: str, value: Value, origin: str | None = None) -> Row:
    if value.figure is not None:
        row = _figure_row(block, field, value.measure, value.figure)
        if origin:
            row["origin"] = origin
        return row
    return _empty() | {
        "block": block,
        "field": field,
        "measure": value.measure,
        "value": rounded(value),
        "precision": plain(value.step),
        "origin": "computed",
        "qualifier": "khoảng" if value.approximate else "",
    }


def _block_rows(block: BlockView) -> Iterator[Row]:
    for key, value in block.fields.items():
        yield _value_row(block.key, key, value)
    if block.rate is not None:
        yield _value_row(block.key, "rate", block.rate)
    if block.rate_computed is not None and block.rate is not block.rate_computed:
        yield _value_row(block.key, "rate", block.rate_computed)
    if block.target is not None:
        origin = "published" if block.target.origin == "dataset" else "targets"
        yield _value_row(block.key, "target", block.target.value, origin)
    if block.gap is not None:
        yield _value_row(block.key, "target_gap", block.gap)
    for key, change in block.changes.items():
        for kind in ("absolute", "percent", "points"):
            moved: Value | None = getattr(change, kind)
            if moved is not None:
                yield _value_row(block.key, f"change.{key}.{kind}", moved)


# --- files ---
#
# A page's rows appear in three files (the page's, its period's, the collection's), so
# each page is encoded once and the larger files are joined from the encoded pieces. The
# bytes are what csv.DictWriter and json.dumps(indent=1) write (tests/test_opendata.py
# compares them): json.dumps with an indent runs the pure-Python encoder, ~50 times slower.


def csv_bytes(rows: Iterable[Row], fieldnames: list[str] | tuple[str, ...] = FIELDNAMES) -> bytes:
    """A CSV file: the header, then one line per row (missing columns empty)."""
    return (_csv_text([list(fieldnames)]) + _csv_rows({}, list(rows), fieldnames)).encode("utf-8")


def _csv_text(lines: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    return out.getvalue()


CSV_HEADER = _csv_text([FIELDNAMES]).encode("utf-8")


def _csv_rows(head: Row, rows: list[Row], fieldnames: Sequence[str]) -> str:
    """CSV lines of `head | row` for each row, as csv.DictWriter writes them (no header)."""
    own = [index for index, key in enumerate(fieldnames) if key not in head]
    own_keys = {fieldnames[index] for index in own}
    if not all(row.keys() <= own_keys for row in rows):
        # A row that overrides the head, or has an unknown column: the general way.
        return _csv_text([_csv_cells(head | row, fieldnames) for row in rows])
    if len(own) > 1 and own[-1] - own[0] == len(own) - 1:
        # The head's columns around the rows' own: the writer quotes each cell on its own,
        # so the head's cells are written once per page and each line spliced between them.
        start, stop = own[0], own[-1] + 1
        keys = fieldnames[start:stop]
        text = _csv_text([[row.get(key, "") for key in keys] for row in rows])
        if text.count("\n") == len(rows):  # no line break inside a cell: a line per row
            # A lone empty cell is written '""'; beside a placeholder it is written as in a row.
            before = _csv_text([[head[key] for key in fieldnames[:start]] + ["x"]])[:-2]
            after = _csv_text([["x"] + [head[key] for key in fieldnames[stop:]]])[1:-1]
            spliced = text.split("\n")[:-1]
            return before + f"{after}\n{before}".join(spliced) + after + "\n" if spliced else ""
    template = [head.get(key, "") for key in fieldnames]
    lines: list[list[Any]] = []
    for row in rows:
        cells = template.copy()
        for index in own:
            cells[index] = row.get(fieldnames[index], "")
        lines.append(cells)
    return _csv_text(lines)


def _csv_cells(row: Row, fieldnames: Sequence[str]) -> list[Any]:
    unknown = row.keys() - set(fieldnames)
    if unknown:
        raise ValueError("dict contains fields not in fieldnames: " + ", ".join(map(repr, unknown)))
    return [row.get(key, "") for key in fieldnames]


def _json_number(text: str) -> int | float | str:
    if text == "":
        return text
    value = Decimal(text)
    # Integers stay exact at any size; the non-integers here (rates, points) have few digits.
    return int(value) if value == value.to_integral_value() else float(value)


_RECORD_INDENT = "   "  # a record's keys, inside {"observations": [{...}]} with indent=1
_KEY_PREFIXES: dict[str, str] = {}  # '   "value": ' by key
_NUMBER_KEYS = ("value", "precision")


def _json_value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + _RECORD_INDENT)


def _json_items(row: Row) -> list[str]:
    """The key-value lines of a row's JSON record: empty cells left out, numbers as numbers."""
    items = []
    for key, value in row.items():
        if value == "":
            continue
        prefix = _KEY_PREFIXES.get(key)
        if prefix is None:
            prefix = _KEY_PREFIXES[key] = f"{_RECORD_INDENT}{encode_basestring(key)}: "
        if key in _NUMBER_KEYS:
            value = _json_number(value)
        items.append(
            prefix + (encode_basestring(value) if type(value) is str else _json_value(value))
        )
    return items


def _json_records(head: Row, rows: list[Row]) -> str:
    """The JSON records of `head | row` for each row, as observations list items, ',\n'-joined."""
    head_text = ",\n".join(_json_items(head))
    records = []
    for row in rows:
        if row.keys().isdisjoint(head):
            items = _json_items(row)
            if head_text:
                items.insert(0, head_text)
        else:
            items = _json_items(head | row)
        records.append("  {\n" + ",\n".join(items) + "\n  }" if items else "  {}")
    return ",\n".join(records)


def _json_document(meta: dict[str, Any], parts: Iterable[bytes]) -> bytes:
    """`meta` with the observations of `parts` (from `_json_records`), as json.dumps(indent=1)."""
    records = [part for part in parts if part]
    if not records or "observations" in meta:
        observations = json.loads(b"[" + b",\n".join(records) + b"]")
        return json_document(meta | {"observations": observations})
    # The observations are the last key, so their list ends the document: put a placeholder
    # item there and the records in its place, in one join (the collection's is large).
    text = json.dumps(meta | {"observations": [0]}, ensure_ascii=False, indent=1)
    before, placeholder, after = text.rpartition("\n  0\n ]")
    assert placeholder
    pieces = [before.encode("utf-8") + b"\n"]
    for part in records:
        pieces += (part, b",\n")
    pieces[-1] = b"\n ]" + after.encode("utf-8") + b"\n"
    return b"".join(pieces)


def json_document(body: dict[str, Any]) -> bytes:
    """A JSON file the way the open data writes it: one key per line, UTF-8 text."""
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def json_bytes(meta: dict[str, Any], rows: list[Row]) -> bytes:
    """A JSON file: `meta` and the rows as `observations`, empty cells left out."""
    return _json_document(meta, [_json_records({}, rows).encode("utf-8")])


@dataclass(frozen=True)
class EncodedRows:
    """A page's rows encoded once, for its own files and its period's and the collection's."""

    csv: bytes  # CSV lines without the header
    json: bytes  # JSON records, ',\n'-joined, to go inside an observations list


def encode_page(page: UnitPeriod) -> EncodedRows:
    """Encode the rows of one page (`page_rows`) for the CSV and JSON files."""
    head, rows = _head(page), _figure_rows(page)
    return EncodedRows(
        _csv_rows(head, rows, FIELDNAMES).encode("utf-8"),
        _json_records(head, rows).encode("utf-8"),
    )


def page_file_stem(page: UnitPeriod) -> str:
    return f"{DATA_DIR}/{page.period.key}/{COLLECTION}-{page.period.key}-{page.unit.slug}"


def period_file_stem(view: PeriodView) -> str:
    return f"{DATA_DIR}/{view.period.key}/{COLLECTION}-{view.period.key}"


def ranking_file(view: PeriodView) -> str:
    return f"{DATA_DIR}/{view.period.key}/{COLLECTION}-{view.period.key}-xep-hang.csv"


def _unit_meta(unit: UnitEntry) -> dict[str, Any]:
    return {
        "slug": unit.slug,
        "scheme": unit.scheme,
        "code": unit.code,
        "name": unit.name.vi,
        "name_en": unit.name.en,
    }


def ranking_rows(view: PeriodView) -> list[Row]:
    def rate(block: BlockView | None) -> tuple[str, str, str]:
        if block is None or block.rate is None:
            return "", "", ""
        return (
            rounded(block.rate),
            rounded(block.target.value if block.target else None),
            rounded(block.gap),
        )

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
            }
        )
    return rows


def data_files(model: SiteModel) -> list[DataFile]:
    """Every open-data file: per page, per period, the collection and the descriptor."""
    files: list[DataFile] = []
    everything: list[EncodedRows] = []
    period_resources: list[dict[str, Any]] = []
    for view in sorted(model.periods, key=lambda v: (v.period.end, v.period.months)):
        pages: list[EncodedRows] = []
        for page in ([view.national] if view.national else []) + view.pages:
            encoded = encode_page(page)
            pages.append(encoded)
            stem = page_file_stem(page)
            meta = {"period": page.period.key, "unit": _unit_meta(page.unit)}
            files.append(DataFile(f"{stem}.csv", CSV_HEADER + encoded.csv))
            files.append(DataFile(f"{stem}.json", _json_document(meta, [encoded.json])))
        stem = period_file_stem(view)
        files.append(DataFile(f"{stem}.csv", CSV_HEADER + b"".join(p.csv for p in pages)))
        files.append(
            DataFile(
                f"{stem}.json",
                _json_document({"period": view.period.key}, (p.json for p in pages)),
            )
        )
        files.append(DataFile(ranking_file(view), csv_bytes(ranking_rows(view), RANKING_COLUMNS)))
        period_resources.append(
            _resource(
                f"{COLLECTION}-{view.period.key}",
                f"{stem}.csv",
                f"{view.period.name('vi')} / {view.period.name('en')}",
            )
        )
        everything.extend(pages)
    files.append(
        DataFile(f"{DATA_DIR}/{COLLECTION}.csv", CSV_HEADER + b"".join(p.csv for p in everything))
    )
    files.append(
        DataFile(f"{DATA_DIR}/{COLLECTION}.json", _json_document({}, (p.json for p in everything)))
    )
    files.append(
        DataFile(f"{DATA_DIR}/indicators.csv", csv_bytes(indicator_rows(), INDICATOR_COLUMNS))
    )
    files.append(DataFile(f"{DATA_DIR}/units.csv", csv_bytes(unit_rows(model), UNIT_COLUMNS)))
    files.append(DataFile(f"{DATA_DIR}/datapackage.json", datapackage(model, period_resources)))
    return files


INDICATOR_COLUMNS = (
    "group",
    "field",
    "measure",
    "label_vi",
    "label_en",
    "definition_vi",
    "definition_en",
)
UNIT_COLUMNS = ("slug", "scheme", "code", "kind", "name", "name_en", "region", "formed_from")


def indicator_rows() -> list[Row]:
    catalogue = get_catalogue()
    return [
        {
            "group": group,
            "field": key,
            "measure": f.measure,
            "label_vi": f.label.vi,
            "label_en": f.label.en,
            "definition_vi": f.definition.vi,
            "definition_en": f.definition.en,
        }
        for group, g in catalogue.groups.items()
        for key, f in g.fields.items()
    ]


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
        }
        for u in model.registry.units
    ]


def _schema() -> dict[str, Any]:
    return {
        "fields": [
            {"name": name, "type": kind, "title": vi, "description": en}
            for name, kind, vi, en in COLUMNS
        ],
        "missingValues": [""],
    }


def _resource(name: str, path: str, title: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path.removeprefix(f"{DATA_DIR}/"),
        "title": title,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": _schema(),
    }


def datapackage(model: SiteModel, period_resources: list[dict[str, Any]]) -> bytes:
    def simple(name: str, path: str, title: str, columns: tuple[str, ...]) -> dict[str, Any]:
        return {
            "name": name,
            "path": path,
            "title": title,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": [{"name": c, "type": "string"} for c in columns]},
        }

    package = {
        "name": "minh-bach-thads",
        "title": "Kết quả thi hành án dân sự / Civil judgment enforcement results",
        "description": (
            "Số liệu thi hành án dân sự theo đơn vị và kỳ báo cáo, mỗi dòng một số liệu; "
            "tiền tính bằng đồng. / Civil judgment enforcement figures by unit and period, "
            "one figure per row; money in VND."
        ),
        "created": _iso(model.epoch),
        "resources": [
            _resource(COLLECTION, f"{COLLECTION}.csv", "Toàn bộ số liệu / All figures"),
            simple(
                "indicators", "indicators.csv", "Danh mục chỉ tiêu / Indicators", INDICATOR_COLUMNS
            ),
            simple("units", "units.csv", "Danh mục đơn vị / Units", UNIT_COLUMNS),
            *period_resources,
        ],
    }
    return json_document(package)


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
