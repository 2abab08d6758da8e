"""Published figures: exact decimals that keep the source's qualifier and precision.

A figure is written in a dataset as a YAML number (`3379`, `97.6`), as a string
in the source's own words (`"gần 47"`, `"trên 50,5 tỷ"`,
`"05 tỷ 057 triệu 879 nghìn đồng"`), or as a mapping that adds the quoted
sentence it comes from (`{value: "gần 47", quote: "..."}`).

Strings may use Vietnamese separators, but only where that cannot be misread:
"47,10" can only be 47.10 and "1.577.000" only 1577000, while "1,052" and "1.577"
read differently in Vietnamese and English. Before a money unit word the dot is the
thousands dot ("2.457 tỷ" is 2457 tỷ: read as a decimal point it would give the amount
to a thousandth of its unit, finer than the two decimals a unit word carries), while
"1,052 tỷ" is refused. A bare "1.577" is kept undecided (`Figure.ambiguous`) until
its field is known: a count takes it as 1577 (`resolve`), any other field refuses it.
Nothing here ever touches a binary float.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)

# Bounds of a figure in the unit it is written in, so that every figure, scaled to đồng
# (at most 10^9 times) and shown to ten decimals, stays exact in Decimal arithmetic and
# printable: below 10^18 (a national year is about 10^6 cases and 10^15 đồng), and to at
# most six decimals (a thousand đồng in billions; rates are given to two). Longer number
# texts are refused before they are read at all.
MAX_FIGURE = Decimal(10) ** 18
MAX_DECIMALS = 6
MAX_DIGITS = 40
MAX_TEXT = 200  # "05 tỷ 057 triệu 879 nghìn đồng" is 30 characters


class FigureError(ValueError):
    """A value that cannot be read as a figure; the message says why, the hint how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Qualifier(enum.StrEnum):
    """A source's hedge on a figure, by its Vietnamese word."""

    OVER = "trên"
    MORE_THAN = "hơn"
    NEARLY = "gần"
    ABOUT = "khoảng"
    APPROXIMATELY = "xấp xỉ"
    UNDER = "dưới"

    @property
    def english(self) -> str:
        return _QUALIFIER_EN[self]

    @property
    def direction(self) -> int:
        """+1: the true value is above the figure; -1: below; 0: either side."""
        if self in (Qualifier.OVER, Qualifier.MORE_THAN):
            return 1
        if self in (Qualifier.NEARLY, Qualifier.UNDER):
            return -1
        return 0


_QUALIFIER_EN = {
    Qualifier.OVER: "over",
    Qualifier.MORE_THAN: "more than",
    Qualifier.NEARLY: "nearly",
    Qualifier.ABOUT: "about",
    Qualifier.APPROXIMATELY: "approximately",
    Qualifier.UNDER: "under",
}
_QUALIFIER_WORDS: dict[str, Qualifier] = (
    {q.value: q for q in Qualifier}
    | {en.replace(" ", "_"): q for q, en in _QUALIFIER_EN.items()}
    | {en: q for q, en in _QUALIFIER_EN.items()}
)


class MoneyUnit(enum.StrEnum):
    """The unit money figures of a dataset are written in."""

    VND = "vnd"
    THOUSAND_VND = "thousand_vnd"
    MILLION_VND = "million_vnd"
    BILLION_VND = "billion_vnd"

    @property
    def scale(self) -> Decimal:
        return _MONEY_SCALE[self]

    @property
    def exact(self) -> bool:
        """Whether figures in this unit are exact as written (to the thousand đồng or finer)."""
        return self in (MoneyUnit.VND, MoneyUnit.THOUSAND_VND)


_MONEY_SCALE = {
    MoneyUnit.VND: Decimal(1),
    MoneyUnit.THOUSAND_VND: Decimal(1000),
    MoneyUnit.MILLION_VND: Decimal(10) ** 6,
    MoneyUnit.BILLION_VND: Decimal(10) ** 9,
}
_UNIT_WORDS = {
    "tỷ": MoneyUnit.BILLION_VND,
    "tỉ": MoneyUnit.BILLION_VND,
    "triệu": MoneyUnit.MILLION_VND,
    "nghìn": MoneyUnit.THOUSAND_VND,
    "ngàn": MoneyUnit.THOUSAND_VND,
    "đồng": MoneyUnit.VND,
}
# Units above the tỷ, as national reports write them ("gần 337 nghìn tỷ"): read as that
# many tỷ (the figure's unit stays billion_vnd), so no scale is added to MoneyUnit.
_LARGE_UNITS = {
    f"{word} {billion}": factor
    for word, factor in (("nghìn", 1000), ("ngàn", 1000), ("triệu", 10**6))
    for billion in ("tỷ", "tỉ")
}
# Words a count is written with in reports ("3.700 việc", "31 trường hợp"): a count field
# takes them as read, any other field refuses them.
COUNT_WORDS = frozenset(
    (
        "việc",
        "vụ",
        "vụ việc",
        "vụ án",
        "bản án",
        "quyết định",
        "trường hợp",
        "cuộc",
        "lượt",
        "lượt người",
        "người",
        "đơn",
        "đơn vị",
    )
)
UNIT_WORDS_HINT = '"nghìn tỷ", "tỷ", "triệu", "nghìn" or "đồng"'
#: Decimals of its unit a money figure before a unit word is written to: "97,6 tỷ",
#: "2,45 tỷ"; finer amounts are written "2 tỷ 457 triệu". A dot with three digits after
#: it ("2.457 tỷ") would need three, so it can only be the thousands dot.
UNIT_WORD_DECIMALS = 2


@dataclass(frozen=True)
class Figure:
    """One published number: its exact value, how precisely it was given, and its hedge.

    `value` is in the field's base unit (cases, percent, or đồng for money);
    `step` is one unit of the last digit written, in the same base unit, so
    "97,6 tỷ" has step 0,1 tỷ = 100.000.000 đồng.
    """

    value: Decimal
    step: Decimal = Decimal(1)
    qualifier: Qualifier | None = None
    text: str | None = None
    quote: str | None = None
    note: str | None = None
    unit: MoneyUnit | None = None  # money unit the text itself named ("97,6 tỷ"), if any
    source: str | None = None  # the id of its source among the dataset's `sources:`
    # A number text that reads two ways ("3.700": 3700 or 3,7), kept until the field is
    # known; `value` holds the Vietnamese reading meanwhile. `resolve` decides or refuses.
    ambiguous: str | None = None
    # The count word the text wrote after its number ("3.700 việc"), if any: only a count
    # may carry one (`resolve`), and it is shown in the field's own word, not this one.
    count_word: str | None = None

    @property
    def is_approximate(self) -> bool:
        return self.qualifier is not None

    def bounds(self, rounded: bool = False) -> tuple[Decimal, Decimal]:
        """The interval the true value lies in.

        Exact figures are a point, unless `rounded` (rates, money in tỷ/triệu):
        then half a step either side. A qualifier opens a step on its side:
        "trên 105" is 105-106, "gần 47" is 46-47, "khoảng 47" 46-48.
        """
        if self.qualifier is not None:
            # The hedge replaces rounding: "gần 47" is at most 47, whatever the rounding.
            step = _hedge_step(self)
            direction = self.qualifier.direction
            low = self.value - step if direction <= 0 else self.value
            high = self.value + step if direction >= 0 else self.value
            return low, high
        half = self.step / 2 if rounded else ZERO
        return self.value - half, self.value + half

    def scaled(self, factor: Decimal) -> Figure:
        """The same figure in a unit `factor` times smaller (tỷ → đồng)."""
        return Figure(
            self.value * factor,
            self.step * factor,
            self.qualifier,
            self.text,
            self.quote,
            self.note,
            self.unit,
            self.source,
            self.ambiguous,
            self.count_word,
        )


def _hedge_step(figure: Figure) -> Decimal:
    # "hơn 450 tỷ" is not "450-451": trailing zeros of a hedged whole number are
    # not significant, so the step widens to the last non-zero digit.
    step = figure.step
    units = figure.value / step
    if units == units.to_integral_value():
        count = int(units)
        while count and count % 10 == 0:
            count //= 10
            step *= 10
    return step


_NUMBER = r"[0-9][0-9.,]*"
_SIMPLE_RE = re.compile(
    rf"^(?P<qualifier>[^\d+-]*?)\s*(?P<sign>[+-])?(?P<number>{_NUMBER})\s*(?P<unit>[^\d]*?)\s*$"
)
_COMPOUND_RE = re.compile(r"(?P<number>[0-9][0-9.,]*)\s*(?P<unit>tỷ|tỉ|triệu|nghìn|ngàn|đồng)")


def read_number(text: str) -> Decimal:
    """Read a number written the Vietnamese or the machine way, refusing what could be either.

    >>> read_number("47,10"), read_number("1.577.000"), read_number("3379")
    (Decimal('47.10'), Decimal('1577000'), Decimal('3379'))
    """
    text = text.strip()
    if len(text) > MAX_DIGITS:
        raise _too_long(text)
    readings = {r for r in (_as_vietnamese(text), _as_english(text)) if r is not None}
    if not readings:
        raise FigureError(
            f"{_quoted(text)} is not a number",
            "write digits with '.' as the decimal point and no thousands separator",
        )
    if len(readings) > 1:
        vietnamese, english = _as_vietnamese(text), _as_english(text)
        assert vietnamese is not None and english is not None
        raise _refuse_ambiguous(text, vietnamese, english)
    return readings.pop()


def _plain(value: Decimal | None) -> str:
    return "?" if value is None else format(value, "f")


def _as_vietnamese(text: str) -> Decimal | None:
    return _read_grouped(text, group=".", decimal=",")


def _as_english(text: str) -> Decimal | None:
    return _read_grouped(text, group=",", decimal=".")


def _read_grouped(text: str, group: str, decimal: str) -> Decimal | None:
    if text.count(decimal) > 1:
        return None
    whole, _, fraction = text.partition(decimal)
    if group in fraction or (decimal in text and not fraction):
        return None
    if group in whole:
        head, *groups = whole.split(group)
        if not (1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)) or head.startswith("0"):
            return None
        whole = head + "".join(groups)
    if not whole.isdigit() or not (fraction.isdigit() or not fraction):
        return None
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _too_long(token: str) -> FigureError:
    return FigureError(
        f"{_quoted(token)} has {len(token)} characters: too long for a figure",
        "figures are below 10^18 in their unit; check the digits",
    )


def _read_whole(token: str, text: str) -> Decimal:
    if len(token) > MAX_DIGITS:
        raise _too_long(token)
    # Inside "168.182 tỷ 330 triệu" each part is a whole number of its unit, so a
    # separator can only group thousands: the context removes the ambiguity.
    for group in (".", ","):
        value = _read_grouped(token, group=group, decimal="\0")
        if value is not None:
            return value
    raise FigureError(
        f"{_quoted(text)}: '{token}' is not a whole number of its unit",
        "write each part as a whole number: 5 tỷ 057 triệu 879 nghìn đồng",
    )


def _step_of(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0))


def parse_qualifier(word: str) -> Qualifier:
    key = " ".join(word.strip().lower().split())
    try:
        return _QUALIFIER_WORDS[key]
    except KeyError:
        known = ", ".join(f"'{q.value}'" for q in Qualifier)
        raise FigureError(f"'{word}' is not a known qualifier", f"use one of {known}") from None


def parse_figure(raw: Any) -> Figure:
    """Read a raw YAML value as a figure, in the unit it was written in.

    Money texts may name their unit ("97,6 tỷ"; kept in `Figure.unit`); the
    caller scales money to đồng once the dataset's `money_unit` is known.
    """
    quote = note = None
    if isinstance(raw, dict):
        unknown = set(raw) - {"value", "qualifier", "quote", "note", "source"}
        if unknown:
            raise FigureError(
                f"unknown key '{sorted(unknown)[0]}' in a figure",
                "a figure mapping has value, qualifier, quote, note and source",
            )
        if "value" not in raw:
            raise FigureError("a figure mapping needs a 'value'")
        quote, note, source = raw.get("quote"), raw.get("note"), raw.get("source")
        for name, text in (("quote", quote), ("note", note), ("source", source)):
            if text is not None and not isinstance(text, str):
                raise FigureError(f"the figure's {name} must be text")
        figure = parse_figure(raw["value"])
        if raw.get("qualifier") is not None:
            if figure.qualifier is not None:
                raise FigureError("the qualifier is given twice (in the value and as 'qualifier')")
            figure = replace(figure, qualifier=parse_qualifier(str(raw["qualifier"])))
        return replace(figure, quote=quote, note=note, source=source)
    return _bounded(_parse_value(raw), raw)


def _parse_value(raw: Any) -> Figure:
    if isinstance(raw, bool) or raw is None:
        raise FigureError(f"expected a number, got {raw!r}")
    if isinstance(raw, int):
        if abs(raw) >= MAX_FIGURE:  # before Decimal(raw): any int fits, its digits may not
            raise _too_large(raw)
        return Figure(Decimal(raw), Decimal(1))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise FigureError(f"'{raw}' is not a finite number")
        return Figure(raw, _step_of(raw))
    if isinstance(raw, float):  # only reachable from Python callers, never from our YAML loader
        raise FigureError("binary floats are not accepted for figures")
    if not isinstance(raw, str):
        raise FigureError(f"expected a number, got {type(raw).__name__}")
    return _parse_text(raw)


def _bounded(figure: Figure, raw: Any) -> Figure:
    if abs(figure.value) >= MAX_FIGURE:
        raise _too_large(raw)
    exponent = figure.step.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise FigureError(
            f"{_quoted(raw)} has {-exponent} decimals",
            f"figures are given to at most {MAX_DECIMALS} decimals",
        )
    return figure


def _too_large(raw: Any) -> FigureError:
    return FigureError(
        f"{_quoted(raw)} is too large for a figure",
        "figures are below 10^18 (1.000.000.000.000.000.000) in their unit; check the digits",
    )


def _quoted(raw: Any) -> str:
    """A value for a message, cut short when long."""
    text = str(raw)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def _parse_text(text: str) -> Figure:
    if len(text) > MAX_TEXT:
        raise FigureError(
            f"{_quoted(text)} is {len(text)} characters long: not a figure",
            'write a number, optionally after a qualifier: "gần 47", "trên 50,5"',
        )
    cleaned = " ".join(text.strip().split())
    compound = list(_COMPOUND_RE.finditer(cleaned))
    if len(compound) > 1:
        return _parse_compound(cleaned, compound)
    match = _SIMPLE_RE.match(cleaned)
    if not match:
        raise FigureError(
            f"{_quoted(text)} is not a number",
            'write a number, optionally after a qualifier: "gần 47", "trên 50,5"',
        )
    qualifier = parse_qualifier(match["qualifier"]) if match["qualifier"].strip() else None
    count_word = " ".join(match["unit"].lower().split())
    if count_word in COUNT_WORDS:
        unit, factor = None, Decimal(1)
    else:
        count_word = ""
        unit, factor = _unit_of(match["unit"], text)
    number_text = match["number"]
    ambiguous = None
    try:
        value = read_number(number_text)
    except FigureError:
        vietnamese, english = _as_vietnamese(number_text), _as_english(number_text)
        if vietnamese is None or english is None or vietnamese == english:
            raise  # not a number, or too long
        if unit is None:
            ambiguous = number_text  # the field decides: see `resolve`
        elif "," in number_text:
            raise _ambiguous_money(number_text, vietnamese, english, match["unit"]) from None
        value = vietnamese  # "2.457 tỷ": the thousands dot (UNIT_WORD_DECIMALS)
    if match["sign"] == "-":
        value = -value
    step = _step_of(value)
    if factor != 1:
        value, step = value * factor, step * factor
    return Figure(
        value,
        step,
        qualifier,
        cleaned,
        unit=unit,
        ambiguous=ambiguous,
        count_word=count_word or None,
    )


def _unit_of(words: str, text: str) -> tuple[MoneyUnit | None, Decimal]:
    """The money unit a text names after its number, and how many of it one written unit is."""
    key = " ".join(words.lower().split())
    if key.endswith(" đồng"):  # "97,6 tỷ đồng", "337 nghìn tỷ đồng"
        key = key[: -len(" đồng")]
    if key in ("", "%"):
        return None, Decimal(1)
    if key in _UNIT_WORDS:
        return _UNIT_WORDS[key], Decimal(1)
    if key in _LARGE_UNITS:
        return MoneyUnit.BILLION_VND, Decimal(_LARGE_UNITS[key])
    raise FigureError(
        f"{_quoted(text)}: unknown unit '{words.strip()}'",
        f'money may name {UNIT_WORDS_HINT} after the number ("gần 337 nghìn tỷ", '
        '"97,6 tỷ đồng"); other figures no unit',
    )


def resolve(figure: Figure, measure: str, money_unit: MoneyUnit | None = None) -> Figure:
    """The figure as a field of `measure` reads it; a text that stays ambiguous is refused.

    A count cannot be a decimal, so "3.700" in a count is 3700; "3,700" (3,7 with the
    Vietnamese decimal comma) stays refused; so does "3.700,5". An unquoted YAML `3.700`
    in a count is 3700 too. Money and every other measure refuse both,
    money naming its unit (the dataset's `money_unit`).
    """
    if figure.count_word is not None and measure != "count":
        raise FigureError(
            f"'{figure.text}' is written as a count ('{figure.count_word}'), but this field "
            f"is {MEASURE_WORDS.get(measure, measure)}",
            "write the figure without the count word"
            + (f", in money with its unit ({UNIT_WORDS_HINT})" if measure == "money" else ""),
        )
    text = figure.ambiguous
    if text is None:
        if (
            measure == "count"
            and figure.text is None
            and _YAML_THOUSANDS.fullmatch(format(figure.value, "f"))
        ):
            # `completed: 3.700` unquoted: YAML reads a decimal, but a count has none.
            whole = (figure.value * 1000).quantize(Decimal(1))
            return replace(figure, value=whole, step=Decimal(1))
        return figure
    vietnamese, english = _as_vietnamese(text), _as_english(text)
    assert vietnamese is not None and english is not None
    if measure == "count":
        if "," not in text:
            return replace(figure, ambiguous=None)  # `value` is already the whole reading
        raise FigureError(
            f"'{text}' is ambiguous: {_plain(vietnamese)} with a Vietnamese decimal comma "
            f"(not a whole number), {_plain(english)} with an English thousands comma",
            f'a count is a whole number: write {_plain(english)} or "{_vi(english)}"',
        )
    if measure == "money" and money_unit is not None:
        word = _MONEY_UNIT_WORD[money_unit]
        if "," in text:
            readings = (
                f"{_plain(vietnamese)} {word} with a Vietnamese decimal comma, "
                f"{_plain(english)} {word} with an English thousands comma"
            )
        else:
            readings = (
                f"{_plain(vietnamese)} {word} with a Vietnamese thousands dot, "
                f"{_plain(english)} {word} with an English decimal point"
            )
        big = vietnamese if "," not in text else english
        small = english if "," not in text else vietnamese
        raise FigureError(
            f"'{text}' is ambiguous (money_unit {money_unit.value}: {word}): {readings}",
            f'write "{_vi(big)} {word}" for {_plain(big)} {word} (before a unit word the dot '
            f"groups thousands), or {_plain(small)} as a plain YAML number for "
            f"{_plain(small)} {word}",
        )
    raise _refuse_ambiguous(text, vietnamese, english)


MEASURE_WORDS = {"money": "an amount of money", "percent": "a percentage", "points": "points"}
_YAML_THOUSANDS = re.compile(r"-?[1-9][0-9]{0,2}\.[0-9]{3}")
_MONEY_UNIT_WORD = {
    MoneyUnit.VND: "đồng",
    MoneyUnit.THOUSAND_VND: "nghìn",
    MoneyUnit.MILLION_VND: "triệu",
    MoneyUnit.BILLION_VND: "tỷ",
}


def _refuse_ambiguous(text: str, vietnamese: Decimal, english: Decimal) -> FigureError:
    vi, en = _plain(vietnamese), _plain(english)
    vi_how, en_how = (
        ("decimal comma", "thousands comma") if "," in text else ("thousands dot", "decimal point")
    )
    return FigureError(
        f"{_quoted(text)} is ambiguous: {vi} with a Vietnamese {vi_how}, "
        f"{en} with an English {en_how}",
        f"write a plain YAML number, '.' for decimals and no thousands separator: {vi} or {en}",
    )


def _unit_word(words: str) -> str:
    key = " ".join(words.split())
    return key[: -len(" đồng")] if key.lower().endswith(" đồng") else key


def _ambiguous_money(
    number_text: str, vietnamese: Decimal, english: Decimal, words: str
) -> FigureError:
    """'1,052 tỷ': a decimal comma of three digits, or an English thousands comma."""
    word = _unit_word(words)
    whole, _, thousandths = number_text.partition(",")
    smaller = _SMALLER_UNIT.get(word.lower())
    compound = f"{whole} {word} {thousandths} {smaller}" if smaller else None
    decimal = compound or f"{_plain(vietnamese)} {word}"
    hint = (
        f'write "{_vi(english)} {word}" for {_plain(english)} {word} (before a unit word the '
        "dot groups thousands)"
    )
    if compound is not None:
        hint += f', or "{compound}"'
    return FigureError(
        f"'{number_text} {word}' is ambiguous: {decimal} with a Vietnamese decimal comma, "
        f"{_plain(english)} {word} with an English thousands comma",
        hint,
    )


# The unit a thousandth of a unit is written in: "1 tỷ 052 triệu" for 1,052 tỷ.
_SMALLER_UNIT = {
    "tỷ": "triệu",
    "tỉ": "triệu",
    "triệu": "nghìn",
    "nghìn": "đồng",
    "ngàn": "đồng",
}


def _vi(value: Decimal) -> str:
    """A number in Vietnamese notation, for messages: 1.052, 2,457."""
    whole, _, fraction = format(value, "f").partition(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    grouped = f"{int(digits):,}".replace(",", ".")
    return sign + grouped + ("," + fraction if fraction else "")


def _parse_compound(text: str, parts: list[re.Match[str]]) -> Figure:
    """Read 'X tỷ Y triệu Z nghìn đồng' exactly, as reports give money to the thousand."""
    head = text[: parts[0].start()].strip()
    qualifier = parse_qualifier(head) if head else None
    total = ZERO
    last_scale = None
    for part in parts:
        unit = _UNIT_WORDS[part["unit"]]
        if last_scale is not None and unit.scale >= last_scale:
            raise FigureError(f"{_quoted(text)}: units must go from tỷ down to nghìn/đồng")
        number = _read_whole(part["number"], text)
        total += number * unit.scale
        last_scale = unit.scale
    rest = _COMPOUND_RE.sub("", text[parts[0].start() :]).strip()
    if rest not in ("", "đồng"):
        raise FigureError(f"{_quoted(text)}: cannot read {_quoted(rest)}")
    assert last_scale is not None
    return Figure(total, last_scale, qualifier, text, unit=MoneyUnit.VND)
