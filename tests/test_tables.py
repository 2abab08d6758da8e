"""Published table cells: text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.render.tables import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    ["=1+1", '=HYPERLINK("https://evil.example/","x")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1",
     "＝1+1", "-", "+", "=", "-1.2.3", "-Tỉnh", " =1+1", "\n@SUM(1)", "\u00a0+1+1"],
)  # fmt: skip
def test_text_starting_like_a_formula_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("number", ["-1.29", "+3", "-0", "-.5", "1e-3", "-2E+10", "100"])
def test_numbers_keep_their_sign(number: str) -> None:
    assert safe_cell(number) == number


@pytest.mark.parametrize("value", ["Tỉnh Alpha", "", "a=b", "gần 47", 5, None])
def test_other_cells_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


# Texts made of what the rule looks at: formula starts, what spreadsheets trim, digits,
# signs and points, the fast path's separator, and ordinary letters.
_CELL_TEXT = st.text(
    alphabet="=+-@\t\r\uff1d\uff0b\uff0d\uff20 \n\v\f\u00a0\u3000\x1f0123456789.eEa ", max_size=8
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(_CELL_TEXT, st.integers(), st.none()), max_size=6))
def test_a_row_is_its_cells_made_safe(row: list[object]) -> None:
    assert list(safe_row(row)) == [safe_cell(cell) for cell in row]


@pytest.mark.parametrize(
    "row",
    [["2024-12m", "an-giang", "-1.29", "=1+1"], ["-1\x1f=x"], ["-1\x1fa=b", "x"], [" -1", "2"]],
)
def test_a_row_with_one_unsafe_cell_is_caught(row: list[str]) -> None:
    assert list(safe_row(row)) == [safe_cell(cell) for cell in row]
    assert list(safe_row(row)) != row
