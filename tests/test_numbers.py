"""Number formats: Babel's, exact, half to even, and never a sign on a zero."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from minhbach.compute.model import Value
from minhbach.content.figures import parse_figure
from minhbach.content.numbers import EXACT, money, number, show, signed, with_sign
from minhbach.content.numbers import _compound as compound_money

LANGS = st.sampled_from(["vi", "en"])
DECIMALS = st.sampled_from([None, 0, 1, 2, 3])
NUMBERS = st.one_of(
    st.integers(min_value=-(10**22), max_value=10**22),
    st.decimals(allow_nan=False, allow_infinity=False),
    *(
        st.decimals(min_value=-(10**15), max_value=10**15, places=places)
        for places in (0, 1, 2, 3, 4, 6, 12)
    ),
    st.builds(
        lambda digits, exponent: Decimal(digits).scaleb(exponent),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.integers(min_value=-40, max_value=25),
    ),
)


SYMBOLS = {"vi": (".", ","), "en": (",", ".")}  # group, decimal


def read_back(text: str, lang: str) -> tuple[Decimal, str]:
    """The number a text shows, and its decimals, checking its grouping on the way."""
    group, point = SYMBOLS[lang]
    whole, _, fraction = text.removeprefix("-").partition(point)
    first, *groups = whole.split(group)
    assert first.isdigit() and len(first) <= 3 and (first != "0" or not groups), text
    assert all(len(g) == 3 and g.isdigit() for g in groups), text
    assert fraction.isdigit() or point not in text, text
    digits = "".join([first, *groups]) + (f".{fraction}" if fraction else "")
    return Decimal(("-" if text.startswith("-") else "") + digits), fraction


@settings(max_examples=3000, deadline=None)
@given(NUMBERS, LANGS, DECIMALS)
@example(Decimal("0.5"), "vi", 0)  # halves round to even
@example(Decimal("1.5"), "vi", 0)
@example(Decimal("2.5"), "en", 0)
@example(Decimal("0.125"), "vi", 2)
@example(Decimal("-0.001"), "vi", 2)  # '0,00', not '-0,00'
@example(Decimal("-0"), "en", None)
@example(Decimal("-0.00"), "vi", 1)
@example(Decimal("1E+3"), "vi", None)
@example(Decimal("1577000.1200"), "vi", None)
@example(Decimal("0.00000000001"), "en", None)  # more than ten decimals: all of them
@example(Decimal("123456789012345678901234567.8"), "vi", 3)  # beyond the default precision
@example(Decimal("1E+100"), "vi", 2)  # beyond the formats' 80 digits
@example(10**21, "en", None)
def test_number_reads_back_as_the_value_rounded_half_to_even(
    value: Decimal | int, lang: str, decimals: int | None
) -> None:
    """Grouped by three, with the value's every decimal (none given) or rounded once, half to
    even, to `decimals` places with trailing zeros; a sign only on a number that is not 0."""
    exact = Decimal(value)
    try:
        # Without `decimals`, at least ten places, more if the value has them.
        exponent = exact.normalize(EXACT).as_tuple().exponent
        assert isinstance(exponent, int)
        places = max(10, -exponent) if decimals is None else decimals
        expected = exact.quantize(Decimal(10) ** -places, context=EXACT)
    except InvalidOperation:  # more digits than the formats' context holds: never inexact
        with pytest.raises(InvalidOperation):
            number(value, lang, decimals)
        return
    text = number(value, lang, decimals)
    shown, fraction = read_back(text, lang)
    assert shown == expected
    assert text.startswith("-") == (expected < 0)
    if decimals is None:
        assert not fraction.endswith("0")
    else:
        assert len(fraction) == decimals


def test_equal_numbers_are_shown_alike() -> None:
    assert number(Decimal("1.50")) == number(Decimal("1.5")) == number(Decimal("15E-1")) == "1,5"
    assert number(Decimal("2.000"), "en") == number(2, "en") == "2"
    assert number(Decimal("-0"), "vi", 2) == number(0, "vi", 2) == "0,00"
    assert number(Decimal("-1.5"), "vi", 1) == "-1,5"  # after the same value without its sign


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "text"),
    [
        (Decimal(1577), "vi", None, "1.577"),
        (Decimal(1577), "en", None, "1,577"),
        (Decimal("47.1"), "vi", 2, "47,10"),
        (Decimal("47.105"), "en", 2, "47.10"),
        (Decimal("-1234567.5"), "vi", 0, "-1.234.568"),
        (Decimal("0.1234567890123"), "vi", None, "0,1234567890123"),
    ],
)
def test_number_formats(value: Decimal, lang: str, decimals: int | None, text: str) -> None:
    assert number(value, lang, decimals) == text


@given(
    st.integers(min_value=1000, max_value=10**16),
    st.sampled_from(["", "0.5", "0.999"]),
    st.booleans(),
)
def test_compound_money_reads_back_to_the_whole_dong(
    whole: int, below: str, negative: bool
) -> None:
    """'5 tỷ 057 triệu 879 nghìn đồng': every whole đồng of the amount, none invented."""
    value = Decimal(whole) + Decimal(below or 0)
    text = compound_money(-value if negative else value, "vi")
    assert text.startswith("−") == negative
    figure = parse_figure(text.removeprefix("−"))
    assert figure.unit is not None and figure.scaled(figure.unit.scale).value == whole


def test_money_too_precise_for_its_scale_is_written_whole() -> None:
    assert money(Decimal(5057879000), Decimal(1)) == "5 tỷ 057 triệu 879 nghìn đồng"
    assert money(Decimal("5057000000.5"), Decimal("0.5")) == "5 tỷ 057 triệu đồng"
    assert money(Decimal(-1304000123), Decimal(1)) == "−1 tỷ 304 triệu 000 nghìn 123 đồng"
    assert money(Decimal(1_234_567_890_123), Decimal(1)) == "1.234 tỷ 567 triệu 890 nghìn 123 đồng"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("-0"), None, "0"),
        (Decimal("-0.0"), 1, "0,0"),
        (Decimal("-0.00"), 2, "0,00"),
        (Decimal("-0.001"), 2, "0,00"),  # a computed -0 from rounding
        (Decimal("-0.004999"), 2, "0,00"),
        (Decimal("-0.005"), 2, "0,00"),  # half to even
        (Decimal("-0.0051"), 2, "-0,01"),
        (-0.0, 2, "0,00"),  # a float, formatted by Babel itself
        (-0.001, 1, "0,0"),
    ],
)
def test_negative_zero_is_shown_as_zero(value: Decimal, decimals: int | None, text: str) -> None:
    assert number(value, "vi", decimals) == text
    assert show(Value(Decimal(value), "percent", Decimal(10) ** -(decimals or 0))) == text + "%"


def test_a_change_that_rounds_to_zero_has_no_sign() -> None:
    change = Value(Decimal("-0.001"), "points", Decimal("0.01"))
    assert with_sign(change) == "0,00 điểm %"
    assert signed(change) == "không đổi"
    assert signed(change, "en") == "unchanged"
    assert with_sign(Value(Decimal("-0.006"), "points", Decimal("0.01"))) == "−0,01 điểm %"
    assert signed(Value(Decimal("-0.006"), "points", Decimal("0.01"))) == "giảm 0,01 điểm %"


def test_numbers_beyond_the_default_precision_print_exactly() -> None:
    # The largest figure in billions, in đồng: 27 digits, shown to ten decimals (37).
    value = Decimal("999999999999999999.999999") * 10**9
    assert number(value, "en", None) == "999,999,999,999,999,999,999,999,000"
    assert number(value, "vi", 10) == "999.999.999.999.999.999.999.999.000," + "0" * 10
    assert money(value, Decimal(1000)) == "999.999.999.999.999.999 tỷ 999 triệu 999 nghìn đồng"


@pytest.mark.parametrize(
    ("text", "vi", "en"),
    [
        ("gần 337 nghìn tỷ", "gần 337 nghìn tỷ đồng", "nearly VND 337 trillion"),
        ("337 ngàn tỉ đồng", "337 nghìn tỷ đồng", "VND 337 trillion"),
        ("16,5 nghìn tỷ", "16,5 nghìn tỷ đồng", "VND 16.5 trillion"),
        ("1.250 nghìn tỷ", "1.250 nghìn tỷ đồng", "VND 1,250 trillion"),
        ("2 triệu tỷ", "2 triệu tỷ đồng", "VND 2 quadrillion"),
        # Written in tỷ, shown in tỷ, however large: reports write "1.304 tỷ đồng".
        ("hơn 11.895 tỷ", "hơn 11.895 tỷ đồng", "more than VND 11,895 billion"),
    ],
)
def test_money_written_in_nghin_ty_is_shown_in_it(text: str, vi: str, en: str) -> None:
    figure = parse_figure(text)
    assert figure.unit is not None
    value = Value.of(figure.scaled(figure.unit.scale), "money")
    assert (show(value, "vi"), show(value, "en")) == (vi, en)
