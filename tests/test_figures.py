"""Figures: exact values, qualifiers, and never a silent misreading of a number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minhbach.figures import (
    Figure,
    FigureError,
    MoneyUnit,
    Qualifier,
    parse_figure,
    read_number,
    resolve,
)
from minhbach.numbers import number

from .conftest import ContentDir


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
