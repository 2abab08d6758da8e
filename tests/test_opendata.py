"""Open data: normalised tables whose keys join, every figure once per file, exact, traceable."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.compute import SiteModel, compute
from minhbach.opendata import (
    CSV_HEADER,
    DATA_DIR,
    FIELDNAMES,
    GzipFile,
    Observation,
    data_files,
    dataset_row,
    deflate,
    encode_rows,
    json_dataset,
    observations,
    page_file_stem,
    period_file_stem,
)
from minhbach.validate import check_content

MINI = Path(__file__).parent / "fixtures" / "mini"
CONTENT = Path(__file__).resolve().parents[1] / "content"


def site_model(root: Path) -> SiteModel:
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    model, _ = compute(content)
    return model


def build(root: Path) -> dict[str, bytes]:
    return {f.path: f.data for f in data_files(site_model(root))}


@pytest.fixture(scope="module", params=["mini", "content"])
def files(request: pytest.FixtureRequest) -> dict[str, bytes]:
    return build(MINI if request.param == "mini" else CONTENT)


@pytest.fixture(scope="module")
def mini() -> dict[str, bytes]:
    return build(MINI)


def table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def gunzip(data: bytes) -> bytes:
    """The content of a gzip file that must be one member, as some readers read only one."""
    reader = zlib.decompressobj(wbits=31)
    content = reader.decompress(data)
    assert reader.eof and not reader.unused_data
    return content


def page_paths(files: dict[str, bytes]) -> list[str]:
    """The unit pages' CSV files, in the collection's order."""
    rows = table(files[f"{DATA_DIR}/datasets.csv"])
    return [f"{DATA_DIR}/{r['period']}/thads-{r['period']}-{r['unit']}.csv" for r in rows]


def test_every_key_joins(files: dict[str, bytes]) -> None:
    observations = table(gunzip(files[f"{DATA_DIR}/thads.csv.gz"]))
    datasets = table(files[f"{DATA_DIR}/datasets.csv"])
    units = table(files[f"{DATA_DIR}/units.csv"])
    indicators = table(files[f"{DATA_DIR}/indicators.csv"])
    dataset_keys = [(d["period"], d["unit"]) for d in datasets]
    indicator_keys = [(i["block"], i["field"]) for i in indicators]
    unit_keys = [(u["slug"], u["scheme"]) for u in units]
    observation_keys = [
        (o["period"], o["unit"], o["block"], o["field"], o["origin"]) for o in observations
    ]
    for keys in (dataset_keys, indicator_keys, unit_keys, observation_keys):
        assert len(set(keys)) == len(keys)  # the primary keys datapackage.json declares
    assert {(o["period"], o["unit"]) for o in observations} <= set(dataset_keys)
    assert {(o["block"], o["field"]) for o in observations} <= set(indicator_keys)
    assert {(d["unit"], d["unit_scheme"]) for d in datasets} <= set(unit_keys)


def test_the_measure_left_out_of_a_row_is_its_indicators(files: dict[str, bytes]) -> None:
    model = site_model(MINI)
    measures = {
        (i["block"], i["field"]): i["measure"] for i in table(files[f"{DATA_DIR}/indicators.csv"])
    }
    for page in model.pages:
        for row in observations(page):
            assert measures[(row.block, row.field)] == row.measure, row


def test_the_collection_and_periods_hold_exactly_the_pages_rows(files: dict[str, bytes]) -> None:
    paths = page_paths(files)
    bodies = []
    for path in paths:
        assert files[path].startswith(CSV_HEADER)
        bodies.append(files[path].removeprefix(CSV_HEADER))
    assert gunzip(files[f"{DATA_DIR}/thads.csv.gz"]) == CSV_HEADER + b"".join(bodies)
    by_period: dict[str, list[bytes]] = {}
    for path, body in zip(paths, bodies, strict=True):
        by_period.setdefault(path.split("/")[1], []).append(body)
    for period, parts in by_period.items():
        whole = files[f"{DATA_DIR}/{period}/thads-{period}.csv.gz"]
        assert gunzip(whole) == CSV_HEADER + b"".join(parts)
    assert table(files[paths[0]])[0]["period"] == paths[0].split("/")[1]


def test_a_period_json_has_its_datasets_with_the_csv_rows(files: dict[str, bytes]) -> None:
    datasets = table(files[f"{DATA_DIR}/datasets.csv"])
    for period in sorted({d["period"] for d in datasets}):
        text = gunzip(files[f"{DATA_DIR}/{period}/thads-{period}.json.gz"]).decode("utf-8")
        document = json.loads(text, parse_float=Decimal)
        assert document["period"] == period
        expected = [d for d in datasets if d["period"] == period]
        assert len(document["datasets"]) == len(expected)
        for dataset, row in zip(document["datasets"], expected, strict=True):
            got = dataset.copy()
            records = got.pop("observations")
            assert got == {
                k: int(v) if k in ("statistical_year", "months") else v for k, v in row.items() if v
            }
            page_csv = files[f"{DATA_DIR}/{period}/thads-{period}-{row['unit']}.csv"]
            assert [csv_cells(r) for r in table(page_csv)] == [json_cells(r) for r in records]
        # One observation per line, no indentation: a changed figure is a one-line diff.
        lines = text.splitlines()
        assert all(line.startswith('{"block": ') for line in lines if '"field"' in line)
        assert sum('"field"' in line for line in lines) == sum(
            len(d["observations"]) for d in document["datasets"]
        )


def csv_cells(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if v and k not in ("period", "unit")}


def json_cells(record: dict[str, Any]) -> dict[str, str]:
    """A JSON record's cells as the CSV writes them: numbers exact, as their digits."""
    return {k: v if isinstance(v, str) else str(v) for k, v in record.items()}


def test_money_is_exact_in_every_file(mini: dict[str, bytes]) -> None:
    page = table(mini[f"{DATA_DIR}/2024-6m/thads-2024-6m-toan-quoc.csv"])
    carried = next(r for r in page if r["block"] == "money" and r["field"] == "carried_over")
    assert (carried["value"], carried["precision"]) == ("140000000000", "1000")
    text = gunzip(mini[f"{DATA_DIR}/2024-6m/thads-2024-6m.json.gz"]).decode("utf-8")
    assert '"field": "carried_over", "value": 140000000000, "precision": 1000' in text
    record = next(
        o
        for d in json.loads(text)["datasets"]
        if d["unit"] == "toan-quoc"
        for o in d["observations"]
        if o["block"] == "money" and o["field"] == "carried_over"
    )
    assert record["value"] == 140_000_000_000 and isinstance(record["value"], int)
    rate = next(r for r in page if r["block"] == "money" and r["field"] == "rate")
    assert (rate["value"], rate["precision"]) == ("38.00", "0.01")  # the digits as written
    assert '"field": "rate", "value": 38.00, "precision": 0.01' in text


def test_a_changed_figure_is_in_the_page_period_and_collection(tmp_path: Path) -> None:
    content = tmp_path / "mini"
    shutil.copytree(MINI, content)
    dataset = content / "datasets/2024-6m/alpha.yml"
    text = dataset.read_text(encoding="utf-8")
    assert "{visits: 120, " in text
    dataset.write_text(text.replace("{visits: 120, ", "{visits: 121, "), encoding="utf-8")
    before, after = build(MINI), build(content)
    changed = {path for path in after if after[path] != before.get(path)}
    stem, period = "du-lieu/2024-6m/thads-2024-6m", "2024-6m"
    assert changed == {
        f"{stem}-alpha.csv",
        f"{stem}.csv.gz",
        f"{stem}.json.gz",
        "du-lieu/thads.csv.gz",
    }
    line = f"{period},alpha,citizen_reception,visits,121,,1,published,,\n".encode()
    assert line in after[f"{stem}-alpha.csv"]
    assert line in gunzip(after[f"{stem}.csv.gz"])
    assert line in gunzip(after["du-lieu/thads.csv.gz"])
    record = b'{"block": "citizen_reception", "field": "visits", "value": 121, "precision": 1'
    assert record in gunzip(after[f"{stem}.json.gz"])


def test_gzip_files_are_reproducible_and_plain_gzip(mini: dict[str, bytes]) -> None:
    for path, data in mini.items():
        if path.endswith(".gz"):
            assert data[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # mtime 0
            assert gzip.decompress(data) == gunzip(data)
    assert build(MINI) == mini


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=5))
def test_joined_deflate_pieces_are_one_gzip_member(parts: list[bytes]) -> None:
    joined = GzipFile()
    for part in parts:
        joined.add(part, deflate(part))
    assert gunzip(joined.bytes()) == b"".join(parts)


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(
    ["", ",", '"', "a,b", 'say "x"', "line\nbreak", "\r", " lead", "Tỉnh Đắk Lắk", "\\", "\u2028"]
)
NAME = st.sampled_from(["cases", "money", "state_budget.money", "ranking", "x,y", 'q"', "@"])
NUMBER = st.sampled_from(["", "0", "1", "0.01", "47.10", "-3.5", "1577000", "-0.00"]) | st.decimals(
    allow_nan=False, allow_infinity=False, places=3
).map(lambda d: format(d, "f"))
ROW = st.builds(
    Observation,
    NAME,
    NAME | st.sampled_from(["completed", "change.rate.points"]),
    NUMBER,
    TEXT | st.sampled_from(["", "gần", "trên"]),
    NUMBER,
    st.sampled_from(["published", "computed", "targets"]),
    TEXT,
    TEXT,
    st.just("count"),
)
META = st.fixed_dictionaries(
    {
        "period": st.sampled_from(["2024-6m", "a,b"]),
        "unit": st.sampled_from(["alpha", 'q"u']),
        "statistical_year": st.sampled_from(["2024", ""]),
        "source_title": TEXT,
    }
)


@settings(max_examples=300, deadline=None)
@given(META, st.lists(ROW, max_size=6))
def test_the_fast_encoder_writes_what_csv_and_json_write(
    meta: dict[str, str], rows: list[Observation]
) -> None:
    encoded = encode_rows(meta, rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        (meta["period"], meta["unit"], *row[:8]) for row in rows
    )
    assert encoded.csv == out.getvalue().encode("utf-8")
    assert encoded.json == json_dataset(meta, rows)
    document = json.loads(encoded.json, parse_float=Decimal)
    assert document.pop("observations") == [
        {
            k: Decimal(v) if k in ("value", "precision") else v
            for k, v in zip(FIELDNAMES[2:], row[:8], strict=True)
            if v
        }
        for row in rows
    ]
    assert document == {k: int(v) if k == "statistical_year" else v for k, v in meta.items() if v}


def test_the_descriptor_names_every_file_and_column(files: dict[str, bytes]) -> None:
    package = json.loads(files[f"{DATA_DIR}/datapackage.json"])
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {"observations", "datasets", "units", "indicators"}
    for resource in resources.values():
        data = files[f"{DATA_DIR}/{resource['path']}"]
        if resource.get("compression") == "gz":
            data = gunzip(data)
        header = data.decode("utf-8").split("\n", 1)[0].split(",")
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert names == header
        schema = resource["schema"]
        assert set(schema["primaryKey"]) <= set(names)
        for key in schema.get("foreignKeys", []):
            target = resources[key["reference"]["resource"]]
            assert set(key["fields"]) <= set(names)
            assert key["reference"]["fields"] == target["schema"]["primaryKey"]


def test_page_and_period_files_are_where_the_pages_link(mini: dict[str, bytes]) -> None:
    model = site_model(MINI)
    for page in model.pages:
        assert f"{page_file_stem(page)}.csv" in mini
        for ext in (".csv.gz", ".json.gz"):
            assert f"{period_file_stem(page)}{ext}" in mini
        assert dataset_row(page)["period"] == page.period.key
    assert not any(path.endswith(".json") and "datapackage" not in path for path in mini)
