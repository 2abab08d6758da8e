"""Vietnamese and English number formats (Babel), for messages and pages."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Any, Protocol

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from minhbach.content.figures import Figure


class Value(Protocol):
    """What a page value holds for these formats (`compute.Value` is one)."""

    @property
    def point(self) -> Decimal: ...
    @property
    def measure(self) -> str: ...
    @property
    def step(self) -> Decimal: ...
    @property
    def figure(self) -> Figure | None: ...
    @property
    def approximate(self) -> bool: ...


LOCALES = {"vi": "vi_VN", "en": "en_US"}
FREE_PATTERN = "#,##0.##########"  # up to ten decimals, as many as the value has
# Figures are below 10^18 in their unit (figures.MAX_FIGURE), so below 10^27 in đồng: shown
# to ten decimals they need 37 digits, more than the default context's 28. Formats work in
# this context, so what they print is the exact value rounded once, half to even.
EXACT = Context(prec=80, rounding=ROUND_HALF_EVEN)


def number(value: Decimal | int, lang: str = "vi", decimals: int | None = None) -> str:
    """Format a number: 1.577 and 47,1 in Vietnamese; 1,577 and 47.1 in English.

    With `decimals`, round to that many places and keep trailing zeros (47,10). A value
    that rounds to zero is shown without a sign: 0,00, never -0,00.
    """
    if (type(value) is Decimal and value.is_finite()) or type(value) is int:
        # Equal numbers format alike (1,5 whether written 1.5 or 1.50) except for the sign
        # of zero, hence the sign in the key. A national site shows each figure several
        # times (table, bars, summary, history).
        signed = value.is_signed() if type(value) is Decimal else value < 0
        return _number_cached(value, lang, decimals, signed)
    return _number(value, lang, decimals)


@functools.lru_cache(maxsize=1 << 16)
def _number_cached(value: Decimal | int, lang: str, decimals: int | None, _sign: bool) -> str:
    return _number(value, lang, decimals)


def _number(value: Decimal | int, lang: str, decimals: int | None) -> str:
    """`number` by Babel: what `format_decimal` gives, with its locale and pattern parsed once."""
    with localcontext(EXACT):
        text: str = _pattern(decimals).apply(
            value, _locale(lang), decimal_quantization=decimals is not None
        )
    if text.startswith("-") and not _nonzero(text):
        return text[1:]  # Babel keeps the sign of a zero: '-0,00'
    return text


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


@functools.cache
def _pattern(decimals: int | None) -> NumberPattern:
    """'#,##0' with `decimals` places ('#,##0.00'); with none, as many as the value has."""
    if decimals is None:
        return parse_pattern(FREE_PATTERN)
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def figure_text(figure: Figure, scale: Decimal = Decimal(1), lang: str = "vi") -> str:
    """A figure as a reader would say it, with its qualifier: 'gần 47'."""
    value = figure.value / scale
    step = figure.step / scale
    exponent = step.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    text = number(value, lang, decimals)
    if figure.qualifier is not None:
        word = figure.qualifier.value if lang == "vi" else figure.qualifier.english
        text = f"{word} {text}"
    return text


def span(low: Decimal, high: Decimal, lang: str = "vi", decimals: int = 2) -> str:
    """A computed value or range: '91,68' or '43,40–44,76'."""
    a, b = number(low, lang, decimals), number(high, lang, decimals)
    return a if a == b else f"{a}–{b}"


# --- values on pages (compute.Value) ---

MONEY_SCALES = (
    (Decimal(10) ** 9, "tỷ", "billion"),
    (Decimal(10) ** 6, "triệu", "million"),
    (Decimal(10) ** 3, "nghìn", "thousand"),
)
_INT_SCALES = tuple((int(scale), word) for scale, word, _ in MONEY_SCALES)
# Scales above the tỷ, used only for a figure the source wrote in them ("gần 337 nghìn tỷ"):
# reports write most amounts of a thousand tỷ or more in tỷ ("1.304 tỷ đồng").
LARGE_MONEY_SCALES = (
    (Decimal(10) ** 15, "triệu tỷ", "quadrillion"),
    (Decimal(10) ** 12, "nghìn tỷ", "trillion"),
)
EXACT_MONEY_STEP = Decimal(1000)  # money given to the thousand đồng is exact
MAX_MONEY_DECIMALS = 3  # "5,057879 tỷ" reads worse than "5 tỷ 057 triệu 879 nghìn đồng"
UNIT_WORDS = {"count": {"vi": "việc", "en": "cases"}, "points": {"vi": "điểm %", "en": "pp"}}


@functools.lru_cache(maxsize=256)  # a handful of steps, asked for on every value shown
def decimals_of(step: Decimal) -> int:
    """How many decimals show a value to its precision: step 0,01 → 2, step 1 or 1000 → 0."""
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def money(value: Decimal, step: Decimal, lang: str = "vi", large: str | None = None) -> str:
    """Money the way reports write it: '97,6 tỷ đồng', '1.304 tỷ đồng', '850 triệu đồng'.

    The scale is the largest one the value reaches, shown to the figure's precision;
    when that needs more than three decimals the exact compound form is used. `large`
    names a scale above the tỷ to show it in ('337 nghìn tỷ đồng'), the one the source
    wrote the figure in.
    """
    magnitude = abs(value)
    above = tuple(s for s in LARGE_MONEY_SCALES if s[1] == large)
    for scale, vi_word, en_word in above + MONEY_SCALES:
        if magnitude >= scale:
            # As precise as the source wrote it ("97,6 tỷ"); an exact amount needs no zeros
            # beyond its own digits ("133 tỷ", not "133,000000 tỷ").
            exact = step <= EXACT_MONEY_STEP
            decimals = decimals_of(value / scale) if exact else decimals_of(step / scale)
            if decimals <= MAX_MONEY_DECIMALS:
                text = number(value / scale, lang, decimals)
                return f"{text} {vi_word} đồng" if lang == "vi" else f"VND {text} {en_word}"
            return _compound(value, lang)
    text = number(value, lang, decimals_of(step))
    return f"{text} đồng" if lang == "vi" else f"VND {text}"


def _compound(value: Decimal, lang: str) -> str:
    if lang != "vi":
        return (
            f"VND {number(value, lang, decimals_of(Decimal(1)) if value == int(value) else None)}"
        )
    # In whole đồng, as integers: what is below a đồng is not shown, and with integer
    # divmod the whole form takes a fifth less time (a unit page shows about 120).
    sign, rest = ("−", int(-value)) if value < 0 else ("", int(value))
    groups: list[tuple[int, str]] = []
    for scale, word in _INT_SCALES:
        whole, rest = divmod(rest, scale)
        if whole or groups:
            groups.append((whole, f" {word}"))
    groups.append((rest, ""))
    while groups[-1][0] == 0:  # "5 tỷ 057 triệu đồng", not "... 000 nghìn 000 đồng"
        groups.pop()
    head, *tail = groups
    parts = [f"{number(head[0])}{head[1]}"] + [f"{count:03d}{word}" for count, word in tail]
    return sign + " ".join(parts) + " đồng"


def show(value: Value, lang: str = "vi", unit: bool = True) -> str:
    """A page value: published as the source gives it (with 'gần'), computed to its precision.

    Counts take 'việc', money its scale word, percentages '%', points 'điểm %';
    without `unit`, money keeps its scale word but counts and points go bare.
    """
    return _show(value, value.point, lang, unit)


def _show(value: Value, point: Decimal, lang: str, unit: bool = True) -> str:
    """`show` of `value` with `point` in place of its own (its magnitude, for a change)."""
    if value.measure == "money":
        text = money(point, value.step, lang, _written_large(value.figure))
    else:
        text = number(point, lang, decimals_of(value.step))
        if value.measure == "percent":
            text += "%"
        elif unit:
            text += " " + UNIT_WORDS[value.measure][lang]
    figure = value.figure
    if figure is not None and figure.qualifier is not None:
        word = figure.qualifier.value if lang == "vi" else figure.qualifier.english
        return f"{word} {text}"
    if value.approximate:
        return f"{'khoảng' if lang == 'vi' else 'about'} {text}"
    return text


def _written_large(figure: Figure | None) -> str | None:
    """The scale above the tỷ the source wrote the figure in ('nghìn tỷ'), if any."""
    if figure is None or figure.text is None:
        return None
    words = " ".join(figure.text.lower().replace("ngàn", "nghìn").replace("tỉ", "tỷ").split())
    for _, word, _ in LARGE_MONEY_SCALES:
        if word in words:
            return word
    return None


def signed(value: Value, lang: str = "vi", unit: bool = True) -> str:
    """A change in words: 'tăng 57 việc', 'giảm 11%', 'tăng 1,82 điểm %'; 'không đổi'.

    A change that rounds to zero at its precision is 'không đổi' too, not 'giảm 0,00%'.
    """
    magnitude = _show(value, abs(value.point), lang, unit)
    if not _nonzero(magnitude):
        return "không đổi" if lang == "vi" else "unchanged"
    words = {"vi": ("tăng", "giảm"), "en": ("up", "down")}[lang]
    return f"{words[0] if value.point > 0 else words[1]} {magnitude}"


def margin(value: Value, lang: str = "vi", short: bool = False, progress: bool = False) -> str:
    """A gap to target in words: 'vượt chỉ tiêu 18 điểm %', 'thấp hơn chỉ tiêu 3 điểm %'.

    `short` drops the word for target where the sentence already names it: 'vượt 18 điểm %';
    `progress` names a progress target: 'vượt chỉ tiêu tiến độ 2 điểm %'.
    """
    what = ("chỉ tiêu tiến độ", "progress target") if progress else ("chỉ tiêu", "target")
    if value.point == 0:
        return f"đạt đúng {what[0]}" if lang == "vi" else f"exactly on {what[1]}"
    text = _show(value, abs(value.point), lang)
    above = value.point > 0
    if lang == "vi":
        return f"{'vượt' if above else 'thấp hơn'}{'' if short else ' ' + what[0]} {text}"
    return f"{text} {'above' if above else 'below'}{'' if short else ' ' + what[1]}"


def with_sign(value: Value, lang: str = "vi") -> str:
    """A difference with its sign, for tables: '+18 điểm %', '−23 điểm %', '0 điểm %'.

    One that rounds to zero at its precision has no sign: '0,00 điểm %', not '−0,00'.
    """
    text = _show(value, abs(value.point), lang)
    if not _nonzero(text):
        return text
    return ("+" if value.point > 0 else "−") + text


def _nonzero(text: str) -> bool:
    """Whether a shown value has a digit other than 0 (the words around it have none)."""
    return any(digit in text for digit in "123456789")


def day_text(day: Any, lang: str = "vi") -> str:
    """A day as the pages say it: 15/01/2022; 15 January 2022."""
    if lang == "vi":
        return format_date(day, "dd/MM/yyyy", locale=LOCALES["vi"])
    return format_date(day, "d MMMM y", locale=LOCALES["en"])
