"""Vietnamese and English number formats (Babel), for messages and pages."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from .figures import Figure

LOCALES = {"vi": "vi_VN", "en": "en_US"}


def number(value: Decimal | int, lang: str = "vi", decimals: int | None = None) -> str:
    """Format a number: 1.577 and 47,1 in Vietnamese; 1,577 and 47.1 in English.

    With `decimals`, round to that many places and keep trailing zeros (47,10).
    """
    if decimals is None:
        return format_decimal(
            value, format="#,##0.##########", locale=LOCALES[lang], decimal_quantization=False
        )
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


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
