"""Open data: the fast encoders write exactly what csv.DictWriter and json.dumps(indent=1) write."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.compute import compute
from minhbach.opendata import (
    CSV_HEADER,
    FIELDNAMES,
    Row,
    _csv_rows,
    _json_document,
    _json_number,
    _json_records,
    csv_bytes,
    data_files,
    json_bytes,
    page_file_stem,
    page_rows,
    period_file_stem,
)
from minhbach.validate import check_content

MINI = Path(__file__).parent / "fixtures" / "mini"


def reference_csv(rows: list[Row], fieldnames: list[str] | tuple[str, ...] = FIELDNAMES) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def reference_json(meta: dict[str, Any], rows: list[Row]) -> bytes:
    records = [
        {
            k: (_json_number(v) if k in ("value", "precision") else v)
            for k, v in row.items()
            if v != ""
        }
        for row in rows
    ]
    body = meta | {"observations": records}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(
    ["", ",", '"', "a,b", 'say "x"', "line\nbreak", "\r", " lead", "Tỉnh Đắk Lắk", "\\", "\u2028"]
)
NUMBER_TEXT = st.sampled_from(
    ["", "0", "1", "0.01", "47.10", "-3.5", "1577000", "1E+3"]
) | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: format(d, "f"))
CELL = TEXT | st.integers(min_value=-(10**20), max_value=10**20)
ROW = st.dictionaries(
    st.sampled_from([f for f in FIELDNAMES if f not in ("value", "precision")]), CELL, max_size=8
).flatmap(
    lambda row: st.fixed_dictionaries(
        {}, optional={"value": NUMBER_TEXT, "precision": NUMBER_TEXT}
    ).map(lambda numbers: row | numbers)
)
META = st.dictionaries(
    st.sampled_from(["period", "unit", "x"]),
    TEXT | st.dictionaries(TEXT, TEXT, max_size=2),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=6))
def test_csv_matches_dictwriter(rows: list[Row]) -> None:
    assert csv_bytes(rows) == reference_csv(rows)


@settings(max_examples=300, deadline=None)
@given(META, st.lists(ROW, max_size=6))
def test_json_matches_json_dumps(meta: dict[str, Any], rows: list[Row]) -> None:
    assert json_bytes(meta, rows) == reference_json(meta, rows)


@settings(max_examples=300, deadline=None)
@given(ROW, st.lists(ROW, max_size=6))
def test_rows_sharing_a_head_encode_as_the_merged_rows(head: Row, rows: list[Row]) -> None:
    merged = [head | row for row in rows]
    assert CSV_HEADER + _csv_rows(head, rows, FIELDNAMES).encode() == reference_csv(merged)
    json_records = _json_records(head, rows).encode()
    assert _json_document({"period": "p"}, [json_records]) == reference_json(
        {"period": "p"}, merged
    )


def test_an_unknown_column_is_an_error_as_in_dictwriter() -> None:
    with pytest.raises(ValueError, match="dict contains fields not in fieldnames: 'colour'"):
        csv_bytes([{"period": "2024-6m", "colour": "blue"}])
    with pytest.raises(ValueError, match="dict contains fields not in fieldnames: 'colour'"):
        reference_csv([{"period": "2024-6m", "colour": "blue"}])


def test_every_file_of_the_fixture_site_is_what_the_reference_encoders_write() -> None:
    content, _ = check_content(MINI)
    model, _ = compute(content)
    files = {f.path: f.data for f in data_files(model)}
    everything: list[Row] = []
    for view in sorted(model.periods, key=lambda v: (v.period.end, v.period.months)):
        period: list[Row] = []
        for page in ([view.national] if view.national else []) + view.pages:
            rows = page_rows(page)
            meta = {
                "period": page.period.key,
                "unit": json.loads(files[f"{page_file_stem(page)}.json"])["unit"],
            }
            assert files[f"{page_file_stem(page)}.csv"] == reference_csv(rows)
            assert files[f"{page_file_stem(page)}.json"] == reference_json(meta, rows)
            period.extend(rows)
        assert files[f"{period_file_stem(view)}.csv"] == reference_csv(period)
        assert files[f"{period_file_stem(view)}.json"] == reference_json(
            {"period": view.period.key}, period
        )
        everything.extend(period)
    assert files["du-lieu/thads.csv"] == reference_csv(everything)
    assert files["du-lieu/thads.json"] == reference_json({}, everything)
