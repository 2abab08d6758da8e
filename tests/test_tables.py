"""Published table cells: text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import pytest

from minhbach.render.tables import safe_cell


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
