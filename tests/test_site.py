"""The site stage: MkDocs builds of both editions, swapped into site/ only when all succeed."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from minhbach.problems import UserError
from minhbach.render.generated import GeneratedPage, Heading, page_file
from minhbach.site import shell as site_stage
from minhbach.site.shell import (
    Alternate,
    Edition,
    EditionBuilt,
    _unused_theme_file,
    build_site,
    live_server,
)
from tests.sitecheck import broken_links, external_references, search_fragments

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "mkdocs.yml"
EPOCH = 1_719_792_000  # 2024-07-01 00:00:00 UTC
T = TypeVar("T")

EDITIONS = [
    Edition(
        lang="vi",
        docs_dir=Path("vi"),
        dest="",
        site_name="Minh Bạch",
        nav=[{"Trang chủ": "index.md"}, {"Phương pháp": "phuong-phap/index.md"}],
        alternate=[Alternate("Tiếng Việt", "./", "vi"), Alternate("English", "en/", "en")],
    ),
    Edition(
        lang="en",
        docs_dir=Path("en"),
        dest="en",
        site_name="Minh Bach",
        nav=[{"Home": "index.md"}, {"Methodology": "methodology/index.md"}],
        alternate=[Alternate("Tiếng Việt", "../", "vi"), Alternate("English", "./", "en")],
        permalink_title="Permanent link",
    ),
]


def permalink(level: int, ident: str, text: str, title: str) -> str:
    """A heading as the render stage writes it (what Python-Markdown's toc extension does)."""
    link = f'<a class="headerlink" href="#{ident}" title="{title}">&para;</a>'
    return f'<h{level} id="{ident}">{text}{link}</h{level}>'


VI_TABLE = """<table class="mb-sortable" data-pagefind-ignore>
<thead><tr><th>Đơn vị</th><th class="mb-num">Tỷ lệ việc</th></tr></thead>
<tbody>
<tr><td>Quảng Trị</td><td class="mb-num" data-sort="92.00">92,00%</td></tr>
<tr><td>Hà Nội</td><td class="mb-num mb-missing" data-sort="">—</td></tr>
</tbody>
</table>"""
VI_HOME = (
    permalink(1, "ket-qua", "Kết quả thi hành án dân sự", "Liên kết")
    + '\n<p>Xem <a href="phuong-phap/">phương pháp</a> và '
    + '<a href="2016/ca-nam/quang-tri/">Quảng Trị, cả năm 2016</a>.</p>\n'
)
VI_DATA = '<p>Tải <a href="du-lieu/ket-qua.csv">số liệu CSV</a>.</p>\n'

#: The render stage's pages (typed), by edition and path.
GENERATED = {
    "vi": [
        GeneratedPage(
            "index.md",
            "Kết quả thi hành án dân sự",
            "",
            VI_HOME + VI_TABLE + "\n" + VI_DATA,
            (Heading(1, "ket-qua", "Kết quả thi hành án dân sự"),),
        )
    ],
    "en": [
        GeneratedPage(
            "index.md",
            "Civil judgment enforcement results",
            "Results & <figures>",
            (
                permalink(1, "results", "Civil judgment enforcement results", "Link")
                + '\n<p>See the <a href="methodology/#completion-rate">methodology</a>.</p>\n'
                + '<p><a href="../du-lieu/ket-qua.csv">Data (CSV)</a></p>\n'
            ),
            (Heading(1, "results", "Civil judgment enforcement results"),),
        ),
        GeneratedPage(
            "2016/full-year/quang-tri/index.md",
            "Quang Tri — full year 2016",
            "",
            permalink(1, "quang-tri", "Quang Tri — full year 2016", "Link")
            + '\n<p><a href="../../../../du-lieu/ket-qua.csv">Data (CSV)</a></p>\n',
            (Heading(1, "quang-tri", "Quang Tri — full year 2016"),),
        ),
    ],
}

#: The editors' pages (Markdown, through MkDocs) and files in docs_dir.
PAGES = {
    "vi/phuong-phap/index.md": "# Phương pháp\n\n## Tỷ lệ thi hành xong\n\nViệc thi hành xong chia cho việc có điều kiện.\n",
    "vi/2016/ca-nam/quang-tri/index.md": "# Quảng Trị — cả năm 2016\n\n[Về trang chủ](../../../index.md)\n",
    "vi/du-lieu/ket-qua.csv": "unit,rate\nquang-tri,92.00\n",
    "en/methodology/index.md": "# Methodology\n\n## Completion rate\n\nCompleted cases over enforceable cases.\n\n[Home](../index.md#results)\n",
}


@pytest.fixture(autouse=True)
def _no_build_date_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def write_reports(
    root: Path,
    pages: dict[str, str] = PAGES,
    generated: dict[str, list[GeneratedPage]] = GENERATED,
) -> Path:
    reports = root / "reports"
    for relative, text in pages.items():
        path = reports / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for lang, typed in generated.items():
        for page in typed:
            write_generated(reports, lang, page)
    return reports


def write_generated(reports: Path, lang: str, page: GeneratedPage) -> None:
    path = reports / page_file(lang, page.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page.to_json())


def build(
    reports: Path, site: Path, *, strict: bool = True, messages: list[str] | None = None
) -> list[EditionBuilt]:
    report: Callable[[str], None] = (lambda _: None) if messages is None else messages.append
    return build_site(
        reports, site, EDITIONS, strict=strict, config_file=CONFIG, epoch=EPOCH, progress=report
    )


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Dot entries a build left beside the site: work folders, links, versions not published
    (the one version `site` links to, in `.site-versions/`, is the site itself)."""
    found = sorted(path.name for path in folder.iterdir() if path.name.startswith("."))
    versions = folder / ".site-versions"
    if versions.is_dir() and (folder / "site").is_symlink():
        found.remove(versions.name)
        published = Path(os.readlink(folder / "site")).name
        found += [f"{versions.name}/{v.name}" for v in versions.iterdir() if v.name != published]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clean build of the tiny site, shared by the read-only tests."""
    root = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        build(write_reports(root), root / "site")
    return root / "site"


def test_both_editions_are_built_vi_at_the_root_and_en_under_en(built: Path) -> None:
    vi = (built / "index.html").read_text(encoding="utf-8")
    en = (built / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi"' in vi
    assert '<html lang="en"' in en
    assert "<title>Minh Bạch</title>" in vi
    assert "Minh Bach" in en
    assert (built / "2016" / "ca-nam" / "quang-tri" / "index.html").is_file()
    assert (built / "en" / "2016" / "full-year" / "quang-tri" / "index.html").is_file()
    assert (built / "du-lieu" / "ket-qua.csv").read_text() == PAGES["vi/du-lieu/ket-qua.csv"]
    # One search index (Pagefind's) at the root, with each edition in its own language.
    entry = json.loads((built / "pagefind" / "pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["en", "vi"]
    assert {lang: found["page_count"] for lang, found in entry["languages"].items()} == {
        "vi": 3, "en": 3
    }  # fmt: skip


def test_every_link_resolves_including_en_pages_to_vi_data_files(built: Path) -> None:
    en_unit = (built / "en" / "2016" / "full-year" / "quang-tri" / "index.html").read_text()
    assert '<a href="../../../../du-lieu/ket-qua.csv">' in en_unit
    assert broken_links(built) == []


def test_language_switcher_links_to_the_other_edition_from_any_depth(built: Path) -> None:
    en_unit = (built / "en" / "2016" / "full-year" / "quang-tri" / "index.html").read_text()
    vi_unit = (built / "2016" / "ca-nam" / "quang-tri" / "index.html").read_text()
    assert '<a href="../../../../" hreflang="vi" class="md-select__link">' in en_unit
    assert '<a href="../../../en/" hreflang="en" class="md-select__link">' in vi_unit


def test_english_404_page_links_under_en(built: Path) -> None:
    page = (built / "en" / "404.html").read_text(encoding="utf-8")
    assert 'href="/en/assets/minhbach.css"' in page
    assert 'href="/assets/' not in page


def test_pages_request_nothing_from_other_hosts(built: Path) -> None:
    assert external_references(built) == []
    page = (built / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in page
    assert "squidfunk.github.io" not in page  # the "Made with Material" link is off


def test_own_styles_and_vendored_tablesort_are_served_and_referenced(built: Path) -> None:
    assets = [
        "assets/minhbach.css",
        "assets/minhbach.js",
        "assets/vendor/tablesort/tablesort.min.js",
        "assets/vendor/tablesort/tablesort.number.min.js",
        "assets/vendor/tablesort/LICENSE",
        "assets/minhbach-charts.js",
    ]
    for edition_root in (built, built / "en"):
        for asset in assets:
            assert (edition_root / asset).is_file(), edition_root / asset
        assert not (edition_root / "assets/vendor/tablesort/README.md").exists()
    page = (built / "2016" / "ca-nam" / "quang-tri" / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    # minhbach.js registers its sort before tablesort's number sort: the order matters.
    assert [src for src in scripts if "bundle" not in src] == [
        "../../../assets/vendor/tablesort/tablesort.min.js",
        "../../../assets/minhbach.js",
        "../../../assets/vendor/tablesort/tablesort.number.min.js",
        "../../../assets/minhbach-charts.js",
    ]
    assert styles[-1] == "../../../assets/minhbach.css"
    home = (built / "index.html").read_text(encoding="utf-8")
    assert '<td class="mb-num" data-sort="92.00">92,00%</td>' in home


def test_two_builds_of_the_same_reports_are_byte_identical(tmp_path: Path) -> None:
    reports = write_reports(tmp_path)
    build(reports, tmp_path / "a")
    build(reports, tmp_path / "b")
    first = tree_hashes(tmp_path / "a")
    assert first == tree_hashes(tmp_path / "b")
    build(reports, tmp_path / "a")  # rebuilt in place, over the previous site
    assert tree_hashes(tmp_path / "a") == first
    assert "sitemap.xml.gz" in first and "pagefind/pagefind-entry.json" in first


def test_build_date_comes_from_epoch_and_the_environment_is_restored(tmp_path: Path) -> None:
    build(write_reports(tmp_path), tmp_path / "site")
    with gzip.open(tmp_path / "site" / "sitemap.xml.gz") as sitemap:
        assert sitemap.read() == (tmp_path / "site" / "sitemap.xml").read_bytes()
    header = (tmp_path / "site" / "sitemap.xml.gz").read_bytes()[:10]
    mtime = int.from_bytes(header[4:8], "little")
    assert datetime.fromtimestamp(mtime, UTC) == datetime(2024, 7, 1, tzinfo=UTC)
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_source_date_epoch_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")  # 2024-01-01
    reports = write_reports(tmp_path)
    build_site(reports, tmp_path / "site", EDITIONS, strict=True, config_file=CONFIG, epoch=EPOCH)
    header = (tmp_path / "site" / "en" / "sitemap.xml.gz").read_bytes()[:10]
    assert int.from_bytes(header[4:8], "little") == 1704067200
    assert os.environ["SOURCE_DATE_EPOCH"] == "1704067200"


def test_one_line_per_edition_for_a_small_site(tmp_path: Path) -> None:
    messages: list[str] = []
    result = build(write_reports(tmp_path), tmp_path / "site", messages=messages)
    assert [(edition.lang, edition.pages, edition.warnings) for edition in result] == [
        ("vi", 3, []),
        ("en", 3, []),
    ]
    assert [re.sub(r"[0-9.]+ s$", "N s", line) for line in messages] == [
        "mkdocs vi: 3 pages, 3 built in N s",
        "mkdocs en: 3 pages, 3 built in N s",
        "search: indexed by Pagefind in N s",
    ]


def test_progress_every_500_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_stage, "PROGRESS_EVERY", 2)  # 2 pages stand for 500
    messages: list[str] = []
    build(write_reports(tmp_path), tmp_path / "site", messages=messages)
    assert [re.sub(r"[0-9.]+ s$", "N s", line) for line in messages] == [
        "mkdocs vi: 3 pages, 3 built in N s",  # 1 generated: no progress
        "mkdocs en: 2 pages to build",
        "mkdocs en: built 2/2 pages",
        "mkdocs en: 3 pages, 3 built in N s",
        "search: indexed by Pagefind in N s",
    ]


def test_broken_markdown_link_fails_strict_build_and_keeps_the_previous_site(
    tmp_path: Path,
) -> None:
    reports = write_reports(tmp_path)
    site = tmp_path / "out" / "site"
    build(reports, site)
    before = tree_hashes(site)
    page = reports / "vi" / "phuong-phap" / "index.md"
    page.write_text(page.read_text() + "\n[Hà Nội](../2016/ca-nam/ha-noi/index.md)\n")
    # An editor's link to a generated page's heading that is gone.
    (en_home, _) = GENERATED["en"]
    write_generated(reports, "en", replace(en_home, toc=(), body="<p>Results</p>"))

    with pytest.raises(UserError) as raised:
        build(reports, site)

    assert str(raised.value) == (
        f"{site}: not updated: MkDocs failed (strict: warnings fail):\n"
        f"{reports / 'vi' / 'phuong-phap' / 'index.md'}: contains a link "
        "'../2016/ca-nam/ha-noi/index.md', but the target '2016/ca-nam/ha-noi/index.md' "
        "is not found among documentation files."
    )
    assert tree_hashes(site) == before
    assert leftovers(site.parent) == []


def test_directory_links_in_markdown_are_warnings_too(tmp_path: Path) -> None:
    reports = write_reports(tmp_path)
    page = reports / "vi" / "phuong-phap" / "index.md"
    page.write_text(page.read_text() + "\n[Năm 2016](../2016/)\n")
    with pytest.raises(UserError, match=r"contains an unrecognized relative link '../2016/'"):
        build(reports, tmp_path / "site")
    assert not (tmp_path / "site").exists()
    assert leftovers(tmp_path) == []


def test_without_strict_warnings_are_reported_and_the_site_is_updated(tmp_path: Path) -> None:
    reports = write_reports(tmp_path)
    page = reports / "en" / "methodology" / "index.md"
    page.write_text(page.read_text() + "\n[Ha Noi](../units/ha-noi/index.md)\n")
    messages: list[str] = []
    result = build(reports, tmp_path / "site", strict=False, messages=messages)
    warning = (
        f"{page}: contains a link '../units/ha-noi/index.md', "
        "but the target 'units/ha-noi/index.md' is not found among documentation files."
    )
    assert result[1].warnings == [warning]
    assert f"warning: {warning}" in messages
    assert (tmp_path / "site" / "en" / "index.html").is_file()


def test_a_crash_inside_mkdocs_keeps_the_previous_site_and_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = write_reports(tmp_path)
    build(reports, tmp_path / "site")
    before = tree_hashes(tmp_path / "site")

    def crash(config: object, **options: object) -> None:
        raise RuntimeError("bug in a plugin")

    monkeypatch.setattr(site_stage, "mkdocs_build", crash)
    with pytest.raises(RuntimeError, match="bug in a plugin"):
        build(reports, tmp_path / "site")
    assert tree_hashes(tmp_path / "site") == before
    assert leftovers(tmp_path) == []


def test_a_vi_folder_named_like_an_edition_is_a_collision(tmp_path: Path) -> None:
    reports = write_reports(tmp_path, {**PAGES, "vi/en/index.md": "# English?\n"})
    with pytest.raises(UserError) as raised:
        build(reports, tmp_path / "site")
    assert str(raised.value) == (
        f"{reports / 'vi'}: has a 'en' entry, which would collide with the en edition "
        "published there"
    )
    assert leftovers(tmp_path) == []


def test_missing_edition_folder_is_a_user_error(tmp_path: Path) -> None:
    reports = write_reports(tmp_path, {"vi/index.md": "# Trang chủ\n"}, generated={})
    with pytest.raises(UserError) as raised:
        build(reports, tmp_path / "site")
    assert str(raised.value) == (
        f"{reports / 'en'}: no generated pages for the en edition (the render stage writes them)"
    )


def test_live_server_serves_each_swapped_in_site_and_survives_a_failed_rebuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "title.txt").write_text("Lần một")
    reports = write_reports(tmp_path)
    site = tmp_path / "out" / "site"
    attempts: list[str] = []

    def rebuild() -> None:
        # A stand-in for render: the vi home page's heading comes from content/, and so
        # does a line of an editor's page.
        title = (content / "title.txt").read_text()
        attempts.append(title)
        home = GeneratedPage("index.md", title, "", f'<h1 id="t">{title}</h1>')
        write_generated(reports, "vi", home)
        (reports / "vi" / "phuong-phap" / "index.md").write_text(f"# Phương pháp\n\n{title}\n")
        build(reports, site)

    rebuild()
    server = live_server(rebuild, site, [content], port=0)
    thread = threading.Thread(target=server.serve)
    try:
        thread.start()
        port = wait_for(lambda: server.server_address[1] or None)

        def home() -> str:
            """Return the heading of the served home page."""
            url = f"http://127.0.0.1:{port}/"
            with urllib.request.urlopen(url, timeout=10) as response:
                page = response.read().decode("utf-8")
            match = re.search(r"<h1 id=[^>]*>([^<]*)<", page)
            assert match is not None
            return match[1]

        def answering() -> str | None:
            """The home page's heading, or None while the server is not yet listening."""
            try:
                return home()
            except (urllib.error.URLError, ConnectionError):
                return None

        # The port is bound before the serving thread listens on it: under load the first
        # request can come too early and be refused, so wait for an answer.
        assert wait_for(answering) == "Lần một"
        (content / "title.txt").write_text("Lần hai")
        wait_for(lambda: home() == "Lần hai" or None)

        (content / "title.txt").write_text("Hỏng [x](khong-co.md)")
        wait_for(lambda: attempts[-1].startswith("Hỏng") or None)
        assert home() == "Lần hai"  # answered once the failed rebuild is over
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/khong-co/", timeout=10)
        missing.value.close()
        assert missing.value.code == 404
    finally:
        server.shutdown(wait=thread.is_alive())
        thread.join(timeout=10)
    err = capsys.readouterr().err
    assert f"error: {site}: not updated: MkDocs failed (strict: warnings fail):" in err
    assert (
        "contains a link 'khong-co.md', but the target 'phuong-phap/khong-co.md' is not found"
        in err
    )


def test_live_server_refuses_to_watch_the_folder_that_holds_the_site(tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        live_server(lambda: None, tmp_path / "site", [tmp_path])
    assert str(raised.value) == (
        f"{tmp_path}: cannot watch a folder that holds the site ({tmp_path / 'site'})"
    )


def wait_for(probe: Callable[[], T | None], seconds: float = 20) -> T:
    """Poll `probe` until it returns something, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (value := probe()) is not None:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting after {seconds} s")


def test_search_indexes_each_page_without_what_search_skips(built: Path) -> None:
    """Every page is in the index with its title, its prose, not its data tables (their
    figures are in the open data), its headings' permalinks, the header or the footer."""
    pages = {fragment["url"]: fragment for _, fragment in search_fragments(built)}
    assert sorted(pages) == [
        "/", "/2016/ca-nam/quang-tri/", "/en/", "/en/2016/full-year/quang-tri/",
        "/en/methodology/", "/phuong-phap/",
    ]  # fmt: skip
    home = pages["/"]
    assert home["meta"]["title"] == "Trang chủ"  # the page's title (the nav's), as in <title>
    assert "3.379" not in home["content"] and "¶" not in home["content"]
    assert "Phương pháp" not in home["content"].split("Kết quả")[0]  # no menu before it
    assert "Việc thi hành xong chia cho việc có điều kiện" in pages["/phuong-phap/"]["content"]
    # The theme's JSON in the page is UTF-8 (it was \u-escaped), and still safe in HTML.
    page = (built / "index.html").read_text("utf-8")
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', page)
    assert config and "Không tìm thấy" in config.group(1)


def test_site_leaves_out_theme_files_no_page_loads(built: Path) -> None:
    """No source maps, none of the theme's own search (the site's is Pagefind's), none
    of Pagefind's own interfaces (the site's search page is its own)."""
    assert (built / "assets" / "javascripts").is_dir()
    assert not list(built.rglob("*.map"))
    assert not (built / "assets" / "javascripts" / "lunr").exists()
    assert not list(built.rglob("workers/search.*.js"))
    assert not list((built / "pagefind").glob("pagefind-*ui*"))
    assert (built / "pagefind" / "pagefind.js").is_file()
    assert not _unused_theme_file("assets/javascripts/bundle.js")
    assert _unused_theme_file("assets/javascripts/bundle.js.map")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_our_language_partial_gives_the_themes_strings(language: str) -> None:
    """Our override of the theme's partials/language.html remembers each string, and gives
    what the theme's own partial gives, with and without `mb_translation` (the search
    plugin renders the partial in an environment of its own)."""
    import jinja2
    import material

    theme = Path(material.__file__).parent / "templates"
    ours = REPO / "site_templates" / "overrides"
    strings = (theme / "partials" / "languages" / f"{language}.html").read_text(encoding="utf-8")
    keys = sorted(set(re.findall(r'^\s*"([\w.]+)":', strings, flags=re.MULTILINE)))
    assert len(keys) > 50
    keys += ["no.such.key", "language"]
    probe = "{% import 'partials/language.html' as lang with context %}"
    probe += "{% for key in keys %}{{ lang.t(key) }}\n{% endfor %}"

    def rendered(folders: list[Path], translations: bool) -> list[str]:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(f) for f in folders]))
        if translations:
            env.globals["mb_translation"] = site_stage.theme_translations(env, language)
        config = {"theme": {"language": language}}
        return env.from_string(probe).render(config=config, keys=keys).split("\n")

    expected = rendered([theme], translations=False)
    assert expected[keys.index("no.such.key")] == "no.such.key"
    assert rendered([ours, theme], translations=True) == expected
    assert rendered([ours, theme], translations=False) == expected
