"""Charts: Vega-Lite specs from the site model, shown with or without JavaScript.

Each chart kind is a function from the site model to a `Chart`: a Vega-Lite spec with
its data inlined, a one-sentence summary, and the chart's data as a table. The spec
of a kind is built once per language with Altair (`template`) and filled per page
with a plain dict copy, because building an Altair object costs milliseconds and
filling a dict microseconds.

Without JavaScript a chart is drawn in one of two ways, decided by what it is about:

- the charts of a unit and period (`rate_target`, `breakdown`, the unit's `inspections`,
  `reform`), thousands of them at national scale, carry `bars`: rows of HTML bars that
  the page draws itself, from the same figures as the spec. Rendering them to images
  would cost most of a cold build and most of the site's size;
- the charts of a period and of a unit history (`ranking_cases`, `ranking_money`, `map`,
  the period's `inspections`, `trend`), a few per period or unit, are rendered at build
  time to SVG and PNG with vl-convert.

In the browser, `minhbach-charts.js` replaces either by the live Vega view (tooltips),
using the Vega bundle from `vl_convert.javascript_bundle()`, served as a file of the
site, and offers the live view's PNG and SVG of the charts drawn in HTML. Both use the
same d3 number and time locales, made here from Babel's CLDR data, so a figure reads
"47,10%" and a month "thg 3" in the image and in the live view alike.

Rendered images are cached by the hash of what they are made from (spec, locale,
vl-convert version), so an unchanged chart is never rendered twice; what is not in
the cache is rendered across processes.

The figures on the charts are the page's own: value labels are formatted by
`numbers.show`, as everywhere else on the site, and a missing figure is "—", never
a zero-length bar.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache, cached_property
from typing import Any, cast

from babel import Locale

from minhbach.compute.model import (
    BlockView,
    PeriodView,
    Target,
    UnitHistory,
    UnitPeriod,
    Value,
    inspection_totals,
    reform_totals,
)
from minhbach.content.catalogue import Lang, get_catalogue
from minhbach.content.numbers import LOCALES, margin, show
from minhbach.content.periods import Period
from minhbach.content.registry import MERGER_DATE
from minhbach.layout import ASSETS
from minhbach.machinery.cache import Store
from minhbach.render import imageworker
from minhbach.render.tables import safe_cell

# --- look: one font, a colour-blind-safe palette, every colour ≥ 3:1 on white ---

FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"  # minhbach/fonts at build time
BACKGROUND = "#ffffff"
INK = "#1f1f1f"
MUTED = "#595959"
TRACK = "#e3e3e3"  # the 0-100% track behind a rate bar: decoration, not information
SERIES = {"cases": "#0072b2", "money": "#b65100"}  # Okabe-Ito blue; vermillion darkened to 3:1+
DEFAULT_SERIES = "cases"  # an HTML bar's colour unless its row names another series
SHAPES = {"cases": "circle", "money": "square"}  # the series differ by shape too, not colour alone
# Map classes of the completion rate in cases: ColorBrewer Blues (colour-blind safe), each
# tile outlined in MUTED (≥ 3:1 on white and on every fill) and labelled with its figure.
MAP_BREAKS = (50, 70, 80, 90)
MAP_FILLS = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b")
MAP_MISSING = "#ffffff"
TILE_OUTLINE = MUTED
TILE = 44  # px per tile

CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": BACKGROUND,
    "padding": 8,
    "aria": False,  # decorative: the summary and the data table beside it carry the content
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "labelColor": INK,
        "titleColor": MUTED,
        "domainColor": MUTED,
        "tickColor": MUTED,
        "gridColor": "#e6e6e6",
    },
    "header": {
        "labelFontSize": 13,
        "labelFontWeight": "bold",
        "labelColor": INK,
        "labelAnchor": "start",
        "labelAngle": 0,
        "labelOrient": "top",
        "title": None,
    },
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": MUTED},
    "text": {"fontSize": 12, "color": INK},
}


def template_path(kind: str) -> str:
    """Where a chart kind's spec template is served, from an edition's root."""
    return f"{ASSETS}/{KIND_SLUGS[kind]['en']}.vl.json"


def template_json(kind: str, lang: Lang) -> bytes:
    """A kind's spec without data, as served for the live view of charts drawn in HTML."""
    spec = template(kind, lang)
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- locales: one d3 locale per language, from CLDR, used at build and in the browser ---


@cache
def d3_locales(lang: Lang) -> dict[str, dict[str, Any]]:
    """The d3-format and d3-time-format locales of one language, from Babel's CLDR data."""
    loc = Locale.parse(LOCALES[lang])
    symbols = loc.number_symbols["latn"]
    months = loc.months["format"]
    days = loc.days["format"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts from Monday, d3 from Sunday
    periods = loc.day_periods["format"]["abbreviated"]
    number_format = {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", "\u00a0₫"] if lang == "vi" else ["₫", ""],
        "percent": symbols["percentSign"],
        "minus": symbols["minusSign"],
        "nan": "—",
    }
    time_format = {
        "dateTime": "%H:%M:%S %d/%m/%Y" if lang == "vi" else "%a %b %e %X %Y",
        "date": "%d/%m/%Y" if lang == "vi" else "%m/%d/%Y",
        "time": "%H:%M:%S",
        "periods": [periods["am"], periods["pm"]],
        "days": [days["wide"][i] for i in sunday_first],
        "shortDays": [days["abbreviated"][i] for i in sunday_first],
        "months": [months["wide"][i] for i in range(1, 13)],
        "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
    }
    return {"format": number_format, "time": time_format}


# --- colour arithmetic (WCAG 2.1) ---


def luminance(colour: str) -> float:
    """Relative luminance of '#rrggbb'."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_on(fill: str) -> str:
    """The text colour (INK or white) that reads best on a fill."""
    return INK if contrast(INK, fill) >= contrast("#ffffff", fill) else "#ffffff"


@dataclass(frozen=True)
class MapTile:
    """One unit's tile of a map drawn in HTML: where it sits, its label and its colour."""

    column: int  # 0-based, as tiles.yml
    row: int
    abbr: str
    text: str  # the rate, whole percent: "92%", "—"
    fill: str
    ink: str  # the text colour that reads on `fill`

    @property
    def area(self) -> str:
        """The tile's CSS grid-area (1-based row / column)."""
        return f"{self.row + 1}/{self.column + 1}"


@dataclass(frozen=True)
class TileGrid:
    """A map drawn in HTML: its tiles on a grid, and the key of its colours."""

    columns: int
    rows: int
    tiles: list[MapTile]
    key: list[tuple[str, str]]  # (fill, label), from the lowest class up, then no data


# --- the chart ---


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class BarRow:
    """One row of a chart drawn in HTML: a label, a bar on its track, and the figure.

    `share` is the bar's length as a part of the chart's scale (0–1: of 100% for a
    rate, of the largest figure of its group for a count or an amount); None when the
    figure is missing, which then has no bar and reads "—".
    """

    label: str
    text: str  # the figure as the chart's labels and its table show it: "47,10%", "—"
    share: float | None
    series: str = "cases"  # its colour: SERIES[series]
    group: str = ""  # the facet the row belongs to ("Về việc"), a heading where it starts
    target: float | None = None  # where the target tick goes, 0–1 of the track
    note: str = ""  # after the figure, e.g. "chỉ tiêu 74%"
    total: bool = False  # the whole the other rows split up: drawn as an outlined bar

    @property
    def colour(self) -> str:
        return SERIES[self.series]

    @property
    def modifiers(self) -> str:
        """The row's class modifiers: its series unless the default, total, target, missing.

        The look of each is in minhbach.css, one rule per modifier; the colour of each
        series there is SERIES' (tests/test_charts.py).
        """
        parts = [
            f"mb-bars__row--{name}"
            for name, wanted in (
                (self.series, self.series != DEFAULT_SERIES),
                ("total", self.total),
                ("target", self.target is not None),
                ("missing", self.share is None),
            )
            if wanted
        ]
        return " ".join(parts)

    @property
    def style(self) -> str:
        """The row's CSS variables: the bar's length (--w) and the target tick's place (--t)."""
        parts = []
        if self.share is not None:
            parts.append(f"--w:{css_percent(self.share)}")
        if self.target is not None:
            parts.append(f"--t:{css_percent(self.target)}")
        return ";".join(parts)


def css_percent(share: float) -> str:
    """A share of 0–1 as a CSS length, clamped and to two decimals: 0.471 → '47.1%'."""
    text = f"{min(max(share, 0.0), 1.0) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def shares(values: Sequence[float | None]) -> list[float | None]:
    """Each figure as a part of the largest: the scale of a chart of counts or amounts."""
    largest = max((v for v in values if v is not None), default=0.0)
    return [None if v is None else (v / largest if largest > 0 else 0.0) for v in values]


@dataclass
class Chart:
    """One chart of one edition: what to draw, what it says, and where its files go.

    A chart with `bars` or `tiles` is drawn in HTML without JavaScript and has no
    build-time image; any other is rendered to SVG (`render_images`).
    """

    kind: str
    lang: Lang
    folder: str  # edition-relative folder of its files: "2024/6-thang/quang-tri"
    stem: str  # file name without extension: "thads-2024-6-thang-quang-tri-ty-le-chi-tieu"
    title: str
    summary: str
    spec: dict[str, Any]
    columns: list[Column]
    rows: list[list[tuple[str, str]]]  # per cell: (as shown, machine value for the CSV)
    bars: list[BarRow] | None = None
    tiles: TileGrid | None = None
    # A trend's summary per period length (`trend_summary_for`); not part of its images.
    length_summaries: dict[int, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls,
        kind: str,
        lang: Lang,
        md_path: str,
        prefix: str,
        summary: str,
        spec: dict[str, Any],
        columns: list[Column],
        rows: list[list[tuple[str, str]]],
        bars: list[BarRow] | None = None,
        tiles: TileGrid | None = None,
    ) -> Chart:
        """A chart of a page (`md_path`), its files named `<prefix>-<kind's slug>`."""
        return cls(
            kind,
            lang,
            _folder(md_path),
            f"{prefix}-{KIND_SLUGS[kind][lang]}",
            word(kind, lang),
            summary,
            spec,
            columns,
            rows,
            bars,
            tiles,
        )

    @cached_property
    def key(self) -> str:
        """The hash of what its images are made from: their name in the render cache."""
        payload = json.dumps(
            {
                "spec": self.spec,
                "lang": self.lang,
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def image(self) -> bool:
        """Whether the chart is rendered to SVG at build time (not drawn in HTML)."""
        return self.bars is None and self.tiles is None

    def path(self, ext: str) -> str:
        return f"{self.folder}/{self.stem}.{ext}" if self.folder else f"{self.stem}.{ext}"

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([safe_cell(c.label) for c in self.columns])
        writer.writerows([safe_cell(machine) for _, machine in row] for row in self.rows)
        return out.getvalue().encode("utf-8")

    def spec_json(self) -> bytes:
        return json.dumps(self.spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def own_json(self) -> str:
        """What the chart's spec adds to its kind's template, as JSON for its page.

        A chart drawn in HTML has no spec file of its own: its spec is its kind's
        template (`template_path`, one file per edition) with these top-level entries
        set (its data; a map's size), put together by the live view. Ten thousand spec
        files on a national site repeated the same template (2 of every 3 KB). The data's
        records are packed as rows (`pack_data`).
        """
        # `fill` copies the template's entries by reference: those it set are the others.
        base = template(self.kind, self.lang)
        own = {key: value for key, value in self.spec.items() if base.get(key) is not value}
        text = json.dumps(pack_data(own), ensure_ascii=False, separators=(",", ":"))
        return text.replace("<", "\\u003c")  # no "</script>" can end the element early


def pack_data(own: dict[str, Any]) -> dict[str, Any]:
    """`own` with its data's records as rows of one list of fields, when they all share it.

    {"data": {"values": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]}} becomes
    {"fields": ["a", "b"], "rows": [[1, 2], [3, 4]]}: the names are not repeated in every
    record (half the bytes of a chart's data). `unpack_data`, and minhbach-charts.js in
    the browser, give the records back.
    """
    data = own.get("data")
    if not isinstance(data, dict) or list(data) != ["values"]:
        return own
    values = data["values"]
    if not values or not all(isinstance(record, dict) for record in values):
        return own
    fields = list(values[0])
    if any(list(record) != fields for record in values):
        return own
    packed = {key: value for key, value in own.items() if key != "data"}
    packed["fields"] = fields
    packed["rows"] = [list(record.values()) for record in values]
    return packed


def unpack_data(packed: dict[str, Any]) -> dict[str, Any]:
    """The spec entries `pack_data` packed, its records given back."""
    if "fields" not in packed:
        return packed
    own = {key: value for key, value in packed.items() if key not in ("fields", "rows")}
    fields = packed["fields"]
    own["data"] = {"values": [dict(zip(fields, row, strict=True)) for row in packed["rows"]]}
    return own


KIND_SLUGS: dict[str, dict[Lang, str]] = {
    "rate_target": {"vi": "ty-le-chi-tieu", "en": "rate-target"},
    "breakdown": {"vi": "co-cau", "en": "breakdown"},
    "trend": {"vi": "xu-huong", "en": "trend"},
    "ranking_cases": {"vi": "xep-hang-viec", "en": "ranking-cases"},
    "ranking_money": {"vi": "xep-hang-tien", "en": "ranking-money"},
    "map": {"vi": "ban-do", "en": "map"},
    "inspections": {"vi": "kiem-tra", "en": "inspections"},
    "reform": {"vi": "cai-cach", "en": "reform"},
}

WORDS: dict[str, dict[Lang, str]] = {
    "rate_target": {
        "vi": "Tỷ lệ thi hành xong so với chỉ tiêu",
        "en": "Completion rate against target",
    },
    "breakdown": {"vi": "Cơ cấu số phải thi hành", "en": "What had to be enforced"},
    "trend": {"vi": "Tỷ lệ thi hành xong qua các kỳ", "en": "Completion rate over the periods"},
    "ranking_cases": {
        "vi": "Xếp hạng theo tỷ lệ thi hành xong về việc",
        "en": "Ranking by completion rate, cases",
    },
    "ranking_money": {
        "vi": "Xếp hạng theo tỷ lệ thi hành xong về tiền",
        "en": "Ranking by completion rate, money",
    },
    "map": {"vi": "Bản đồ tỷ lệ thi hành xong về việc", "en": "Map of the completion rate, cases"},
    "inspections": {"vi": "Kết quả kiểm tra", "en": "Inspection results"},
    "reform": {"vi": "Tiến độ cải cách hành chính", "en": "Administrative-reform progress"},
    "units_col": {"vi": "Số đơn vị", "en": "Units"},
    "cases": {"vi": "Về việc", "en": "Cases"},
    "money": {"vi": "Về tiền", "en": "Money"},
    "target": {"vi": "chỉ tiêu", "en": "target"},
    "target_col": {"vi": "Chỉ tiêu", "en": "Target"},
    "rate_col": {"vi": "Tỷ lệ thi hành xong", "en": "Completion rate"},
    "gap_col": {"vi": "So với chỉ tiêu", "en": "Against target"},
    "indicator_col": {"vi": "Kết quả", "en": "Measure"},
    "item_col": {"vi": "Chỉ tiêu thống kê", "en": "Indicator"},
    "value_col": {"vi": "Số liệu", "en": "Figure"},
    "period_col": {"vi": "Kỳ báo cáo", "en": "Period"},
    "end_col": {"vi": "Ngày kết thúc kỳ", "en": "Period end"},
    "unit_col": {"vi": "Đơn vị", "en": "Unit"},
    "rank_col": {"vi": "Hạng", "en": "Rank"},
    "abbr_col": {"vi": "Viết tắt", "en": "Abbreviation"},
    "class_col": {"vi": "Nhóm", "en": "Class"},
    "kind_col": {"vi": "Loại", "en": "Kind"},
    "status_col": {"vi": "Tình trạng", "en": "Status"},
    "initiative_col": {"vi": "Nội dung cải cách", "en": "Reform initiative"},
    "count_col": {"vi": "Số lượng", "en": "Count"},
    "combined": {"vi": "cộng gộp các đơn vị trước sáp nhập", "en": "predecessors combined"},
    "merger": {"vi": "Sáp nhập 01/07/2025", "en": "Merger 1 Jul 2025"},
    "rate_axis": {"vi": "Tỷ lệ thi hành xong (%)", "en": "Completion rate (%)"},
    "map_legend": {"vi": "Tỷ lệ về việc", "en": "Rate, cases"},
    "no_data": {"vi": "chưa có số liệu", "en": "no data"},
    # How a target is known and what it judges (compute.Target): the annual target judges
    # 12-month results only; beside a sub-annual one it is the year's, for reference.
    "target_annual": {"vi": "Chỉ tiêu năm {year}", "en": "{year} annual target"},
    "target_annual_short": {"vi": "chỉ tiêu năm", "en": "annual target"},
    "target_reference": {"vi": "tham khảo", "en": "for reference"},
    "target_progress": {"vi": "Chỉ tiêu tiến độ", "en": "Progress target"},
    "target_progress_short": {"vi": "chỉ tiêu tiến độ", "en": "progress target"},
    "target_derived": {"vi": "suy ra", "en": "derived"},
    "not_judged": {
        "vi": "kết quả {period} không đánh giá theo chỉ tiêu năm",
        "en": "results for {period} are not judged against the annual target",
    },
    "not_judged_any": {
        "vi": "kết quả chưa đủ 12 tháng không đánh giá theo chỉ tiêu năm",
        "en": "a result for less than 12 months is not judged against the annual target",
    },
    "not_judged_short": {"vi": "không đánh giá", "en": "not judged"},
    "trend_other_lengths": {
        "vi": "Các đường của kỳ khác {length}: trong bảng số liệu các kỳ của đơn vị.",
        "en": "The lines of periods other than {length}: in the unit's table of all periods.",
    },
    "trend_choice": {
        "vi": "Mỗi đường nối các kỳ cùng độ dài (lũy kế từ 01/10), không nối qua 01/07/2025.",
        "en": "Each line joins periods of the same length (cumulative from 1 October), "
        "and none runs across 1 July 2025.",
    },
    "trend_length": {"vi": "kỳ {length}", "en": "periods of {length}"},
    "trend_pre2025": {"vi": "trước sáp nhập", "en": "before the merger"},
    "trend_post2025": {"vi": "từ 01/07/2025", "en": "from 1 July 2025"},
    "trend_combined": {"vi": "các đơn vị trước sáp nhập cộng gộp", "en": "predecessors combined"},
}


def target_label(target: Target, lang: Lang) -> str:
    """'Chỉ tiêu', 'Chỉ tiêu năm 2020 (tham khảo)', 'Chỉ tiêu tiến độ', '… (suy ra)'."""
    if target.kind == "progress":
        label = word("target_progress", lang)
    elif not target.judged and target.year is not None:
        label = word("target_annual", lang).format(year=target.year)
        label += f" ({word('target_reference', lang)})"
    else:
        label = word("target_col", lang)
    if target.derived:
        label += f" ({word('target_derived', lang)})"
    return label


def target_suffix(target: Target, lang: Lang) -> str:
    """What a table cell adds to a target's value, '' for an annual target that judges."""
    words = []
    if target.kind == "progress":
        words.append(word("target_progress_short", lang))
    elif not target.judged:
        words.append(word("target_annual_short", lang))
    if target.derived:
        words.append(word("target_derived", lang))
    return f" ({', '.join(words)})" if words else ""


def not_judged(period: Period | None, lang: Lang) -> str:
    """Why a sub-annual result beside the annual target has no gap and no met."""
    if period is None:
        return word("not_judged_any", lang)
    return word("not_judged", lang).format(period=period.name(lang))


def word(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def vl_convert_version() -> str:
    import vl_convert

    return str(vl_convert.__version__)  # type: ignore[attr-defined]


# --- templates: built once per kind and language with Altair, filled per chart ---


#: The kinds' templates built or loaded in this process, by (kind, language).
_TEMPLATES: dict[tuple[str, Lang], dict[str, Any]] = {}
CHART_TEMPLATES = "chart-templates"


def template(kind: str, lang: Lang) -> dict[str, Any]:
    """The Vega-Lite spec of a chart kind, without data; built with Altair once."""
    found = _TEMPLATES.get((kind, lang))
    if found is None:
        found = _TEMPLATES[(kind, lang)] = _build_template(kind, lang)
    return found


def load_templates(store: Store | None) -> None:
    """Take the kinds' templates kept in `store` by an earlier build.

    Building them imports Altair and runs its schema machinery, on every build, for the
    same few specs.
    """
    stored = store.get(CHART_TEMPLATES, "all") if store is not None else None
    if stored is None:
        return
    for name, spec in json.loads(stored).items():
        kind, lang = name.split("/")
        _TEMPLATES.setdefault((kind, cast(Lang, lang)), spec)


def save_templates(store: Store | None) -> None:
    """Keep the templates this process has, for the next build (see `load_templates`)."""
    if store is None or not _TEMPLATES:
        return
    stored = {f"{kind}/{lang}": spec for (kind, lang), spec in sorted(_TEMPLATES.items())}
    # Key order kept: it is in the files made.
    store.put(CHART_TEMPLATES, "all", json.dumps(stored, ensure_ascii=False).encode())


def _build_template(kind: str, lang: Lang) -> dict[str, Any]:
    import altair as alt

    alt.data_transformers.disable_max_rows()
    rows = alt.Data(name="rows")  # type: ignore[no-untyped-call]
    builders = {
        "rate_target": _rate_target_chart,
        "breakdown": _breakdown_chart,
        "trend": _trend_chart,
        "ranking_cases": _ranking_chart,
        "ranking_money": _ranking_chart,
        "map": _map_chart,
        "inspections": _inspections_chart,
        "reform": _reform_chart,
    }
    chart = builders[kind](alt, rows, lang)
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec.pop("datasets", None)
    spec["config"] = CONFIG
    spec["usermeta"] = {"kind": kind, "lang": lang}
    return spec


def fill(kind: str, lang: Lang, values: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A chart's spec: the kind's template with its data (and any top-level values) set."""
    spec = dict(template(kind, lang))
    spec["data"] = {"values": values}
    spec.update(top)
    return spec


def _rate_target_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    y = alt.Y("measure:N", sort=None, title=None, axis=alt.Axis(ticks=False, domain=False))
    base = alt.Chart(rows).encode(y=y)
    track = base.mark_bar(color=TRACK, height=18).encode(
        x=alt.X(datum=100, type="quantitative", axis=None)
    )
    bar = base.mark_bar(height=18).encode(
        x=alt.X("rate:Q", scale=alt.Scale(domain=[0, 100], nice=False), axis=None),
        color=alt.Color("series:N", scale=_series_scale(alt), legend=None),
        tooltip=[
            alt.Tooltip("measure:N"),
            alt.Tooltip("rate_label:N", title=word("rate_col", lang)),
            alt.Tooltip("target_label:N", title=word("target_col", lang)),
        ],
    )
    target = base.mark_tick(color=INK, thickness=3, size=28).encode(x=alt.X("target:Q", axis=None))
    label = base.mark_text(align="left", dx=6).encode(
        x=alt.X(datum=100, type="quantitative", axis=None), text="label:N"
    )
    return alt.layer(track, bar, target, label).properties(width=220, height={"step": 34})


def _series_scale(alt: Any) -> Any:
    return alt.Scale(domain=list(SERIES), range=list(SERIES.values()))


def _breakdown_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    base = alt.Chart().encode(
        y=alt.Y(
            "item:N",
            sort=alt.EncodingSortField("order", op="min"),
            title=None,
            axis=alt.Axis(ticks=False, domain=False, labelLimit=190),
        ),
    )
    bar = base.mark_bar(height=16).encode(
        x=alt.X("value:Q", axis=None, scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", scale=_series_scale(alt), legend=None),
        opacity=alt.condition("datum.total", alt.value(0.45), alt.value(1)),
        tooltip=[
            alt.Tooltip("item:N", title=word("item_col", lang)),
            alt.Tooltip("label:N", title=word("value_col", lang)),
        ],
    )
    label = base.mark_text(align="left", dx=4).encode(x="value:Q", text="label:N")
    return (
        alt.layer(bar, label, data=rows)
        .properties(width=200, height={"step": 24})
        .facet(
            row=alt.Row(
                "measure:N", sort=alt.EncodingSortField("measure_order", op="min"), title=None
            )
        )
        .resolve_scale(x="independent")
    )


# A day in a tooltip: "31 tháng 12 năm 2023" (vi month names are "tháng 12"), "31 December 2023".
DATE_FORMAT = {"vi": "%e %B năm %Y", "en": "%e %B %Y"}


def _trend_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    # Dates are days ("2024-03-31", read as UTC midnight) and are laid out and labelled in
    # UTC: in local time the ticks and labels moved with the machine's (or the reader's)
    # time zone, and a build under TZ=Pacific/Kiritimati drew other SVGs than under UTC.
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6, grid=False),
    )
    y = alt.Y("rate:Q", title=word("rate_axis", lang), scale=alt.Scale(domain=[0, 100]))
    colour = alt.Color("series:N", scale=_series_scale(alt), legend=None)
    points = alt.Chart(rows).transform_filter("datum.kind == 'rate'")
    tooltip = [
        alt.Tooltip("period:N", title=word("period_col", lang)),
        alt.Tooltip(
            "date:T", title=word("end_col", lang), format=DATE_FORMAT[lang], formatType="utc"
        ),
        alt.Tooltip("measure:N", title=word("indicator_col", lang)),
        alt.Tooltip("label:N", title=word("rate_col", lang)),
    ]
    # One line per period length and side of the merger (`trend`): `line` names it.
    line = points.mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, detail="line:N")
    dots = points.mark_point(size=70, strokeWidth=2, opacity=1).encode(
        x=x,
        y=y,
        color=colour,
        shape=alt.Shape(
            "series:N",
            scale=alt.Scale(domain=list(SHAPES), range=list(SHAPES.values())),
            legend=None,
        ),
        fill=alt.condition("datum.combined", alt.value(BACKGROUND), colour),
        tooltip=tooltip,
    )
    labels = (
        points.transform_filter("datum.show_label")
        .mark_text(dy=-12, fontSize=11)
        .encode(x=x, y=y, text="label:N", color=colour)
    )
    ends = (
        points.transform_filter("datum.last")
        .mark_text(align="left", dx=10, fontWeight="bold")
        .encode(x=x, y=y, text="line_label:N", color=colour)
    )
    targets = (
        alt.Chart(rows)
        .transform_filter("datum.kind == 'target'")
        .mark_rule(strokeDash=[5, 3], strokeWidth=2)
        .encode(
            x="date:T",
            x2="end:T",
            y="rate:Q",
            color=colour,
            tooltip=[alt.Tooltip("label:N", title=word("target_col", lang))],
        )
    )
    merger = alt.Chart(rows).transform_filter("datum.kind == 'merger'")
    rule = merger.mark_rule(color=MUTED, strokeDash=[2, 2]).encode(x="date:T")
    note = merger.mark_text(align="left", dx=4, y=6, color=MUTED, fontSize=11).encode(
        x="date:T", text="label:N"
    )
    return alt.layer(targets, line, dots, labels, ends, rule, note).properties(
        width=420,
        height=220,
        # the choice of what is joined, stated on the chart itself
        title=alt.TitleParams(
            word("trend_choice", lang),
            anchor="start",
            fontSize=11,
            fontWeight="normal",
            color=MUTED,
        ),
    )


def _ranking_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    y = alt.Y(
        "unit:N",
        sort=alt.EncodingSortField("order", op="min"),
        title=None,
        axis=alt.Axis(ticks=False, domain=False, labelLimit=170),
    )
    base = alt.Chart(rows).encode(y=y)
    track = base.mark_bar(color=TRACK, height=12).encode(
        x=alt.X(datum=100, type="quantitative", axis=None)
    )
    bar = base.mark_bar(height=12).encode(
        x=alt.X(
            "rate:Q",
            scale=alt.Scale(domain=[0, 100], nice=False),
            axis=alt.Axis(
                title=word("rate_axis", lang), orient="top", values=[0, 25, 50, 75, 100], grid=False
            ),
        ),
        color=alt.Color("series:N", scale=_series_scale(alt), legend=None),
        tooltip=[
            alt.Tooltip("rank:N", title=word("rank_col", lang)),
            alt.Tooltip("unit:N", title=word("unit_col", lang)),
            alt.Tooltip("label:N", title=word("rate_col", lang)),
            alt.Tooltip("target_label:N", title=word("target_col", lang)),
        ],
    )
    target = base.mark_tick(color=INK, thickness=2, size=18).encode(x="target:Q")
    label = base.mark_text(align="left", dx=6).encode(
        x=alt.X(datum=100, type="quantitative", axis=None), text="label:N"
    )
    return alt.layer(track, bar, target, label).properties(width=240, height={"step": 18})


def _map_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    """Tiles placed in pixels (scale null): the layout comes with the data, not from scales."""

    def px(field: str) -> Any:
        return alt.X(field, type="quantitative", scale=None, axis=None)

    def py(field: str) -> Any:
        return alt.Y(field, type="quantitative", scale=None, axis=None)

    def colour(field: str) -> Any:
        return alt.Color(field, type="nominal", scale=None, legend=None)

    tiles_ = alt.Chart(rows).transform_filter("datum.kind == 'tile'")
    rect = tiles_.mark_rect(stroke=TILE_OUTLINE, strokeWidth=1).encode(
        x=px("x"),
        y=py("y"),
        x2=alt.X2("x2"),
        y2=alt.Y2("y2"),
        fill=alt.Fill("fill", type="nominal", scale=None, legend=None),
        tooltip=[
            alt.Tooltip("unit:N", title=word("unit_col", lang)),
            alt.Tooltip("label:N", title=word("rate_col", lang)),
        ],
    )
    abbr = tiles_.mark_text(fontSize=11, fontWeight="bold", baseline="top", dy=5).encode(
        x=px("cx"), y=py("y"), text="abbr:N", color=colour("ink")
    )
    value = tiles_.mark_text(fontSize=11, baseline="bottom", dy=-5).encode(
        x=px("cx"), y=py("y2"), text="short:N", color=colour("ink")
    )
    keys = alt.Chart(rows).transform_filter("datum.kind == 'key'")
    swatch = keys.mark_rect(stroke=TILE_OUTLINE, strokeWidth=1).encode(
        x=px("x"),
        y=py("y"),
        x2=alt.X2("x2"),
        y2=alt.Y2("y2"),
        fill=alt.Fill("fill", type="nominal", scale=None, legend=None),
    )
    key_text = keys.mark_text(align="left", baseline="middle", dx=6).encode(
        x=px("x2"), y=py("cy"), text="label:N"
    )
    return alt.layer(rect, abbr, value, swatch, key_text)


def _inspections_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    base = alt.Chart().encode(
        y=alt.Y(
            "metric:N",
            sort=alt.EncodingSortField("order", op="min"),
            title=None,
            axis=alt.Axis(ticks=False, domain=False, labelLimit=200),
        )
    )
    bar = base.mark_bar(height=14, color=SERIES["cases"]).encode(
        x=alt.X("value:Q", axis=None),
        tooltip=[
            alt.Tooltip("kind:N", title=word("kind_col", lang)),
            alt.Tooltip("metric:N", title=word("item_col", lang)),
            alt.Tooltip("label:N", title=word("value_col", lang)),
        ],
    )
    label = base.mark_text(align="left", dx=4).encode(x="value:Q", text="label:N")
    return (
        alt.layer(bar, label, data=rows)
        .properties(width=200, height={"step": 22})
        .facet(
            row=alt.Row("kind:N", sort=alt.EncodingSortField("kind_order", op="min"), title=None)
        )
    )


def _reform_chart(alt: Any, rows: Any, lang: Lang) -> Any:
    statuses = get_catalogue().enums["reform_status"]
    y = alt.Y(
        "initiative:N",
        sort=alt.EncodingSortField("order", op="min"),
        title=None,
        axis=alt.Axis(ticks=False, domain=False, labelLimit=260),
    )
    base = alt.Chart(rows).encode(y=y)
    track = base.mark_bar(color=TRACK, height=14).encode(
        x=alt.X(datum=len(statuses), type="quantitative", axis=None)
    )
    bar = base.mark_bar(height=14, color=SERIES["cases"]).encode(
        x=alt.X("step:Q", scale=alt.Scale(domain=[0, len(statuses)], nice=False), axis=None),
        tooltip=[
            alt.Tooltip("initiative:N", title=word("initiative_col", lang)),
            alt.Tooltip("label:N", title=word("status_col", lang)),
        ],
    )
    label = base.mark_text(align="left", dx=6).encode(
        x=alt.X(datum=len(statuses), type="quantitative", axis=None), text="label:N"
    )
    return alt.layer(track, bar, label).properties(width=150, height={"step": 24})


# --- the chart kinds: from the site model to a filled chart ---


def _unit_stem(page: UnitPeriod, lang: Lang) -> str:
    return f"thads-{page.period.year}-{page.period.url_segment(lang)}-{page.unit.slug}"


def _folder(md_path: str) -> str:
    return md_path.rsplit("/", 1)[0] if "/" in md_path else ""


def _text(value: Value | None, lang: Lang) -> str:
    return show(value, lang) if value is not None else "—"


def _machine(value: Value | None) -> str:
    return "" if value is None else format(value.point.normalize(), "f")


def _float(value: Value | None) -> float | None:
    return None if value is None else float(value.point)


def _rate_share(value: Value | None) -> float | None:
    """A rate as a part of the 0–100% track."""
    return None if value is None else float(value.point) / 100


def _gap_text(block: BlockView, lang: Lang, short: bool) -> str:
    """The gap in words, 'không đánh giá' beside a target that does not judge, else '—'."""
    if block.gap is not None:
        return margin(block.gap, lang, short=short)
    if block.target is not None and not block.target.judged:
        return word("not_judged_short", lang)
    return "—"


def rate_target(page: UnitPeriod, md_path: str, lang: Lang, headline: str) -> Chart | None:
    """Completion rate against target, in cases and in money, with the target marked."""
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    bars: list[BarRow] = []
    for key in ("cases", "money"):
        block = page.block(key)
        if block is None or block.rate is None:
            continue
        target = block.target.value if block.target is not None else None
        rate_text = _text(block.rate, lang)
        target_text = _text(target, lang)
        if block.target is not None:
            target_text += target_suffix(block.target, lang)
        note = ""
        if block.target is not None:
            label = target_label(block.target, lang)
            note = (
                f"{label[:1].lower() + label[1:] if lang == 'vi' else label} {_text(target, lang)}"
            )
        label = rate_text + (f" · {note}" if note else "")
        bars.append(
            BarRow(
                word(key, lang),
                rate_text,
                _rate_share(block.rate),
                series=key,
                target=_rate_share(target),
                note=note,
            )
        )
        values.append(
            {
                "measure": word(key, lang),
                "series": key,
                "rate": _float(block.rate),
                "target": _float(target),
                "label": label,
                "rate_label": rate_text,
                "target_label": target_text,
            }
        )
        gap_text = _gap_text(block, lang, short=False)
        table.append(
            [
                (word(key, lang), key),
                (rate_text, _machine(block.rate)),
                (target_text, _machine(target)),
                (gap_text, _machine(block.gap)),
            ]
        )
    if not values:
        return None
    return Chart.of(
        "rate_target",
        lang,
        md_path,
        f"{_unit_stem(page, lang)}",
        headline,
        fill("rate_target", lang, values),
        [
            Column(word("indicator_col", lang)),
            Column(word("rate_col", lang), True),
            Column(word("target_col", lang), True),
            Column(word("gap_col", lang), True),
        ],
        table,
        bars,
    )


BREAKDOWN_KEYS = ("completed", "in_progress", "not_enforceable", "postponed_suspended")


def breakdown(page: UnitPeriod, md_path: str, lang: Lang) -> Chart | None:
    """What had to be enforced, split into completed, in progress, not enforceable, postponed."""
    fields = get_catalogue().groups["results"].fields
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    bars: list[BarRow] = []
    sentences: list[str] = []
    for order, key in enumerate(("cases", "money")):
        block = page.block(key)
        if block is None or not any(block.get(k) is not None for k in BREAKDOWN_KEYS):
            continue
        parts: list[str] = []
        items = ("to_enforce", *BREAKDOWN_KEYS)
        scale = shares([_float(block.get(item)) for item in items])  # each measure its own
        for index, item in enumerate(items):
            value = block.get(item)
            label = fields[item].label[lang]
            table.append(
                [(word(key, lang), key), (label, item), (_text(value, lang), _machine(value))]
            )
            bars.append(
                BarRow(
                    label,
                    _text(value, lang),
                    scale[index],
                    series=key,
                    group=word(key, lang),
                    total=item == "to_enforce",
                )
            )
            if value is None:
                continue
            values.append(
                {
                    "measure": word(key, lang),
                    "measure_order": order,
                    "series": key,
                    "item": label,
                    "order": index,
                    "value": _float(value),
                    "label": _text(value, lang),
                    "total": item == "to_enforce",
                }
            )
            parts.append(f"{label.lower()} {_text(value, lang)}")
        sentences.append(f"{word(key, lang)}: {', '.join(parts)}.")
    if not values:
        return None
    return Chart.of(
        "breakdown",
        lang,
        md_path,
        f"{_unit_stem(page, lang)}",
        " ".join(sentences),
        fill("breakdown", lang, values),
        [
            Column(word("indicator_col", lang)),
            Column(word("item_col", lang)),
            Column(word("value_col", lang), True),
        ],
        table,
        bars,
    )


def trend(history: UnitHistory, md_path: str, lang: Lang) -> Chart | None:
    """The unit's completion rates over every period it reported, with its yearly targets.

    Only comparable periods are joined: one line per period length (cumulative rates of
    6 and 12 months are not comparable), broken at 01/07/2025 (a lone predecessor is
    never drawn as part of its successor's line; a merged unit's earlier periods, its
    predecessors combined, are a line of their own, open points). Annual targets are
    drawn per year and per side of the merger.
    """
    points: list[tuple[Period, Mapping[str, BlockView], str]] = [
        (c.period, c.blocks, COMBINED) for c in history.combined
    ]
    points += [(p.period, p.blocks, p.unit.scheme) for p in history.pages]
    points.sort(key=lambda item: (item[0].end, item[2] == COMBINED))
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    sentences: list[str] = []
    by_length: dict[int, list[str]] = {}  # the sentences of each period length's lines
    targets: dict[tuple[str, int, str], Value] = {}
    lengths = sorted({period.months for period, _, _ in points}, reverse=True)
    segments = [s for s in SEGMENTS if any(side == s for _, _, side in points)]
    for key in ("cases", "money"):
        for months in lengths:
            for segment in segments:
                series = [
                    (period, blocks[key], side == COMBINED)
                    for period, blocks, side in points
                    if period.months == months
                    and side == segment
                    and key in blocks
                    and blocks[key].rate is not None
                ]
                line = f"{key}-{months}m-{segment}"
                for index, (period, block, combined) in enumerate(series):
                    rate = block.rate
                    assert rate is not None
                    name = period.name(lang) + (f" ({word('combined', lang)})" if combined else "")
                    values.append(
                        {
                            "kind": "rate",
                            "series": key,
                            "line": line,
                            "measure": word(key, lang),
                            "line_label": f"{word(key, lang)} · {length_word(months, lang)}",
                            "date": period.end.isoformat(),
                            "period": name,
                            "rate": _float(rate),
                            "label": _text(rate, lang),
                            "combined": combined,
                            "show_label": len(series) <= 6 or index == len(series) - 1,
                            "last": index == len(series) - 1,
                        }
                    )
                    target = block.target
                    if target is not None and target.kind == "annual":
                        targets.setdefault((key, period.year, segment), target.value)
                if series:  # the side is named only where the history has two
                    side = segment if len(segments) > 1 else "national"
                    sentence = _trend_sentence(key, months, side, series, lang)
                    sentences.append(sentence)
                    by_length.setdefault(months, []).append(sentence)
    if not values:
        return None
    for (key, year, segment), value in sorted(targets.items()):
        start, end = Period(year, 1).start, Period(year, 12).end
        if segment == "post2025":
            start = max(start, MERGER_DATE)
        elif segment != "national":
            end = min(end, MERGER_DATE - dt.timedelta(days=1))
        values.append(
            {
                "kind": "target",
                "series": key,
                "date": start.isoformat(),
                "end": end.isoformat(),
                "rate": _float(value),
                "label": f"{word('target_annual', lang).format(year=year)}, "
                f"{word(key, lang).lower()}: {_text(value, lang)}",
            }
        )
    dates = [p.end for p, _, _ in points]
    merger = bool(history.successor is None and (history.predecessors or history.combined))
    merger = merger or len({side for _, _, side in points} - {"national"}) > 1
    if merger and min(dates) < MERGER_DATE <= max(dates):
        values.append({"kind": "merger", "date": "2025-07-01", "label": word("merger", lang)})
    order = {segment: index for index, segment in enumerate(SEGMENTS)}
    rows = sorted(points, key=lambda item: (-item[0].months, order[item[2]], item[0].end))
    for period, blocks, side in rows:
        combined = side == COMBINED
        name = period.name(lang) + (f" ({word('combined', lang)})" if combined else "")
        row = [
            (name, period.key),
            (
                period.end.strftime("%d/%m/%Y") if lang == "vi" else period.end.isoformat(),
                period.end.isoformat(),
            ),
        ]
        drawn = False  # a period with neither rate nor target is no row of "—" here
        for key in ("cases", "money"):
            shown = blocks.get(key)
            rate = shown.rate if shown is not None else None
            target = shown.target if shown is not None else None
            target_value = target.value if target is not None else None
            target_text = _text(target_value, lang)
            if target is not None:
                target_text += target_suffix(target, lang)
            row += [(_text(rate, lang), _machine(rate)), (target_text, _machine(target_value))]
            drawn = drawn or rate is not None or target_value is not None
        if drawn:
            table.append(row)
    slug = history.slug
    columns = [Column(word("period_col", lang)), Column(word("end_col", lang))]
    for key in ("cases", "money"):
        columns += [
            Column(f"{word('rate_col', lang)} ({word(key, lang).lower()})", True),
            Column(f"{word('target_col', lang)} ({word(key, lang).lower()})", True),
        ]
    summary = " ".join([word("trend_choice", lang), *sentences])
    made = Chart.of(
        "trend",
        lang,
        md_path,
        f"thads-{slug}",
        summary,
        fill("trend", lang, values),
        columns,
        table,
    )
    made.length_summaries.update(
        {
            months: " ".join([word("trend_choice", lang), *said])
            for months, said in by_length.items()
        }
    )
    return made


def trend_summary_for(chart: Chart, months: int, lang: Lang) -> Chart:
    """The trend as a page of one period length shows it: the summary tells that length's
    lines and points to the unit's history for the others (the image is the same).

    A unit's page is one of thousands: telling every line of every length there made the
    reference site 6 MB larger than the history page, which tells them all, already does."""
    said = chart.length_summaries.get(months)
    if said is None or len(chart.length_summaries) < 2:
        return chart
    others = word("trend_other_lengths", lang).format(length=length_word(months, lang))
    return replace(chart, summary=f"{said} {others}")


# The sides of a trend's lines: a line never joins two of them (compute.UnitHistory).
COMBINED = "combined"
SEGMENTS = ("national", COMBINED, "pre2025", "post2025")


def length_word(months: int, lang: Lang) -> str:
    """'12 tháng', '6 months': the length a trend line's periods share."""
    return f"{months} {'tháng' if lang == 'vi' else ('month' if months == 1 else 'months')}"


def _trend_sentence(
    key: str,
    months: int,
    segment: str,
    series: list[tuple[Period, BlockView, bool]],
    lang: Lang,
) -> str:
    def at(item: tuple[Period, BlockView, bool]) -> str:
        period, block, _ = item
        assert block.rate is not None
        return f"{_text(block.rate, lang)} ({period.name(lang)})"

    what = (
        f"{word(key, lang)}, {word('trend_length', lang).format(length=length_word(months, lang))}"
    )
    if segment != "national":
        what += f" ({word('trend_' + segment, lang)})"
    if len(series) == 1:
        return f"{what}: {at(series[0])}."
    first, last = series[0], series[-1]
    best = max(series, key=lambda item: item[1].rate.point if item[1].rate else Decimal(0))
    if lang == "vi":
        text = f"{what}: từ {at(first)} đến {at(last)}"
        if best not in (first, last):
            text += f", cao nhất {at(best)}"
    else:
        text = f"{what}: from {at(first)} to {at(last)}"
        if best not in (first, last):
            text += f", highest {at(best)}"
    return text + "."


def ranking(view: PeriodView, key: str, md_path: str, lang: Lang) -> Chart | None:
    """Every unit of the period by its completion rate, with each unit's own target."""
    ranked = [
        (row.rank_cases if key == "cases" else row.rank_money, row, getattr(row, key))
        for row in view.ranking
    ]
    ranked = [
        (rank, row, block)
        for rank, row, block in ranked
        if block is not None and block.rate is not None
    ]
    if not ranked:
        return None
    ranked.sort(key=lambda item: (item[0] or 10**6, item[1].page.unit.name.vi))
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    bars: list[BarRow] = []
    for order, (rank, row, block) in enumerate(ranked):
        target = block.target.value if block.target is not None else None
        target_text = _text(target, lang)
        if block.target is not None:
            target_text += target_suffix(block.target, lang)
        name = row.page.unit.name[lang]
        bars.append(
            BarRow(
                f"{rank or '—'}. {name}",
                _text(block.rate, lang),
                _rate_share(block.rate),
                series=key,
                target=_rate_share(target),
            )
        )
        values.append(
            {
                "order": order,
                "rank": str(rank or "—"),
                "unit": name,
                "series": key,
                "rate": _float(block.rate),
                "target": _float(target),
                "label": _text(block.rate, lang),
                "target_label": target_text,
            }
        )
        gap = _gap_text(block, lang, short=True)
        table.append(
            [
                (str(rank or "—"), str(rank or "")),
                (name, row.page.unit.slug),
                (_text(block.rate, lang), _machine(block.rate)),
                (target_text, _machine(target)),
                (gap, _machine(block.gap)),
            ]
        )
    with_target = [b for _, _, b in ranked if b.met is not None]
    met = sum(1 for b in with_target if b.met)
    what = word(key, lang).lower()
    (_, top_row, top), (_, bottom_row, bottom) = ranked[0], ranked[-1]
    top_text = f"{top_row.page.unit.name[lang]} ({_text(top.rate, lang)})"
    bottom_text = f"{bottom_row.page.unit.name[lang]} ({_text(bottom.rate, lang)})"
    if len(ranked) == 1:
        in_what = what if lang == "vi" else f"in {what}"
        summary = f"{top_row.page.unit.name[lang]}: {_text(top.rate, lang)} {in_what}."
    elif lang == "vi":
        summary = f"{what.capitalize()}: cao nhất {top_text}, thấp nhất {bottom_text}."
    else:
        summary = f"{what.capitalize()}: highest {top_text}, lowest {bottom_text}."
    if with_target and view.period.is_annual:
        summary += (
            f" {met}/{len(with_target)} đơn vị có chỉ tiêu đã đạt chỉ tiêu."
            if lang == "vi"
            else f" {met} of {len(with_target)} units with a target met it."
        )
    elif with_target:  # judged against progress targets only
        summary += (
            f" {met}/{len(with_target)} đơn vị có chỉ tiêu tiến độ đã đạt chỉ tiêu tiến độ."
            if lang == "vi"
            else f" {met} of {len(with_target)} units with a progress target met it."
        )
    elif not view.period.is_annual and any(b.target is not None for _, _, b in ranked):
        summary += f" {not_judged(view.period, lang).capitalize()}."
    kind = f"ranking_{key}"
    return Chart.of(
        kind,
        lang,
        md_path,
        f"thads-{view.period.year}-{view.period.url_segment(lang)}",
        summary,
        fill(kind, lang, values),
        [
            Column(word("rank_col", lang), True),
            Column(word("unit_col", lang)),
            Column(word("rate_col", lang), True),
            Column(word("target_col", lang), True),
            Column(word("gap_col", lang), True),
        ],
        table,
        bars,
    )


def map_class(rate: float) -> int:
    return sum(1 for b in MAP_BREAKS if rate >= b)


def map_class_label(index: int, lang: Lang) -> str:
    if index == 0:
        return f"< {MAP_BREAKS[0]}%"
    if index == len(MAP_BREAKS):
        return f"≥ {MAP_BREAKS[-1]}%"
    return f"{MAP_BREAKS[index - 1]}–{MAP_BREAKS[index]}%"


def tile_map(view: PeriodView, md_path: str, lang: Lang, units: Sequence[Any]) -> Chart | None:
    """The units of the period's scheme as a tile grid, each tile filled by its rate in cases."""
    # A period where no province reported (a sub-unit's data alone) has nothing to map.
    if view.scheme not in ("pre2025", "post2025") or not units or not view.pages:
        return None
    layout, (columns_n, rows_n) = _layout(view.scheme, units)
    by_id = {p.unit.id: p for p in view.pages}
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    drawn: list[MapTile] = []
    counts: Counter[int] = Counter()
    for unit in sorted(units, key=lambda u: (layout[u.slug].row, layout[u.slug].col)):
        tile = layout[unit.slug]
        page = by_id.get(unit.id)
        block = page.block("cases") if page is not None else None
        rate = block.rate if block is not None else None
        if rate is not None:
            index = map_class(float(rate.point))
            counts[index] += 1
            fill_colour = MAP_FILLS[index]
            klass = map_class_label(index, lang)
        else:
            fill_colour, klass = MAP_MISSING, word("no_data", lang)
        x, y = tile.col * TILE, tile.row * TILE
        short = _short_rate(rate, lang)
        ink = ink_on(fill_colour)
        drawn.append(MapTile(tile.col, tile.row, tile.abbr, short, fill_colour, ink))
        values.append(
            {
                "kind": "tile",
                "unit": unit.name[lang],
                "abbr": tile.abbr,
                "x": x + 1,
                "x2": x + TILE - 1,
                "y": y + 1,
                "y2": y + TILE - 1,
                "cx": x + TILE / 2,
                "fill": fill_colour,
                "ink": ink,
                "short": short,
                "label": _text(rate, lang),
            }
        )
        table.append(
            [
                (unit.name[lang], unit.slug),
                (tile.abbr, tile.abbr),
                (_text(rate, lang), _machine(rate)),
                (klass, klass),
            ]
        )
    key_x = columns_n * TILE + 16
    for index, colour in enumerate(MAP_FILLS):
        top = 20 + index * 24
        values.append(
            {
                "kind": "key",
                "x": key_x,
                "x2": key_x + 18,
                "y": top,
                "y2": top + 18,
                "cy": top + 9,
                "fill": colour,
                "label": map_class_label(index, lang),
            }
        )
    values.append(
        {
            "kind": "key",
            "x": key_x,
            "x2": key_x + 18,
            "y": 20 + 5 * 24,
            "y2": 20 + 5 * 24 + 18,
            "cy": 20 + 5 * 24 + 9,
            "fill": MAP_MISSING,
            "label": word("no_data", lang),
        }
    )
    reported = sum(counts.values())
    if lang == "vi":
        summary = f"{reported}/{len(units)} đơn vị có tỷ lệ thi hành xong về việc"
        detail = [
            f"{counts[i]} đơn vị {map_class_label(i, lang)}" for i in sorted(counts, reverse=True)
        ]
    else:
        summary = f"{reported} of {len(units)} units have a completion rate in cases"
        detail = [
            f"{counts[i]} at {map_class_label(i, lang)}" for i in sorted(counts, reverse=True)
        ]
    summary += (": " + ", ".join(detail) if detail else "") + "."
    spec = fill("map", lang, values, width=columns_n * TILE + 130, height=max(rows_n * TILE, 180))
    key = [(colour, map_class_label(index, lang)) for index, colour in enumerate(MAP_FILLS)]
    key.append((MAP_MISSING, word("no_data", lang)))
    return Chart.of(
        "map",
        lang,
        md_path,
        f"thads-{view.period.year}-{view.period.url_segment(lang)}",
        summary,
        spec,
        [
            Column(word("unit_col", lang)),
            Column(word("abbr_col", lang)),
            Column(word("rate_col", lang), True),
            Column(word("class_col", lang)),
        ],
        table,
        tiles=TileGrid(columns_n, rows_n, drawn, key),
    )


def _layout(scheme: str, units: Sequence[Any]) -> tuple[dict[str, Any], tuple[int, int]]:
    """The tile of each unit: from tiles.yml, or a plain grid when the registry is not ours."""
    from minhbach.render.tiles import Tile, grid_size, tiles

    try:
        known = tiles(scheme)
    except KeyError:
        known = {}
    if all(u.slug in known for u in units):
        return known, grid_size(scheme)
    columns = max(1, round(len(units) ** 0.5))
    ordered = sorted(units, key=lambda u: u.slug)
    layout = {
        u.slug: Tile(i % columns, i // columns, u.slug[:3].upper()) for i, u in enumerate(ordered)
    }
    return layout, (columns, (len(units) + columns - 1) // columns)


TILE_STEP = Decimal("0.1")


def _short_rate(rate: Value | None, lang: Lang) -> str:
    """A tile's figure, to one decimal at most as elsewhere ('90,7%', '92%'): rounding
    90,7% to '91%' made a tile disagree with its own table."""
    if rate is None:
        return "—"
    step = max(rate.step, TILE_STEP)
    return show(Value(rate.point.quantize(step), "percent", step), lang)


INSPECTION_METRICS = ("count", "units", "findings", "recommendations")


def inspections(
    items: Iterable[tuple[str, dict[str, Value | None]]],
    stem: str,
    md_path: str,
    lang: Lang,
) -> Chart | None:
    """Inspections by kind: how many, how many units, findings and recommendations.

    Drawn as HTML bars, a unit's and a period's alike (as an image, a period's was the
    slowest of a national site).
    """
    catalogue = get_catalogue()
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    figures: list[float | None] = []
    sentences: list[str] = []
    for kind_order, (kind, metrics) in enumerate(items):
        kind_label = catalogue.enum_label("kind", kind, lang)
        parts: list[str] = []
        for order, metric in enumerate(INSPECTION_METRICS):
            value = metrics.get(metric)
            label = catalogue.groups["inspection"].fields[metric].label[lang]
            # Bare numbers: these count inspections, units and findings, not cases (việc).
            text = show(value, lang, unit=False) if value is not None else "—"
            table.append([(kind_label, kind), (label, metric), (text, _machine(value))])
            figures.append(_float(value))
            if value is None:
                continue
            values.append(
                {
                    "kind": kind_label,
                    "kind_order": kind_order,
                    "metric": label,
                    "order": order,
                    "value": _float(value),
                    "label": text,
                }
            )
            parts.append(f"{label.lower()} {text}")
        if parts:
            sentences.append(f"{kind_label}: {', '.join(parts)}.")
    if not values:
        return None
    # One scale for every kind, as in the spec (its facets share the x scale).
    bars = [
        BarRow(label, text, share, group=kind_label)
        for ((kind_label, _), (label, _), (text, _)), share in zip(
            table, shares(figures), strict=True
        )
    ]
    return Chart.of(
        "inspections",
        lang,
        md_path,
        f"{stem}",
        " ".join(sentences),
        fill("inspections", lang, values),
        [
            Column(word("kind_col", lang)),
            Column(word("item_col", lang)),
            Column(word("value_col", lang), True),
        ],
        table,
        bars,
    )


def unit_inspections(page: UnitPeriod, md_path: str, lang: Lang) -> Chart | None:
    items = [
        (
            item.kind,
            {
                m: Value.of(getattr(item, m), "count") if getattr(item, m) is not None else None
                for m in INSPECTION_METRICS
            },
        )
        for item in page.dataset.inspections or []
    ]
    return inspections(items, _unit_stem(page, lang), md_path, lang)


def period_inspections(view: PeriodView, md_path: str, lang: Lang) -> Chart | None:
    totals = inspection_totals(view)
    items = [
        (kind, {m: getattr(row, m) for m in INSPECTION_METRICS}) for kind, row in totals.items()
    ]
    stem = f"thads-{view.period.year}-{view.period.url_segment(lang)}"
    return inspections(items, stem, md_path, lang)


def reform(page: UnitPeriod, md_path: str, lang: Lang) -> Chart | None:
    """Each reform initiative of the unit and how far it has gone: planned → done."""
    catalogue = get_catalogue()
    statuses = list(catalogue.enums["reform_status"])
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    bars: list[BarRow] = []
    done: Counter[str] = Counter()
    for order, item in enumerate(page.dataset.reform or []):
        name = catalogue.enum_label("key", item.key, lang)
        status = catalogue.enum_label("reform_status", item.status, lang)
        count = Value.of(item.count, "count") if item.count is not None else None
        step = statuses.index(item.status) + 1
        bars.append(BarRow(name, status, step / len(statuses)))
        values.append(
            {
                "initiative": name,
                "order": order,
                "step": step,
                "label": status,
            }
        )
        table.append(
            [
                (name, item.key),
                (status, item.status),
                (_text(count, lang) if count else "—", _machine(count)),
            ]
        )
        done[status] += 1
    if not values:
        return None
    counts = ", ".join(f"{n} {status.lower()}" for status, n in done.most_common())
    noun = "sáng kiến" if lang == "vi" else ("initiative" if len(values) == 1 else "initiatives")
    summary = f"{len(values)} {noun}: {counts}."
    return Chart.of(
        "reform",
        lang,
        md_path,
        f"{_unit_stem(page, lang)}",
        summary,
        fill("reform", lang, values),
        [
            Column(catalogue.groups["reform"].fields["key"].label[lang]),
            Column(word("status_col", lang)),
            Column(word("count_col", lang), True),
        ],
        table,
        bars,
    )


def period_reform(view: PeriodView, md_path: str, lang: Lang) -> Chart | None:
    """Each reform initiative across the units of a period: the share that have done it.

    Drawn with the unit chart's spec (a bar along the status scale): the bar runs to the
    share of reporting units whose status is the last one ("done"), and the label and the
    table give every status's count of units.
    """
    catalogue = get_catalogue()
    statuses = list(catalogue.enums["reform_status"])
    last = statuses[-1]
    values: list[dict[str, Any]] = []
    table: list[list[tuple[str, str]]] = []
    bars: list[BarRow] = []
    sentences: list[str] = []
    unit_word = "đơn vị" if lang == "vi" else "units"
    for order, (key, counts) in enumerate(reform_totals(view).items()):
        name = catalogue.enum_label("key", key, lang)
        reporting = sum(counts.values())
        done = counts.get(last, 0)
        parts = [
            f"{counts[status]} {catalogue.enum_label('reform_status', status, lang).lower()}"
            for status in reversed(statuses)
            if counts.get(status)
        ]
        done_word = catalogue.enum_label("reform_status", last, lang).lower()
        label = f"{done}/{reporting} {unit_word} {done_word}"
        share = done / reporting
        bars.append(BarRow(name, label, share))
        values.append(
            {"initiative": name, "order": order, "step": share * len(statuses), "label": label}
        )
        table.append(
            [
                (name, key),
                (label, f"{done}/{reporting}"),
                (", ".join(parts), ";".join(f"{s}={counts.get(s, 0)}" for s in statuses)),
            ]
        )
        sentences.append(f"{name}: {reporting} {unit_word} ({', '.join(parts)}).")
    if not values:
        return None
    stem = f"thads-{view.period.year}-{view.period.url_segment(lang)}"
    return Chart.of(
        "reform",
        lang,
        md_path,
        stem,
        " ".join(sentences),
        fill("reform", lang, values),
        [
            Column(catalogue.groups["reform"].fields["key"].label[lang]),
            Column(word("units_col", lang)),
            Column(word("status_col", lang)),
        ],
        table,
        bars,
    )


# --- rendering: cached by content hash, across processes ---


@dataclass
class RenderStats:
    charts: int = 0  # charts drawn as images: each rendered now or found in the cache
    rendered: int = 0
    cached: int = 0
    seconds: float = 0.0
    html: int = 0  # charts drawn in HTML, which have no image to render
    pages_rendered: int = 0  # pages rendered by the templates in this build
    pages_cached: int = 0  # pages taken from the render cache (rendercache)


@dataclass(frozen=True)
class Image:
    """A chart rendered at build time: its SVG and that SVG's size.

    No PNG is made at build time: the live view makes one, at twice the size, from the
    same spec when a reader asks (as it does for the HTML-drawn charts). Rasterising
    took most of vl-convert's time and a third of the reference site's bytes.
    """

    svg: bytes
    width: int
    height: int


def _render_one(job: imageworker.Job) -> bytes:
    """Render one spec to SVG (runs in a worker process)."""
    return imageworker.draw([job])[0]


def _job(chart: Chart) -> imageworker.Job:
    locale = d3_locales(chart.lang)
    return json.dumps(chart.spec, ensure_ascii=False), locale["format"], locale["time"]


def _size(svg: bytes) -> tuple[int, int]:
    head = svg[:400].decode("utf-8", "replace")
    width = head.split('width="', 1)[1].split('"', 1)[0]
    height = head.split('height="', 1)[1].split('"', 1)[0]
    return round(float(width)), round(float(height))


def render_images(
    charts: Sequence[Chart], store: Store | None, worker: imageworker.ImageWorker | None = None
) -> tuple[dict[str, Image], RenderStats]:
    """The SVG of every chart, by chart key: from the cache, or rendered now."""
    return render_images_async(charts, store, worker)()


def render_images_async(
    charts: Sequence[Chart], store: Store | None, worker: imageworker.ImageWorker | None = None
) -> Callable[[], tuple[dict[str, Image], RenderStats]]:
    """Start rendering the charts not in the cache; a function that waits for them and
    gives what `render_images` gives.

    They are rendered by `worker`, the build's chart process, warmed up already, while
    this process goes on, if given; else in this process, when the function is called.
    """
    started = time.perf_counter()
    stats = RenderStats(charts=len(charts))
    unique = {c.key: c for c in charts}
    found: dict[str, bytes] = {}
    todo: list[Chart] = []
    for key, chart in unique.items():
        cached = store.get(SVG, key) if store is not None else None
        if cached is not None:
            found[key] = cached
        else:
            todo.append(chart)
    jobs = [_job(c) for c in todo]
    if worker is not None:
        worker.send(jobs)

    def finish() -> tuple[dict[str, Image], RenderStats]:
        results = worker.receive() if worker is not None else imageworker.draw(jobs)
        for chart, result in zip(todo, results, strict=True):
            found[chart.key] = result
            if store is not None:
                store.put(SVG, chart.key, result)
        stats.rendered = len(todo)
        stats.cached = len(unique) - len(todo)
        stats.seconds = time.perf_counter() - started
        return {key: Image(svg, *_size(svg)) for key, svg in found.items()}, stats

    return finish


SVG = "chart-svg"


@cache
def vega_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed in one script, from vl-convert: served by the site."""
    import vl_convert

    return vl_convert.javascript_bundle().encode("utf-8")  # type: ignore[call-arg]


BUNDLE = "vega-bundle"


def bundle_cached(store: Store | None, worker: imageworker.ImageWorker | None = None) -> bytes:
    """The Vega bundle, kept in the store: making it takes vl-convert about two seconds.

    Made by `worker` if it was asked for it (`ImageWorker.start_bundle`), else here."""
    made = worker.bundle() if worker is not None and worker.bundle_asked else None
    found = store.get(BUNDLE, "js") if store is not None else None
    if found is not None:
        return found
    data = made if made is not None else vega_bundle()
    if store is not None:
        store.put(BUNDLE, "js", data)
    return data


def locale_json(lang: Lang) -> bytes:
    return json.dumps(d3_locales(lang), ensure_ascii=False, indent=1).encode("utf-8")


__all__ = [
    "BarRow",
    "Chart",
    "Column",
    "Image",
    "RenderStats",
    "breakdown",
    "bundle_cached",
    "contrast",
    "d3_locales",
    "locale_json",
    "period_inspections",
    "period_reform",
    "ranking",
    "rate_target",
    "reform",
    "render_images",
    "template",
    "tile_map",
    "trend",
    "unit_inspections",
]
