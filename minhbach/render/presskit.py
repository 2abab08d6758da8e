"""A press kit per press release: one zip a newsroom downloads and works from.

It holds, under one folder (`thads-2024-6m-bo-tai-lieu/`):

- `README.txt`: what the release is, its embargo line, its sources, what each file is;
- the press release as a standalone HTML file (its charts as images beside it, its links
  absolute under `--site-url`, else without addresses) and as plain text;
- each chart of the press release as SVG and as PNG at print resolution
  (`imageworker.PRINT_PPI`), drawn by the build's chart process;
- the release's tables (its key figures, and its ranking where the period has one) as CSV
  (formulas neutralised, `tables.safe_cell`) and together as an Excel workbook (openpyxl;
  text cells are stored as text, so no cell is ever a formula).

Every member is dated at the release's announced time and written in a fixed order, and
the workbook's own properties carry that time too: two builds of the same content make
the same bytes. The kit is made from the press release page as rendered (`GeneratedPage`)
and from the model, so it never says anything the page does not.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import lxml.html
import openpyxl
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from minhbach.check.embargo import VIETNAM, announced, release_time
from minhbach.content.catalogue import Lang, get_catalogue
from minhbach.content.numbers import show, signed
from minhbach.render.charts import Chart
from minhbach.render.generated import GeneratedPage
from minhbach.render.opendata import COLLECTION, RANKING_COLUMNS, csv_bytes, ranking_rows, rounded

if TYPE_CHECKING:
    from minhbach.compute.model import BlockView, PeriodView

#: The kit's name, and its members' names, in each edition.
NAMES: dict[Lang, dict[str, str]] = {
    "vi": {
        "kit": "bo-tai-lieu",
        "text": "thong-cao",
        "charts": "bieu-do",
        "tables": "bang",
        "key": "so-lieu-chinh",
        "ranking": "xep-hang",
        "chart": "bieu-do",
    },
    "en": {
        "kit": "press-kit",
        "text": "press-release",
        "charts": "charts",
        "tables": "tables",
        "key": "key-figures",
        "ranking": "ranking",
        "chart": "chart",
    },
}

_CSS = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:48em;margin:2em auto;"
    "padding:0 1em;color:#1f1f1f;line-height:1.45}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.25em .5em}"
    "td{text-align:right}img{max-width:100%;height:auto}.embargo{font-weight:bold}"
)


def kit_name(view: PeriodView, lang: Lang) -> str:
    """The kit's file name, in the press release's folder: 'thads-2024-6m-bo-tai-lieu.zip'."""
    return f"{_stem(view, lang)}.zip"


def _stem(view: PeriodView, lang: Lang) -> str:
    return f"{COLLECTION}-{view.period.key}-{NAMES[lang]['kit']}"


def kit_charts(view: PeriodView, make: Callable[[str, Any], Chart | None]) -> list[Chart]:
    """The charts the press release shows (press_release.html.j2): the national rate
    against its target, and the ranking in cases."""
    made = [make("rate_target", view.national) if view.national is not None else None]
    made.append(make("ranking_cases", view) if view.ranking else None)
    return [chart for chart in made if chart is not None]


@dataclass(frozen=True)
class DrawnChart:
    """A chart of the kit with its images."""

    chart: Chart
    svg: bytes
    png: bytes


def embargo_line(view: PeriodView, lang: Lang, t: Callable[..., str]) -> str:
    """'Cấm công bố trước 09:00, 20/10/2025 (UTC+07:00)' for a release still to come (a
    preview's), else when it was released."""
    assert view.release is not None
    when = announced(release_time(view.release.publish_at), lang)
    if view.release.status == "published":
        return f"{t('press_released_at')}: {when}. {t('kit_no_embargo')}"
    return f"{t('press_embargoed').upper()} {when}"


def press_kit(
    view: PeriodView,
    lang: Lang,
    t: Callable[..., str],
    page: GeneratedPage,
    drawn: Sequence[DrawnChart],
    address: str | None,
) -> bytes:
    """The kit's zip. `address`: the press release's public address (links in the kit's
    HTML are made absolute from it), or None (they keep their text, without address)."""
    assert view.release is not None
    names = NAMES[lang]
    top = _stem(view, lang)
    embargo = embargo_line(view, lang, t)
    tables = _tables(view, lang, t)
    body = _standalone(page, drawn, address, names["charts"])
    standalone = lxml.html.tostring(body, encoding="unicode")
    document = (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(page.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<p class="embargo">{html.escape(embargo)}</p>\n{standalone}\n</body>\n</html>\n'
    )
    text = f"{embargo}\n\n{plain_text(body)}"
    members: list[tuple[str, bytes]] = [
        (f"{top}/README.txt", _readme(view, lang, t, page, drawn, tables, address).encode()),
        (f"{top}/{names['text']}.html", document.encode("utf-8")),
        (f"{top}/{names['text']}.txt", text.encode("utf-8")),
    ]
    for item in drawn:
        stem = f"{top}/{names['charts']}/{item.chart.stem}"
        members += [(f"{stem}.svg", item.svg), (f"{stem}.png", item.png)]
    when = release_time(view.release.publish_at)
    for name, header, rows, _ in tables:
        members.append((f"{top}/{names['tables']}/{name}.csv", csv_bytes(rows, header)))
    members.append((f"{top}/{names['tables']}/{top}.xlsx", workbook(tables, when, page.title)))
    return stable_zip(members, when)


# --- the tables ---

#: A table of the kit: its file name, header, rows, and which columns are numbers.
Table = tuple[str, list[str], list[list[str]], frozenset[int]]


def _tables(view: PeriodView, lang: Lang, t: Callable[..., str]) -> list[Table]:
    names = NAMES[lang]
    tables = [(names["key"], *key_figures(view, lang, t), frozenset({3}))]
    if view.ranking:
        rows = [[str(row[key]) for key in RANKING_COLUMNS] for row in ranking_rows(view)]
        numeric = frozenset(
            i
            for i, key in enumerate(RANKING_COLUMNS)
            if key.startswith(("rank", "rate", "target_", "gap"))
            and not key.startswith("target_kind")
        )
        tables.append((names["ranking"], list(RANKING_COLUMNS), rows, numeric))
    return tables


_UNITS = {
    "count": "unit_cases",
    "money": "unit_money",
    "percent": "unit_percent",
    "points": "unit_points",
}


def key_figures(
    view: PeriodView, lang: Lang, t: Callable[..., str]
) -> tuple[list[str], list[list[str]]]:
    """The press release's key figures, one row per indicator and block: the national
    dataset's, else the units' totals (computed); each value exact, as shown, and whether
    the source published it or the site computed it."""
    if view.national is not None:
        blocks: dict[str, BlockView] = dict(view.national.blocks)
    else:
        blocks = dict(view.totals.blocks) if view.totals is not None else {}
    keys = ("kit_block", "press_indicator", "kit_field", "kit_value", "kit_unit")
    header = [t(k) for k in (*keys, "kit_as_shown", "kit_origin", "vs_last_year")]
    fields = get_catalogue().groups["results"].fields
    rows: list[list[str]] = []
    for key in ("cases", "money"):
        block = blocks.get(key)
        if block is None:
            continue
        label = t("in_cases") if key == "cases" else t("in_money")
        for field in ("enforceable", "completed", "rate"):
            value = block.get(field)
            change = block.changes.get(field)
            name = fields[field].label[lang]
            row = _row(label, name, f"{key}.{field}", value, lang, t)
            rows.append([*row, _change(change, lang, t)])
        target = block.target
        value = target.value if target is not None else None
        assigned = target is not None and target.origin != "dataset"
        row = _row(label, t("target"), f"{key}.target", value, lang, t, derived=assigned)
        rows.append([*row, ""])
        rows.append([*_row(label, t("gap"), f"{key}.target_gap", block.gap, lang, t), ""])
    return header, rows


def _row(
    block: str,
    label: str,
    key: str,
    value: Any,
    lang: Lang,
    t: Callable[..., str],
    derived: bool = False,
) -> list[str]:
    if value is None:
        return [block, label, key, "", "", "—", ""]
    origin = t("kit_published") if value.figure is not None and not derived else t("computed")
    if derived and value.figure is not None:
        origin = t("kit_on_record")
    return [block, label, key, rounded(value), t(_UNITS[value.measure]), show(value, lang), origin]


def _change(change: Any, lang: Lang, t: Callable[..., str]) -> str:
    if change is None:
        return ""
    parts = [
        signed(value, lang)
        for value in (change.absolute, change.percent, change.points)
        if value is not None
    ]
    source = (
        t("kit_published")
        if change.published is not None or change.basis == "published"
        else t("computed")
    )
    return f"{'; '.join(parts)} ({source})" if parts else ""


def workbook(tables: Sequence[Table], when: dt.datetime, title: str) -> bytes:
    """The tables as one Excel workbook, a sheet each: numbers as numbers, every text as
    text (never a formula), the header bold and frozen; dated `when`."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, header, rows, numeric in tables:
        sheet = book.create_sheet(name[:31])
        for column, text in enumerate(header, 1):
            cell = sheet.cell(1, column)
            cell.value, cell.data_type, cell.font = text, "s", bold
        for line, row in enumerate(rows, 2):
            for column, text in enumerate(row, 1):
                cell = sheet.cell(line, column)
                if column - 1 in numeric and text:
                    cell.value = Decimal(text)
                else:
                    cell.value = text
                    cell.data_type = "s"  # "=1+1" stays text
        sheet.freeze_panes = "A2"
    stamp = when.astimezone(dt.UTC).replace(tzinfo=None)
    book.properties.title, book.properties.creator = title, "Minh Bạch"
    book.properties.created = stamp
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        writer = ExcelWriter(book, archive)
        book.properties.modified = stamp  # `save_workbook` would set it to now
        writer.save()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as made:
        members = [(info.filename, made.read(info)) for info in made.infolist()]
    return stable_zip(members, when)


def stable_zip(members: Iterable[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip of `members` in their order, each dated `when` (Vietnam's time): the same
    members make the same bytes."""
    local = when.astimezone(VIETNAM)
    stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            packed = name.endswith((".png", ".xlsx"))
            info.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data)
    return buffer.getvalue()


# --- the text ---


def _classed(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def _standalone(
    page: GeneratedPage, drawn: Sequence[DrawnChart], address: str | None, charts_dir: str
) -> Any:
    """The press release's body for the kit: charts as the kit's images, no permalinks,
    links absolute under `address` or without an address."""
    body = lxml.html.fragment_fromstring(page.body, create_parent="div")
    for link in body.xpath(f"//a[{_classed('headerlink')}]"):
        link.drop_tree()
    by_stem = {item.chart.stem: item for item in drawn}
    for figure in body.xpath(f"//figure[{_classed('mb-chart')}]"):
        item = by_stem.get(figure.get("id", ""))
        for view in figure.xpath(f".//div[{_classed('mb-chart__view')}]"):
            if item is None:
                view.drop_tree()
                continue
            image = lxml.html.Element("img", src=f"{charts_dir}/{item.chart.stem}.svg", alt="")
            view.getparent().replace(view, image)
        for downloads in figure.xpath(f".//p[{_classed('mb-chart__downloads')}]"):
            downloads.drop_tree()
    if address is not None:
        body.make_links_absolute(address, resolve_base_href=False)
    else:
        for link in body.xpath("//a[@href]"):
            if not link.get("href", "").startswith("#"):
                del link.attrib["href"]
                link.attrib.pop("download", None)
    return body


_BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "tr", "caption", "figcaption"}


def plain_text(body: Any) -> str:
    """The body as plain text: a line per paragraph, list item and table row (cells
    separated by ' | '), headings underlined."""
    lines: list[str] = []
    for element in body.iter():
        if element.tag not in _BLOCKS or any(a.tag in _BLOCKS for a in element.iterancestors()):
            continue
        if element.tag == "tr":
            cells = [
                " ".join(cell.text_content().split())
                for cell in element
                if cell.tag in ("td", "th")
            ]
            lines.append(" | ".join(cells))
            continue
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if element.tag in ("h1", "h2", "h3", "h4"):
            lines += ["", text, ("=" if element.tag == "h1" else "-") * len(text)]
        elif element.tag == "li":
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return "\n".join(lines).strip() + "\n"


def _readme(
    view: PeriodView,
    lang: Lang,
    t: Callable[..., str],
    page: GeneratedPage,
    drawn: Sequence[DrawnChart],
    tables: Sequence[Table],
    address: str | None,
) -> str:
    names = NAMES[lang]
    lines = [page.title, "=" * len(page.title), "", embargo_line(view, lang, t), ""]
    if address is not None:
        lines += [f"{t('kit_address')}: {address}", ""]
    sources = [p.dataset.main_source for p in ([view.national] if view.national else view.pages)]
    lines.append(f"{t('press_sources')}:")
    for source in dict.fromkeys(
        ", ".join(x for x in (s.title, s.publisher, s.date.isoformat() if s.date else None) if x)
        for s in sources
    ):
        lines.append(f"- {source}")
    lines += ["", f"{t('kit_files')}:"]
    lines.append(f"- {names['text']}.html, {names['text']}.txt: {t('kit_text')}")
    for item in drawn:
        lines.append(f"- {names['charts']}/{item.chart.stem}.svg, .png: {item.chart.title}")
    for name, *_ in tables:
        lines.append(f"- {names['tables']}/{name}.csv")
    lines.append(f"- {names['tables']}/{_stem(view, lang)}.xlsx: {t('kit_workbook')}")
    lines += ["", t("kit_origin_note"), ""]
    return "\n".join(lines)


def image_path(press_page: str, view: PeriodView, lang: Lang) -> str:
    """The path in its edition of the release's first chart as PNG, beside its press
    release: the image a shared link to the release shows (`og:image`)."""
    name = f"{COLLECTION}-{view.period.key}-{NAMES[lang]['chart']}.png"
    return posixpath.join(posixpath.dirname(press_page), name)


def kit_path(press_page: str, view: PeriodView, lang: Lang) -> str:
    """The kit's path in its edition: beside the press release (`Urls.press`)."""
    return posixpath.join(posixpath.dirname(press_page), kit_name(view, lang))
