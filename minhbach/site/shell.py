"""The site stage: run MkDocs on the generated Markdown of each edition, then swap into site/.

Every edition (vi at the site root, en under /en/) is built into one temporary folder
beside `site/`; only when all of them built cleanly is that folder published as the
new `site/`, in one step (`publish`). A failed build leaves the previous `site/`
exactly as it was. `serve` previews the
site with live reload, rebuilding through the caller's pipeline on every change.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import multiprocessing
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
import markdown
import mkdocs.structure.pages
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from minhbach.content.editorial import clean, located
from minhbach.layout import SOURCES_MANIFEST
from minhbach.machinery.cache import JinjaCode, Store
from minhbach.machinery.cache import key as digest
from minhbach.machinery.uptodate import STAMP
from minhbach.problems import UserError
from minhbach.site.pagecache import (
    MARK_KEY,
    MARK_VALUE,
    PageCache,
    Skeleton,
    Stashed,
    content_hashes,
    hide,
    link_or_copy,
    stash,
    unstash,
)
from minhbach.site.publish import publish, recover, start_from

__all__ = [
    "Alternate",
    "Edition",
    "EditionBuilt",
    "build_site",
    "live_server",
    "serve",
]

#: Pages between two progress lines of a large build; small builds print one line.
PROGRESS_EVERY = 500


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
    """One language of the site: its Markdown tree, where it goes, and its shell."""

    lang: str
    """Language code: Material's `theme.language`, the search language and `<html lang>`."""
    docs_dir: Path
    """The edition's generated Markdown, relative to the `reports` folder (or absolute)."""
    dest: str
    """Folder of the edition inside the site: "" for the root edition (vi), "en" for English."""
    site_name: str
    """Title in the header and in every `<title>`."""
    nav: list[dict[str, str]]
    """The small nav, title → page ("phuong-phap/index.md"); never list generated pages."""
    alternate: list[Alternate] = field(default_factory=list)
    """Language switcher entries; empty hides the switcher."""
    permalink_title: str | None = None
    """Title of the "¶" link beside headings; None keeps the one in mkdocs.yml."""


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
) -> list[EditionBuilt]:
    """Build every edition into a temporary folder beside `site`, then swap it into `site`.

    `strict` makes any MkDocs warning fail the build. `epoch` (seconds since 1970) is
    the build date written into the sitemap when SOURCE_DATE_EPOCH is not set; with
    neither, the date is today's and builds are byte-identical only within a day.
    `site_url` is the public address of the root edition, if known. Progress and
    non-strict warnings go to `progress`, or to stderr when it is None.

    `store` keeps built pages, so that unchanged pages are not built again, and the
    manifest of the site last published (written when the caller commits the store).
    `static` is a tree of finished files laid out as the site (charts, data), put into
    the site as they are. With both, and a `site/` that is still the one last published (its stamp
    matches the manifest), only what changed is put into `site/`: every file is
    first built or found, then moved into place; a build that fails before that
    leaves `site/` as it was. Otherwise the whole site is assembled in a temporary
    folder and swapped in.
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
                    reports / edition.docs_dir,
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
        plugins = [result.plugin for result in built if result.plugin is not None]
        entries = _entries(new_site, plugins, static)
        if manifest is not None and in_place:
            # The next version starts as the published one (hard links) and takes what
            # changed; the published version is never written into.
            following = work / "next"
            start_from(site, following)
            changed = manifest.apply(following, new_site, entries)
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
            if manifest is not None:
                manifest.stamp(new_site, entries)
            for plugin in plugins:
                plugin.commit()
            publish(new_site, site)
        return built
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for result in built:  # pages staged for a build that did not pass
            if result.plugin is not None:
                result.plugin.discard_staging()


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
        for rel, content in content_hashes(static).items():
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
    docs_dir: Path,
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

    With `store`, pages whose HTML cannot have changed are taken from it (`pagecache`);
    those `previous` (the published site's signatures) already has are left out of `out`.
    When more than SHARD_ABOVE pages are not in the cache and there is more than one
    core, one process per core builds them into a staging cache (`_Helpers`); the
    edition is then assembled from the caches in this process.
    """
    label = f"mkdocs {edition.lang}"
    start = time.monotonic()
    run = functools.partial(
        _run_mkdocs, edition, docs_dir, strict=strict, config_file=config_file, site_url=site_url
    )
    workers = min(os.cpu_count() or 1, MAX_SHARDS)
    previous = previous or {}
    plugin = _EditionPlugin(label, report, edition.dest, previous=previous)
    helpers: _Helpers | None = None
    if store is not None:
        plugin.cache = PageCache(store, edition.lang)
        if workers > 1 and store.folder is not None and store.usable:
            job = (edition, docs_dir, strict, config_file, site_url, store.folder)
            plugin.helpers = helpers = _Helpers(job, workers)
    try:
        messages, failure = run(out, plugin)
        built = len(plugin.built)
        if helpers is not None and helpers.staging is not None:  # helped: assemble
            assert store is not None
            staging = helpers.staging
            failures = [failure] if failure else []
            for helper_messages, helper_failure, count in helpers.results():
                messages += helper_messages
                failures += [helper_failure] if helper_failure else []
                built += count
            plugin = _EditionPlugin(label, report, edition.dest, previous=previous)
            stores = [Store(folder) for folder in sorted(staging.glob("store-*"))]
            plugin.cache = PageCache(store, edition.lang, staging=stores)
            final_messages, final_failure = run(out, plugin)
            built += len(plugin.built)  # none, unless a page built with helpers was not staged
            messages += final_messages
            failure = "\n".join(failures + ([final_failure] if final_failure else [])) or None
            if failure is None:
                plugin.staging = staging  # promoted into the cache by commit(), then removed
                helpers.staging = None
    finally:
        if helpers is not None:
            helpers.close()  # and the staged pages removed, unless the build passed
    seconds = time.monotonic() - start
    cached = f", {plugin.total - built} from the cache" if store is not None else ""
    report(f"{label}: {plugin.total} pages, {built} built{cached} in {seconds:.1f} s")
    warnings = [_locate(docs_dir, message) for message in messages]
    return EditionBuilt(edition.lang, plugin.total, seconds, warnings, plugin), failure


#: Pages not in the cache above which an edition is built by one process per core.
SHARD_ABOVE = 400
MAX_SHARDS = 4


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
    dirty = logging.getLogger("mkdocs.commands.build")
    notice = _DirtyNotice()
    failure: str | None = None
    with _capture_mkdocs_log() as messages:
        try:
            config = _load_edition_config(
                edition, docs_dir, out, strict=strict, config_file=config_file, site_url=site_url
            )
            if plugin.cache is not None:
                plugin.fingerprint = _edition_fingerprint(edition, config, config_file)
            # A plugin object rather than a `hooks:` file: it carries this build's
            # callback without module-level state.
            config.plugins["minhbach/edition"] = plugin
            config.plugins.on_startup(command="build", dirty=True)
            dirty.addFilter(notice)
            try:
                mkdocs_build(config, dirty=True)
            except _Helped:
                return [], None
            finally:
                dirty.removeFilter(notice)
                config.plugins.on_shutdown()
            _search_index_in_utf8(out / "search" / "search_index.json")
        except MkDocsException as exc:
            # MkDocs logs each warning and error before it aborts; its closing summary
            # ("Aborted with 2 warnings in strict mode!") only counts them again.
            lines = [_locate(docs_dir, message) for message in messages]
            if not (isinstance(exc, Abort) and lines):
                lines.append(f"{docs_dir}: {exc.format_message()}")
            failure = "\n".join(lines)
    return list(messages), failure


_LUNR = "assets/javascripts/lunr/"


def _unused_theme_file(search_langs: list[str] | None) -> Callable[[str], bool]:
    """Which of the theme's files no page loads, by path: its source maps (1.3 MB, for
    those who debug its scripts), and the search's word splitters and stemmers of other
    languages than the index's (0.9 MB). Material's search worker loads, for each
    language, lunr.<lang>.min.js (none for en), tinyseg.js for ja, wordcut.js for hi
    and th, and with them lunr.stemmer.support.min.js, and lunr.multi.min.js for two
    languages or more. Without the search's languages, its files are all kept."""
    needed: set[str] | None = None
    if search_langs:
        needed = {"min/lunr.stemmer.support.min.js"}
        if len(search_langs) > 1:
            needed.add("min/lunr.multi.min.js")
        for lang in search_langs:
            if lang == "ja":
                needed.add("tinyseg.js")
            if lang in ("hi", "th"):
                needed.add("wordcut.js")
            if lang != "en":
                needed.add(f"min/lunr.{lang}.min.js")

    def unused(uri: str) -> bool:
        if uri.endswith(".map"):
            return True
        return needed is not None and uri.startswith(_LUNR) and uri[len(_LUNR) :] not in needed

    return unused


def _search_index_in_utf8(path: Path) -> None:
    """Rewrite the theme's search index with its text in UTF-8 rather than `\\u` escapes.

    Material writes it with Python's default ASCII escapes: a Vietnamese letter takes six
    bytes instead of two or three, a fifth of the index's size. Same JSON, same index;
    parsing and writing it again takes about 0.1 s on the reference (6 MB).
    """
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")


EditionJob = tuple[Edition, Path, bool, Path, str | None, Path]
"""An edition to build: edition, docs_dir, strict, config file, site_url, cache."""
HelperJob = tuple[Edition, Path, bool, Path, str | None, Path, Path]
"""What a helper builds: an `EditionJob` and the staging cache."""
HelperResult = tuple[list[str], str | None, int]
"""A helper's messages, failure and number of pages built."""


class _Helpers:
    """Processes that build an edition's uncached pages, one per core.

    The build's process, having read the pages and found more than SHARD_ABOVE not in
    the cache, starts them (`start`, from `on_files`) and stops its own run (`_Helped`).
    Each claims the pages it builds one at a time, as MkDocs comes to them (`_Claimed`),
    so the work balances itself (with an even split by number, one process took 1.2 s
    of CPU more than the other in a build of the reference: some pages take longer, and
    processes are not always served alike). Each writes the pages it built into the
    staging cache, which the assembling run then reads.

    Spawned: forked from the build's process, which holds the site model (see cli), a
    process created each file several times slower, and built slower. Nor does that
    process build a share itself: tried in a build of the reference, its half of the
    pages cost it about 45 % more CPU time than the helper's half, more than half of the
    excess in the kernel.
    """

    def __init__(self, job: EditionJob, count: int):
        self.job = job
        self.count = count
        self.staging: Path | None = None
        self.claims: Any = None
        self._pool: Any = None
        self._pending: Any = None

    def start(self, pages: int) -> None:
        """Start the helpers on an edition of `pages` documentation pages."""
        folder = self.job[-1]
        folder.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
        context = multiprocessing.get_context("spawn")
        self.claims = context.Array("b", pages)
        self._pool = context.Pool(self.count, initializer=_set_claims, initargs=(self.claims,))
        job: HelperJob = (*self.job, self.staging)
        self._pending = self._pool.map_async(_helper_job, [job] * self.count)

    def results(self) -> list[HelperResult]:
        """Each helper's messages, failure and number of pages built (waits for them)."""
        results: list[HelperResult] = self._pending.get()
        return results

    def close(self) -> None:
        """Stop the helpers (at once if a build failed before they ended); remove what
        they staged, unless the build passed and took it."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


class _Helped(Exception):
    """Raised from `on_files` once helpers build the pages: this run stops there."""


_CLAIMS: Any = None  # a helper's: the claims shared with the build's process


def _set_claims(claims: Any) -> None:
    global _CLAIMS
    _CLAIMS = claims


def _helper_job(job: HelperJob) -> HelperResult:
    """Build the uncached pages of an edition this process claims into the staging cache."""
    edition, docs_dir, strict, config_file, site_url, folder, staging = job
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    plugin = _EditionPlugin(f"mkdocs {edition.lang}", lambda _: None, edition.dest)
    plugin.cache = PageCache(Store(folder), edition.lang)
    plugin.claims = _CLAIMS
    out = Path(tempfile.mkdtemp(prefix=".helper-", dir=staging))
    # Each page goes into this helper's own store, committed as it goes, not all at the end.
    own = Store(Path(tempfile.mkdtemp(prefix="store-", dir=staging)))
    plugin.stage = functools.partial(_stage, PageCache(own, edition.lang))
    try:
        messages, failure = _run_mkdocs(
            edition,
            docs_dir,
            out,
            plugin,
            strict=strict,
            config_file=config_file,
            site_url=site_url,
        )
    finally:
        own.commit()
        own.close()
        shutil.rmtree(out, ignore_errors=True)
    return messages, failure, len(plugin.built)


def _stage(cache: PageCache, key: str, html: str, entries: list[dict[str, Any]]) -> None:
    cache.put(key, html, entries)
    if cache.store.pending > 100:  # a helper's memory holds a hundred pages at most
        cache.store.commit()


def _edition_fingerprint(edition: Edition, config: MkDocsConfig, config_file: Path) -> str:
    """Everything besides a page's own source that its HTML depends on."""
    # The theme, its overrides and the libraries are in every key (`cache.fingerprint`).
    return digest(
        config_file.read_bytes(), repr(edition), repr(config.site_url), repr(config.strict)
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
    sources = _sources(docs_dir.parent / SOURCES_MANIFEST).get(f"{docs_dir.name}/{page}")
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
    if edition.permalink_title is not None and "toc" in config.mdx_configs:
        config.mdx_configs["toc"]["permalink_title"] = edition.permalink_title
    return config


def _edition_url(site_url: str | None, dest: str) -> str | None:
    """Return the public address of an edition, given the root edition's."""
    if site_url is None:
        return None
    root = site_url if site_url.endswith("/") else site_url + "/"
    return root + dest + "/" if dest else root


# MkDocs' __init_subclass__ hooks, which read the options schema, are unannotated.
class _NoOptions(Config):  # type: ignore[no-untyped-call]
    """The edition plugin takes no options from mkdocs.yml."""


class _EditionPlugin(BasePlugin[_NoOptions]):  # type: ignore[no-untyped-call]
    """One edition's build: progress, the page cache, stashed HTML, the 404 page's root.

    See `pagecache` for why generated pages have their finished HTML stashed and
    why built pages are cached. MkDocs runs in its "dirty" mode, which skips a page
    whose `File.is_modified()` is false: this plugin answers false exactly for the
    pages found in the cache (having written their cached HTML into the new site,
    unless the published site has it already), and true for every other page, which
    is then built as usual.
    """

    def __init__(
        self,
        label: str,
        report: Callable[[str], None],
        dest: str,
        cache: PageCache | None = None,
        fingerprint: str = "",
        previous: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.materialise = True  # a helper's: False, its hits are none of its business
        self.previous = previous or {}
        """The signature of each file of the published site, when it is built upon."""
        self.pages: dict[str, str] = {}
        """Site path of every page -> its cache key."""
        self.label = label
        self.report = report
        self.dest = dest
        self.cache = cache
        self.fingerprint = fingerprint
        self.total = 0
        self.read = 0
        self.written = 0
        self.keys: dict[str, str] = {}  # src_uri -> cache key of every page
        self.entries: dict[str, list[dict[str, Any]]] = {}  # src_uri -> search entries
        self.built: dict[str, str] = {}  # src_uri -> HTML of the pages built in this run
        self.stashed: dict[str, Stashed] = {}
        self.search: Any = None
        self.helpers: _Helpers | None = None  # started above SHARD_ABOVE pages to build
        self.claims: Any = None  # shared with the helpers: which pages a process builds
        self.staging: Path | None = None  # pages built by the helpers, promoted on commit
        # A helper's: writes a page it built into the staging cache (key, HTML, entries).
        self.stage: Callable[[str, str, list[dict[str, Any]]], None] | None = None
        self.hits = 0
        self._first_entry = 0
        self.converter = _OneMarkdown()

    def on_config(self, config: MkDocsConfig) -> None:
        self.search = getattr(config.plugins.get("material/search"), "search_index", None)
        if self.search is None:
            self.search = getattr(config.plugins.get("search"), "search_index", None)

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        # The theme's templates compiled once, not on every build (about 0.3 s).
        if self.cache is not None:
            env.bytecode_cache = JinjaCode(self.cache.store)
        # The theme's JSON in pages (its translations) in UTF-8, not \u escapes: a third
        # of the bytes. `tojson` still escapes <, >, & and ' for HTML.
        env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        env.globals["mb_translation"] = theme_translations(env, config.theme["language"])
        if self.stage is not None:
            # A helper's output other than its pages is thrown away: the edition's 404
            # page and sitemap are built by the run that assembles it (0.3 s a helper).
            # Not before now: the theme's files, which key every page, depend on the list.
            config.theme.static_templates.clear()
        return env

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> None:
        docs_dir = os.path.abspath(config.docs_dir)
        search = config.plugins.get("material/search")
        unused = _unused_theme_file(getattr(getattr(search, "config", None), "lang", None))
        for theme_file in [
            f
            for f in files
            if not (f.abs_src_path or "").startswith(docs_dir) and unused(f.src_uri)
        ]:
            files.remove(theme_file)
        pages = files.documentation_pages()
        self.total = len(pages)
        # Links and relative URLs depend on which files exist: any change rebuilds all.
        file_set = "\n".join(sorted(f.src_uri for f in files if f.abs_src_path))
        edition_key = digest(self.fingerprint, file_set)
        # Each page's source by the hash the render stage recorded when it wrote it (its
        # size and time checked), not read again: 95 MB for the reference's 2,642 pages.
        hashes = content_hashes(Path(docs_dir))
        misses: list[tuple[int, File]] = []  # by the page's index in the edition
        for file in files:
            source = file.abs_src_path
            if source is None or not source.startswith(docs_dir):
                continue
            if file.is_documentation_page():
                known = hashes.get(file.src_uri)
                key = digest(edition_key, known or Path(source).read_bytes())
                self.keys[file.src_uri] = key
                site_path = posixpath.join(self.dest, file.dest_uri) if self.dest else file.dest_uri
                self.pages[site_path] = key
                entries = self._cached(file, key, site_path)
                if entries is not None:
                    self.entries[file.src_uri] = entries
                    file.is_modified = _false  # type: ignore[method-assign]
                else:
                    misses.append((len(self.keys) - 1, file))
                    file.is_modified = _true  # type: ignore[method-assign]
            else:
                file.copy_file = functools.partial(_link_static, file)  # type: ignore[method-assign]
        self.hits = len(self.entries)
        if self.helpers is not None and len(misses) > SHARD_ABOVE:
            self.helpers.start(self.total)
            count = self.helpers.count
            self.report(f"{self.label}: {len(misses)} pages to build in {count} processes")
            raise _Helped
        if self.claims is not None:  # each page built by the process that claims it first
            for index, file in misses:
                file.is_modified = _Claimed(self.claims, index)  # type: ignore[method-assign]

    def _cached(self, file: File, key: str, site_path: str) -> list[dict[str, Any]] | None:
        """A page's search entries from the cache, its HTML written into the new site
        unless the published site has that page already; None: the page is built."""
        entries = self.cache.lookup(key) if self.cache is not None else None
        if entries is None or self.cache is None:
            return None
        if self.materialise and self.previous.get(site_path) != f"page:{key}":
            html = self.cache.html(key)
            if html is None:
                return None
            os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
            with open(file.abs_dest_path, "wb") as stream:
                stream.write(html)
        return entries

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        self.read += 1
        if self.read % PROGRESS_EVERY == 0:
            self.report(f"{self.label}: read {self.read}/{self.total - self.hits} pages")
        if page.meta.get(MARK_KEY) == MARK_VALUE:
            markdown, stashed = stash(markdown)
            self.stashed[page.file.src_uri] = stashed
            page.render = functools.partial(  # type: ignore[method-assign]
                _render_reusing, self.converter, page
            )
        return markdown

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        stashed = self.stashed.get(page.file.src_uri)
        if stashed is None:
            # Not a generated page: an editor's, whose HTML is sanitised as the check's
            # warnings said (`editorial.clean`), before the search plugin reads it. The
            # render stage wrote its front matter: an editor cannot mark it generated.
            return clean(html)
        # Nothing stashed (no HTML block): nothing hidden.
        if stashed.chunks:
            # Before the search plugin reads the page (on_page_context).
            html, self.stashed[page.file.src_uri] = hide(html, stashed)
        return html

    @event_priority(100)  # before the search plugin indexes the page
    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> None:
        self._first_entry = len(self.search.entries) if self.search is not None else 0

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        self.written += 1
        if self.written % PROGRESS_EVERY == 0:
            self.report(f"{self.label}: wrote {self.written}/{self.total - self.hits} pages")
        uri = page.file.src_uri
        if self.search is not None:
            self.entries[uri] = self.search.entries[self._first_entry :]
        stashed = self.stashed.pop(uri, None)
        output = unstash(output, stashed)
        if stashed is not None and stashed.left_in(output):
            # Our bug, whatever the content: the page is never published (nor cached).
            raise RuntimeError(f"{uri}: a placeholder of the site stage is left in the page")
        if self.stage is not None:
            # A helper's pages go to the staging cache only: MkDocs skips writing an empty
            # page (it says so at INFO), which spared a write, and a removal, of the HTML.
            self.stage(self.keys[uri], output, self.entries.get(uri, []))
            self.built[uri] = ""
            return ""
        self.built[uri] = output
        return output

    @event_priority(100)  # before the search plugin writes the index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.search is None:
            return
        if self.stage is not None:  # a helper: its pages' entries are in the staging cache
            self.search.entries = []
            return
        # Entries in page order, whether the page was built now or taken from the cache;
        # a section with no text of its own (its tables and charts are not indexed, see
        # pagecache.stash) is left out: its heading alone, repeated on every unit page,
        # would be 2,600 identical hits for "Kiểm tra" and a third of the index.
        self.search.entries = [
            entry
            for uri in self.keys
            for entry in self.entries.get(uri, [])
            if entry.get("text") or "#" not in entry.get("location", "")
        ]

    def on_template_context(
        self, context: TemplateContext, /, *, template_name: str, config: MkDocsConfig
    ) -> None:
        # The 404 page is served at any depth, so MkDocs gives it absolute links based
        # on site_url, or on "/" without one: wrong for an edition published under /en/.
        if template_name == "404.html" and not config.site_url:
            context["base_url"] = f"/{self.dest}/" if self.dest else "/"

    def commit(self) -> None:
        """After a build that passed: remember the pages it built and the helpers', and
        that this build used every page it has (the store drops the others)."""
        if self.cache is None:
            return
        for uri, html in self.built.items():
            self.cache.put(self.keys[uri], html, self.entries.get(uri, []))
        self.cache.commit(self.keys.values())
        self.discard_staging()

    def discard_staging(self) -> None:
        """Remove the helpers' stores (taken into the build's by `commit`, if it passed)."""
        if self.cache is not None:
            for store in self.cache.staging:
                store.close()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


class _OneMarkdown:
    """The `markdown` module as MkDocs' `Page.render` sees it while it renders a generated
    page: its `Markdown(...)` is one instance per build, reset for each page.

    MkDocs makes a Markdown instance per page, loading every extension again: about a
    sixth of the time Markdown takes on a generated page (0.5 ms of 2.9 on the reference
    collection), whose Markdown is short (its tables and figures are stashed). `reset()`
    is Markdown's own way to reuse one (its extensions keep no page's state past it);
    MkDocs registers its processors for the page on it again, replacing the previous
    page's. The instance parses a page that is only headings and placeholders without
    its block parser and inline processor (`pagecache.Skeleton`). Everything else is the
    module's. Generated pages only: an editor's page is rendered as MkDocs does.
    """

    def __init__(self) -> None:
        self._made: tuple[object, object, markdown.Markdown] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(markdown, name)

    def Markdown(self, *, extensions: Any, extension_configs: Any) -> markdown.Markdown:
        made = self._made
        # The same configuration objects on every page of a build; made again otherwise.
        if made is None or made[0] is not extensions or made[1] is not extension_configs:
            instance = markdown.Markdown(extensions=extensions, extension_configs=extension_configs)
            Skeleton(instance)  # installs itself on the instance
            self._made = made = (extensions, extension_configs, instance)
        return made[2].reset()


def _render_reusing(
    converter: _OneMarkdown, page: Page, config: MkDocsConfig, files: Files
) -> None:
    """MkDocs' `Page.render` of `page`, with `converter` for the `markdown` module."""
    module = mkdocs.structure.pages
    module.markdown = converter  # type: ignore[attr-defined,assignment]
    try:
        Page.render(page, config, files)
    finally:
        module.markdown = markdown  # type: ignore[attr-defined]


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


def _true() -> bool:
    return True


class _Claimed:
    """A page's `is_modified` when processes share the pages to build: whether this
    process claimed it (asked first by MkDocs when it reads the page; the same answer
    after)."""

    def __init__(self, claims: Any, index: int) -> None:
        self.claims = claims
        self.index = index
        self.mine: bool | None = None

    def __call__(self) -> bool:
        if self.mine is None:
            with self.claims.get_lock():  # claimed by no process yet: this one's
                self.mine = not self.claims[self.index]
                self.claims[self.index] = 1
        return self.mine


def _false() -> bool:
    return False


def _link_static(file: File, dirty: bool = False) -> None:
    """Put a static file of docs_dir into the site by a hard link (see `link_or_copy`)."""
    assert file.abs_src_path is not None
    link_or_copy(file.abs_src_path, file.abs_dest_path)


class _DirtyNotice(logging.Filter):
    """Drop MkDocs' warning that a dirty build may leave stale navigation.

    The edition plugin keys every cached page by the whole file set, the navigation
    and the configuration, so a page is skipped only when its HTML cannot differ.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "A 'dirty' build is being performed" not in record.getMessage()


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
