"""The command line: `python build.py [build|check|serve] [--content DIR] [--strict]`.

`build` (the default) strings the stages together: check the content, withhold the
periods whose release is not yet due (`check.embargo`, at `--as-of`, now by default),
compute the site model, render `reports/`, run MkDocs into a temporary folder and swap
it into `site/`. Nothing is written until the content has passed the check,
so a failed build leaves the previous `reports/` and `site/` as they were. `--preview`
builds everything, withheld periods too, into `site-preview/` (never `site/`), every page
bannered and kept out of search engines.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from minhbach.content.periods import Lang
from minhbach.machinery.cache import Store
from minhbach.machinery.memory import give_back, set_aside
from minhbach.machinery.uptodate import Record, inputs_key
from minhbach.problems import UserError
from minhbach.render.imageworker import ImageWorker

if TYPE_CHECKING:
    from minhbach.check.checked import Content
    from minhbach.check.embargo import Embargo
    from minhbach.compute.model import SiteModel
    from minhbach.problems import Problems
    from minhbach.render.pages import Strings
    from minhbach.site.shell import Edition

# The stages are imported where they run: an up-to-date build stops before loading
# pydantic, Altair, vl-convert and MkDocs (docs/performance.md: measurements).
LANGS: tuple[Lang, ...] = ("vi", "en")  # render.LANGS; a test keeps them equal

PROJECT = Path(__file__).resolve().parents[2]  # mkdocs.yml and site_templates/ live here


@dataclass(frozen=True)
class Options:
    content: Path
    strict: bool
    reports: Path
    site: Path
    site_url: str | None
    cache: Path | None = None
    langs: tuple[Lang, ...] = LANGS
    as_of: dt.datetime | None = None
    """The publication time (`--as-of`); None: the time each build starts."""
    preview: bool = False
    """Build withheld periods too, for the pre-release list (`--preview`)."""

    def publication_time(self) -> dt.datetime:
        return self.as_of if self.as_of is not None else dt.datetime.now(dt.UTC)


#: Where a preview goes unless told: beside the public site, never into it.
PREVIEW_SITE, PREVIEW_REPORTS, PREVIEW_CACHE = (
    Path("site-preview"),
    Path("reports-preview"),
    Path(".cache/preview"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Minh Bạch: build the THADS transparency site."
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="content folder to read (default: content)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail on warnings too (CI runs strict)"
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=None,
        help="the generated pages and files (default: reports; reports-preview with --preview)",
    )
    parser.add_argument(
        "--site",
        type=Path,
        default=None,
        help="published site (default: site; site-preview with --preview)",
    )
    parser.add_argument(
        "--as-of",
        default=None,
        metavar="DATETIME",
        help="build for this instant (ISO 8601 with time zone, e.g. 2025-10-20T09:00+07:00; "
        "default: now): a period whose release is not yet due then is withheld",
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="build withheld periods too, for the pre-release list, into site-preview/ "
        "(bannered, noindex; never into site/)",
    )
    parser.add_argument(
        "--site-url", default=None, help="public address of the site, for the sitemap"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="the build cache's folder (one database, cache.sqlite; default: .cache; "
        ".cache/preview with --preview)",
    )
    parser.add_argument(
        "--lang",
        action="append",
        choices=LANGS,
        help="build only this edition (repeatable; default: every edition; vi is the site root)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("check", help="check the content and report every problem; write nothing")
    sub.add_parser("build", help="check, compute, render and build the site (the default)")
    releasing = sub.add_parser(
        "release",
        help="freeze the figures of a published period into content/released/PERIOD.yml: "
        "a later change to one of them needs a revision entry",
    )
    releasing.add_argument("period", help="the period, as datasets name it (e.g. 2024-6m)")
    serving = sub.add_parser("serve", help="build, then preview with live reload")
    serving.add_argument("--port", type=int, default=8000)
    serving.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    langs = tuple(lang for lang in LANGS if lang in (args.lang or LANGS))
    if "vi" not in langs:
        parser.error("--lang: the Vietnamese edition is the site root and is always built")
    as_of = None
    if args.as_of is not None:
        from minhbach.check.embargo import parse_as_of

        try:
            as_of = parse_as_of(args.as_of)
        except ValueError as exc:
            parser.error(f"--as-of: {exc}")
    preview = args.preview
    site = args.site or (PREVIEW_SITE if preview else Path("site"))
    if preview and site.resolve() == Path("site").resolve():
        parser.error("--preview never writes into site/, the public site: choose another --site")
    options = Options(
        args.content,
        args.strict,
        args.reports or (PREVIEW_REPORTS if preview else Path("reports")),
        site,
        args.site_url,
        args.cache or (PREVIEW_CACHE if preview else Path(".cache")),
        langs,
        as_of,
        preview,
    )
    try:
        if args.command == "check":
            store = Store(options.cache)
            try:
                ok = checked(options, store=store) is not None
                store.commit()
            finally:
                _notes(store)
                store.close()
            return 0 if ok else 1
        if args.command in (None, "build"):
            return run_build(options)
        if args.command == "release":
            return release(options, args.period)
        if args.command == "serve":
            watch = [options.content, PROJECT / "site_templates"]
            from minhbach.site.shell import serve

            serve(
                _collected(lambda: _build_or_raise(options)),
                options.site,
                watch,
                args.host,
                args.port,
            )
            return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # The machine, not the content: a full disk, a read-only folder, a busy port.
        port = (args.host, args.port) if args.command == "serve" else None
        print(f"error: {environment_error(exc, port)}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


_HINTS = {
    errno.ENOSPC: "free some space on that disk, or build elsewhere (--site, --reports, --cache)",
    errno.EDQUOT: "free some space, or build elsewhere with --site, --reports, --cache",
    errno.EROFS: "the folder is read-only; choose another with --site, --reports or --cache",
    errno.EACCES: "the build may not write there; check the folder's permissions",
    errno.EPERM: "the build may not write there; check the folder's permissions",
}


def environment_error(exc: OSError, port: tuple[str, int] | None = None) -> str:
    """One line for a failure of the machine: the folder or port, what failed, a hint."""
    if port is not None and exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
        host, number = port
        why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        return f"port {number} on {host} {why} (hint: stop the other server or pass --port)"
    # A copy that failed names its source first and its target second: the target is
    # where the disk is full or read-only.
    path = exc.filename2 or exc.filename
    where = f"{path}: " if path else ""
    hint = _HINTS.get(exc.errno or 0)
    return f"{where}{exc.strerror or exc}" + (f" (hint: {hint})" if hint else "")


def checked(
    options: Options,
    printed: list[str] | None = None,
    *,
    reconcile: bool = True,
    store: Store | None = None,
    as_of: dt.datetime | None = None,
) -> Content | None:
    """Check the content, print every problem and a summary; the content if it may be built.

    With `reconcile` (the `check` command), the national datasets are reconciled with
    their units' totals too, as the build's compute stage does: a warning of it fails
    `--strict` there, so `check --strict` must see it; and the editors' links to the
    site's pages are checked against the pages the build will make, which MkDocs would
    refuse. The build does both after its own compute stage. The periods withheld at
    `as_of` (the publication time) are printed, with the note on periods without a
    release entry; the content returned still holds them (`embargo.withhold`).
    """
    from minhbach.check.validate import check_content, display_path

    root = options.content
    if not root.is_dir():
        raise UserError(f"no content folder at {display_path(root)}")
    content, problems = check_content(root, store)
    if store is not None:
        store.commit()  # what the checks found holds whether or not the build goes on
    if reconcile and not problems.errors:
        from minhbach.compute.model import compute

        model, reconciled = compute(content, store)
        problems.extend(reconciled.items)
        check_editors_links(options, model, problems)
    report(problems, printed)
    errors, warnings = len(problems.errors), len(problems.warnings)
    failed = errors > 0 or (options.strict and warnings > 0)
    print(summary(content, errors, warnings, options.strict, len(problems.acknowledged)))
    if not failed:  # after the summary: what the content's release calendar holds back now
        from minhbach.check.embargo import embargo

        for line in embargo(content, as_of or options.publication_time()).lines(options.preview):
            print(line)
    return None if failed else content


def release(options: Options, period_key: str) -> int:
    """`build.py release PERIOD`: freeze the figures of a published period as the check
    reads them into `content/released/PERIOD.yml` (`check.revisions`); return the exit code.

    Only content that passes the check is frozen, only a period whose release is due at
    the publication time, and never over an earlier freeze: what changed since is a
    revision, recorded in its dataset.
    """
    import os
    import tempfile

    from minhbach.check.embargo import VIETNAM, announced, release_time
    from minhbach.check.revisions import FOLDER, freeze
    from minhbach.check.validate import display_path
    from minhbach.content.catalogue import get_catalogue
    from minhbach.content.periods import Period, PeriodError

    try:
        period = Period.parse(period_key)
    except PeriodError as exc:
        raise UserError(f"release: {exc}") from None
    store = Store(options.cache)
    try:
        content = checked(options, store=store)
        store.commit()
    finally:
        _notes(store)
        store.close()
    if content is None:
        print("release: nothing frozen: the content does not pass the check", file=sys.stderr)
        return 1
    if not any(d.period == period for d in content.datasets):
        raise UserError(
            f"release: no dataset of {period.key} ({period.name('en')}) to freeze "
            f"(hint: its datasets live in datasets/{period.key}/)"
        )
    entry = next((r for r in content.releases if r.period == period.key), None)
    now = options.publication_time()
    released_at = release_time(entry.publish_at) if entry is not None else now.astimezone(VIETNAM)
    if released_at > now:
        raise UserError(
            f"release: {period.key} is not released until {announced(released_at, 'en')}; "
            "freeze it once it is published (hint: or pass --as-of at or after that time)"
        )
    text = freeze(content, period, released_at, get_catalogue())
    folder = options.content / FOLDER
    target = folder / f"{period.key}.yml"
    shown = display_path(target)
    if target.exists() or target.is_symlink():
        same = target.is_file() and not target.is_symlink() and target.read_text("utf-8") == text
        if same:
            print(f"release: {period.key} is already frozen in {shown}, unchanged")
            return 0
        print(
            f"error: release: {period.key} is already frozen in {shown}; a figure changed "
            "since its release is a revision (hint: record it under revisions: in its "
            "dataset; docs/releases.md, 'Revisions')",
            file=sys.stderr,
        )
        return 1
    folder.mkdir(exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".release-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    datasets = sum(d.period == period for d in content.datasets)
    print(
        f"release: froze the {datasets} dataset(s) of {period.key} as released at "
        f"{released_at.isoformat(timespec='minutes')} into {shown}; commit it with the content"
    )
    return 0


def check_editors_links(options: Options, model: SiteModel, problems: Problems) -> None:
    """Check the editors' links against the pages the build will make (MkDocs would fail)."""
    from minhbach.check.validate import display_path
    from minhbach.content.editorial import check_links, pages_of
    from minhbach.render.pages import Strings, get_pages

    editorial = list(pages_of(options.content, display_path(options.content)))
    strings = Strings()
    site: dict[str, set[str]] = {
        lang: {page.path for page in get_pages(model, lang, strings)}
        | {page.path for page in editorial if page.lang == lang}
        for lang in options.langs
    }
    check_links(editorial, site, problems)


def report(problems: Problems, printed: list[str] | None = None) -> None:
    for line in problems.format_lines():
        print(line, file=sys.stderr)
        if printed is not None:
            printed.append(line)
    sys.stderr.flush()


def run_build(options: Options) -> int:
    """Build the whole site; return the exit code."""
    try:
        _build_or_raise(options)
    except BuildFailed:
        return 1
    return 0


class BuildFailed(UserError):
    """The content did not pass; the problems are already printed."""


def _build_or_raise(options: Options) -> None:
    from minhbach.check.validate import display_path

    started = time.perf_counter()
    step = _stepper(started)
    printed: list[str] = []
    store = Store(options.cache)
    try:
        from minhbach.check.embargo import due_key

        record = Record(store)
        as_of = options.publication_time()  # one instant for the whole build
        # The time itself is not an input, which releases are due then is.
        due = "preview" if options.preview else due_key(options.content, as_of)
        inputs = inputs_key(options.content, repr(replace(options, cache=None, as_of=None)) + due)
        again = record.up_to_date(inputs, options.site) if options.reports.is_dir() else None
        if again is not None:
            for line in again:
                print(line, file=sys.stderr)
            print(
                f"up to date: {display_path(options.site)}/ is already built from these inputs "
                f"(content, code, templates, options) in {time.perf_counter() - started:.1f} s"
            )
            return
        # vl-convert warms up in its own process while the content is checked.
        with ImageWorker() as images:
            _build_stages(options, started, step, printed, images, store, as_of)
        record.save(inputs, options.site, printed)
        store.commit(prune=True)
    finally:
        _notes(store)
        store.close()


def _notes(store: Store) -> None:
    """What went wrong with the build cache, said once."""
    for note in store.report():
        print(note, file=sys.stderr)


def _build_stages(
    options: Options,
    started: float,
    step: Callable[[str], None],
    printed: list[str],
    images: ImageWorker,
    store: Store,
    as_of: dt.datetime,
) -> None:
    from minhbach.check.embargo import embargo, withhold
    from minhbach.check.validate import display_path
    from minhbach.compute.model import compute
    from minhbach.render.charts import BUNDLE
    from minhbach.render.pages import FILES_DIR, Strings, render
    from minhbach.site.shell import build_site, robots_txt

    # compute reconciles
    content = checked(options, printed, reconcile=False, store=store, as_of=as_of)
    if content is None:
        raise BuildFailed("the content has problems; site/ was not changed")
    held = embargo(content, as_of)
    if not options.preview:  # nothing is made of a withheld period from here on
        content = withhold(content, held)
    step("check")
    if not store.has(BUNDLE, "js"):
        images.start_bundle()  # made by the chart process while this one computes
    model, problems = compute(content, store)
    check_editors_links(options, model, problems)
    report(problems, printed)
    if problems.errors or (options.strict and problems.warnings):
        print(f"compute FAILED: {len(problems.items)} problem(s); site/ was not changed")
        raise BuildFailed("compute problems")
    step("compute")
    with _writing(
        f"{display_path(options.reports)}/ or {display_path(options.cache or options.reports)}/"
    ):
        stats, drawn = render(
            model, options.reports, store, options.langs, images=images, site_url=options.site_url
        )
    images.close()  # its memory goes back before MkDocs builds
    step(
        f"render: {drawn.pages_rendered} pages rendered, {drawn.pages_cached} from the cache; "
        f"{stats.written} files written, {stats.unchanged} unchanged, "
        f"{stats.removed} removed in {display_path(options.reports)}/; "
        f"charts: {drawn.charts}, {drawn.rendered} rendered, {drawn.cached} from the cache"
    )
    epoch = model.epoch
    # The site stage reads only reports/. The model is set aside from the collector
    # (`memory`): left in its sight, every collection the site stage's allocations
    # trigger walks the whole model again, and it is not collected while MkDocs'
    # processes build (it is in cycles through the renderers). `build.py` exits without
    # freeing it; the preview server collects it after each build (`_collected`).
    del model, content
    set_aside()
    written = f"{display_path(options.site.parent)}/" + (
        f" or {display_path(options.cache)}/" if options.cache else ""
    )
    with _writing(written):
        built = build_site(
            options.reports,
            options.site,
            editions(Strings(), options.reports, options.langs, held if options.preview else None),
            strict=True,  # a MkDocs warning (a broken link): a defect of ours or of an editor page
            config_file=PROJECT / "mkdocs.yml",
            site_url=options.site_url,
            epoch=epoch,
            progress=lambda message: print(message, file=sys.stderr),
            store=store,
            static=options.reports / FILES_DIR,
            robots=robots_txt(options.site_url, public=not options.preview),
        )
    if options.site_url is None:
        print(
            "note: no --site-url: sitemap.xml lists no page and robots.txt names no sitemap "
            "(hint: pass the public address, e.g. --site-url https://thads.moj.gov.vn/)",
            file=sys.stderr,
        )
    pages = sum(b.pages for b in built)
    print(
        f"site: {pages} pages ({', '.join(f'{b.lang} {b.pages}' for b in built)}) "
        f"built into {display_path(options.site)}/ in {time.perf_counter() - started:.1f} s"
    )


@contextlib.contextmanager
def _writing(where: str) -> Iterator[None]:
    """Name the folders a stage writes in an OSError that names no file (a full disk)."""
    try:
        yield
    except OSError as exc:
        if not exc.filename:
            exc.filename = f"writing {where}"
        raise


def _collected(build: Callable[[], None]) -> Callable[[], None]:
    """`build`, then the model it left frozen collected: a long-running process's builds."""

    def run() -> None:
        try:
            build()
        finally:
            give_back()

    return run


def _stepper(started: float) -> Callable[[str], None]:
    def step(what: str) -> None:
        print(f"  {time.perf_counter() - started:5.1f} s  {what}", file=sys.stderr)

    return step


def editions(
    strings: Strings,
    reports: Path,
    langs: tuple[Lang, ...] = LANGS,
    preview: Embargo | None = None,
) -> list[Edition]:
    """The editions of the site rendered into `reports`: Vietnamese at the root, English
    under /en/. With `preview` (what the public build withholds now), every page carries
    the pre-release banner.

    The language switcher is shown only when both are built; the nav names an editors'
    section (the about page) only when the edition has it.
    """
    from minhbach.render.feeds import FEED
    from minhbach.render.pages import EDITORIAL_SECTIONS, FILES_DIR, Urls
    from minhbach.site.shell import Alternate, Edition

    def editorial(lang: Lang) -> set[str]:
        """The editors' sections the render stage wrote for this edition."""
        sections = (Urls(lang).section(key) for key in EDITORIAL_SECTIONS)
        return {page for page in sections if (reports / lang / page).is_file()}

    switch = {
        "vi": [Alternate("Tiếng Việt", "./", "vi"), Alternate("English", "en/", "en")],
        "en": [Alternate("Tiếng Việt", "../", "vi"), Alternate("English", "./", "en")],
    }
    return [
        Edition(
            lang=lang,
            docs_dir=Path(lang),
            dest="" if lang == "vi" else "en",
            site_name=strings.get("site_name", lang),
            nav=Urls(lang).nav(strings, editorial(lang)),
            alternate=switch[lang] if len(langs) > 1 else [],
            permalink_title=strings.get("permalink_title", lang),
            feed=(reports / FILES_DIR / ("" if lang == "vi" else "en") / FEED).is_file(),
            banner=None if preview is None else preview_banner(preview, strings, lang),
        )
        for lang in langs
    ]


def preview_banner(held: Embargo, strings: Strings, lang: Lang) -> str:
    """The preview's banner: not published, and embargoed until the first withheld
    period is due, in Vietnam's time."""
    due = held.next_due
    if due is None:
        return strings.get("preview_banner", lang)
    from minhbach.check.embargo import announced

    return strings.get("preview_banner_until", lang, until=announced(due, lang))


def summary(
    content: Content, errors: int, warnings: int, strict: bool, acknowledged: int = 0
) -> str:
    """One line: what was checked and how it went."""

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    verdict = "FAILED" if errors or (strict and warnings) else "ok"
    return (
        f"check {verdict}: {plural(len(content.datasets), 'dataset')}, "
        f"{plural(len(content.units), 'unit')}, {plural(len(content.periods), 'period')}; "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        + (f", {acknowledged} acknowledged" if acknowledged else "")
        + (" (strict: warnings fail)" if strict and warnings else "")
    )
