"""Editors' pages (`content/pages/<lang>/<name>.md`): read, checked and sanitised.

An editorial page is Markdown written by an editor and published as its own section
(`<lang>/<name>/`). It is untrusted like the rest of the content: after Markdown, its
HTML is cleaned by `clean` (nh3, with an allow-list fit for a government page), both
when `check` reports what the list drops (a warning naming the file and line) and when
the site stage publishes the page (`site._EditionPlugin.on_page_content`): what the
check warned about is never published. Its front matter may give a `title` and a
`description`, which the render stage writes back HTML-escaped; nothing else of it is
passed to MkDocs.
"""

from __future__ import annotations

import functools
import html
import json
import os
import posixpath
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import nh3
import yaml

from minhbach.content.boundary import ContentFolder, ContentPathError, shown_path
from minhbach.content.catalogue import suggest
from minhbach.content.yamlfile import load_yaml_text
from minhbach.layout import ASSETS, DATA_DIR, SECTIONS
from minhbach.problems import Mark, Problems

FOLDER = "pages"
LANGS = ("vi", "en")
MKDOCS_YML = Path(__file__).resolve().parents[2] / "mkdocs.yml"

#: Front-matter key and value the render stage writes on an editorial page, and the key
#: naming its source file (for messages about the page: `site._locate`).
MARK_VALUE = "editorial"
SOURCE_KEY = "minhbach_source"
LINE_KEY = "minhbach_line"

FRONT_MATTER_KEYS = ("title", "description")

# MkDocs' own rule for front matter (mkdocs.utils.meta): a first line of three dashes,
# YAML, then a line of three dashes or dots.
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# --- the allow-list ---

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
TAGS = _HEADINGS | {
    "p", "br", "hr", "strong", "em", "b", "i", "s", "del", "ins", "sub", "sup", "small",
    "mark", "abbr", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "code", "pre", "kbd", "blockquote", "a", "img", "figure",
    "figcaption", "details", "summary", "div", "span",
}  # fmt: skip
#: Attributes by element (`class` and `style` are restricted further below).
ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan", "style"},
    "td": {"colspan", "rowspan", "style"},
    "ol": {"start"},
    "details": {"open"},
    **{tag: {"id"} for tag in _HEADINGS},  # the table of contents links to them
}
# What the Markdown extensions of mkdocs.yml write: admonitions, collapsible blocks and
# the headings' permalinks.
_KINDS = {
    "note", "abstract", "info", "tip", "success", "question", "warning", "failure",
    "danger", "bug", "example", "quote",
}  # fmt: skip
CLASSES: dict[str, set[str]] = {
    "div": {"admonition", *_KINDS},
    "p": {"admonition-title"},
    "details": _KINDS,
    "a": {"headerlink"},
}
STYLES = {"text-align"}  # what the tables extension writes on cells
URL_SCHEMES = {"http", "https", "mailto"}
_CLEAN_CONTENT = {"script", "style"}  # removed with what they hold
_LOADS = {"img", "iframe", "frame", "embed", "object", "video", "audio", "source", "track"}

_HINTS = {
    "tag": "a page may use headings, paragraphs, lists, tables, emphasis, code, quotes, "
    "images and links",
    "attribute": "a page takes no scripts, styles or attributes of its own",
    "link": "link to http, https or mailto addresses, or to pages of this site",
    "image": "only images of this site are shown, by an address relative to the page",
    "host": "a page shows nothing from another site; link to it instead",
}


def _site_image(value: str) -> bool:
    """Is `value` the address of a file of this site, relative to the page?"""
    parts = urlsplit(value.strip())
    return not (parts.scheme or parts.netloc or value.strip().startswith(("/", "\\")))


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _site_image(value):
        return None
    return value


def clean(page_html: str) -> str:
    """An editorial page's HTML with only what the allow-list keeps."""
    return nh3.clean(
        page_html,
        tags=TAGS,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_keep,
        allowed_classes=CLASSES,
        filter_style_properties=STYLES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@dataclass(frozen=True)
class Dropped:
    """Something of a page's HTML that `clean` removes: what it is, and where to look."""

    message: str
    needle: str  # text to find in the page's Markdown, for the line
    hint: str


class _Audit(HTMLParser):
    """What `clean` drops from a page's HTML, element by element, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dropped: list[Dropped] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        source = values.get("src") or values.get("data") or ""
        if tag not in TAGS:
            if tag in _LOADS and source and not _site_image(source):
                where = urlsplit(source.strip()).netloc or source
                self._drop(f"<{tag}> from another host ({where}) is removed", source, "host")
            else:
                what = "with its content " if tag in _CLEAN_CONTENT else ""
                message = f"<{tag}> is not allowed on a page; it is removed {what}".strip()
                self._drop(message, f"<{tag}", "tag")
            return
        allowed = ATTRIBUTES.get(tag, set())
        for name, value in values.items():
            if tag == "a" and name == "rel":
                continue  # set by `clean` on every link
            if name == "class":
                for word in value.split():
                    if word not in CLASSES.get(tag, set()):
                        message = f"class '{word}' of <{tag}> is not allowed; it is removed"
                        self._drop(message, word, "attribute")
            elif name not in allowed:
                message = f"attribute '{name}' of <{tag}> is not allowed; it is removed"
                self._drop(message, name, "attribute")
            elif name == "style":
                for declaration in value.split(";"):
                    prop = declaration.split(":", 1)[0].strip().lower()
                    if prop and prop not in STYLES:
                        message = f"style '{prop}' of <{tag}> is not allowed; it is removed"
                        self._drop(message, prop, "attribute")
            elif name == "src" and tag == "img" and not _site_image(value):
                self._drop(f"image from another address ({value}) is removed", value, "image")
            elif name == "href" and not _allowed_link(value):
                self._drop(f"link to '{value}' is not allowed; it is removed", value, "link")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _drop(self, message: str, needle: str, kind: str) -> None:
        self.dropped.append(Dropped(message, needle, _HINTS[kind]))


def _allowed_link(value: str) -> bool:
    scheme = urlsplit(value.strip()).scheme
    # What a browser reads as a scheme even when urlsplit does not ("java\tscript:").
    return (not scheme and ":" not in value.split("/", 1)[0]) or scheme.lower() in URL_SCHEMES


def dropped(page_html: str) -> list[Dropped]:
    """What `clean` removes from `page_html`, in document order."""
    audit = _Audit()
    audit.feed(page_html)
    audit.close()
    return audit.dropped


@functools.cache
def _extensions() -> tuple[list[Any], dict[str, Any]]:
    """The Markdown extensions of mkdocs.yml and their options, as MkDocs reads them."""
    with MKDOCS_YML.open(encoding="utf-8") as stream:
        config = yaml.load(stream, Loader=yaml.CSafeLoader)
    names: list[Any] = []
    options: dict[str, Any] = {}
    for item in config.get("markdown_extensions", []):
        if isinstance(item, dict):
            for name, values in item.items():
                names.append(name)
                options[name] = values or {}
        else:
            names.append(item)
    return names, options


def page_html(body: str) -> str:
    """An editorial page's Markdown as HTML, by the site's Markdown extensions (uncleaned)."""
    names, options = _extensions()
    return markdown.Markdown(extensions=names, extension_configs=options).convert(body)


# --- reading the pages ---


@dataclass(frozen=True)
class EditorialPage:
    """One editor's page, read and checked."""

    lang: str
    name: str  # the file's name without .md: the page's folder in its edition
    shown: str  # its path in messages
    title: str | None
    description: str | None
    body: str  # the Markdown after the front matter
    body_line: int  # the line of its file where the body starts

    @property
    def path(self) -> str:
        """Its Markdown path in its edition."""
        return f"{self.name}/index.md"


@functools.cache
def reserved_names() -> frozenset[str]:
    """Names an editorial page may not have: the folders generated pages and files use."""
    slugs = {
        slug for key, by_lang in SECTIONS.items() if key != "about" for slug in by_lang.values()
    }
    return frozenset(slugs | {"en", "index", "search", DATA_DIR, ASSETS.split("/")[0]})


#: The folder of an edition's pages holding the editor's own text of press releases, one
#: file per period: pages/vi/thong-cao/2024-6m.md is shown in 2024-6m's press release.
PRESS_FOLDER = "thong-cao"


def _press_text(folder: ContentFolder, relative: str) -> tuple[str, str] | str:
    """A press text's period key and Markdown, or what is wrong with it."""
    from minhbach.content.periods import Period, PeriodError

    name = relative.rsplit("/", 1)[1]
    if not name.endswith(".md"):
        return "is not a Markdown file (.md) named by its period, like 2024-6m.md"
    try:
        key = Period.parse(name.removesuffix(".md")).key
    except PeriodError as exc:
        return f"is not named by a period: {exc}"
    if f"{key}.md" != name:
        return f"is not named by its period as the datasets name it ({key}.md)"
    try:
        return key, folder.read(relative).decode("utf-8")
    except ContentPathError as exc:
        return exc.message
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte {exc.start})"


def _check_press_text(folder: ContentFolder, relative: str, shown: str, problems: Problems) -> None:
    found = _press_text(folder, relative)
    if isinstance(found, str):
        problems.error(
            shown,
            None,
            None,
            found,
            hint=f"an editor's text for a press release is pages/<vi|en>/{PRESS_FOLDER}/"
            "<period>.md, e.g. 2024-6m.md",
            rule="path",
        )


def press_texts(root: Path) -> dict[tuple[str, str], str]:
    """The editor's own text of each press release, by (edition, period key): Markdown,
    read through the content boundary (what the check refused is left out)."""
    folder = ContentFolder(root)
    texts: dict[tuple[str, str], str] = {}
    for lang in LANGS:
        relative = f"{FOLDER}/{lang}/{PRESS_FOLDER}"
        if not folder.is_folder(relative):
            continue
        for path, problem in folder.walk(relative):
            if problem is None and path.count("/") == 3:
                found = _press_text(folder, path)
                if not isinstance(found, str):
                    texts[(lang, found[0])] = found[1]
    return texts


def read_pages(folder: ContentFolder, shown_root: str, problems: Problems) -> list[EditorialPage]:
    """Every editorial page that can be published; what is wrong with the others, and
    what their sanitising drops, in `problems`."""
    if not folder.path(FOLDER).exists() and not folder.path(FOLDER).is_symlink():
        return []
    if not folder.is_folder(FOLDER):
        problems.error(
            shown_path(shown_root, FOLDER),
            None,
            None,
            "is not a folder (a symbolic link, or a file)",
            hint="pages/ holds a folder per language, vi/ and en/, of Markdown pages",
            rule="path",
        )
        return []
    pages: list[EditorialPage] = []
    for entry in sorted(os.scandir(folder.path(FOLDER)), key=lambda e: e.name):
        if entry.name in LANGS or entry.name.startswith("."):
            continue
        near = suggest(entry.name, LANGS)
        problems.warning(
            shown_path(shown_root, f"{FOLDER}/{entry.name}"),
            None,
            None,
            "not a language folder of pages/ (vi/ or en/); it is not published",
            hint=f"did you mean pages/{near}/?"
            if near
            else "put each page in pages/vi/ or pages/en/",
            rule="path",
        )
    for relative, problem in folder.walk(FOLDER):
        shown = shown_path(shown_root, relative)
        if problem is not None:
            problems.error(shown, None, None, problem.message, hint=problem.hint, rule="path")
            continue
        parts = relative.split("/")
        if len(parts) < 3 or parts[1] not in LANGS:
            continue  # warned of above, with its folder
        if len(parts) == 4 and parts[2] == PRESS_FOLDER:
            _check_press_text(folder, relative, shown, problems)
            continue
        if len(parts) > 3:
            problems.warning(
                shown,
                None,
                None,
                f"in a folder of pages/{parts[1]}/; it is not published",
                hint=f"put the page in pages/{parts[1]}/ itself",
                rule="path",
            )
            continue
        page = _read_page(folder, relative, shown, problems)
        if page is not None:
            pages.append(page)
    return pages


def _read_page(
    folder: ContentFolder, relative: str, shown: str, problems: Problems
) -> EditorialPage | None:
    _, lang, filename = relative.split("/")
    if not filename.endswith(".md"):
        problems.warning(
            shown,
            None,
            None,
            "not a Markdown page (.md); it is not published",
            hint="an editorial page is a .md file; other files are not part of the site",
            rule="path",
        )
        return None
    name = filename.removesuffix(".md")
    if not _NAME.fullmatch(name):
        problems.error(
            shown,
            None,
            None,
            f"'{name}' is not a page name: it is its address on the site",
            hint="use lowercase letters a-z, digits and hyphens, e.g. gioi-thieu.md",
            rule="path",
        )
        return None
    if name in reserved_names() or name.isdigit():
        problems.error(
            shown,
            None,
            None,
            f"'{name}' is the name of a generated section of the site; the page would replace it",
            hint="give the page another name",
            rule="path",
        )
        return None
    try:
        data = folder.read(relative)
    except ContentPathError as exc:
        problems.error(shown, None, None, exc.message, hint=exc.hint, rule="path")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(
            shown,
            Mark(line, 1),
            None,
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint="save the file as UTF-8",
            rule="page",
        )
        return None
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body, body_line = _split(text)
    meta: dict[str, str | None] = dict.fromkeys(FRONT_MATTER_KEYS)
    if front is not None:
        read = _front_matter(front, shown, problems)
        if read is None:
            return None
        meta.update(read)
    for item in dropped(page_html(body)):
        problems.warning(
            shown, _locate(body, body_line, item.needle), None, item.message, hint=item.hint,
            rule="page",
        )  # fmt: skip
    return EditorialPage(lang, name, shown, meta["title"], meta["description"], body, body_line)


def _split(text: str) -> tuple[str | None, str, int]:
    """The front matter (None without one), the body, and the body's first line."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, text, 1
    return match[1], text[match.end() :], match[0].count("\n") + 1


def _front_matter(front: str, shown: str, problems: Problems) -> dict[str, str | None] | None:
    """The title and description of a page's front matter; None, with errors, if broken."""
    count = len(problems.errors)
    # A line for the opening dashes: the marks are the file's lines.
    document = load_yaml_text("\n" + front, problems, shown)
    if document is None or len(problems.errors) > count:
        return None
    data = document.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.error(
            shown,
            document.mark(()),
            None,
            "the front matter is not a list of keys",
            hint="write it as 'title: ...' and 'description: ...' lines between '---' lines",
            rule="page",
        )
        return None
    found: dict[str, str | None] = {}
    for key, value in data.items():
        if key not in FRONT_MATTER_KEYS:
            near = suggest(str(key), FRONT_MATTER_KEYS)
            problems.warning(
                shown,
                document.key_mark((key,)),
                str(key),
                "is not used by the site; it is ignored",
                hint=f"did you mean {near}?"
                if near
                else f"a page's front matter may give {' and '.join(FRONT_MATTER_KEYS)}",
                rule="page",
            )
            continue
        if not isinstance(value, str) or not value.strip():
            problems.error(
                shown,
                document.mark((key,)),
                str(key),
                f"must be text, not {_kind(value)}",
                hint=f'write it in quotes: {key}: "..."',
                rule="page",
            )
            return None
        found[str(key)] = " ".join(value.split())
    return found


def _kind(value: object) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, str):
        return "blank"
    return {dict: "a list of keys", list: "a list", bool: "yes/no"}.get(type(value), "a number")


def _locate(body: str, body_line: int, needle: str) -> Mark:
    """Where `needle` first appears in the page's Markdown (its file's line and column);
    the body's first line when it does not appear as written."""
    at = -1
    if needle:  # as a Markdown link or an attribute first: "du-lieu/" is in "du-lieu/x.csv"
        lowered = body.lower()
        for before, after in (("](", ")"), ('"', '"'), ("(", " "), ("", "")):
            at = lowered.find(f"{before}{needle}{after}".lower())
            if at >= 0:
                at += len(before)
                break
    if at < 0:
        return Mark(body_line, 1)
    before = body[:at]
    return Mark(body_line + before.count("\n"), at - (before.rfind("\n") + 1) + 1)


_HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"')
_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def check_links(
    pages: Iterable[EditorialPage], site: Mapping[str, Collection[str]], problems: Problems
) -> None:
    """An error for each link or image of an editorial page that MkDocs would refuse.

    `site` holds the Markdown paths of each edition's pages ("don-vi/ha-noi/index.md"), as
    the build will make them. MkDocs, strict, fails on a link within the site to anything
    but one of its pages (a folder, an open-data file, a missing image, a path leading out
    of the site) and on an anchor a page does not have: the check refuses each first, at
    its line, so that `check ok` means the site builds. Links to other sites are the
    sanitiser's (`clean`).
    """
    pages = list(pages)
    editorial = {(page.lang, page.path): page for page in pages}
    for page in pages:
        known = site.get(page.lang)
        if known is None:  # an edition not built
            continue
        rendered = page_html(page.body)
        for href in dict.fromkeys(_HREF.findall(rendered) + _SRC.findall(rendered)):
            target = html.unescape(href)
            found = _link_problem(page, target, known, editorial)
            if found is not None:
                message, hint = found
                problems.error(
                    page.shown,
                    _locate(page.body, page.body_line, target),
                    None,
                    message,
                    hint=hint,
                    rule="link",
                )


@functools.cache
def _anchor_ids(body: str) -> frozenset[str]:
    """The ids an editorial page's HTML has, for links to its parts."""
    return frozenset(_ID.findall(page_html(body)))


def _nearest_page(page: EditorialPage, path: str, resolved: str, known: Collection[str]) -> str:
    """The page a link to a folder or a file most likely meant: the folder's index page,
    as written or read from the edition's root (a common slip), else the nearest path."""
    for folder in (resolved, posixpath.normpath(path.lstrip("/"))):
        index = "index.md" if folder in (".", "") else f"{folder.rstrip('/')}/index.md"
        if index in known and index != page.path:
            return index
    return suggest(resolved, sorted(set(known) - {page.path})) or ""


def _link_problem(
    page: EditorialPage,
    target: str,
    known: Collection[str],
    editorial: Mapping[tuple[str, str], EditorialPage],
) -> tuple[str, str] | None:
    """Why MkDocs would refuse `target` on `page` (message, hint), or None."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    here = posixpath.dirname(page.path)
    if not path:
        resolved = page.path
    elif path.startswith("/"):
        resolved = posixpath.normpath(path.lstrip("/"))
    else:
        resolved = posixpath.normpath(posixpath.join(here, path))
    if resolved == ".." or resolved.startswith("../"):
        return (
            f"links to '{target}', which leads out of the site",
            "link to a page of the site, relative to this page, or to a web address",
        )
    if not resolved.endswith(".md"):
        near = _nearest_page(page, path, resolved, known)
        return (
            f"links to '{target}' ({resolved}), which is not a page of the site",
            f"link to a page's Markdown file: did you mean {posixpath.relpath(near, here)}?"
            if near
            else "link to a page's Markdown file (…/index.md); an editor's page has no "
            "files of its own",
        )
    if resolved not in known:
        near = suggest(resolved, sorted(set(known) - {page.path})) or ""
        return (
            f"links to '{target}' ({resolved}), a page the site will not have",
            f"did you mean {posixpath.relpath(near, here)}?"
            if near
            else "a unit's or a period's page exists only when a dataset makes it",
        )
    if not fragment:
        return None
    linked = editorial.get((page.lang, resolved))
    if linked is None:
        return (
            f"links to '{target}': a part (#{fragment}) of a generated page",
            "link to the page itself; the parts of generated pages are not fixed",
        )
    ids = _anchor_ids(linked.body)
    if fragment in ids:
        return None
    return (
        f"links to '{target}', but its page has no part #{fragment}",
        f"its parts are: {', '.join('#' + i for i in sorted(ids))}"
        if ids
        else "the page has no headings to link to",
    )


def check_pages(root: Path, shown_root: str, problems: Problems) -> None:
    """Report what is wrong with the editorial pages of the content folder `root`."""
    read_pages(ContentFolder(root), shown_root, problems)


# --- the page the render stage writes ---


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's escapes, and YAML's line breaks)."""
    quoted = json.dumps(text, ensure_ascii=False)
    # Line breaks for YAML that JSON leaves as they are: folded into a space, not kept.
    return quoted.replace("\u0085", "\\N").replace("\u2028", "\\L").replace("\u2029", "\\P")


def published(page: EditorialPage) -> bytes:
    """The page as the render stage writes it for MkDocs: its own front matter, escaped,
    and where it comes from (for messages about it: `located`)."""
    lines = [
        "---",
        f"minhbach: {MARK_VALUE}",
        f"{SOURCE_KEY}: {yaml_string(page.shown)}",
        f"{LINE_KEY}: {page.body_line}",
    ]
    for key in FRONT_MATTER_KEYS:
        value = getattr(page, key)
        if value is not None:
            lines.append(f"{key}: {yaml_string(html.escape(value))}")
    return ("\n".join([*lines, "---", ""]) + page.body).encode("utf-8")


def located(written: Path, message: str) -> str | None:
    """A MkDocs message about the editorial page the render stage wrote at `written`,
    about its source file (at the line of the link it names, if it names one); None if
    `written` is not an editorial page."""
    try:
        text = written.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    front, body, _ = _split(text)
    try:
        meta = yaml.load(front or "", Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(meta, dict) or meta.get("minhbach") != MARK_VALUE:
        return None
    source, first = str(meta.get(SOURCE_KEY)), meta.get(LINE_KEY)
    link = re.search(r"link '([^']+)'", message)
    if link is not None and isinstance(first, int) and link[1] in body:
        mark = _locate(body, first, link[1])
        return f"{source}:{mark.line}:{mark.column}: {message}"
    return f"{source}: {message}"


def pages_of(root: Path, shown_root: str) -> Iterator[EditorialPage]:
    """The editorial pages that can be published (problems are the check's to report)."""
    yield from read_pages(ContentFolder(root), shown_root, Problems())


__all__ = [
    "EditorialPage",
    "check_links",
    "check_pages",
    "clean",
    "dropped",
    "page_html",
    "pages_of",
    "press_texts",
    "published",
    "read_pages",
    "reserved_names",
]
