"""The site stage: each edition's pages in Material's theme, through MkDocs, swapped into site/.

What MkDocs builds of an edition: the editors' pages (Markdown, by its ordinary path),
the theme's files, the 404 page and the navigation. The generated
pages (`render.generated.GeneratedPage`, finished HTML) are given to the theme by this
stage's own loop (`_Generated`), through MkDocs' public API: each is a `File` that
MkDocs knows, for links and navigation, but does not build (excluded); a `Page` whose
content and table of contents come from the typed page; the theme's `main.html` with
MkDocs' own template context and plugin events. No Markdown runs over a generated
page, and its HTML is not parsed. The search index is made by Pagefind from the site
as published (`search.index_site`). Built pages are kept in the build's store by a key
of everything they depend on, and the misses are rendered in forked processes
(`processes.fork_map`).

Every edition (vi at the site root, en under /en/) is built into one temporary folder
beside `site/`; only when all of them built cleanly is that folder published as the
new `site/`, in one step (`publish`). A failed build leaves the previous `site/`
exactly as it was. `serve` previews the site with live reload, rebuilding through the
caller's pipeline on every change.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html
import json
import logging
import os
import posixpath
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.build import get_context
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_build_timestamp
from mkdocs.utils.templates import TemplateContext

from minhbach.content.editorial import clean, located
from minhbach.layout import PAGES_DIR, SECTIONS, SOURCES_MANIFEST
from minhbach.machinery.cache import JinjaCode, Store
from minhbach.machinery.cache import key as digest
from minhbach.machinery.processes import fork_map
from minhbach.machinery.uptodate import STAMP
from minhbach.problems import UserError
from minhbach.render.generated import GeneratedPage, Heading, page_file
from minhbach.site.pagecache import PageCache, content_hashes, link_or_copy
from minhbach.site.publish import publish, recover, start_from
from minhbach.site.search import index_site

__all__ = [
    "Alternate",
    "Edition",
    "EditionBuilt",
    "build_site",
    "live_server",
    "serve",
]

#: Pages between two progress lines of a large build; small builds print one line.
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Alternate:
    """One entry of the language switcher (Material's `extra.alternate`)."""

    name: str
    """What the reader sees: "Tiếng Việt", "English"."""
    link: str
    """Target, relative to the root of the edition that shows the switcher ("en/", "../")."""
    lang: str
    """Language code of the target ("vi", "en"), for `hreflang`."""


@dataclass(frozen=True)
class Edition:
    """One language of the site: its pages in reports/, where it goes, and its shell."""

    lang: str
    """Language code: Material's `theme.language`, the search language and `<html lang>`.
    The edition's generated pages are in reports/pages/<lang>/ (`render.generated`)."""
    docs_dir: Path
    """The edition's editors' pages (Markdown), MkDocs' docs_dir, relative to the
    `reports` folder (or absolute)."""
    dest: str
    """Folder of the edition inside the site: "" for the root edition (vi), "en" for English."""
    site_name: str
    """Title in the header and in every `<title>`."""
    nav: list[dict[str, str]]
    """The small nav, title → page ("phuong-phap/index.md"); never list generated pages."""
    alternate: list[Alternate] = field(default_factory=list)
    """Language switcher entries; empty hides the switcher."""
    permalink_title: str | None = None
    """Title of the "¶" link beside the editors' headings; None keeps the one in mkdocs.yml
    (the render stage writes the generated pages' own)."""
    feed: bool = False
    """Whether the edition has an Atom feed (`feed.xml` at its root), linked from every page."""
    banner: str | None = None
    """A pre-release preview's banner, shown on every page, which also keeps it out of
    search engines (`noindex`); None on the public site."""


@dataclass(frozen=True)
class EditionBuilt:
    """What one edition's MkDocs build did."""

    lang: str
    pages: int
    seconds: float
    warnings: list[str]
    plugin: _EditionPlugin | None = field(default=None, repr=False, compare=False)


def build_site(
    reports: Path,
    site: Path,
    editions: Sequence[Edition],
    *,
    strict: bool,
    config_file: Path = Path("mkdocs.yml"),
    site_url: str | None = None,
    epoch: int | None = None,
    progress: Callable[[str], None] | None = None,
    store: Store | None = None,
    static: Path | None = None,
    robots: str | None = None,
) -> list[EditionBuilt]:
    """Build every edition into a temporary folder beside `site`, then swap it into `site`.

    `strict` makes any MkDocs warning fail the build. `epoch` (seconds since 1970) is
    the build date written into the sitemap when SOURCE_DATE_EPOCH is not set; with
    neither, the date is today's and builds are byte-identical only within a day.
    `site_url` is the public address of the root edition, if known. Progress and
    non-strict warnings go to `progress`, or to stderr when it is None.

    `store` keeps built generated pages, so that unchanged pages are not built again,
    and the manifest of the site last published (written when the caller commits the
    store). `static` is a tree of finished files laid out as the site (charts, data),
    put into the site as they are; `robots` is the site's robots.txt. With both, and a
    `site/` that is still the one last published (its stamp matches the manifest), the
    next version starts as the published one and takes only what changed; otherwise the
    whole site is assembled in a temporary folder. Either way it is published in one step.
    """
    report = progress if progress is not None else _print_to_stderr
    ordered = _check_editions(reports, editions)
    if site.exists() and not site.is_dir():
        raise UserError(f"{site}: exists and is not a folder; the site is written as a folder")
    site.parent.mkdir(parents=True, exist_ok=True)
    recover(site)
    # Beside site/, so the final rename stays on one filesystem; a dot name, so that
    # a folder left by a killed build is not mistaken for a site (it is removed otherwise).
    work = Path(tempfile.mkdtemp(prefix=f".{site.name}-tmp-", dir=site.parent))
    manifest = Manifest(store) if store is not None else None
    in_place = manifest is not None and manifest.matches(site)
    previous = manifest.files() if manifest is not None and in_place else {}
    built: list[EditionBuilt] = []
    try:
        new_site = work / "site"
        failures: list[str] = []
        env = {"NO_MKDOCS_2_WARNING": "1"}
        if epoch is not None and "SOURCE_DATE_EPOCH" not in os.environ:
            env["SOURCE_DATE_EPOCH"] = str(epoch)
        with _environ(env):
            for edition in ordered:
                out = new_site / edition.dest if edition.dest else new_site
                if edition.dest and out.exists():
                    raise UserError(
                        f"{reports / ordered[0].docs_dir}: has a '{edition.dest}' entry, "
                        f"which would collide with the {edition.lang} edition published there"
                    )
                result, failure = _build_edition(
                    edition,
                    reports,
                    out,
                    strict=strict,
                    config_file=config_file,
                    site_url=_edition_url(site_url, edition.dest),
                    report=report,
                    store=store,
                    previous=previous,
                )
                built.append(result)
                if failure is not None:
                    # Build the other editions anyway, so one run reports every warning.
                    failures.append(failure)
                else:
                    for warning in result.warnings:
                        report(f"warning: {warning}")
        if failures:
            raise UserError(
                f"{site}: not updated: MkDocs failed"
                + (" (strict: warnings fail)" if strict else "")
                + ":\n"
                + "\n".join(failures)
            )
        if robots is not None:
            (new_site / "robots.txt").write_text(robots, encoding="utf-8")
        plugins = [result.plugin for result in built if result.plugin is not None]
        entries = _entries(new_site, plugins, static)
        if manifest is not None and in_place:
            # The next version starts as the published one (hard links) and takes what
            # changed; the published version is never written into.
            following = work / "next"
            start_from(site, following)
            changed = manifest.apply(following, new_site, entries)
            report(index_site(following))
            for plugin in plugins:
                plugin.commit()
            publish(following, site)
            report(f"site: {changed} files changed in {site}")
        else:
            for _, source in entries.values():
                if source is not None:
                    link_or_copy(str(source[1]), str(new_site / source[0]))
            # Everything that can fail is done before the swap, which is the last step: a
            # failure (a full disk, a read-only cache) leaves the previous site/ in place.
            report(index_site(new_site))
            if manifest is not None:
                manifest.stamp(new_site, entries)
            for plugin in plugins:
                plugin.commit()
            publish(new_site, site)
        return built
    finally:
        shutil.rmtree(work, ignore_errors=True)


def serve(
    rebuild: Callable[[], None],
    site: Path,
    watch: list[Path],
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    build_first: bool = True,
) -> None:
    """Build, then serve `site` with live reload, rebuilding when a file under `watch` changes.

    A rebuild that fails keeps the previous site on screen: a UserError is printed as
    one message, anything else (a bug) with its traceback. Stop with Ctrl+C.
    """
    server = live_server(rebuild, site, watch, host, port)
    log = logging.getLogger("mkdocs.livereload")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    # A 404 logged by the server while a rebuild runs must not reach the "mkdocs"
    # logger, where strict mode would count it as a warning of the build.
    log.propagate = False
    try:
        if build_first:
            server.builder()
        server.serve()  # type: ignore[no-untyped-call]  # MkDocs leaves it unannotated
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.shutdown()
        log.removeHandler(handler)
        log.propagate = True


def live_server(
    rebuild: Callable[[], None],
    site: Path,
    watch: list[Path],
    host: str = "127.0.0.1",
    port: int = 8000,
) -> LiveReloadServer:
    """Return a live-reload server of `site` calling `rebuild` on changes; `.serve()` starts it."""
    # Not resolved through the link itself: `site` is switched to each new version.
    site = site.parent.resolve() / site.name
    for path in watch:
        watched = path.resolve()
        # build_site writes a temporary folder beside site/: watching it would rebuild forever.
        if site.parent.is_relative_to(watched) or watched.is_relative_to(site):
            raise UserError(f"{path}: cannot watch a folder that holds the site ({site})")

    def builder() -> None:
        try:
            rebuild()
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
        except Exception:
            traceback.print_exc()
        # Returning normally lets the server answer again (it holds requests while a
        # rebuild is under way); browsers reload onto the site as it now is.

    def error_page(code: int) -> bytes | None:
        page = site / f"{code}.html"
        return page.read_bytes() if code == 404 and page.is_file() else None

    # The server opens files by path on every request, so the site/ swapped in by a
    # rebuild is the one served next; it never holds the old folder open.
    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site))
    server.error_handler = error_page
    for path in watch:
        server.watch(str(path))
    return server


Entry = tuple[str, tuple[str, Path] | None]
"""A file of the site: its signature, and where to take it from if not from the build."""


def _entries(
    new_site: Path, plugins: Sequence[_EditionPlugin], static: Path | None
) -> dict[str, Entry]:
    """Every file of the site by its path: what MkDocs wrote or the cache gave, the pages
    left as published, static files."""
    entries: dict[str, Entry] = {}
    pages = {rel: key for plugin in plugins for rel, key in plugin.pages.items()}
    for path in _walk(new_site):
        rel = path.relative_to(new_site).as_posix()
        if rel in pages:  # a page is known by its cache key; no need to read it
            entries[rel] = (f"page:{pages.pop(rel)}", None)
        else:
            entries[rel] = (digest(path.read_bytes()), None)
    for rel, key in pages.items():  # not in the build folder: the published page, unchanged
        entries[rel] = (f"page:{key}", None)
    if static is not None and static.is_dir():
        for rel, content in content_hashes(static.parent, static.name).items():
            if rel in entries:
                raise UserError(f"{static / rel}: the site already has {rel} (built by MkDocs)")
            entries[rel] = (f"file:{content}", (rel, static / rel))
    return entries


def _walk(root: Path) -> Iterator[Path]:
    for folder, _, names in os.walk(root):
        for name in names:
            yield Path(folder, name)


@dataclass
class Manifest:
    """The files of the site last published, kept in the build's store, with a stamp in it."""

    store: Store
    STAMP: ClassVar[str] = STAMP
    KIND: ClassVar[str] = "site-manifest"

    def load(self) -> dict[str, Any]:
        found = self.store.get(self.KIND, "published")
        try:
            data: dict[str, Any] = json.loads(found) if found is not None else {}
        except ValueError:
            return {}
        return data

    def files(self) -> dict[str, str]:
        """The signature of each file of the site last published, by path."""
        files: dict[str, str] = self.load().get("files", {})
        return files

    def matches(self, site: Path) -> bool:
        """Is `site` still exactly the site this manifest describes?"""
        data = self.load()
        try:
            stamp = (site / self.STAMP).read_text(encoding="utf-8").strip()
        except OSError:
            return False
        return bool(data) and data.get("id") == stamp

    def stamp(self, site: Path, entries: dict[str, Entry]) -> None:
        files = {rel: signature for rel, (signature, _) in entries.items()}
        ident = digest(json.dumps(files, sort_keys=True))
        record = json.dumps({"id": ident, "files": files}).encode()
        self.store.put(self.KIND, "published", record)
        (site / self.STAMP).write_text(ident + "\n", encoding="utf-8")

    def apply(self, site: Path, built: Path, entries: dict[str, Entry]) -> int:
        """Move what changed into `site`, remove what is gone; return how many files changed.

        The stamp is removed first and written last: if this is interrupted, the next
        build finds no stamp and assembles the whole site again.
        """
        previous = self.files()
        (site / self.STAMP).unlink(missing_ok=True)
        changed = 0
        for rel, (signature, source) in entries.items():
            if previous.get(rel) == signature:
                continue
            target = site / rel
            if source is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(built / rel, target)
            else:
                _replace_with_link(source[1], target)
            changed += 1
        for rel in previous.keys() - entries.keys():
            (site / rel).unlink(missing_ok=True)
            _remove_empty_parents(site / rel, site)
            changed += 1
        self.stamp(site, entries)
        return changed


def _replace_with_link(source: Path, target: Path) -> None:
    """Replace `target` by a link to (or copy of) `source`, never writing into the old file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    link_or_copy(str(source), str(tmp))
    os.replace(tmp, target)


def _remove_empty_parents(path: Path, root: Path) -> None:
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _check_editions(reports: Path, editions: Sequence[Edition]) -> list[Edition]:
    """Return the editions root first, after checking their folders and destinations."""
    roots = [edition for edition in editions if not edition.dest]
    if len(roots) != 1:
        raise ValueError(f"exactly one edition must have dest '' (the site root), got {len(roots)}")
    dests = [edition.dest for edition in editions]
    if len(set(dests)) != len(dests):
        raise ValueError(f"edition destinations must differ: {dests}")
    for edition in editions:
        if edition.dest and ("/" in edition.dest or edition.dest in (".", "..")):
            raise ValueError(f"edition dest must be one folder name: {edition.dest!r}")
        docs_dir = reports / edition.docs_dir
        if not docs_dir.is_dir() and (reports / PAGES_DIR / edition.lang).is_dir():
            docs_dir.mkdir(parents=True)  # no editors' pages: MkDocs still wants the folder
        if not docs_dir.is_dir():
            raise UserError(
                f"{docs_dir}: no generated pages for the {edition.lang} edition "
                "(the render stage writes them)"
            )
    # The root edition goes first: the other editions live inside its output, and a
    # folder of the root edition named like one of them is caught before they build.
    return roots + [edition for edition in editions if edition.dest]


def _build_edition(
    edition: Edition,
    reports: Path,
    out: Path,
    *,
    strict: bool,
    config_file: Path,
    site_url: str | None,
    report: Callable[[str], None],
    store: Store | None = None,
    previous: dict[str, str] | None = None,
) -> tuple[EditionBuilt, str | None]:
    """Run MkDocs for one edition into `out`; return what it did and its failure, if any.

    With `store`, generated pages whose HTML cannot have changed are taken from it
    (`PageCache`); those `previous` (the published site's signatures) already has are
    left out of `out`.
    """
    label = f"mkdocs {edition.lang}"
    start = time.monotonic()
    docs_dir = reports / edition.docs_dir
    generated = Generated(reports, edition.lang)
    cache = PageCache(store, edition.lang) if store is not None else None
    plugin = _EditionPlugin(
        label, report, edition.dest, generated, previous=previous or {}, cache=cache
    )
    messages, failure = _run_mkdocs(
        edition, docs_dir, out, plugin, strict=strict, config_file=config_file, site_url=site_url
    )
    seconds = time.monotonic() - start
    built = plugin.built_count
    cached = f", {plugin.total - built} from the cache" if store is not None else ""
    report(f"{label}: {plugin.total} pages, {built} built{cached} in {seconds:.1f} s")
    warnings = [_locate(docs_dir, message) for message in messages]
    return EditionBuilt(edition.lang, plugin.total, seconds, warnings, plugin), failure


def _run_mkdocs(
    edition: Edition,
    docs_dir: Path,
    out: Path,
    plugin: _EditionPlugin,
    *,
    strict: bool,
    config_file: Path,
    site_url: str | None,
) -> tuple[list[str], str | None]:
    """One MkDocs build of an edition with `plugin`; the messages it logged and its failure."""
    failure: str | None = None
    with _capture_mkdocs_log() as messages:
        try:
            config = _load_edition_config(
                edition, docs_dir, out, strict=strict, config_file=config_file, site_url=site_url
            )
            plugin.fingerprint = _edition_fingerprint(edition, config, config_file)
            # A plugin object rather than a `hooks:` file: it carries this build's
            # callbacks without module-level state.
            config.plugins["minhbach/edition"] = plugin
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as exc:
            # MkDocs logs each warning and error before it aborts; its closing summary
            # ("Aborted with 2 warnings in strict mode!") only counts them again.
            lines = [_locate(docs_dir, message) for message in messages]
            if not (isinstance(exc, Abort) and lines):
                lines.append(f"{docs_dir}: {exc.format_message()}")
            failure = "\n".join(lines)
    return list(messages), failure


def _edition_fingerprint(edition: Edition, config: MkDocsConfig, config_file: Path) -> str:
    """Everything besides a page's own source and the edition's files that its HTML
    depends on; the theme, its overrides and the libraries are in every key of the
    store (`cache.fingerprint`)."""
    return digest(
        config_file.read_bytes(), repr(edition), repr(config.site_url), repr(config.strict)
    )


@dataclass(frozen=True)
class Generated:
    """An edition's generated pages as the render stage left them: reports/pages/<lang>/."""

    reports: Path
    lang: str

    @property
    def folder(self) -> Path:
        return self.reports / PAGES_DIR / self.lang

    def hashes(self) -> dict[str, str]:
        """Each page's content hash by its path in the edition ("2024/6-thang/index.md")."""
        if not self.folder.is_dir():
            return {}
        found = content_hashes(self.reports, f"{PAGES_DIR}/{self.lang}")
        return {
            rel.removesuffix(".json") + ".md": known
            for rel, known in found.items()
            if rel.endswith(".json")
        }

    def read(self, path: str) -> GeneratedPage:
        typed = GeneratedPage.from_json((self.reports / page_file(self.lang, path)).read_bytes())
        if typed.path != path:
            raise RuntimeError(f"{page_file(self.lang, path)}: holds the page {typed.path}")
        return typed


def toc_tokens(headings: Sequence[Heading]) -> list[dict[str, Any]]:
    """The headings as Python-Markdown's toc extension gives them to MkDocs (`get_toc`):
    nested by level, each name HTML-escaped, as the theme writes it as it is."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for heading in headings:
        token = {
            "level": heading.level,
            "id": heading.id,
            "name": html.escape(heading.text, quote=False),
            "children": [],
        }
        while stack and stack[-1]["level"] >= heading.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


Rendered = tuple[bytes, list[str]]
"""A generated page built: its HTML, what it logged in a child."""


# MkDocs' __init_subclass__ hooks, which read the options schema, are unannotated.
class _NoOptions(Config):  # type: ignore[no-untyped-call]
    """The edition plugin takes no options from mkdocs.yml."""


class _EditionPlugin(BasePlugin[_NoOptions]):  # type: ignore[no-untyped-call]
    """One edition's build: its generated pages, the page cache, progress, the 404 page.

    MkDocs builds the editors' pages and the theme's files. The generated pages are
    `File`s it knows but does not build (`InclusionLevel.EXCLUDED`: links to them
    resolve, the nav may name them, the sitemap is made here with them); this plugin
    builds them after MkDocs' own pages.
    """

    def __init__(
        self,
        label: str,
        report: Callable[[str], None],
        dest: str,
        generated: Generated,
        *,
        previous: dict[str, str],
        cache: PageCache | None = None,
    ) -> None:
        super().__init__()
        self.label = label
        self.report = report
        self.dest = dest
        self.generated = generated
        self.previous = previous
        """The signature of each file of the published site, when it is built upon."""
        self.cache = cache
        self.fingerprint = ""
        self.pages: dict[str, str] = {}
        """Site path of every generated page -> its cache key."""
        self.total = 0
        self.editorial = 0
        self.built_count = 0
        self.keys: list[str] = []
        self.files: list[File] = []  # the generated pages, in the order of their paths
        self.hashes: dict[str, str] = {}
        self.env: jinja2.Environment | None = None
        self.nav: Navigation | None = None
        self.all_files: Files | None = None
        self.doc_files: Sequence[File] = []  # the pages MkDocs built, as its own pages see them
        self.pid = os.getpid()

    def on_config(self, config: MkDocsConfig) -> None:
        # Made by `_sitemap` with the generated pages, which MkDocs' own leaves out.
        config.theme.static_templates.discard("sitemap.xml")

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        docs_dir = os.path.abspath(config.docs_dir)
        for theme_file in [
            f
            for f in files
            if not (f.abs_src_path or "").startswith(docs_dir) and _unused_theme_file(f.src_uri)
        ]:
            files.remove(theme_file)
        self.hashes = self.generated.hashes()
        for path in self.hashes:
            if files.get_file_from_path(path) is not None:
                raise UserError(
                    f"{self.generated.reports / self.generated.lang / path}: the render stage "
                    "made a page of this path too (the editors' page names are checked: a bug)"
                )
            source = str(self.generated.reports / page_file(self.generated.lang, path))
            file = File.generated(
                config, path, abs_src_path=source, inclusion=InclusionLevel.EXCLUDED
            )
            files.append(file)
            self.files.append(file)
        self.doc_files = files.documentation_pages()  # the editors', built by MkDocs
        self.editorial = len(self.doc_files)
        self.total = len(self.files) + self.editorial
        self.all_files = files
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        # The theme's templates compiled once, not on every build.
        if self.cache is not None:
            env.bytecode_cache = JinjaCode(self.cache.store)
        # The theme's JSON in pages (its translations) in UTF-8, not \u escapes: a third
        # of the bytes. `tojson` still escapes <, >, & and ' for HTML.
        env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        env.globals["mb_translation"] = theme_translations(env, config.theme["language"])
        self.env = env
        return env

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # Only the editors' pages come here (the generated ones are not Markdown): their
        # HTML sanitised as the check's warnings said.
        return clean(html)

    def on_template_context(
        self, context: TemplateContext, /, *, template_name: str, config: MkDocsConfig
    ) -> None:
        # The 404 page is served at any depth, so MkDocs gives it absolute links based
        # on site_url, or on "/" without one: wrong for an edition published under /en/.
        if template_name == "404.html" and not config.site_url:
            context["base_url"] = f"/{self.dest}/" if self.dest else "/"

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.env is not None and self.nav is not None and self.all_files is not None
        for file in self.files:  # the nav made the pages it names; the sitemap needs all
            if file.page is None:
                Page(None, file, config)
        # Links and relative URLs depend on which files exist: any change rebuilds all.
        file_set = "\n".join(sorted(f.src_uri for f in self.all_files if f.abs_src_path))
        edition_key = digest(self.fingerprint, file_set)
        misses: list[int] = []
        for index, file in enumerate(self.files):
            key = digest(edition_key, self.hashes[file.src_uri])
            self.keys.append(key)
            site_path = posixpath.join(self.dest, file.dest_uri) if self.dest else file.dest_uri
            self.pages[site_path] = key
            if not self._cached(file, key, site_path):
                misses.append(index)
        if len(misses) >= PROGRESS_EVERY:
            self.report(f"{self.label}: {len(misses)} pages to build")
        render = functools.partial(self._render, config)
        for done, (index, (page_html, logged)) in enumerate(
            zip(misses, fork_map(render, misses), strict=True), start=1
        ):
            for message in logged:  # a child's: counted here, as strict mode wants
                logging.getLogger("mkdocs.plugins.minhbach").warning(message)
            _write(self.files[index].abs_dest_path, page_html)
            if self.cache is not None:  # written only if the build passes (`commit`)
                self.cache.put(self.keys[index], page_html)
            if done % PROGRESS_EVERY == 0:
                self.report(f"{self.label}: built {done}/{len(misses)} pages")
        self.built_count = len(misses) + self.editorial
        self._sitemap(config)

    def _cached(self, file: File, key: str, site_path: str) -> bool:
        """Whether a page built before is used: the published site's (left as it is), or
        the cache's (written into the new site); False: the page is built."""
        if self.cache is None:
            return False
        if self.previous.get(site_path) == f"page:{key}":
            return True
        page_html = self.cache.html(key)
        if page_html is None:
            return False
        _write(file.abs_dest_path, page_html)
        return True

    def _render(self, config: MkDocsConfig, index: int) -> Rendered:
        """Build one generated page as MkDocs builds a page, from its typed content."""
        assert self.env is not None and self.nav is not None and self.all_files is not None
        file = self.files[index]
        typed = self.generated.read(file.src_uri)
        page = file.page
        assert page is not None
        title = html.escape(typed.title)
        if page.title is None:  # a page the nav names keeps the nav's title there
            page.title = title
        # Material writes the title and description from the front matter as they are. The
        # home page's <title> is the site's name (the theme's rule), not "name - name".
        page.meta = {} if page.is_homepage else {"title": title}
        if typed.description:
            page.meta["description"] = html.escape(typed.description)
        if typed.image:
            page.meta["image"] = typed.image  # main.html: og:image, under the site's URL
        page.toc = get_toc(toc_tokens(typed.toc))  # type: ignore[arg-type]
        page.content = typed.body
        with _logged_here(os.getpid() != self.pid) as logged:
            page.active = True
            try:
                context = get_context(self.nav, self.doc_files, config, page)
                context = config.plugins.on_page_context(
                    context, page=page, config=config, nav=self.nav
                )
                template = self.env.get_template("main.html")
                output = template.render(context)
                output = config.plugins.on_post_page(output, page=page, config=config)
            finally:
                page.active = False
                page.content = None  # the pages are held for the sitemap, not their text
        return output.encode("utf-8", errors="xmlcharrefreplace"), list(logged)

    def _sitemap(self, config: MkDocsConfig) -> None:
        """The theme's sitemap.xml (and .gz) of every page, generated ones too."""
        assert self.env is not None and self.nav is not None and self.all_files is not None
        shown = [
            f
            for f in self.all_files.documentation_pages(inclusion=lambda _: True)
            if f.page is not None
        ]
        shown.sort(key=lambda f: f.src_uri)
        context = get_context(self.nav, shown, config)
        output = self.env.get_template("sitemap.xml").render(context).encode("utf-8")
        path = Path(config.site_dir, "sitemap.xml")
        path.write_bytes(output)
        stamp = get_build_timestamp(pages=[f.page for f in shown if f.page is not None])
        # As MkDocs writes it: the file's name and the build's date in the gzip header.
        with (
            open(f"{path}.gz", "wb") as stream,
            gzip.GzipFile(fileobj=stream, filename=f"{path}.gz", mode="wb", mtime=stamp) as gz,
        ):
            gz.write(output)

    def commit(self) -> None:
        """After a build that passed: this build used every page it has (the store drops
        the others when it commits)."""
        if self.cache is not None:
            self.cache.commit(self.keys)


def _write(path: str, data: bytes) -> None:
    """A page of the new site, in a folder made for it if need be."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as stream:
        stream.write(data)


def _unused_theme_file(uri: str) -> bool:
    """Whether no page loads this file of the theme: its source maps (1.3 MB, for those
    who debug its scripts) and its own search's scripts (lunr; the site's search is
    Pagefind's, `search`)."""
    return (
        uri.endswith(".map")
        or uri.startswith("assets/javascripts/lunr/")
        or (uri.startswith("assets/javascripts/workers/search."))
    )


def _locate(docs_dir: Path, message: str) -> str:
    """Start a MkDocs message with the file it is about, as our other messages do."""
    # MkDocs names pages relative to docs_dir: "Doc file 'index.md' contains a link ...".
    if match := re.fullmatch(r"Doc file '([^']+)' (.*)", message, flags=re.DOTALL):
        page, what = match[1], match[2]
        # An editor's page by its file in content/pages/, not the copy the render wrote;
        # a generated page by the content files it was made from.
        return (
            located(docs_dir / page, what)
            or _generated(docs_dir, page, what)
            or f"{docs_dir / page}: {what}"
        )
    return f"{docs_dir}: {message}"


#: Content files named in full in a message about a page made from many (a period's).
SOURCES_SHOWN = 3


def _generated(docs_dir: Path, page: str, what: str) -> str | None:
    """A MkDocs message about a generated page, about the content files it was made from
    (the render stage's `SOURCES_MANIFEST`); None if the record does not know the page."""
    # The render stage writes each edition's pages into reports/<lang>/, and the record
    # beside them, by the pages' paths from reports/.
    sources = _sources(docs_dir.parent / SOURCES_MANIFEST).get(page_file(docs_dir.name, page))
    if not sources:
        return None
    first, others = sources[0], sources[1:]
    # A page made from all the content (the home page) names the content folder.
    made_from = "everything in this folder" if first.endswith("/") else "this file"
    if others:
        shown = ", ".join(others[:SOURCES_SHOWN])
        more = len(others) - SOURCES_SHOWN
        plural = "s" if len(others) > 1 else ""
        made_from += f" and {len(others)} other{plural}: {shown}"
        made_from += f" and {more} more" if more > 0 else ""
    folder = posixpath.dirname(page)
    named = f"page {folder}/" if folder else "home page"
    return (
        f"{first}: the {docs_dir.name} edition's {named} (generated from {made_from}) {what} "
        "(hint: the check passed, so the fault is the generator's, not the file's: "
        "please report it with this message)"
    )


@functools.lru_cache(maxsize=2)
def _read_sources(path: Path, stamp: tuple[int, int]) -> dict[str, list[str]]:
    """The record at `path` as it was at `stamp` (its mtime and size): read once per build."""
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def _sources(path: Path) -> dict[str, list[str]]:
    """The render stage's record of each page's content files; empty if there is none."""
    try:
        info = path.stat()
        return _read_sources(path, (info.st_mtime_ns, info.st_size))
    except (OSError, ValueError):
        return {}


def _load_edition_config(
    edition: Edition,
    docs_dir: Path,
    out: Path,
    *,
    strict: bool,
    config_file: Path,
    site_url: str | None,
) -> MkDocsConfig:
    """Load mkdocs.yml with the edition's values filled in."""
    if not config_file.is_file():
        raise UserError(f"{config_file}: no MkDocs configuration file there")
    overrides: dict[str, Any] = {
        "site_name": edition.site_name,
        # Absolute: MkDocs resolves relative ones against mkdocs.yml's folder, not ours.
        "docs_dir": str(docs_dir.absolute()),
        "site_dir": str(out.absolute()),
        "nav": edition.nav,
        "strict": strict,
        "site_url": site_url,
    }
    config = load_config(str(config_file), **overrides)
    # Theme options and extra are one mapping each in mkdocs.yml; overriding them
    # through load_config would replace the whole mapping, so set single keys here.
    config.theme["language"] = edition.lang
    config.extra["alternate"] = [
        {"name": alt.name, "link": alt.link, "lang": alt.lang} for alt in edition.alternate
    ]
    config.extra["preview_banner"] = edition.banner
    config.extra["feed"] = edition.feed
    config.extra["search_page"] = f"{SECTIONS['search'][edition.lang]}/"  # type: ignore[index]
    if edition.permalink_title is not None and "toc" in config.mdx_configs:
        config.mdx_configs["toc"]["permalink_title"] = edition.permalink_title
    return config


def robots_txt(site_url: str | None, *, public: bool) -> str:
    """The site's robots.txt: the public site open to every crawler, with its sitemap when
    its address is known; a preview closed to all."""
    if not public:
        return "# A pre-release preview: not for search engines.\nUser-agent: *\nDisallow: /\n"
    lines = ["User-agent: *", "Allow: /"]
    root = _edition_url(site_url, "")
    if root is not None:
        lines.append(f"Sitemap: {root}sitemap.xml")
    return "\n".join(lines) + "\n"


def _edition_url(site_url: str | None, dest: str) -> str | None:
    """Return the public address of an edition, given the root edition's."""
    if site_url is None:
        return None
    root = site_url if site_url.endswith("/") else site_url + "/"
    return root + dest + "/" if dest else root


def theme_translations(env: jinja2.Environment, language: str) -> Callable[[str], str]:
    """The theme's string for a key, as its `partials/language.html` gives it, remembered.

    What `t(key)` of the theme's own partial returns: the edition's language's string,
    else the English one, else the key. Used by our override of that partial
    (`site_templates/overrides/partials/language.html`).
    """
    chosen = env.get_template(f"partials/languages/{language}.html").module
    fallback = env.get_template("partials/languages/en.html").module

    @functools.cache
    def translation(key: str) -> str:
        found: str = chosen.t(key) or fallback.t(key) or key  # type: ignore[attr-defined]
        return found

    return translation


class _Collect(logging.Handler):
    """Keep the text of every warning and error MkDocs logs in this thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        # The build runs in one thread; under `serve`, the server's threads log too.
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _capture_mkdocs_log() -> Iterator[list[str]]:
    """Collect MkDocs warnings and errors instead of letting them print."""
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    propagate = logger.propagate
    logger.addHandler(collect)
    # We report the messages ourselves (in the error, or as warnings); printing them
    # again through the root logger would show each one twice.
    logger.propagate = False
    try:
        yield collect.messages
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate


@contextlib.contextmanager
def _logged_here(child: bool) -> Iterator[list[str]]:
    """In a forked child, collect the warnings MkDocs logs, for its parent to log again
    (the parent's strict count and messages never see the child's log); else nothing."""
    if not child:
        yield []
        return
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        yield collect.messages
    finally:
        logger.removeHandler(collect)


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a build, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _print_to_stderr(message: str) -> None:
    print(message, file=sys.stderr)
