"""Stage 4, render: fill the page templates from the site model into `reports/`.

Each edition (Vietnamese at the site root, English under /en/) gets its pages from the
same templates in `site_templates/pages/`, which write HTML. Each page is a
`generated.GeneratedPage` (title and description as plain text, its body, the headings
of its table of contents, and the HTML the search index reads), written as JSON at
`reports/pages/<lang>/<path>.json` (`generated.page_file`); the site stage gives it to
the theme without running Markdown over it or parsing it. The editors' pages stay
Markdown, in `reports/<lang>/`, for MkDocs; every other file (charts, open data,
archives) goes to `reports/files/`, laid out as the published site.

Invariants of a generated page: every heading comes from `heading()` (its id unique in
the page, as MkDocs' toc extension made them); every link to a page names a page of
the edition (`link()` refuses any other: a generator bug); its search text is the body
rendered again without what search skips (`skipped_by_search`), with the same headings.
Files are written only when their bytes changed and stale ones are removed
(`tree.TreeWriter`), so an unchanged page keeps its timestamp and later stages can skip it.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
import tempfile
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import jinja2
import markdown
import nh3
import yaml
from markdown.extensions.toc import slugify, unique

from minhbach.check.checked import dataset_figures
from minhbach.check.embargo import VIETNAM
from minhbach.check.revisions import Revised
from minhbach.check.validate import display_path, read_archive
from minhbach.compute.model import (
    BlockView,
    Change,
    Combined,
    PeriodView,
    RankRow,
    SiteModel,
    UnitHistory,
    UnitPeriod,
    Value,
    inspection_totals,
    name_key,
    reform_by_unit,
    reform_over_periods,
    reform_totals,
)
from minhbach.content.boundary import ContentFolder, ContentPathError, name_problem
from minhbach.content.catalogue import Lang, get_catalogue
from minhbach.content.editorial import pages_of, press_texts, published
from minhbach.content.figures import Figure
from minhbach.content.models import FLAT_GROUPS, SUBAGGREGATES, Source, SubUnit, UnitEntry
from minhbach.content.numbers import day_text, margin, number, show, signed, with_sign
from minhbach.content.periods import Period
from minhbach.layout import ASSETS, DATA_DIR, PAGES_DIR, SECTIONS, SOURCES_MANIFEST
from minhbach.machinery.cache import JinjaCode, Store
from minhbach.machinery.cache import key as digest_of
from minhbach.machinery.processes import FORK_ABOVE, fork_map
from minhbach.machinery.tree import TreeWriter, WriteStats, read_tree, write_tree
from minhbach.problems import Severity, UserError
from minhbach.render import charts, imageworker, presskit
from minhbach.render.contexts import (
    PAGE_TYPES,
    HistoryPage,
    HomePage,
    MethodologyPage,
    OpenDataPage,
    Page,
    PeriodPage,
    PeriodsPage,
    PressReleasePage,
    RevisionsPage,
    SearchPage,
    UnitPeriodPage,
    UnitsPage,
    values,
)
from minhbach.render.feeds import CALENDAR, FEED, feed_files, page_address
from minhbach.render.generated import GeneratedPage, Heading, page_file, page_path
from minhbach.render.imageworker import ImageWorker
from minhbach.render.opendata import (
    COLUMNS,
    data_files,
    page_file_stem,
    period_file_stem,
    ranking_file,
)
from minhbach.render.reads import Reads, RecordingEnvironment
from minhbach.render.rendercache import ChartMemo, Entry, RenderCache, Sources

TEMPLATES = Path(__file__).resolve().parents[2] / "site_templates"
LANGS: tuple[Lang, ...] = ("vi", "en")
NAV_KEYS = ("home", "periods", "units", "methodology", "open_data", "about")
#: Sections of the nav that editors write (content/pages/<lang>/), not the render stage.
EDITORIAL_SECTIONS = ("about",)


@dataclass(frozen=True)
class Urls:
    """Where each page lives in one edition, by its page path as MkDocs names a page
    ("2024/6-thang/index.md", published at 2024/6-thang/)."""

    lang: Lang

    def home(self) -> str:
        return "index.md"

    def section(self, key: str) -> str:
        return f"{SECTIONS[key][self.lang]}/index.md"

    def period(self, period: Period) -> str:
        return f"{period.year}/{period.url_segment(self.lang)}/index.md"

    def unit_period(self, page: UnitPeriod) -> str:
        return f"{page.period.year}/{page.period.url_segment(self.lang)}/{page.unit.slug}/index.md"

    def history(self, slug: str) -> str:
        return f"{SECTIONS['units'][self.lang]}/{slug}/index.md"

    def press(self, period: Period) -> str:
        """A release's press release: 'thong-cao/2024-6-thang/', 'press-releases/2024-6-months/'."""
        return (
            f"{SECTIONS['press'][self.lang]}/{period.year}-{period.url_segment(self.lang)}/index.md"
        )

    def site_url(self, md_path: str) -> str:
        """The built URL of a page, from the site root: 'en/2016/full-year/'."""
        prefix = "" if self.lang == "vi" else "en/"
        folder = posixpath.dirname(md_path)
        return prefix + (f"{folder}/" if folder else "")

    def nav(self, strings: Strings, editorial: Container[str] = ()) -> list[dict[str, str]]:
        """The small nav; an editors' section ("about") only if `editorial` has its page."""
        return [
            {strings.get(key, self.lang): self.home() if key == "home" else self.section(key)}
            for key in NAV_KEYS
            # The about page is an editor's: a content folder without one still builds.
            if key not in EDITORIAL_SECTIONS or self.section(key) in editorial
        ]


class Strings:
    """The template words of `site_templates/strings.yml`, in both languages."""

    def __init__(self, path: Path = TEMPLATES / "strings.yml") -> None:
        with path.open(encoding="utf-8") as stream:
            self.table: dict[str, dict[str, str]] = yaml.load(stream, Loader=yaml.CSafeLoader)

    def get(self, key: str, lang: Lang, **values: object) -> str:
        text = self.table[key][lang]
        return text.format(**values) if values else text


# --- escaping ---


_LINE_BREAK = re.compile(r"\r\n?|\n|[\x85\u2028\u2029]")


def html_escape(text: object) -> str:
    """Escape a data string for HTML text or a quoted attribute, on one line.

    Line breaks are character references: the same text to the reader, and a page's
    blocks stay one a line (its golden file is read as a diff).
    """
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\r", "&#13;").replace("\n", "&#10;")


_NARRATIVE_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "a", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "code",
}  # fmt: skip


def narrative_html(text: str) -> str:
    """Editor Markdown to sanitised HTML: no scripts, styles, images or event handlers.

    On lines none of which is blank, whatever the editor wrote: a line break after
    another one is written as a character reference, so that a page's blocks are never
    broken by a blank line (what the site stage once read as the end of a block).
    """
    rendered = _narrative_markdown().reset().convert(text)
    cleaned = nh3.clean(
        rendered,
        tags=_NARRATIVE_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return _BLANK_LINE.sub(lambda match: match[1] + "&#10;" * match[2].count("\n"), cleaned)


# A line break, and the blank lines after it (with any spaces or tabs on them).
_BLANK_LINE = re.compile(r"(\n)((?:[ \t]*\n)+)")


@functools.cache
def _narrative_markdown() -> markdown.Markdown:
    """One Markdown converter for the narratives, reset for each: making one per page
    (what `markdown.markdown` does) costs as much as converting the narrative."""
    return markdown.Markdown(extensions=["tables"], output_format="html")


# --- the stage ---


#: What every page template reads besides the renderer's globals (`Renderer.env.globals`)
#: and its page type's own values (`PAGE_CONTEXTS`): the page, and the page's helpers.
PAGE_NAMES = ("doc", "link", "href", "chart", "has_chart", "heading")

#: The values each page template is given (`contexts`): a template reads no other name
#: than these, `PAGE_NAMES` and the globals (tests/test_templates.py).
PAGE_CONTEXTS: dict[str, tuple[str, ...]] = {
    kind.template: tuple(f.name for f in fields(kind)) for kind in PAGE_TYPES
}


def get_pages(model: SiteModel, lang: Lang, strings: Strings) -> list[Page]:
    """Every page of one edition."""
    urls = Urls(lang)
    t = functools.partial(strings.get, lang=lang)
    pages = [
        Page(urls.home(), t("site_name"), HomePage(model)),
        Page(urls.section("periods"), t("periods"), PeriodsPage(model.periods)),
        Page(urls.section("units"), t("units"), UnitsPage(model.histories)),
        Page(urls.section("methodology"), t("methodology"), MethodologyPage(model)),
        Page(urls.section("open_data"), t("open_data"), OpenDataPage(model, COLUMNS)),
        Page(urls.section("revisions"), t("revisions"), RevisionsPage(model)),
        Page(urls.section("search"), t("search_title"), SearchPage()),
    ]
    # A preview (nothing withheld, `Content.published_at` None) has the press releases of
    # the releases still to come too.
    preview = model.content.published_at is None
    texts = press_texts(model.content.root)
    for view in model.periods:
        title = f"{t('results_title')} {view.period.name(lang)}"
        pages.append(Page(urls.period(view.period), title, PeriodPage(view)))
        if view.release is not None and (preview or view.release.status == "published"):
            pages.append(
                Page(
                    urls.press(view.period),
                    f"{t('press_release')}: {title}",
                    PressReleasePage(view, texts.get((lang, view.period.key))),
                    describe=functools.partial(_press_description, view, lang, strings),
                )
            )
        for page in view.every_page:
            title = f"{page.unit.name[lang]}: {page.period.name(lang)}"
            pages.append(
                Page(
                    urls.unit_period(page),
                    title,
                    UnitPeriodPage(page, _previous_page(model, page)),
                    describe=functools.partial(headline_sentence, page, lang, strings),
                )
            )
    for history in model.histories:
        pages.append(
            Page(urls.history(history.slug), history.current.name[lang], HistoryPage(history))
        )
    return pages


def _press_description(view: PeriodView, lang: Lang, strings: Strings) -> str:
    """A press release's description: the national headline, else the period's units."""
    if view.national is not None:
        said = headline_sentence(view.national, lang, strings)
        if said:
            return said
    t = functools.partial(strings.get, lang=lang)
    return (
        f"{t('results_title')} {view.period.name(lang)}: {len(view.pages)} "
        f"{t('of_units', total=view.expected)} {t('units_reporting')}."
    )


def page_sources(model: SiteModel, page: Page) -> list[str]:
    """The content files a generated page is made from, as the check names them: a unit
    page's dataset, a history's or a period's datasets; the content folder for the pages
    made from all of it (the home page, the lists, the methodology, the open data)."""
    context = page.context
    if isinstance(context, UnitPeriodPage):
        made_from = [context.page]
    elif isinstance(context, HistoryPage):
        history = context.history
        made_from = [*history.predecessor_pages, *history.pages]
    elif isinstance(context, PeriodPage | PressReleasePage):
        view = context.view
        made_from = [*([view.national] if view.national else []), *view.pages]
    else:
        return [f"{display_path(model.content.root)}/"]
    return sorted({unit.checked.src_path for unit in made_from})


def sources_manifest(model: SiteModel, editions: Mapping[Lang, list[Page]]) -> bytes:
    """`SOURCES_MANIFEST`: every generated page of the editions, by its file in `reports/`
    (`page_file`), with its content files."""
    sources = {
        page_file(lang, page.path): page_sources(model, page)
        for lang, pages in editions.items()
        for page in pages
    }
    return json.dumps(sources, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")


def _previous_page(model: SiteModel, page: UnitPeriod) -> UnitPeriod | None:
    return model.page_of(page.unit.id, page.period.same_period_previous_year())


def has_quotes(page: UnitPeriod) -> bool:
    """Whether any figure of a page's dataset carries its source sentence (a tooltip)."""
    return page.checked.summary.quoted


def has_cards(page: UnitPeriod) -> bool:
    """Whether a unit page has a headline card: a rate or a completed figure, cases or money."""
    for key in ("cases", "money"):
        block = page.block(key)
        if block is not None and (block.rate is not None or block.get("completed") is not None):
            return True
    return False


def blocks_have_quotes(blocks: Any) -> bool:
    """Whether any value of these blocks (None skipped) carries its source sentence."""
    for block in blocks:
        if block is None:
            continue
        values = [block.rate, block.target.value if block.target else None]
        for value in [*values, *block.fields.values()]:
            if value is not None and value.figure is not None and value.figure.quote:
                return True
    return False


def headline_sentence(page: UnitPeriod, lang: Lang, strings: Strings) -> str:
    """The headline rates in one sentence: 'Quảng Trị đạt 92% về việc, vượt chỉ tiêu 18 điểm %'."""
    parts: list[str] = []
    for key in ("cases", "money"):
        block = page.block(key)
        if block is None or block.rate is None:
            continue
        what = strings.get(f"what_{key}", lang)
        text = (
            f"{show(block.rate, lang)} {what}"
            if lang == "vi"
            else f"{show(block.rate, lang)} in {what}"
        )
        if block.gap is not None:
            progress = block.target is not None and block.target.kind == "progress"
            text += f", {margin(block.gap, lang, progress=progress)}"
        parts.append(text)
    if not parts:
        return ""
    name = page.unit.name[lang]
    verb = "đạt" if lang == "vi" else "completed"
    joined = "; ".join(parts)
    return f"{name} {verb} {joined}."


# The figures a history table shows, per results block.
HISTORY_FIGURES = ("rate", "completed")


def history_shown(blocks: Mapping[str, BlockView]) -> bool:
    """Whether a period has any figure a history table shows (a rate, a gap, completed).

    A dataset with only other figures (accepted, new cases) would be a row of "—": it is
    listed under the table instead, linking to its page."""
    for key in ("cases", "money"):
        view = blocks.get(key)
        if view is not None and (
            view.gap is not None or any(view.get(f) is not None for f in HISTORY_FIGURES)
        ):
            return True
    return False


class Renderer:
    """Renders the pages of one edition from the templates."""

    def __init__(
        self, model: SiteModel, lang: Lang, strings: Strings, store: Store | None = None
    ) -> None:
        self.model = model
        self.lang = lang
        self.strings = strings
        self.urls = Urls(lang)
        # A string of this edition by key (with its values): for templates and Python alike.
        self.t: Callable[..., str] = functools.partial(strings.get, lang=lang)
        self.catalogue = get_catalogue()
        # The charts of periods and histories, by kind and subject: each is shown by more
        # than one page (a period's map on the home page, a trend on every unit page).
        self._made: dict[tuple[str, str], charts.Chart | None] = {}
        self._trends: dict[tuple[str, int], charts.Chart] = {}
        #: The width and height of each chart drawn as an image, by key, once drawn.
        self.image_sizes: dict[str, tuple[int, int]] = {}
        self.page_charts: list[charts.Chart] | None = None  # the charts of the page rendering
        self.last_reads: frozenset[str] = frozenset()  # what the last page read (`reads`)
        # Notes what each page reads of the model, for the render cache (`reads`).
        self.env = RecordingEnvironment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # data strings are escaped explicitly (`h`), text and attribute
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A renderer lives for one build, during which the templates do not change:
            # no need to ask the system whether they did, at every include of every page.
            auto_reload=False,
            # Compiled templates kept by their source's hash: a rebuild in which only a
            # few pages change would otherwise spend much of its time compiling them.
            bytecode_cache=JinjaCode(store) if store is not None else None,
        )
        self.env.tests["history_shown"] = history_shown
        self.env.filters.update(
            h=html_escape,
            show=lambda v, unit=True: show(v, lang, unit),
            signed=lambda v, unit=True: signed(v, lang, unit),
            margin=lambda v, short=False: margin(v, lang, short),
            num=lambda v, decimals=None: number(v, lang, decimals),
            date=self.date,
            narrative=narrative_html,
            plusminus=lambda v: with_sign(v, lang),
            scheme_label=self.scheme_label,
        )
        self.env.globals.update(
            t=self.t,
            lang=lang,
            urls=self.urls,
            catalogue=self.catalogue,
            label=self.label,
            enum_label=lambda enum, value: self.catalogue.enum_label(enum, value, lang),
            sort_value=sort_value,
            data_stem=page_file_stem,
            period_stem=period_file_stem,
            ranking_file=ranking_file,
            headline=lambda page: headline_sentence(page, lang, strings),
            results_rows=results_rows,
            DATA_DIR=DATA_DIR,
            archive_path=archive_path,
            change_text=self.change_text,
            value_of=Value.of,
            subaggregate_groups=lambda page: [
                g for g in SUBAGGREGATES if any(k.startswith(f"{g}.") for k in page.blocks)
            ],
            missing_units=self.missing_units,
            inspection_totals=inspection_totals,
            reform_totals=reform_totals,
            reform_by_unit=reform_by_unit,
            reform_over_periods=reform_over_periods,
            parse_period=Period.parse,
            has_period=lambda period: any(v.period == period for v in model.periods),
            region_name=lambda key: model.registry.regions[key][lang],
            merged_from=lambda unit: [u.name[lang] for u in model.registry.predecessors(unit)],
            scheme_count=lambda scheme: len(model.registry.in_scheme(scheme)),
            predecessor_links=self.predecessor_links,
            subunit_line=self.subunit_line,
            validity=self.validity,
            parent_of=lambda unit: model.registry.parent(unit),
            history_rows=self.history_rows,
            flat_groups=list(FLAT_GROUPS),
            by_length=self.by_length,
            combined_rows=self.combined_rows,
            targets=self.targets,
            sources=self.sources,
            history_of=lambda page: model.history(page.unit.slug),
            cell=self.cell,
            revised_label=self.revised_label,
            revised_value=self.revised_value,
            revision_reason=self.revision_reason,
            results_table=self.results_table,
            gap_cell=self.gap_cell,
            target_value_cell=self.target_cell,
            target_label=lambda target: charts.target_label(target, lang),
            not_judged=lambda period: charts.not_judged(period, lang),
        )
        self.env.globals.update(
            footnotes=self.footnotes,
            has_quotes=has_quotes,
            blocks_have_quotes=blocks_have_quotes,
            history_quotes=lambda history: any(
                blocks_have_quotes(page.blocks.values()) for page in history.pages
            ),
            source_text=self.source_text,
            skipped_by_search=self.skipped_by_search,
            has_cards=has_cards,
            # Whether the edition has a page (the press release of a period, say).
            exists=lambda path: path in self.pages(),
            feed_file=FEED,
            press_kit_name=lambda view: presskit.kit_name(view, lang),
            calendar_file=CALENDAR[lang],
            leading_units=leading_units,
        )
        self.permalink_title = html_escape(self.t("permalink_title"))
        # Rendering for the search index (`render`'s second pass): what search skips is
        # left out, with no side effect (no chart made, no note numbered).
        # The pages of the edition, which a generated link must name (`render`): by
        # default the generated ones (`get_pages`); the stage adds the editors'.
        self.page_paths: frozenset[str] | None = None
        self._computed_mark = (
            f'<abbr class="mb-computed" title="{strings.get("computed", lang)}">*</abbr>'
        )
        # Notes beside the figures of the unit page being rendered (`begin_notes`): by the
        # figure's identity (each cell of a figure holds the same object), its texts.
        self._notes: dict[int, list[str]] = {}
        self._note_numbers: dict[int, int] = {}
        self._pending_notes: list[tuple[int, list[str]]] = []
        # The figures of that page revised since their release (by identity, as notes).
        self._revised: set[int] = set()
        self._revised_mark = (
            f' <span class="mb-revised">{html_escape(self.t("revised_mark"))}</span>'
        )

    def revision_note(self, revised: Revised) -> str:
        """What a revised figure's note says: when and why, and its value as released."""
        released = revised.released_at.astimezone(VIETNAM).date()
        return self.t(
            "figure_revised",
            date=self.date(revised.date),
            reason=self.revision_reason(revised),
            released=self.date(released),
            before=self.revised_value(revised.before, revised.measure),
        )

    def revision_reason(self, revised: Revised) -> str:
        return self.t("revised_final") if revised.is_final else revised.reason

    def revised_value(self, figure: Figure | None, measure: str) -> str:
        """A figure as released or as it is now, as the pages show it; '—' for none."""
        if figure is None:
            return "—"
        return show(Value.of(figure, measure), self.lang)  # type: ignore[arg-type]

    def revised_label(self, revised: Revised) -> str:
        """The figure a revision changed, in words: its field's label and its block."""
        loc: tuple[str | int, ...] = revised.loc or tuple(
            part for part in revised.field.split(".") if "[" not in part
        )
        found = self.catalogue.field_at(loc)
        label = found.label[self.lang] if found is not None else revised.field
        top = str(loc[0]) if loc else ""
        if top in ("cases", "money"):
            return f"{label} ({self.t('in_cases' if top == 'cases' else 'in_money').lower()})"
        block = self.catalogue.groups["dataset"].fields.get(top)
        return f"{label} ({block.label[self.lang].lower()})" if block is not None and top else label

    def begin_notes(self, page: UnitPeriod | None) -> None:
        """Collect the notes of a unit page's figures: the dataset's own (`note:`), and the
        check's warnings on them (acknowledged ones with their reason)."""
        self._notes, self._note_numbers, self._pending_notes = {}, {}, []
        self._revised = set()
        if page is None or not (page.flags or page.revised or page.checked.summary.noted):
            return
        figures = dict(dataset_figures(page.dataset))
        for revised in page.revised:
            shown = figures.get(revised.loc) if revised.loc else None
            if shown is not None:
                self._revised.add(id(shown))
                self._notes.setdefault(id(shown), []).append(self.revision_note(revised))
        for figure in figures.values():
            if figure.note:
                self._notes.setdefault(id(figure), []).append(figure.note)
        for problem in page.flags:
            flagged = figures.get(problem.loc) if problem.loc else None
            if flagged is None:
                continue
            rule = self.rule_text(problem.rule)
            if problem.severity is Severity.ACKNOWLEDGED:
                text = self.t("figure_acknowledged", rule=rule, reason=problem.reason or "")
            elif problem.rule == "published_change":
                continue  # the change cell shows both changes, with `change_differs`
            else:
                text = self.t("figure_mismatch", rule=rule)
            self._notes.setdefault(id(flagged), []).append(text)

    def rule_text(self, rule: str) -> str:
        """What a check's rule says, in this edition's language."""
        catalogue = self.catalogue
        for identity in catalogue.identities:
            if identity.id == rule:
                return identity.text[self.lang]
        for check in catalogue.cross_checks:
            if check.id == rule:
                return check.text[self.lang]
        key = f"rule_{rule}"
        return self.t(key) if key in self.strings.table else rule

    def note_mark(self, key: int, texts: list[str] | None = None) -> str:
        """The reference to a note beside a figure (by `key`), numbered on first use."""
        number = self._note_numbers.get(key)
        if number is None:
            found = texts if texts is not None else self._notes.get(key)
            if not found:
                return ""
            number = self._note_numbers[key] = len(self._note_numbers) + 1
            self._pending_notes.append((number, found))
        return (
            f'<sup class="mb-note-ref"><a href="#mb-note-{number}" '
            f'title="{html_escape("; ".join(self._notes.get(key) or texts or []))}">'
            f"{number}</a></sup>"
        )

    def footnotes(self) -> str:
        """The notes referred to since the last call, as a list after a table ('' if none)."""
        if not self._pending_notes:
            return ""
        items = "".join(
            f'<li id="mb-note-{number}" value="{number}">{html_escape("; ".join(texts))}</li>'
            for number, texts in self._pending_notes
        )
        self._pending_notes = []
        return (
            '\n<div class="mb-figure-notes" data-pagefind-ignore>'
            f"<p>{html_escape(self.t('figure_notes'))}:</p>"
            f"<ol>{items}</ol></div>"
        )

    def source_text(self, source: Source) -> str:
        """A source in one line of HTML: title, publisher, date (only those given)."""
        parts = []
        if source.title:
            parts.append(f"<cite>{html_escape(source.title)}</cite>")
        if source.publisher:
            parts.append(html_escape(source.publisher))
        if source.date:
            parts.append(html_escape(self.date(source.date)))
        return ", ".join(parts)

    def cell(self, value: Value | None, unit: bool = True, sortable: bool = True) -> str:
        """A value's table cell: its source sentence as a tooltip, '—' when missing.

        In a sortable table the cell carries its machine value (`data-sort`); elsewhere
        it would only weigh the page down (3 KB of a unit page).
        """
        if value is None:
            return _MISSING_CELL[sortable]
        figure = value.figure
        quote = figure.quote if figure else None
        title = f' title="{html_escape(quote)}"{_QUOTED}' if quote else ""
        mark = "" if figure is not None else self._computed_mark
        if self._notes and figure is not None and id(figure) in self._notes:
            if id(figure) in self._revised:
                mark += self._revised_mark
            mark += self.note_mark(id(figure))
        shown = html_escape(show(value, self.lang, unit))
        sort = f' data-sort="{sort_value(value)}"' if sortable else ""
        return f"<td{sort}{title}>{shown}{mark}</td>"

    def results_table(
        self,
        blocks: list[BlockView | None],
        caption: str,
        table_id: str = "",
        definitions: bool = True,
    ) -> str:
        """A cases-and-money table: one row per indicator any block reports, each block's
        value and its change on last year; the computed rate, the target and the gap.

        In Python, not a template: a unit page has four of them, the bulk of its
        rendering (docs/performance.md). Search does not index it (`data-pagefind-ignore`).
        """
        t = self.t
        present = [block for block in blocks if block]
        with_changes = any(block.changes for block in present)
        fields = self.catalogue.groups["results"].fields
        blank = "<td></td>" if with_changes else ""
        ident = f' id="{table_id}"' if table_id else ""
        layout = " mb-results--changes" if with_changes else ""  # minhbach.css aligns by column
        head = "".join(
            f'<th scope="col" class="mb-num">{t("in_cases") if i == 0 else t("in_money")}</th>'
            + (f'<th scope="col">{t("vs_last_year")}</th>' if with_changes else "")
            for i in range(len(blocks))
        )
        lines = [
            f'<table tabindex="0" class="mb-results{layout}"{ident} data-pagefind-ignore>',
            f"<caption>{html_escape(caption)}</caption>",
            f'<thead><tr><th scope="col">{t("indicator")}</th>{head}</tr></thead>',
            "<tbody>",
        ]
        for row in results_rows(blocks):
            label = html_escape(self.label("results", row.key))
            title = ""
            if definitions:  # the indicator's definition, on its row header
                title = f' title="{html_escape(fields[row.key].definition[self.lang])}"'
            cells = "".join(
                self.cell(value, sortable=False)
                + (self._change_cell(change) if with_changes else "")
                for value, change in row.cells
            )
            lines.append(f'<tr><th scope="row"{title}>{label}</th>{cells}</tr>')
        if any(b.rate_computed for b in present) and any(
            b.rate and b.rate.published for b in present
        ):
            cells = "".join(
                self.cell(
                    block.rate_computed
                    if block is not None and block.rate is not None and block.rate.published
                    else None,
                    sortable=False,
                )
                + blank
                for block in blocks
            )
            lines.append(f'<tr><th scope="row">{t("computed_rate")}</th>{cells}</tr>')
        if any(block.target for block in present):
            labels = {charts.target_label(b.target, self.lang) for b in present if b.target}
            label = labels.pop() if len(labels) == 1 else t("target")
            targets = "".join(
                self.target_cell(block, sortable=False, suffix=label == t("target")) + blank
                for block in blocks
            )
            gaps = "".join(self.gap_cell(block, sortable=False) + blank for block in blocks)
            lines.append(f'<tr><th scope="row">{html_escape(label)}</th>{targets}</tr>')
            lines.append(f'<tr><th scope="row">{t("gap")}</th>{gaps}</tr>')
        lines += ["</tbody>", "</table>" + self.footnotes()]
        return "\n".join(lines) + "\n"

    def figure(
        self,
        chart: charts.Chart,
        file: Callable[[str], str],
        data_at: str = "",
        data_label: str = "",
    ) -> str:
        """One chart as a figure: title, one-sentence summary, the chart itself, the data
        table (collapsed) or a link to where its figures are, and the downloads.

        The chart itself is decorative (`aria-hidden`: the summary and the data table carry
        the content). It is drawn by the page, as HTML bars (`chart.bars`: a unit and
        period's small charts) or tiles (`chart.tiles`: a period's map), or it is the SVG
        rendered at build time (a trend), of the size `image_sizes` gives, drawn before the pages.
        `minhbach-charts.js` replaces either by the live Vega view when JavaScript runs:
        from an image's spec file (`data-spec`), or for a chart drawn in HTML from its
        kind's template (`charts.template_path`, one file per edition, found by the
        figure's kind) and what the figure's own spec adds to it (its data); it then adds
        buttons for the downloads the live view makes. Where the same figures are already
        in a table (`data_at`: the page's own table, or the unit history's for a trend
        repeated on every unit page) they are linked, not repeated. One element a line,
        the last followed by a line break.

        In Python, not a template: a unit page has four or five (docs/performance.md).
        """
        t = self.t
        size = self.image_sizes.get(chart.key) if chart.image else None
        if chart.image and size is None:
            raise RuntimeError(
                f"chart {chart.key} is drawn as an image but was not made before the pages: "
                "add its kind to Renderer.image_charts"
            )
        return "\n".join(_figure_lines(chart, file, data_at, data_label, t, size)) + "\n"

    def _change_cell(self, change: Change | None) -> str:
        if change is None:
            return "<td></td>"
        source = change.published or (change if change.basis == "published" else None)
        marks = ""
        quote = None
        if source is not None:
            for value in (source.absolute, source.percent, source.points):
                if value is not None and value.figure is not None:
                    quote = quote or value.figure.quote
                    if id(value.figure) in self._notes:
                        if id(value.figure) in self._revised:
                            marks += self._revised_mark
                        marks += self.note_mark(id(value.figure))
        if change.differs:
            marks += self.note_mark(id(change), [self.t("change_differs")])
        title = f' title="{html_escape(quote)}"{_QUOTED}' if quote else ""
        return f"<td{title}>{html_escape(self.change_text(change))}{marks}</td>"

    def target_cell(
        self, block: BlockView | None, sortable: bool = True, suffix: bool = True
    ) -> str:
        """A block's target: its value, and (`suffix`) what kind of target it is unless an
        annual one that judges ('80% (chỉ tiêu năm)', '60% (chỉ tiêu tiến độ)')."""
        target = block.target if block is not None else None
        if target is None:
            return _MISSING_CELL[sortable]
        cell = self.cell(target.value, sortable=sortable)
        extra = charts.target_suffix(target, self.lang) if suffix else ""
        if not extra:
            return cell
        kind = f' <span class="mb-target-kind">{html_escape(extra.strip())}</span>'
        return cell[: -len("</td>")] + kind + "</td>"

    def gap_cell(self, block: BlockView | None, sortable: bool = True) -> str:
        """The gap to target in words ('thấp hơn 32,30 điểm %'), with whether the target
        was met; beside a target that does not judge the period, that it is not judged."""
        if block is not None and block.gap is None and block.target and not block.target.judged:
            why = html_escape(charts.not_judged(None, self.lang))
            shown = html_escape(charts.word("not_judged_short", self.lang))
            sort = ' data-sort=""' if sortable else ""
            return f'<td class="mb-not-judged"{sort} title="{why}">{shown}</td>'
        if block is None or block.gap is None:
            return _MISSING_CELL[sortable]
        mark = ""
        if block.met:
            mark = f' <span class="mb-met" title="{self.strings.get("met", self.lang)}">✓</span>'
        elif block.met is False:
            met = self.strings.get("not_met", self.lang)
            mark = f' <span class="mb-not-met" title="{met}">✗</span>'
        shown = html_escape(margin(block.gap, self.lang, short=True))
        sort = f' data-sort="{sort_value(block.gap)}"' if sortable else ""
        return f"<td{sort}>{shown}{mark}</td>"

    def date(self, day: Any) -> str:
        return day_text(day, self.lang)

    def change_text(self, change: Change) -> str:
        """'tăng 57 việc (tăng 1,72%) (theo nguồn)', 'tăng 1,82 điểm % (tính toán)': always
        with where it comes from. Where the source published one, it is shown, and the
        computed one beside it only when the two disagree (`Change.differs`)."""
        if change.published is not None:
            text = self._change_words(change.published, "change_published")
            if change.differs:
                text += "; " + self._change_words(change, "computed")
            return text
        if change.basis == "published":
            return self._change_words(change, "change_published")
        return self._change_words(change, "computed")

    def _change_words(self, change: Change, origin: str) -> str:
        parts = [signed(v, self.lang) for v in (change.absolute, change.points) if v is not None]
        if change.percent is not None:
            relative = signed(change.percent, self.lang)
            parts.append(f"({relative})" if parts else relative)
        said = self.strings.get(origin, self.lang)
        if change.basis == "combined":
            said += ", " + self.strings.get("change_combined", self.lang)
        return " ".join(parts) + f" ({said})"

    def scheme_label(self, scheme: str) -> str:
        if scheme == "national":
            return self.strings.get("national", self.lang)
        found = next(s for s in self.model.registry.schemes if s.id == scheme)
        return found.label[self.lang]

    def missing_units(self, view: PeriodView) -> list[UnitEntry]:
        present = {p.unit.id for p in view.pages}
        units = self.model.registry.in_scheme(view.scheme)
        return sorted((u for u in units if u.id not in present), key=lambda u: name_key(u.name.vi))

    def subunit_line(self, unit: SubUnit, link: Callable[[str], str]) -> str:
        """'Chi cục THADS thuộc Cục THADS thành phố <a …>Hà Nội</a>': a sub-unit's place, as
        HTML, its province linked (`link`, the page's) to the province's history."""
        parent = self.model.registry.parent(unit)
        url = link(self.urls.history(parent.slug))
        linked = f'<a href="{url}">{html_escape(parent.name[self.lang])}</a>'
        if self.lang == "vi":
            linked = f"{'thành phố' if parent.kind == 'city' else 'tỉnh'} {linked}"
        text = html_escape(self.t(f"subunit_of_{unit.kind}", parent="\0"))
        return text.replace("\0", linked)

    def validity(self, unit: SubUnit) -> str:
        """The days a sub-unit exists: '01/01/2016–30/06/2025', 'đến 30/06/2025'."""
        start = self.date(unit.valid_from) if unit.valid_from else None
        end = self.date(unit.valid_to) if unit.valid_to else None
        if start and end:
            return self.t("valid_between", start=start, end=end)
        if start:
            return self.t("valid_from", start=start)
        return self.t("valid_until", end=end) if end else ""

    def predecessor_links(self, history: UnitHistory, link: Callable[[str], str]) -> str:
        """The units a unit was formed from, as HTML: each linked to its history but itself."""
        return ", ".join(
            f'<a href="{link(self.urls.history(u.slug))}">{html_escape(u.name[self.lang])}</a>'
            if u.slug != history.slug
            else html_escape(u.name[self.lang] + (" (cũ)" if self.lang == "vi" else " (old)"))
            for u in history.predecessors
        )

    def history_rows(
        self, pages: list[UnitPeriod], link: Callable[[str], str], with_unit: bool
    ) -> list[tuple[str, Mapping[str, BlockView], str]]:
        """A history table's rows: each period's label linked (`link`) to its page, its
        blocks and its scheme."""
        rows: list[tuple[str, Mapping[str, BlockView], str]] = []
        for page in pages:
            name = page.period.name(self.lang)
            if with_unit:
                name = f"{page.unit.name[self.lang]}: {name}"
            url = link(self.urls.unit_period(page))
            rows.append((f'<a href="{url}">{html_escape(name)}</a>', page.blocks, page.unit.scheme))
        return rows

    def by_length(self, items: list[Any]) -> list[tuple[str, list[Any]]]:
        """Pages (or combined periods) by period length, 12 months first, each with its
        heading: a history table compares like with like ('Kỳ 12 tháng', '6-month periods')."""
        lengths = sorted({item.period.months for item in items}, reverse=True)
        return [
            (
                self.t("history_length", length=charts.length_word(months, self.lang)),
                [item for item in items if item.period.months == months],
            )
            for months in lengths
        ]

    def combined_rows(
        self, combined: list[Combined]
    ) -> list[tuple[str, Mapping[str, BlockView], str]]:
        return [(html_escape(c.period.name(self.lang)), c.blocks, "pre2025") for c in combined]

    def targets(self) -> list[dict[str, str]]:
        """The targets list, for the methodology page."""
        rows = []
        basis_words = {
            "stated": "target_basis_stated",
            "derived": "target_basis_derived",
            "goal": "target_basis_goal",
        }
        for (unit_id, year), entry in sorted(
            self.model.content.targets.items(), key=lambda item: (item[0][1], item[0][0])
        ):
            unit = self.model.registry.get(unit_id)
            source = entry.source
            rows.append(
                {
                    "unit_name": unit.name[self.lang],
                    "year": str(year),
                    "cases": show(Value.of(entry.cases, "percent"), self.lang)
                    if entry.cases
                    else "—",
                    "money": show(Value.of(entry.money, "percent"), self.lang)
                    if entry.money
                    else "—",
                    "basis": self.strings.get(basis_words[entry.basis], self.lang)
                    if entry.basis in basis_words
                    else (entry.basis or ""),
                    "source": ", ".join(x for x in (source.title, source.publisher) if x)
                    if source
                    else "",
                }
            )
            for key, progress in sorted(entry.progress_target.items()):
                # a progress target (chỉ tiêu tiến độ) judges its own period only
                own = progress.source or source
                name = Period.parse(key).name(self.lang)
                rows.append(
                    {
                        "unit_name": unit.name[self.lang],
                        "year": f"{name} ({charts.word('target_progress_short', self.lang)})",
                        "cases": show(Value.of(progress.cases, "percent"), self.lang)
                        if progress.cases
                        else "—",
                        "money": show(Value.of(progress.money, "percent"), self.lang)
                        if progress.money
                        else "—",
                        "basis": rows[-1]["basis"],
                        "source": ", ".join(x for x in (own.title, own.publisher) if x)
                        if own
                        else "",
                    }
                )
        return rows

    def sources(self) -> list[str]:
        """Every distinct source of the datasets: title, publisher, date."""
        self.env.reads.add(self.model)  # every dataset's
        seen: dict[str, str] = {}
        for page in self.model.pages:
            for src in page.checked.summary.sources or (page.checked.summary.source,):
                parts = [src.title, src.publisher, self.date(src.date) if src.date else None]
                text = ", ".join(p for p in parts if p)
                seen.setdefault(text, text)
        return sorted(seen)

    def label(self, group: str, key: str) -> str:
        return self.catalogue.groups[group].fields[key].label[self.lang]

    def make_chart(self, kind: str, subject: Any) -> charts.Chart | None:
        """The chart of a kind for a page, a period or a unit history.

        A period's or a history's is made once per edition. A unit page's own are made
        when it is rendered and not kept: only that page shows them (a national page's
        rate chart is on its period's page too, and made again there). Kept, they held
        about 56 KB a page in each rendering process (14 of the 86 memory pages a unit
        page's rendering newly touched, counted on the reference).
        """
        lang, urls = self.lang, self.urls
        if isinstance(subject, UnitPeriod):
            ident = f"{subject.period.key}/{subject.unit.id}"
        elif isinstance(subject, PeriodView):
            ident = subject.period.key
        else:
            ident = subject.slug
        memo = (kind, ident)
        if memo in self._made:
            shared = self._made[memo]
            if shared is not None and self.page_charts is not None:
                self.page_charts.append(shared)  # a page from the cache needs it too
            return shared
        made: charts.Chart | None
        if kind == "rate_target":
            made = charts.rate_target(
                subject, urls.unit_period(subject), lang,
                headline_sentence(subject, lang, self.strings),
            )  # fmt: skip
        elif kind == "breakdown":
            made = charts.breakdown(subject, urls.unit_period(subject), lang)
        elif kind == "inspections" and isinstance(subject, UnitPeriod):
            made = charts.unit_inspections(subject, urls.unit_period(subject), lang)
        elif kind == "inspections":
            made = charts.period_inspections(subject, urls.period(subject.period), lang)
        elif kind == "reform" and isinstance(subject, UnitPeriod):
            made = charts.reform(subject, urls.unit_period(subject), lang)
        elif kind == "reform":
            made = charts.period_reform(subject, urls.period(subject.period), lang)
        elif kind == "trend":
            made = charts.trend(subject, urls.history(subject.slug), lang)
        elif kind in ("ranking_cases", "ranking_money"):
            key = kind.removeprefix("ranking_")
            made = charts.ranking(subject, key, urls.period(subject.period), lang)
        elif kind == "map":
            units = self.model.registry.in_scheme(subject.scheme)
            made = charts.tile_map(subject, urls.period(subject.period), lang, units)
        else:
            raise ValueError(f"unknown chart kind {kind!r}")
        if not isinstance(subject, UnitPeriod):
            self._remember(memo, made)
        if made is not None and self.page_charts is not None:
            self.page_charts.append(made)
        return made

    def trend_for(self, trend: charts.Chart, months: int) -> charts.Chart:
        """A unit's trend as its pages of one period length show it (`trend_summary_for`),
        made once per unit and length, not once per page: its key hashes the whole spec."""
        memo = (trend.key, months)
        if memo not in self._trends:
            self._trends[memo] = charts.trend_summary_for(trend, months, self.lang)
        return self._trends[memo]

    def _remember(self, memo: tuple[str, str], made: charts.Chart | None) -> None:
        self._made[memo] = made

    def image_charts(self, kept: ChartMemo | None = None) -> list[charts.Chart]:
        """Every chart drawn as an image: the units' trends.

        They are made before the pages, so that vl-convert renders them while the
        pages are being prepared and each page can be written with its images' sizes.
        With `kept`, a trend whose history's datasets (and code, templates, shared
        files) are unchanged is taken from the last build instead of made again.
        """
        made: list[charts.Chart | None] = []
        for history in self.model.histories:
            if kept is None:
                chart = self.make_chart("trend", history)
            else:
                key = kept.key(history)
                chart = kept.get(key)
                if chart is None:
                    chart = self.make_chart("trend", history)
                    kept.put(key, chart)
                else:
                    self._remember(("trend", history.slug), chart)
            made.append(chart)
        return [chart for chart in made if chart is not None and chart.image]

    def compile(self) -> None:
        """Compile every template now (processes forked afterwards share them)."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".j2")):
            self.env.get_template(name)

    def skipped_by_search(self, caller: Callable[[], str]) -> str:
        """A block the search index does not read, as `{% call skipped_by_search() %}`: a
        data table, the headline cards, a legend, a download line (their figures are in
        the open data). Marked for Pagefind (`data-pagefind-ignore`)."""
        return f"<div data-pagefind-ignore>{caller()}</div>"

    def pages(self) -> frozenset[str]:
        """The paths of the edition's pages, which a generated link may name."""
        if self.page_paths is None:
            self.page_paths = frozenset(
                p.path for p in get_pages(self.model, self.lang, self.strings)
            )
        return self.page_paths

    def render(self, page: Page) -> GeneratedPage:
        """Fill a page's template: its body, headings and table of contents. What search
        skips is marked in the body (`data-pagefind-ignore`): Pagefind indexes the site
        as published (`site.search`)."""
        template = self.env.get_template(f"pages/{page.template}")
        here = page.path
        site_here = self.urls.site_url(here)
        known = self.pages()

        # Paths from the site's root, made absolute from "/" for `relpath`, which would
        # otherwise ask the system for the working directory, twice a call (~20 a page).
        def link(target: str) -> str:
            """The URL of a page of this edition (by its path), relative to this page,
            as MkDocs would have written it ("../x/", "./"); refused if no such page."""
            if target not in known:
                raise RuntimeError(
                    f"{self.lang}/{here}: links to {target!r}, which is not a page of the edition"
                )
            folder = posixpath.dirname(target)
            relative = posixpath.relpath("/" + folder, "/" + posixpath.dirname(here))
            return "./" if relative == "." else relative + "/"

        def href(site_path: str) -> str:
            """An HTML href to a file by its path from the site root (data files, other edition)."""
            relative = posixpath.relpath("/" + site_path, "/" + site_here.rstrip("/"))
            return relative + "/" if site_path.endswith("/") or not site_path else relative

        prefix = "" if self.lang == "vi" else "en/"
        shown = page.context.page if isinstance(page.context, UnitPeriodPage) else None
        # The charts of this page by kind and subject, made once for both passes.
        made_here: dict[tuple[str, int], charts.Chart | None] = {}

        def made(kind: str, subject: Any) -> charts.Chart | None:
            memo = (kind, id(subject))
            if memo not in made_here:
                made_here[memo] = self.make_chart(kind, subject)
            return made_here[memo]

        def has_chart(kind: str, subject: Any) -> bool:
            """Whether the page shows this chart: the same answer in both passes."""
            return made(kind, subject) is not None

        def chart(kind: str, subject: Any, data_at: str = "", data_label: str = "") -> str:
            """The figure of a chart: bars or image, summary, data table, downloads (or nothing).

            With `data_at`, the figures are in a table there (`data_label`): linked, not repeated.
            Search does not index it (`data-pagefind-ignore`).
            """
            drawn = made(kind, subject)
            if drawn is None:
                return ""
            if kind == "trend" and shown is not None:
                drawn = self.trend_for(drawn, shown.period.months)
            figure = drawn
            return self.figure(
                figure,
                lambda ext: href(prefix + figure.path(ext)),
                data_at.replace("{stem}", figure.stem),
                data_label,
            )

        toc: list[Heading] = []
        used: set[str] = set()

        def heading(level: int, text: object, code: bool = False) -> str:
            """A heading as MkDocs' toc extension wrote it: its id from its text, unique in
            the page, and its permalink; listed in the page's table of contents. `text`
            is plain (escaped here), on one line; `code`: shown as code."""
            plain = _LINE_BREAK.sub(" ", str(text)).strip()
            ident = unique(slugify(plain, "-"), used)
            toc.append(Heading(level, ident, plain))
            shown_text = html.escape(plain, quote=False)
            if code:
                shown_text = f"<code>{shown_text}</code>"
            return (
                f'<h{level} id="{ident}">{shown_text}<a class="headerlink" href="#{ident}" '
                f'title="{self.permalink_title}">&para;</a></h{level}>'
            )

        context = {
            "doc": page,
            "link": link,
            "href": href,
            "chart": chart,
            "has_chart": has_chart,
            "heading": heading,
            **values(page.context),
        }
        reads = self.env.reads = Reads()
        reads.add(shown)  # its notes are read here, not by the template
        self.begin_notes(shown)
        body = template.render(context)
        headings = tuple(toc)
        self.last_reads = reads.names()
        return GeneratedPage(
            path=here,
            title=page.title,
            description=page.description,
            body=body,
            toc=headings,
            image=self.share_image(page),
        )

    def share_image(self, page: Page) -> str:
        """The PNG a shared link to a page shows (`GeneratedPage.image`): its release's
        first chart, published beside the press release by `press_kits`, for a press
        release, its period's page and the home page (the latest release's); '' for the
        other pages (their charts are SVG, which link previews do not show) and for a
        release without a chart."""
        context = page.context
        if isinstance(context, PressReleasePage | PeriodPage):
            views = [context.view]
        elif isinstance(context, HomePage):
            views = self.model.periods  # the latest first
        else:
            return ""
        known = self.pages()
        for view in views:
            press = self.urls.press(view.period)
            if press in known and presskit.kit_charts(view, self.make_chart):
                return presskit.image_path(press, view, self.lang)
        return ""


#: A cell holding a figure's source sentence (its title): reachable by Tab and by a tap,
#: which shows the sentence (minhbach.css, `[data-mb-quote]:focus`), not by hover alone.
_QUOTED = ' tabindex="0" data-mb-quote'


def _figure_lines(
    chart: charts.Chart,
    file: Callable[[str], str],
    data_at: str,
    data_label: str,
    t: Callable[[str], str],
    size: tuple[int, int] | None,
) -> Iterator[str]:
    """The lines of `Renderer.figure` (`size`: an image's width and height)."""
    h = html_escape
    csv = file("csv")
    svg, spec = (file("svg"), file("vl.json")) if chart.image else ("", "")
    yield f'<figure class="mb-chart mb-chart--{chart.kind}" id="{chart.stem}" data-pagefind-ignore>'
    yield f'<figcaption class="mb-chart__title">{h(chart.title)}</figcaption>'
    yield f'<p class="mb-chart__summary">{h(chart.summary)}</p>'
    if not chart.image:
        tiles = chart.tiles
        view = "tiles" if tiles is not None else "bars"
        yield f'<div class="mb-chart__view mb-chart__view--{view}" aria-hidden="true">'
        yield f'<script type="application/json" class="mb-chart__spec">{chart.own_json()}</script>'
        if tiles is not None:
            yield f'<div class="mb-tiles" style="--mb-columns:{tiles.columns}">'
            for tile in tiles.tiles:
                yield (
                    f'<span class="mb-tile" style="grid-area:{tile.area};background:{tile.fill};'
                    f'color:{tile.ink}"><b>{h(tile.abbr)}</b> '
                    f'<span class="mb-tile__value">{h(tile.text)}</span></span>'
                )
            yield "</div>"
            yield '<ul class="mb-tiles__key">'
            for fill, label in tiles.key:
                swatch = f'<span class="mb-tiles__swatch" style="background:{fill}"></span>'
                yield f"<li>{swatch}{h(label)}</li>"
            yield "</ul>"
        else:
            yield '<ul class="mb-bars">'
            group = None
            for index, bar in enumerate(chart.bars or ()):
                if bar.group and (index == 0 or bar.group != group):
                    yield f'<li class="mb-bars__group">{h(bar.group)}</li>'
                group = bar.group
                modifiers = f' class="{bar.modifiers}"' if bar.modifiers else ""
                style = f' style="{bar.style}"' if bar.style else ""
                note = f'<span class="mb-bars__note"> · {h(bar.note)}</span>' if bar.note else ""
                yield (
                    f"<li{modifiers}{style}><span>{h(bar.label)}</span><span></span>"
                    f"<span>{h(bar.text)}{note}</span></li>"
                )
            yield "</ul>"
        yield "</div>"
    else:
        assert size is not None
        width, height = size
        yield f'<div class="mb-chart__view" aria-hidden="true" data-spec="{spec}">'
        yield (
            f'<img src="{svg}" alt="" width="{width}" height="{height}" '
            'loading="lazy" decoding="async">'
        )
        yield "</div>"
    if data_at:
        yield (
            f'<p class="mb-chart__data-link"><a href="{data_at}">{t("chart_data")}: '
            f"{h(data_label)}</a></p>"
        )
    else:
        yield '<details class="mb-chart__data">'
        yield f"<summary>{t('chart_data')}</summary>"
        yield '<table tabindex="0" class="mb-chart-table">'
        yield f"<caption>{h(chart.title)}</caption>"
        numeric = ' class="mb-num"'
        head = "".join(
            f'<th scope="col"{numeric if column.numeric else ""}>{h(column.label)}</th>'
            for column in chart.columns
        )
        yield f"<thead><tr>{head}</tr></thead>"
        yield "<tbody>"
        opening = ["<td>" if column.numeric else '<td class="mb-text">' for column in chart.columns]
        for row in chart.rows:
            cells = [f'<th scope="row">{h(row[0][0])}</th>'] if row else []
            cells += [f"{opening[index]}{h(cell[0])}</td>" for index, cell in enumerate(row[1:], 1)]
            yield f"<tr>{''.join(cells)}</tr>"
        yield "</tbody>"
        yield "</table>"
        yield "</details>"
    if not chart.image:
        yield (
            f'<p class="mb-chart__downloads">{t("download_chart")}: '
            f'<a href="{csv}" download>CSV</a></p>'
        )
    else:
        yield (
            f'<p class="mb-chart__downloads">{t("download_chart")}: '
            f'<a href="{svg}" download>SVG</a> · <a href="{csv}" download>CSV</a>'
            f' · <a href="{spec}" download>Vega-Lite</a></p>'
        )
    yield "</figure>"


# A missing figure's cell, in a sortable table (sorts below every figure) and elsewhere.
_MISSING_CELL = {
    True: '<td class="mb-missing" data-sort="">—</td>',
    False: '<td class="mb-missing">—</td>',
}


def sort_value(value: Value | None) -> str:
    """A machine value for sortable tables (data-sort); empty when missing."""
    if value is None:
        return ""
    return format(value.point, "f")


@dataclass(frozen=True)
class ResultsRow:
    """One row of a cases-and-money table: an indicator and its value in each block."""

    key: str
    cells: list[tuple[Value | None, Any]]  # (value, change) per block


def leading_units(view: PeriodView, count: int = 3) -> tuple[list[RankRow], list[RankRow]]:
    """The first and the last `count` units of a period's ranking by completion rate in
    cases; the last only when there are more than `count` ranked."""
    ranked = sorted(
        (row for row in view.ranking if row.rank_cases), key=lambda r: r.rank_cases or 0
    )
    return ranked[:count], (ranked[-count:][::-1] if len(ranked) > count else [])


def results_rows(blocks: list[BlockView | None]) -> list[ResultsRow]:
    """The indicators any block reports, in catalogue order, with every block's value."""
    keys = [
        k
        for k in get_catalogue().groups["results"].fields
        if any(b is not None and (b.get(k) is not None or k in b.changes) for b in blocks)
        and k not in ("target", "target_gap", "change")
    ]
    return [
        ResultsRow(
            key,
            [(b.get(key), b.changes.get(key)) if b is not None else (None, None) for b in blocks],
        )
        for key in keys
    ]


@dataclass(frozen=True)
class Job:
    """A page to render: its edition, what it shows, and its key in the render cache."""

    lang: Lang
    page: Page
    key: str


@dataclass
class Rendered:
    """What rendering one job did: the files it owns, and its writes into `reports/`."""

    files: list[tuple[str, str]]  # [(path, digest)]
    reads: frozenset[str]  # what the page read of the model (`reads.Reads.names`)
    entries: dict[str, Any]
    stats: WriteStats
    html_charts: set[str]


def render(
    model: SiteModel,
    reports: Path,
    store: Store | None = None,
    langs: tuple[Lang, ...] = LANGS,
    images: ImageWorker | None = None,
    site_url: str | None = None,
) -> tuple[WriteStats, charts.RenderStats]:
    """Render every page, chart, data file and feed of the editions `langs` into `reports/`
    (the feeds' links are absolute under `site_url`).

    In order:
    1. the pages whose render-cache key is unchanged, and whose files are still the
       ones written for that key, are kept as they are;
    2. the charts drawn as images (every unit's trend) are rendered by vl-convert (by
       `images`, the build's chart process, while this process encodes the open data;
       else here), and written with the open data and the other files;
    3. the other pages are rendered, knowing their images' sizes, by `fork_map` (this
       process and one forked per other core, when there are many), each written as it is rendered;
    4. every file of `reports/` that no part of the build claimed is removed.
    The build's process never holds the pages' text.
    """
    strings = Strings()
    writer = TreeWriter(reports)
    charts.load_templates(store)
    editions = {lang: get_pages(model, lang, strings) for lang in langs}
    # Every page's, cached or not: a MkDocs message about any page names its sources.
    writer.put(SOURCES_MANIFEST, sources_manifest(model, editions))
    renderers = {lang: Renderer(model, lang, strings, store) for lang in langs}
    editorial = _editorial(model.content.root, langs)
    for lang, renderer in renderers.items():
        renderer.page_paths = frozenset(
            [page.path for page in editions[lang]]
            + [path.removeprefix(f"{lang}/") for path in editorial if path.startswith(f"{lang}/")]
        )
    jobs: list[Job] = []
    memo = RenderCache(store) if store is not None else None
    sources_of = {lang: Sources.of(model, lang) for lang in langs}
    for lang in langs:
        other: Lang = "en" if lang == "vi" else "vi"
        sources = sources_of[lang]
        twins = editions.get(other)  # the same pages in the other edition, if built
        assert twins is None or len(twins) == len(editions[lang])
        for index, page in enumerate(editions[lang]):
            if twins is not None:  # a link to the same page in the other edition
                page = replace(page, other=Urls(other).site_url(twins[index].path))
            # A press release's editor's text is part of its key: the model does not hold it.
            own = page.context.text or "" if isinstance(page.context, PressReleasePage) else ""
            key = sources.key(page.path, page.other, own)
            kept = memo.get(key) if memo is not None else None
            if (
                kept is not None
                and sources.digest(kept.reads) == kept.digest
                and all(writer.keep(rel, digest) for rel, digest in kept.files)
            ):
                continue
            jobs.append(Job(lang, page, key))

    if len(jobs) >= FORK_ABOVE:  # rendered by forked processes: see `SiteModel.make`
        model.make(*_shown(jobs))
    drawn: list[charts.Chart] = []
    for lang in langs:
        trends = ChartMemo(store, sources_of[lang]) if store is not None else None
        drawn += renderers[lang].image_charts(trends)
    # The worker's answer first, if it was asked for the bundle (cli); then the images,
    # drawn by it while this process encodes the open data.
    bundle = charts.bundle_cached(store, images)
    finish_images = charts.render_images_async(drawn, store, images)
    data = data_files(model, store)
    made, stats = finish_images()
    sizes = {key: (image.width, image.height) for key, image in made.items()}
    for renderer in renderers.values():
        renderer.image_sizes = sizes
    for chart in drawn:
        base = f"{chart.lang}/"
        files = {"svg": made[chart.key].svg, "csv": chart.csv(), "vl.json": chart.spec_json()}
        for ext, content in files.items():
            writer.put(report_path(base + chart.path(ext)), content)
    for lang in langs:
        writer.put(report_path(f"{lang}/{ASSETS}/vega.js"), bundle)
        writer.put(report_path(f"{lang}/{ASSETS}/locale.json"), charts.locale_json(lang))
        for kind in charts.KIND_SLUGS:
            writer.put(
                report_path(f"{lang}/{charts.template_path(kind)}"),
                charts.template_json(kind, lang),
            )
    for item in data:
        writer.put(report_path(f"vi/{item.path}"), item.data)
    feeds = feed_files(model, editions, strings.get, site_url)
    for path, content in {**editorial, **_archives(model), **feeds}.items():
        writer.put(report_path(path), content)

    # The press kits' charts are drawn by the chart process while the pages are rendered.
    finish_figures = kit_figures(editions, renderers, store, images)
    html_charts: set[str] = set()
    if len(jobs) >= FORK_ABOVE:
        for renderer in renderers.values():
            renderer.compile()  # once, before the processes that share it are forked
    rendering = _Rendering(renderers, reports, writer.known)
    for job, done in zip(jobs, fork_map(rendering, jobs), strict=True):
        writer.merge(done.entries, done.stats)
        html_charts |= done.html_charts
        read = sources_of[job.lang].digest(done.reads)
        if memo is not None and read is not None:  # None: it read everything
            memo.put(job.key, Entry(sorted(done.reads), read, done.files))
    figures = finish_figures()
    kits = press_kits(editions, renderers, reports, store, figures, sources_of, site_url)
    for path, content in kits.items():
        writer.put(report_path(path), content)
    charts.save_templates(store)
    stats.html = len(html_charts)
    stats.pages_rendered = len(jobs)
    stats.pages_cached = sum(len(editions[lang]) for lang in langs) - len(jobs)
    return writer.finish(), stats


KITS = "press-kit"
PNG = "chart-png"


def kit_figures(
    editions: Mapping[Lang, list[Page]],
    renderers: Mapping[Lang, Renderer],
    store: Store | None,
    images: ImageWorker | None,
) -> Callable[[], dict[str, tuple[bytes, bytes]]]:
    """Start drawing the charts of every press release (`presskit.kit_charts`) that the
    store does not hold, as SVG and as PNG at print resolution; a function that waits for
    them and gives every chart's (SVG, PNG) by its key.

    Started before the pages are rendered, they are drawn by `images`, the build's chart
    process, while the pages are; without it, here, when the function is called."""
    wanted: dict[str, charts.Chart] = {}
    for lang, pages in editions.items():
        for page in pages:
            if isinstance(page.context, PressReleasePage):
                for chart in presskit.kit_charts(page.context.view, renderers[lang].make_chart):
                    wanted[chart.key] = chart
    found: dict[str, tuple[bytes, bytes]] = {}
    todo: list[charts.Chart] = []
    for key, chart in wanted.items():
        svg = store.get(charts.SVG, key) if store is not None else None
        png = store.get(PNG, key) if store is not None else None
        if svg is not None and png is not None:
            found[key] = (svg, png)
        else:
            todo.append(chart)
    jobs = [charts._job(chart) for chart in todo]
    if images is not None and jobs:
        images.send_figures(jobs)

    def finish() -> dict[str, tuple[bytes, bytes]]:
        if jobs:
            made = images.receive_figures() if images is not None else imageworker.figures(jobs)
            for chart, (svg, png) in zip(todo, made, strict=True):
                found[chart.key] = (svg, png)
                if store is not None:
                    store.put(charts.SVG, chart.key, svg)
                    store.put(PNG, chart.key, png)
        return found

    return finish


def press_kits(
    editions: Mapping[Lang, list[Page]],
    renderers: Mapping[Lang, Renderer],
    reports: Path,
    store: Store | None,
    figures: Mapping[str, tuple[bytes, bytes]],
    sources_of: Mapping[Lang, Sources],
    site_url: str | None,
) -> dict[str, bytes]:
    """The press kit of every press release (`presskit`), and its first chart as PNG
    (`Renderer.share_image`), by path in the editions, made from the press release as
    rendered into `reports/`, the model, and its charts' images (`kit_figures`).

    A kit is kept in the store by the hash of what it is made from (the page, its period,
    its charts, its address)."""
    kits: dict[str, bytes] = {}
    strings = next(iter(renderers.values())).strings
    for lang, pages in editions.items():
        sources = sources_of[lang]
        for page in pages:
            if not isinstance(page.context, PressReleasePage):
                continue
            view = page.context.view
            made = GeneratedPage.from_json((reports / page_file(lang, page.path)).read_bytes())
            shown = presskit.kit_charts(view, renderers[lang].make_chart)
            if made.image:  # the release's first chart, for link previews
                kits[f"{lang}/{made.image}"] = figures[shown[0].key][1]
            address = None if site_url is None else page_address(page, lang, site_url)
            key = digest_of(
                sources.base, KITS, made.to_json().decode(), address or "",
                sources.of_name(f"period:{view.period.key}") or "", *(c.key for c in shown),
            )  # fmt: skip
            path = f"{lang}/{presskit.kit_path(page.path, view, lang)}"
            found = store.get(KITS, key) if store is not None else None
            if found is None:
                drawn = [presskit.DrawnChart(c, *figures[c.key]) for c in shown]
                t = functools.partial(strings.get, lang=lang)
                found = presskit.press_kit(view, lang, t, made, drawn, address)
                if store is not None:
                    store.put(KITS, key, found)
            kits[path] = found
    return kits


def _shown(jobs: list[Job]) -> tuple[set[Period], set[str], list[UnitPeriod]]:
    """What the jobs' pages show: the periods of the period pages (and the same periods a
    year before), the histories of the history pages, and the unit pages themselves."""
    periods: set[Period] = set()
    slugs: set[str] = set()
    pages: list[UnitPeriod] = []
    for job in jobs:
        context = job.page.context
        if isinstance(context, UnitPeriodPage):
            pages.append(context.page)
        elif isinstance(context, HistoryPage):
            slugs.add(context.history.slug)
        elif isinstance(context, PeriodPage | PressReleasePage):
            period = context.view.period
            periods |= {period, period.same_period_previous_year()}
    return periods, slugs, pages


class _Rendering:
    """Renders one job and writes its page and its HTML-drawn charts' data files into
    `reports/`: the task `fork_map` shares among the rendering processes. What a process
    wrote of a chart shared by several pages is written once (`_written`, its own)."""

    def __init__(self, renderers: dict[Lang, Renderer], root: Path, known: dict[str, Any]):
        self.renderers, self.root, self.known = renderers, root, known
        self._written: dict[str, str] = {}  # chart files this process wrote, with their digests

    def __call__(self, job: Job) -> Rendered:
        renderer = self.renderers[job.lang]
        renderer.page_charts = []
        try:
            generated = renderer.render(job.page)
            made, reads = renderer.page_charts, renderer.last_reads
        finally:
            renderer.page_charts = None
        writer = TreeWriter(self.root, known=self.known)
        rel = page_file(job.lang, job.page.path)
        owned = [(rel, writer.put(rel, generated.to_json()))]
        html: set[str] = set()
        for chart in made:
            if chart.image:
                continue  # the build's own process writes the images' files
            # Its spec is the kind's template and the values in the page: only its data
            # file is its own.
            rel = report_path(f"{chart.lang}/{chart.path('csv')}")
            if rel not in self._written:
                self._written[rel] = writer.put(rel, chart.csv())
            owned.append((rel, self._written[rel]))
            html.add(rel)
        return Rendered(owned, reads, writer.entries, writer.stats, html)


def render_pages(
    model: SiteModel, *, langs: tuple[Lang, ...] = LANGS, store: Store | None = None
) -> tuple[dict[str, bytes], charts.RenderStats]:
    """Every file `render` writes, by its path in the editions ("vi/...", "en/..."): for tests.

    A generated page is under its page's path ("vi/2024/6-thang/index.md"), its bytes the
    `GeneratedPage` JSON; an editors' page under its own, its bytes Markdown.
    """
    with tempfile.TemporaryDirectory() as folder:
        _, stats = render(model, Path(folder), store, langs)
        files = read_tree(Path(folder))
    return {edition_path(rel): data for rel, data in files.items()}, stats


def _editorial(root: Path, langs: tuple[Lang, ...] = LANGS) -> dict[str, bytes]:
    """Editors' pages (content/pages/<lang>/*.md), each as its own section page, with the
    front matter `editorial.published` gives it (what the check refused is left out)."""
    return {
        f"{page.lang}/{page.path}": published(page)
        for page in pages_of(root, display_path(root))
        if page.lang in langs
    }


def _archives(model: SiteModel) -> dict[str, bytes]:
    """Archived source texts, published beside the data so every figure can be traced."""
    # Read as the check read them, through the content boundary: a file swapped for a link
    # since the check is refused here too, never followed.
    folder = ContentFolder(model.content.root)
    files: dict[str, bytes] = {}
    for page in model.pages:
        summary = page.checked.summary
        for source in summary.sources or (summary.source,):
            archive = source.archive
            if not archive:
                continue
            path = f"vi/{archive_path(archive)}"
            if path not in files:  # one archive serves many datasets
                try:
                    files[path] = read_archive(folder, archive)
                except ContentPathError as exc:
                    raise UserError(
                        f"{page.checked.src_path}: source.archive: {exc.message}"
                    ) from None
    return files


def archive_path(name: str) -> str:
    """Where an archived source (a checked `source.archive`) is published, below an edition."""
    if name_problem(name) is not None:  # the check refuses such names: a bug if one is here
        raise ValueError(f"archive name {name!r} leaves the archive folder")
    return f"{DATA_DIR}/nguon/{name}"


#: Finished files (charts, data, archives) go here, laid out as the site: the site stage
#: puts them into the site as they are.
FILES_DIR = "files"


def report_path(path: str) -> str:
    """Where a file of an edition ("vi/...", "en/...") goes in `reports/`.

    Editors' pages (Markdown) stay in `<lang>/` (MkDocs' docs_dir); every other file
    goes to `files/`, which mirrors the published site: the Vietnamese edition at its
    root, the English one under `en/`. Generated pages are not files of an edition but
    `GeneratedPage`s, at `page_file`.
    """
    lang, _, rest = path.partition("/")
    if path.endswith(".md"):
        return path
    return f"{FILES_DIR}/{rest}" if lang == "vi" else f"{FILES_DIR}/{path}"


def edition_path(rel: str) -> str:
    """The inverse of `report_path`, and of `page_file` (a generated page's page path)."""
    if rel.startswith(f"{PAGES_DIR}/"):
        lang, path = page_path(rel)
        return f"{lang}/{path}"
    if not rel.startswith(f"{FILES_DIR}/"):
        return rel
    rest = rel.removeprefix(f"{FILES_DIR}/")
    return rest if rest.startswith("en/") else f"vi/{rest}"


__all__ = [
    "FILES_DIR",
    "LANGS",
    "Page",
    "Strings",
    "Urls",
    "archive_path",
    "get_pages",
    "headline_sentence",
    "render",
    "render_pages",
    "report_path",
    "write_tree",
]
