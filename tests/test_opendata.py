"""Open data: normalised tables whose keys join, every figure once per file, exact, traceable."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import sqlite3
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.check.validate import check_content
from minhbach.compute.model import SiteModel, compute
from minhbach.layout import DATA_DIR
from minhbach.machinery.cache import DATABASE, Store
from minhbach.render.opendata import (
    CSV_HEADER,
    FIELDNAMES,
    KIND,
    PAGE_FIELDNAMES,
    PAGE_HEADER,
    GzipFile,
    Observation,
    Piece,
    data_files,
    dataset_row,
    encode_rows,
    json_dataset,
    observations,
    page_csv,
    page_file_stem,
    page_table,
    period_file_stem,
)
from minhbach.render.tables import safe_cell

MINI = Path(__file__).parent / "fixtures" / "mini"
CONTENT = Path(__file__).resolve().parents[1] / "content"


def site_model(root: Path) -> SiteModel:
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    model, _ = compute(content)
    return model


def build(root: Path, cache_dir: Path | None = None) -> dict[str, bytes]:
    store = Store(cache_dir) if cache_dir is not None else None
    files = {f.path: f.data for f in data_files(site_model(root), store)}
    if store is not None:
        store.commit(prune=True)
        store.close()
    return files


def _entries(cache_dir: Path) -> list[tuple[bytes, bytes]]:
    """The open-data entries of the store in `cache_dir`: key and data."""
    with sqlite3.connect(cache_dir / DATABASE) as db:
        return db.execute("select key, data from entry where kind = ?", (KIND,)).fetchall()


@pytest.fixture(scope="module", params=["mini", "content"])
def files(request: pytest.FixtureRequest) -> dict[str, bytes]:
    return build(MINI if request.param == "mini" else CONTENT)


@pytest.fixture(scope="module")
def mini() -> dict[str, bytes]:
    return build(MINI)


def table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def gunzip(data: bytes) -> bytes:
    """The content of a gzip file of one or more members, each read to its end."""
    content, rest = b"", data
    while rest:
        reader = zlib.decompressobj(wbits=31)
        content += reader.decompress(rest)
        assert reader.eof
        rest = reader.unused_data
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


def period_rows(files: dict[str, bytes], period: str) -> list[dict[str, str]]:
    return table(gunzip(files[f"{DATA_DIR}/{period}/thads-{period}.csv.gz"]))


def long_rows(page: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """A page file's rows as the normalised tables' rows: block, field, value, qualifier, origin."""
    rows = []
    for row in page:
        block, field = row["block"], row["field"]
        if row["value"] or row["text"]:
            origin = row["origin"] or "published"
            rows.append((block, field, row["value"], row["qualifier"], origin, row["text"]))
        origin = row["change_origin"] or "computed"
        kind = "points" if field == "rate" else "absolute"
        if row["change"]:
            change = row["change"], row["change_qualifier"]
            rows.append((block, f"change.{field}.{kind}", *change, origin, ""))
        if row["change_percent"]:
            change = row["change_percent"], row["change_percent_qualifier"]
            rows.append((block, f"change.{field}.percent", *change, origin, ""))
    return sorted(rows)


def test_the_collection_joins_the_periods_rows(files: dict[str, bytes]) -> None:
    periods = list(dict.fromkeys(path.split("/")[1] for path in page_paths(files)))
    bodies = [gunzip(files[f"{DATA_DIR}/{p}/thads-{p}.csv.gz"]) for p in periods]
    assert all(body.startswith(CSV_HEADER) for body in bodies)
    joined = CSV_HEADER + b"".join(body.removeprefix(CSV_HEADER) for body in bodies)
    assert gunzip(files[f"{DATA_DIR}/thads.csv.gz"]) == joined
    datasets = table(files[f"{DATA_DIR}/datasets.csv"])
    units = [(r["period"], r["unit"]) for r in table(joined)]
    assert list(dict.fromkeys(units)) == [(d["period"], d["unit"]) for d in datasets]


def test_a_page_file_holds_exactly_its_rows_of_the_period(files: dict[str, bytes]) -> None:
    """Every figure of a page is in its file, each change on its figure's row."""
    by_page: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for period in {path.split("/")[1] for path in page_paths(files)}:
        for r in period_rows(files, period):
            row = (r["block"], r["field"], r["value"], r["qualifier"], r["origin"], r["text"])
            by_page.setdefault((r["period"], r["unit"]), []).append(row)
    for path in page_paths(files):
        assert files[path].startswith(PAGE_HEADER)
        period = path.split("/")[1]
        unit = path.removesuffix(".csv").split(f"-{period}-")[1]
        page = table(files[path])
        assert long_rows(page) == sorted(by_page[(period, unit)]), path
        # One row per figure: a change is beside its figure, not on a row of its own.
        keys = [(r["block"], r["field"], r["origin"]) for r in page]
        assert len(set(keys)) == len(keys)
        assert not any(r["field"].startswith("change.") for r in page)


def test_a_page_file_is_short(mini: dict[str, bytes]) -> None:
    page = mini[f"{DATA_DIR}/2025-6m/thads-2025-6m-alpha.csv"]
    assert b"2025-6m" not in page and b"alpha" not in page  # in the file's name
    assert b"cases,completed,765,,,165,,27.50,,,,,,,,,,\n" in page
    assert b"cases,rate,85.00,,,10.00,,,,,,,,,,,,\n" in page  # a rate moves in points
    assert b"cases,rate,85.00,,computed,,,,,,,,,,,,,\n" in page


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
            rows = [r for r in period_rows(files, period) if r["unit"] == row["unit"]]
            assert [csv_cells(r) for r in rows] == [json_cells(r) for r in records]
        # One observation per line, no indentation: a changed figure is a one-line diff.
        lines = text.splitlines()
        assert all(line.startswith('{"block": ') for line in lines if '"field"' in line)
        assert sum('"field"' in line for line in lines) == sum(
            len(d["observations"]) for d in document["datasets"]
        )


def csv_cells(row: dict[str, str]) -> dict[str, str]:
    # What the dataset says of all its rows (unit_parent too) is in a JSON dataset's head.
    return {k: v for k, v in row.items() if v and k not in ("period", "unit", "unit_parent")}


def json_cells(record: dict[str, Any]) -> dict[str, str]:
    """A JSON record's cells as the CSV writes them: numbers exact, as their digits."""
    return {k: v if isinstance(v, str) else str(v) for k, v in record.items()}


def test_money_is_exact_in_every_file(mini: dict[str, bytes]) -> None:
    page = table(mini[f"{DATA_DIR}/2024-6m/thads-2024-6m-toan-quoc.csv"])
    carried = next(r for r in page if r["block"] == "money" and r["field"] == "carried_over")
    assert carried["value"] == "140000000000"
    rows = [r for r in period_rows(mini, "2024-6m") if r["unit"] == "toan-quoc"]
    carried = next(r for r in rows if r["block"] == "money" and r["field"] == "carried_over")
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
    rate = next(r for r in rows if r["block"] == "money" and r["field"] == "rate")
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
    assert b"citizen_reception,visits,121,,,,,,,,,,,,,,,\n" in after[f"{stem}-alpha.csv"]
    line = f"{period},alpha,,citizen_reception,visits,121,,1,published,,,,,,,,\n".encode()
    assert line in gunzip(after[f"{stem}.csv.gz"])
    assert line in gunzip(after["du-lieu/thads.csv.gz"])
    record = b'{"block": "citizen_reception", "field": "visits", "value": 121, "precision": 1'
    assert record in gunzip(after[f"{stem}.json.gz"])


def test_gzip_files_are_reproducible_and_plain_gzip(mini: dict[str, bytes]) -> None:
    for path, data in mini.items():
        if path.endswith(".gz"):
            assert data[:4] == b"\x1f\x8b\x08\x00" and data[4:8] == b"\x00" * 4  # mtime 0
            assert gzip.decompress(data) == gunzip(data)
    assert build(MINI) == mini


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=5))
def test_joined_members_are_one_gzip_file_of_the_joined_data(parts: list[bytes]) -> None:
    joined = GzipFile()
    for part in parts:
        joined.add(Piece.of(part))
    assert gzip.decompress(joined.bytes()) == b"".join(parts)
    assert Piece.of(b"abc").member == gzip.compress(b"abc", compresslevel=6, mtime=0)


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
    TEXT | st.sampled_from(["", "bao-cao"]),  # source
    TEXT | st.just(""),  # note
    st.sampled_from(["", "mismatch:rate", "acknowledged:carry_over"]),  # check
    TEXT | st.just(""),  # check_note
    st.sampled_from(["", "2025-01-15"]),  # revised
    NUMBER,  # released_value
    st.just("count"),
)
META = st.fixed_dictionaries(
    {
        "period": st.sampled_from(["2024-6m", "a,b"]),
        "unit": st.sampled_from(["alpha", 'q"u']),
        "unit_parent": st.sampled_from(["", "ha-noi", "=x"]),
        "statistical_year": st.sampled_from(["2024", ""]),
        "source_title": TEXT,
    }
)


@settings(max_examples=300, deadline=None)
@given(META, st.lists(ROW, max_size=6))
def test_a_dataset_is_what_csv_writes_and_its_json_reads_back_exactly(
    meta: dict[str, str], rows: list[Observation]
) -> None:
    encoded = encode_rows(meta, rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [safe_cell(cell) for cell in (meta["period"], meta["unit"], meta["unit_parent"], *row[:14])]
        for row in rows
    )
    assert encoded.csv == out.getvalue().encode("utf-8")
    document = json.loads(encoded.json, parse_float=Decimal)
    assert document.pop("observations") == [
        {
            k: Decimal(v) if k in ("value", "precision", "released_value") else v
            for k, v in zip(FIELDNAMES[3:], row[:14], strict=True)
            if v
        }
        for row in rows
    ]
    assert document == {k: int(v) if k == "statistical_year" else v for k, v in meta.items() if v}


def test_json_numbers_keep_their_digits() -> None:
    """A value and its precision are JSON numbers written as the CSV writes them: 47.10 keeps
    its zero, a 28-digit amount every digit (through float it would be 1.2345678901234568e+27)."""
    meta = {"period": "2024-6m", "unit": "alpha", "unit_parent": "", "statistical_year": "2024"}
    row = Observation(
        "money", "completed", "1234567890123456789012345678.5", "gần", "0.1", "published",
        "Tỉnh \"Đắk Lắk\"", *[""] * 7, "money",
    )  # fmt: skip
    rate = Observation("cases", "rate", "47.10", "", "0.01", "computed", *[""] * 8, "percent")
    assert json_dataset(meta, [row, rate]).decode() == (
        '{"period": "2024-6m", "unit": "alpha", "statistical_year": 2024, "observations": [\n'
        '{"block": "money", "field": "completed", "value": 1234567890123456789012345678.5, '
        '"qualifier": "gần", "precision": 0.1, "origin": "published", '
        '"text": "Tỉnh \\"Đắk Lắk\\""},\n'
        '{"block": "cases", "field": "rate", "value": 47.10, "precision": 0.01, '
        '"origin": "computed"}\n]}'
    )
    assert json_dataset(meta, []).endswith(b'"statistical_year": 2024, "observations": []}')


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=8))
def test_a_page_file_is_what_csv_writes(rows: list[Observation]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [PAGE_FIELDNAMES, *([safe_cell(c) for c in row] for row in page_table(rows))]
    )
    assert page_csv(rows) == out.getvalue().encode("utf-8")
    meta = {"period": "2024-6m", "unit": "alpha", "unit_parent": ""}
    assert encode_rows(meta, rows).page == page_csv(rows)


def test_the_descriptor_describes_the_page_files(files: dict[str, bytes]) -> None:
    package = json.loads(files[f"{DATA_DIR}/datapackage.json"])
    pages = package["unitPages"]
    assert pages["path"] == "<period>/thads-<period>-<unit>.csv"
    names = [f["name"] for f in pages["schema"]["fields"]]
    indicators = {(i["block"], i["field"]) for i in table(files[f"{DATA_DIR}/indicators.csv"])}
    for path in page_paths(files):
        header, *rows = csv.reader(io.StringIO(files[path].decode("utf-8"), newline=""))
        assert header == names
        assert {(row[0], row[1]) for row in rows} <= indicators  # its foreign key


def test_the_descriptor_names_every_file_and_column(files: dict[str, bytes]) -> None:
    package = json.loads(files[f"{DATA_DIR}/datapackage.json"])
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {"observations", "datasets", "sources", "units", "indicators"}
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


# --- the cache ---


def test_the_cache_changes_no_byte(tmp_path: Path, mini: dict[str, bytes]) -> None:
    cache = tmp_path / "cache"
    assert build(MINI, cache) == mini  # stored
    entries = sorted(_entries(cache))
    assert len(entries) == 3  # one per period
    assert build(MINI, cache) == mini  # read back
    assert sorted(_entries(cache)) == entries


def test_a_changed_figure_is_never_read_from_the_cache(tmp_path: Path) -> None:
    """A figure changed since the cache was filled: its period and next year's are encoded."""
    content, cache = tmp_path / "mini", tmp_path / "cache"
    shutil.copytree(MINI, content)
    before = build(content, cache)
    dataset = content / "datasets/2024-6m/alpha.yml"
    text = dataset.read_text(encoding="utf-8")
    for old, new in [
        ("  completed: 600\n", "  completed: 610\n"),
        ("  carried_forward: 380\n", "  carried_forward: 370\n"),
        ("  enforceable_carried_forward: 200\n", "  enforceable_carried_forward: 190\n"),
        ("  rate: 75.00\n", "  rate: 76.25\n"),
    ]:
        assert text.count(old) == 1
        text = text.replace(old, new)
    dataset.write_text(text, encoding="utf-8")
    after = build(content, cache)
    assert after == build(content)  # what a build without the cache writes
    changed = {path for path in after if after[path] != before[path]}
    assert f"{DATA_DIR}/2024-6m/thads-2024-6m-alpha.csv" in changed
    # Last year's figure changed: this year's change on it too.
    assert f"{DATA_DIR}/2025-6m/thads-2025-6m-alpha.csv" in changed
    page = after[f"{DATA_DIR}/2025-6m/thads-2025-6m-alpha.csv"]
    assert b"cases,completed,765,,,155,,25.41,,,,,,,,,,\n" in page
    assert len(_entries(cache)) == 3  # the stale entries are gone


def test_a_broken_cache_entry_is_encoded_again(tmp_path: Path, mini: dict[str, bytes]) -> None:
    cache = tmp_path / "cache"
    build(MINI, cache)
    with sqlite3.connect(cache / DATABASE) as db:
        for key, data in _entries(cache):
            db.execute("update entry set data = ? where key = ?", (data[:100], key))
    assert build(MINI, cache) == mini
    assert build(MINI, cache) == mini
