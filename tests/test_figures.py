"""Figures: exact values, qualifiers, and never a silent misreading of a number."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minhbach.check.checked import Content
from minhbach.check.validate import DatasetChecker, _bounds, _load_registry
from minhbach.content.catalogue import get_catalogue
from minhbach.content.figures import (
    Figure,
    FigureError,
    MoneyUnit,
    Qualifier,
    parse_figure,
    read_number,
    resolve,
)
from minhbach.content.load import validate_document
from minhbach.content.models import Dataset
from minhbach.content.numbers import number
from minhbach.content.yamlfile import Document, load_yaml_bytes
from minhbach.problems import Problems, Severity

from .conftest import CONTENT, ContentDir


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "unit"),
    [
        ("3379", Decimal(3379), None, None),
        ("47,10", Decimal("47.10"), None, None),
        ("1.577.000", Decimal(1577000), None, None),
        ("gần 47", Decimal(47), Qualifier.NEARLY, None),
        ("trên 50,5 tỷ", Decimal("50.5"), Qualifier.OVER, MoneyUnit.BILLION_VND),
        ("hơn 450 tỷ đồng", Decimal(450), Qualifier.MORE_THAN, MoneyUnit.BILLION_VND),
        ("khoảng 12", Decimal(12), Qualifier.ABOUT, None),
        ("-125,5", Decimal("-125.5"), None, None),
        ("05 tỷ 057 triệu 879 nghìn đồng", Decimal(5057879000), None, MoneyUnit.VND),
        ("168.182 tỷ 330 triệu 867 nghìn đồng", Decimal(168182330867000), None, MoneyUnit.VND),
    ],
)
def test_parse(
    text: str, value: Decimal, qualifier: Qualifier | None, unit: MoneyUnit | None
) -> None:
    figure = parse_figure(text)
    assert (figure.value, figure.qualifier, figure.unit) == (value, qualifier, unit)


def test_mapping_keeps_quote_and_note() -> None:
    figure = parse_figure({"value": "gần 47", "quote": "gần 47 tỷ đồng", "note": "n"})
    assert (figure.value, figure.qualifier, figure.quote, figure.note) == (
        Decimal(47),
        Qualifier.NEARLY,
        "gần 47 tỷ đồng",
        "n",
    )
    assert parse_figure({"value": 47, "qualifier": "nearly"}).qualifier is Qualifier.NEARLY


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "1,052",
            "'1,052' is ambiguous: 1.052 with a Vietnamese decimal comma, 1052 with an English "
            "thousands comma",
        ),
        (
            "1.577",
            "'1.577' is ambiguous: 1577 with a Vietnamese thousands dot, 1.577 with an English "
            "decimal point",
        ),
        ("1,2,3", "'1,2,3' is not a number"),
        ("mười", "'mười' is not a number"),
        ("gầnn 47", "'gầnn' is not a known qualifier"),
        ("5 tỷ 7 tỷ", "'5 tỷ 7 tỷ': units must go from tỷ down to nghìn/đồng"),
        (True, "expected a number, got True"),
        ({"quote": "x"}, "a figure mapping needs a 'value'"),
        ({"value": 1, "qualifer": "gần"}, "unknown key 'qualifer' in a figure"),
    ],
)
def test_rejected(raw: object, message: str) -> None:
    # A bare ambiguous text is refused once its field is known to be no count.
    with pytest.raises(FigureError) as info:
        resolve(parse_figure(raw), "percent")
    assert info.value.message == message


def test_bounds() -> None:
    assert parse_figure("trên 105").bounds() == (Decimal(105), Decimal(106))
    assert parse_figure("gần 47").bounds(rounded=True) == (Decimal(46), Decimal(47))
    assert parse_figure("khoảng 12,5").bounds() == (Decimal("12.4"), Decimal("12.6"))
    assert parse_figure("hơn 450").bounds() == (Decimal(450), Decimal(460))
    assert parse_figure(Decimal("97.6")).bounds(rounded=True) == (
        Decimal("97.55"),
        Decimal("97.65"),
    )
    assert parse_figure(3379).bounds(rounded=True) == (Decimal("3378.5"), Decimal("3379.5"))
    assert parse_figure(3379).bounds() == (Decimal(3379), Decimal(3379))


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["vi", "en"]))
def test_a_formatted_whole_number_is_never_misread(value: int, lang: str) -> None:
    text = number(value, lang)
    try:
        assert read_number(text) == value
    except FigureError as exc:  # refusing is allowed; reading another number is not
        assert "ambiguous" in exc.message


@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    st.sampled_from(["vi", "en"]),
)
def test_a_formatted_decimal_is_never_misread(value: Decimal, lang: str) -> None:
    text = number(value, lang, decimals=2)
    try:
        assert read_number(text) == value
    except FigureError as exc:
        assert "ambiguous" in exc.message


@given(st.integers(0, 999_999), st.integers(0, 999), st.integers(0, 999))
def test_compound_money_is_exact(billions: int, millions: int, thousands: int) -> None:
    text = f"{billions} tỷ {millions:03d} triệu {thousands:03d} nghìn đồng"
    expected = billions * 10**9 + millions * 10**6 + thousands * 10**3
    assert parse_figure(text).value == expected


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False), max_size=200))
def test_money_sums_are_exact(amounts: list[Decimal]) -> None:
    # Money in tỷ with three decimals is whole million đồng: the Decimal sum in đồng must
    # equal the integer sum, to the đồng, however many figures are added.
    in_dong = [parse_figure(a).scaled(MoneyUnit.BILLION_VND.scale).value for a in amounts]
    assert sum(in_dong, Decimal(0)) == sum(int(a * 1000) for a in amounts) * 10**6


def test_binary_floats_are_refused() -> None:
    with pytest.raises(FigureError):
        parse_figure(0.1)
    assert isinstance(Figure(Decimal(1)).value, Decimal)


# --- bounds: every figure prints exactly, and a number beyond them is a located error ---

TOO_LARGE = "figures are below 10^18 (1.000.000.000.000.000.000) in their unit; check the digits"


@pytest.mark.parametrize(
    ("raw", "message", "hint"),
    [
        (Decimal("1.0E+400"), "'1.0E+400' is too large for a figure", TOO_LARGE),
        (Decimal("1E-400"), "'1E-400' has 400 decimals", "figures are given to at most 6 decimals"),
        (Decimal("0.0000001"), "'1E-7' has 7 decimals", "figures are given to at most 6 decimals"),
        (10**30, "'1000000000000000000000000000000' is too large for a figure", TOO_LARGE),
        (10**18, "'1000000000000000000' is too large for a figure", TOO_LARGE),
        (-(10**18), "'-1000000000000000000' is too large for a figure", TOO_LARGE),
        ("1" * 31, f"'{'1' * 31}' is too large for a figure", TOO_LARGE),
        ("gần " + "9" * 19, f"'gần {'9' * 19}' is too large for a figure", TOO_LARGE),
        ("1" * 100, f"'{'1' * 60}…' has 100 characters: too long for a figure", "figures are below 10^18 in their unit; check the digits"),
        ("1000000000 tỷ 1 triệu", "'1000000000 tỷ 1 triệu' is too large for a figure", TOO_LARGE),
        ("1 tỷ " + "1" * 50 + " triệu", f"'{'1' * 50}' has 50 characters: too long for a figure", "figures are below 10^18 in their unit; check the digits"),
        ("x" * 10**7, f"'{'x' * 60}…' is 10000000 characters long: not a figure", 'write a number, optionally after a qualifier: "gần 47", "trên 50,5"'),
        (Decimal("NaN"), "'NaN' is not a finite number", None),
    ],
    ids=[
        "1.0e+400", "1e-400", "seven decimals", "10^30", "10^18", "-10^18", "31 digits",
        "hedged 19 digits", "100 digits", "money words 10^18", "money words 50 digits",
        "10 MB text", "NaN",
    ],
)  # fmt: skip
def test_figures_beyond_the_bounds_are_refused(raw: object, message: str, hint: str | None) -> None:
    with pytest.raises(FigureError) as caught:
        parse_figure(raw)
    assert (caught.value.message, caught.value.hint) == (message, hint)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (10**18 - 1, Decimal(10**18 - 1)),
        (Decimal("0.000001"), Decimal("0.000001")),
        ("999999999 tỷ 999 triệu 999 nghìn đồng", Decimal(999999999999999000)),
        ("gần 999.999.999.999.999.999", Decimal(999999999999999999)),
        ({"value": "102 tỷ 990 triệu 477 nghìn"}, Decimal(102990477000)),
    ],
)
def test_figures_at_the_bounds_are_read_and_printed_exactly(raw: object, value: Decimal) -> None:
    figure = parse_figure(raw)
    assert figure.value == value
    # Scaled to đồng from billions and shown to ten decimals: more digits than Decimal's
    # default 28, every one of them printed.
    scaled = figure.scaled(MoneyUnit.BILLION_VND.scale)
    assert read_number(number(scaled.value, "en", 10).replace(",", "")) == scaled.value


def test_a_figure_too_large_is_a_located_error(site: ContentDir) -> None:
    site.write(
        "datasets/2020-6m/khanh-hoa.yml",
        "unit: khanh-hoa\nperiod: 2020-6m\nstatus: final\n"
        'source: {url: "https://thads.moj.gov.vn/a"}\n'
        "cases:\n  completed: 1.0e+400\n  enforceable: 1.0e-400\n"
        f"admin_judgments:\n  completed: {'9' * 31}\n  pending: '1{'0' * 99}'\n",
    )
    result = site.check()
    assert result.code == 1
    assert "Traceback" not in result.err
    path = "content/datasets/2020-6m/khanh-hoa.yml"
    assert [line.split(" (hint")[0] for line in result.lines] == [
        f"{path}:6:14: cases.completed (Thi hành xong): '1.0E+400' is too large for a figure",
        f"{path}:7:16: cases.enforceable (Có điều kiện thi hành): '1.0E-400' has 401 decimals",
        f"{path}:9:14: admin_judgments.completed (Thi hành xong): '{'9' * 31}' is too large for a figure",
        f"{path}:10:12: admin_judgments.pending (Còn phải thi hành): '1{'0' * 59}…' has 100 characters: too long for a figure",
    ]


# --- what officers write: the tables of docs/figures.md, row by row ---

FIGURES_DOC = Path(__file__).resolve().parents[1] / "docs" / "figures.md"
REGISTRY = _load_registry(CONTENT / "provinces.yml", Problems())
SCALES = {"việc": 1, "đồng": 1, "tỷ": 10**9, "nghìn tỷ": 10**12}  # the tables' units


def _doc_table(heading: str, after: str = "") -> list[list[str]]:
    """The rows of the first Markdown table after `heading` (and `after`) in docs/figures.md."""
    section = FIGURES_DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    if after:
        section = section.split(after, 1)[1]
    lines = section[section.index("\n|") + 1 :].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _yaml_value(cell: str) -> object:
    """The value a dataset gets for the backticked YAML in a cell, by the real loader."""
    written = cell.strip("`")
    doc = load_yaml_bytes(f"v: {written}\n".encode(), Problems(), "figures.yml")
    assert doc is not None and isinstance(doc.data, dict)
    return doc.data["v"]


def _spaced(text: str) -> Decimal:
    """A number of the tables: spaces group digits, a comma marks decimals."""
    return Decimal(text.replace(" ", "").replace(",", "."))


def _check(field: str, raw: object) -> tuple[list[str], Figure | None]:
    """Check a dataset holding `raw` in a field of this measure: its errors and the figure."""
    block, key = {"count": ("cases", "completed"), "money": ("money", "completed")}.get(
        field, ("cases", "rate")
    )
    data = {
        "unit": "quang-tri",
        "period": "2016-12m",
        "status": "final",
        "source": {"url": "https://thads.moj.gov.vn/a"},
        "money_unit": "billion_vnd",
        block: {key: raw},
    }
    problems = Problems()
    doc = Document("content/datasets/2016-12m/quang-tri.yml", data)
    loaded = validate_document(doc, Dataset, problems)
    if loaded is None:
        return [p.format() for p in problems.items], None
    checker = DatasetChecker(
        doc, loaded[1], CONTENT, Content(Path("content"), registry=REGISTRY),
        problems, get_catalogue(),
    )  # fmt: skip
    checked = checker.run()
    errors = [p.format() for p in problems.items if p.severity is Severity.ERROR]
    figure = getattr(getattr(checked.dataset, block), key) if checked else None
    return errors, figure


READ_ROWS = _doc_table("# How figures are read")


def test_the_docs_list_the_forms_officers_write() -> None:
    written = {row[0] for row in READ_ROWS}
    for form in ('"gần 337 nghìn tỷ"', '"3.700"', '"2.457 tỷ"', '"2,457 tỷ"', '"3,700"'):
        assert f"`{form}`" in written


@pytest.mark.parametrize(("written", "field", "read_as", "why"), READ_ROWS, ids=lambda c: c)
def test_every_form_in_the_docs_is_read_as_it_says(
    written: str, field: str, read_as: str, why: str
) -> None:
    errors, figure = _check(field, _yaml_value(written))
    if read_as == "refused":
        assert errors, f"{written} in a {field} field was accepted"
        assert "Traceback" not in "".join(errors)
        return
    assert errors == []
    assert figure is not None
    number_text = read_as.removesuffix(" đồng")
    assert figure.value == _spaced(number_text)
    assert figure.value == figure.value.to_integral_value()


@pytest.mark.parametrize(
    ("written", "field", "range_", "qualifier"),
    _doc_table("**Hedged figures are ranges.**"),
    ids=lambda c: c,
)
def test_every_range_in_the_docs_is_the_one_checked(
    written: str, field: str, range_: str, qualifier: str
) -> None:
    errors, figure = _check(field, _yaml_value(written))
    assert errors == [] and figure is not None
    for scale_word in sorted(SCALES, key=len, reverse=True):
        if range_.endswith(" " + scale_word):
            numbers, unit = range_[: -len(scale_word) - 1], scale_word
            break
    else:
        numbers, unit = range_, "việc"
    low, high = (_spaced(part) * SCALES[unit] for part in numbers.split("–"))
    assert _bounds(figure, field) == (low, high)


def test_hints_name_the_unit_when_the_unit_is_the_problem() -> None:
    errors, _ = _check("money", "2.457")
    assert len(errors) == 1 and "money_unit billion_vnd: tỷ" in errors[0]
    assert '"2.457 tỷ" for 2457 tỷ' in errors[0]
    errors, _ = _check("money", "gần 337 ngàn tỉ VNĐ")
    assert len(errors) == 1 and "unknown unit 'ngàn tỉ VNĐ'" in errors[0]
    assert '"nghìn tỷ"' in errors[0]


@pytest.mark.parametrize(
    ("text", "value", "step"),
    [
        ("gần 337 nghìn tỷ", Decimal(337_000), Decimal(1000)),
        ("337 ngàn tỷ đồng", Decimal(337_000), Decimal(1000)),
        ("16,5 nghìn tỉ", Decimal(16_500), Decimal(100)),
        ("2 triệu tỷ", Decimal(2_000_000), Decimal(10**6)),
        ("2.457 tỷ", Decimal(2457), Decimal(1)),
        ("-1.270 tỷ đồng", Decimal(-1270), Decimal(1)),
        ("51.446 triệu", Decimal(51446), Decimal(1)),
        ("1.577 đồng", Decimal(1577), Decimal(1)),
        ("12.5 tỷ", Decimal("12.5"), Decimal("0.1")),
    ],
)
def test_money_before_a_unit_word(text: str, value: Decimal, step: Decimal) -> None:
    figure = parse_figure(text)
    assert (figure.value, figure.step, figure.ambiguous) == (value, step, None)
    assert figure.unit is not None


@given(st.integers(1, 999), st.integers(0, 999), st.sampled_from(["tỷ", "triệu", "nghìn tỷ"]))
def test_a_thousands_dot_before_a_unit_word_is_never_a_decimal(
    head: int, tail: int, word: str
) -> None:
    figure = parse_figure(f"{head}.{tail:03d} {word}")
    assert figure.value == (head * 1000 + tail) * (1000 if word == "nghìn tỷ" else 1)
    with pytest.raises(FigureError) as caught:
        parse_figure(f"{head},{tail:03d} {word}")
    assert "ambiguous" in caught.value.message


@given(st.integers(1, 999), st.integers(0, 999))
def test_a_count_reads_the_dot_as_thousands_and_nothing_else_does(head: int, tail: int) -> None:
    text = f"{head}.{tail:03d}"
    assert resolve(parse_figure(text), "count").value == head * 1000 + tail
    assert resolve(parse_figure(Decimal(text)), "count").value == head * 1000 + tail
    for measure, unit in (("money", MoneyUnit.BILLION_VND), ("percent", None), ("rank", None)):
        with pytest.raises(FigureError):
            resolve(parse_figure(text), measure, unit)
    with pytest.raises(FigureError):
        resolve(parse_figure(f"{head},{tail:03d}"), "count")


def test_a_count_keeps_the_word_the_report_writes_it_with(site: ContentDir) -> None:
    # "tổ chức cưỡng chế … 31 trường hợp", "3.700 việc": a count field reads them as counts.
    site.write(
        "datasets/2024-3m/quang-ninh.yml",
        """
        unit: quang-ninh
        period: 2024-3m
        status: final
        source: {title: "Báo cáo thử", url: "https://example.org/t", date: 2024-10-10}
        cases: {enforceable: "3.700 việc", completed: "gần 1.850 việc"}
        coercion: {coercions: "31 trường hợp"}
        money: {enforceable: "12 việc", completed: "5 tỷ"}
        """,
    )
    result = site.check()
    assert result.code == 1
    assert [line.split(" (hint")[0] for line in result.lines] == [
        "content/datasets/2024-3m/quang-ninh.yml:7:22: money.enforceable (Có điều kiện thi hành):"
        " '12 việc' is written as a count ('việc'), but this field is an amount of money"
    ], result.lines
    assert "write the figure without the count word" in result.lines[0]
