"""Number formats: the fast path gives exactly what Babel's format_decimal gives."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from minhbach.numbers import babel_number, number

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


def outcome(format_: object, value: Decimal | int, lang: str, decimals: int | None) -> object:
    """The text, or the exception type when the value cannot be formatted."""
    try:
        return format_(value, lang, decimals)  # type: ignore[operator]
    except (InvalidOperation, ValueError) as exc:
        return type(exc)


@settings(max_examples=3000, deadline=None)
@given(NUMBERS, LANGS, DECIMALS)
@example(Decimal("0.5"), "vi", 0)  # halves round to even, as in Babel
@example(Decimal("1.5"), "vi", 0)
@example(Decimal("2.5"), "en", 0)
@example(Decimal("0.125"), "vi", 2)
@example(Decimal("-0.001"), "vi", 2)  # '-0,00'
@example(Decimal("-0"), "en", None)
@example(Decimal("-0.00"), "vi", 1)
@example(Decimal("1E+3"), "vi", None)
@example(Decimal("1577000.1200"), "vi", None)
@example(Decimal("0.00000000001"), "en", None)  # more than ten decimals: all of them
@example(Decimal("123456789012345678901234567.8"), "vi", 3)  # beyond the context's precision
@example(10**21, "en", None)
def test_number_matches_babel(value: Decimal | int, lang: str, decimals: int | None) -> None:
    assert outcome(number, value, lang, decimals) == outcome(babel_number, value, lang, decimals)


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
