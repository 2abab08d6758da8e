"""Checks over a built site folder: requests to other hosts, and links that lead nowhere.

Plain functions, no tests here: the site tests and the real-site checks call them.
Both parse HTML with the standard library's `html.parser`, so they see what a browser
sees as markup, not URL-looking strings inside scripts.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

# Attributes that make the browser fetch something, per element. `<a href>` is left
# out on purpose: following a link is the reader's choice, not a request of the page.
_FETCHED_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}

# `<link rel=...>` values that fetch (or open a connection to) their href.
_FETCHING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
}

# Attributes whose relative URLs must lead to a file of the site.
_LINK_ATTRIBUTES = {**_FETCHED_ATTRIBUTES, "a": ("href",), "area": ("href",), "link": ("href",)}

_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(["'])([^"']+)\1""", re.IGNORECASE)
_JS_REQUEST = re.compile(
    r"""\b(?:fetch|importScripts)\(\s*(["'`])((?:[a-z][a-z0-9+.-]*:)?//[^"'`]+)\1"""
)


class _Page(HTMLParser):
    """What one HTML page references and which fragment ids it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetched: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for name in _LINK_ATTRIBUTES.get(tag, ()):
            if name not in values:
                continue
            urls = _srcset_urls(values[name]) if name == "srcset" else [values[name]]
            self.links.extend(urls)
            if name in _FETCHED_ATTRIBUTES.get(tag, ()):
                self.fetched.extend(urls)
        if tag == "link" and "href" in values:
            rels = set(values.get("rel", "").lower().split())
            if rels & _FETCHING_RELS:
                self.fetched.append(values["href"])
        if "style" in values:
            self.fetched.extend(_css_urls(values["style"]))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.fetched.extend(_css_urls(data))


def external_references(site: Path) -> list[str]:
    """List every request a page or stylesheet of `site` makes to another host."""
    found: list[str] = []
    for path in _files(site, (".html", ".htm")):
        page = _parse(path)
        found.extend(_where(site, path, url) for url in page.fetched if _is_external(url))
    for path in _files(site, (".css",)):
        css = path.read_text(encoding="utf-8", errors="replace")
        found.extend(_where(site, path, url) for url in _css_urls(css) if _is_external(url))
    for path in _files(site, (".js", ".mjs")):
        js = path.read_text(encoding="utf-8", errors="replace")
        found.extend(_where(site, path, match[2]) for match in _JS_REQUEST.finditer(js))
    return sorted(found)


def broken_links(site: Path) -> list[str]:
    """List every link of `site` to a file or fragment that is not there.

    Relative links resolve from their page; links starting with "/" from the site
    root; a folder URL means its index.html. `#fragment` targets must exist as an id
    (or `<a name>`) in the target page. Stylesheets' relative `url(...)` count too.
    """
    site = site.resolve()
    files = {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}
    pages = {path.relative_to(site).as_posix(): _parse(path) for path in _files(site, (".html",))}
    broken: list[str] = []
    for source, page in sorted(pages.items()):
        for url in page.links:
            problem = _check_link(source, url, files, pages)
            if problem:
                broken.append(f"{source}: {url} ({problem})")
    for path in _files(site, (".css",)):
        source = path.relative_to(site).as_posix()
        css = path.read_text(encoding="utf-8", errors="replace")
        for url in _css_urls(css):
            problem = _check_link(source, url, files, {})
            if problem:
                broken.append(f"{source}: {url} ({problem})")
    return broken


def _check_link(source: str, url: str, files: set[str], pages: dict[str, _Page]) -> str | None:
    """Return why `url` on page `source` leads nowhere, or None when it is fine."""
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc:
        return None  # another host, mailto:, data: ... not a file of this site
    if not parts.path:
        target = source
    else:
        base = PurePosixPath("/") if parts.path.startswith("/") else PurePosixPath(source).parent
        resolved = _normalise(base / unquote(parts.path))
        if resolved is None:
            return "leaves the site"
        if resolved in files and not parts.path.endswith("/"):
            target = resolved
        else:
            # A folder URL ("2016/ca-nam/", or without the slash) is served as its index.
            target = f"{resolved}/index.html" if resolved else "index.html"
            if target not in files:
                return "not found"
    if parts.fragment and target in pages:
        fragment = unquote(parts.fragment)
        if fragment not in pages[target].ids:
            return f"no id '{fragment}' in {target}"
    return None


def _normalise(path: PurePosixPath) -> str | None:
    """Resolve "." and ".." in a site-rooted path; None if it climbs above the root."""
    parts: list[str] = []
    for part in path.parts[1:] if path.is_absolute() else path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _is_external(url: str) -> bool:
    # "https://host/x" and "//host/x" name a host; data: and blob: URLs carry their
    # content inline and relative URLs stay on the site.
    return bool(urlsplit(url.strip()).netloc)


def _srcset_urls(srcset: str) -> list[str]:
    """Return the URLs of a srcset ("a.png 1x, b.png 2x")."""
    return [item.split()[0] for item in srcset.split(",") if item.strip()]


def _css_urls(css: str) -> list[str]:
    """Return the URLs a stylesheet loads: url(...) and @import "..."."""
    urls = [match[2] for match in _CSS_URL.finditer(css)]
    urls += [match[2] for match in _CSS_IMPORT.finditer(css)]
    return [url for url in urls if not url.startswith(("data:", "#"))]


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def _files(site: Path, suffixes: Iterable[str]) -> Iterator[Path]:
    wanted = tuple(suffixes)
    return (path for path in sorted(site.rglob("*")) if path.is_file() and path.suffix in wanted)


def _where(site: Path, path: Path, url: str) -> str:
    return f"{path.relative_to(site).as_posix()}: {url}"


# --- scripts and formulas a hostile content folder might plant ---------------------------

# The inline scripts the site itself writes (Material's theme), by how their text starts;
# inline JSON data (`type="application/json"`) is allowed when it parses as JSON.
_OWN_INLINE_SCRIPTS = (
    'var palette=__md_get("__palette")',
    "var target=document.getElementById(location.hash.slice(1))",
    "__md_scope=new URL(",
)
# Elements a page of this site never has: they run or frame something.
_FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application")


class _Scripts(HTMLParser):
    """Everything in a page (or a fragment of one) that could run a script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: tuple[dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            squeezed = "".join(value.split()).lower()
            if name in _URL_ATTRIBUTES and squeezed.startswith(_SCRIPT_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in _FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag in ("form", "button", "input") and any(
            _is_external(values.get(name, "")) for name in ("action", "formaction")
        ):
            self.problems.append(f"<{tag}> sending to another host")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "script":
            self._script = (values, [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        values, parts = self._script
        self._script = None
        text = "".join(parts).strip()
        if values.get("src"):
            if _is_external(values["src"]):
                self.problems.append(f"<script src={values['src']!r}> from another host")
            return
        if values.get("type") == "application/json":
            try:
                json.loads(text)
            except ValueError:
                self.problems.append(f"inline JSON that does not parse: {text[:80]!r}")
            return
        if not text.startswith(_OWN_INLINE_SCRIPTS):
            self.problems.append(f"inline script not the site's own: {text[:80]!r}")


def script_problems(markup: str) -> list[str]:
    """What in an HTML page or fragment could run a script, or frame or post elsewhere."""
    parser = _Scripts()
    parser.feed(markup)
    parser.close()
    return parser.problems


def search_fragments(site: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every page of Pagefind's index of `site` (`site/search.py`): its fragment file
    (gzip, Pagefind's signature, JSON: url, content, meta), read back."""
    found = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        found.append((path, json.loads(data[len(b"pagefind_dcd") :])))
    return found


def site_script_problems(site: Path) -> list[str]:
    """`script_problems` of every page of `site` and of every SVG image. (The search
    index holds text, not markup: the search page shows it as text, and Pagefind's
    excerpts escaped.)"""
    found: list[str] = []
    for path in _files(site, (".html", ".htm")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found.extend(_where(site, path, problem) for problem in script_problems(text))
    for path in _files(site, (".svg",)):
        root = ElementTree.fromstring(path.read_bytes())
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("script", "foreignObject") or tag in _FORBIDDEN_ELEMENTS:
                found.append(_where(site, path, f"<{tag}> in an SVG"))
            found.extend(
                _where(site, path, f"<{tag} {name}> in an SVG")
                for name in element.attrib
                if name.rsplit("}", 1)[-1].startswith("on")
            )
    return found


# OWASP, "CSV Injection": a cell starting with one of these is read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def table_files(site: Path) -> list[Path]:
    """Every published table file: CSV, gzipped or not."""
    return sorted(
        path
        for path in site.rglob("*")
        if path.is_file() and path.name.endswith((".csv", ".csv.gz"))
    )


def formula_cells(path: Path) -> list[str]:
    """Every cell of a CSV file (gzipped or not) that a spreadsheet would run as a formula:
    it starts with a formula character (after any leading spaces) and is not a plain number."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    found = []
    rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row, start=1):
            start = cell.lstrip(" \n\v\f\u00a0\u3000")
            if start.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
                found.append(f"{path.name}:{number}:{column}: {cell[:60]!r}")
    return found
