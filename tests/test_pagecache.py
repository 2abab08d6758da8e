"""The site stage's page cache, in-place updates of site/, and generated pages built in
forked processes."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from minhbach.machinery import processes
from minhbach.machinery.cache import Store
from minhbach.problems import UserError
from minhbach.render.generated import GeneratedPage, Heading
from minhbach.site.pagecache import PageCache, link_or_copy
from minhbach.site.shell import build_site
from tests.sitecheck import search_fragments
from tests.test_site import (
    CONFIG,
    EDITIONS,
    EPOCH,
    GENERATED,
    PAGES,
    permalink,
    tree_hashes,
    write_generated,
    write_reports,
)

BODY = (
    permalink(1, "ha-noi", "Hà Nội: cả năm 2016", "Liên kết")
    + '\n<p class="mb-lede">01/10/2015–30/09/2016</p>\n'
    + permalink(2, "ket-qua-thi-hanh-an", "Kết quả thi hành án", "Liên kết")
    + "\n"
)
TABLE = '<table class="mb-results" data-pagefind-ignore>\n<tr><th>Việc có điều kiện</th><td>3.379</td></tr>\n</table>\n'
PROSE = '<p>Cùng kỳ năm trước: <a href="../../../">trang chủ</a>.</p>\n'
HA_NOI = GeneratedPage(
    "2016/ca-nam/ha-noi/index.md",
    "Hà Nội: cả năm 2016",
    "Hà Nội đạt 92,00% về việc.",
    BODY + TABLE + PROSE,
    (
        Heading(1, "ha-noi", "Hà Nội: cả năm 2016"),
        Heading(2, "ket-qua-thi-hanh-an", "Kết quả thi hành án"),
    ),
)


def _reports(root: Path, page: GeneratedPage = HA_NOI) -> Path:
    return write_reports(root, PAGES, {**GENERATED, "vi": [*GENERATED["vi"], page]})


def _build(reports: Path, site: Path, cache: Path, static: Path | None = None) -> list[str]:
    messages: list[str] = []
    store = Store(cache)
    try:
        build_site(
            reports,
            site,
            EDITIONS,
            strict=True,
            config_file=CONFIG,
            epoch=EPOCH,
            progress=messages.append,
            store=store,
            static=static,
        )
        store.commit(prune=True)  # as the command line does, after a build that passed
    finally:
        store.close()
    return messages


def _without_stamp(hashes: dict[str, str]) -> dict[str, str]:
    return {path: digest for path, digest in hashes.items() if path != ".minhbach-build"}


def test_cached_and_in_place_rebuilds_equal_a_fresh_build(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    site, cache = tmp_path / "site", tmp_path / "cache"
    first = _build(reports, site, cache)
    assert "mkdocs vi: 4 pages, 4 built, 0 from the cache" in " ".join(first)
    page = site / "2016" / "ca-nam" / "ha-noi" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert TABLE in html and PROSE in html
    assert 'href="#ket-qua-thi-hanh-an"' in html  # in the theme's table of contents

    second = _build(reports, site, cache)
    # The editors' pages are built by MkDocs every time; the generated ones are cached.
    assert any("4 pages, 2 built, 2 from the cache" in line for line in second)
    assert "site: 0 files changed in" in " ".join(second)

    # One page changes: only it (and the search index) is built and put in place.
    write_generated(reports, "vi", replace(HA_NOI, body=HA_NOI.body.replace("3.379", "3.380")))
    third = _build(reports, site, cache)
    assert any("mkdocs vi: 4 pages, 3 built, 1 from the cache" in line for line in third)
    assert "3.380" in page.read_text(encoding="utf-8")

    fresh = tmp_path / "fresh"
    _build(reports, fresh, tmp_path / "fresh-cache")
    assert _without_stamp(tree_hashes(site)) == _without_stamp(tree_hashes(fresh))


def test_search_index_covers_every_page_when_pages_come_from_the_cache(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    site, cache = tmp_path / "site", tmp_path / "cache"
    _build(reports, site, cache)
    before = (site / "pagefind" / "pagefind-entry.json").read_bytes()
    (reports / "vi/phuong-phap/index.md").write_text("# Phương pháp\n\nMới.\n", encoding="utf-8")
    _build(reports, site, cache)
    pages = {fragment["url"]: fragment for _, fragment in search_fragments(site)}
    vi = {url for url in pages if not url.startswith("/en/")}
    assert vi == {"/", "/phuong-phap/", "/2016/ca-nam/quang-tri/", "/2016/ca-nam/ha-noi/"}
    assert "Mới" in pages["/phuong-phap/"]["content"]
    assert (site / "pagefind" / "pagefind-entry.json").read_bytes() != before
    # A page's headings and prose are indexed, not its table.
    text = pages["/2016/ca-nam/ha-noi/"]["content"]
    assert "Kết quả thi hành án" in text and "01/10/2015" in text
    assert "3.379" not in text


def test_a_generated_page_in_the_theme(tmp_path: Path) -> None:
    """Its title and description escaped where the theme writes them as they are, its
    headings in the table of contents, its body as it is, in the sitemap; an editor's
    link to it resolves."""
    hostile = replace(
        HA_NOI,
        title='Hà Nội <script>alert("x")</script>',
        description='"><script>x</script>',
        toc=(*HA_NOI.toc, Heading(2, "b", "Hà Nội <b>")),
    )
    reports = _reports(tmp_path, hostile)
    site = tmp_path / "site"
    _build(reports, site, tmp_path / "cache")
    html = (site / "2016" / "ca-nam" / "ha-noi" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<script>x" not in html and "Hà Nội <b>" not in html
    assert (
        "<title>Hà Nội &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; - Minh Bạch</title>"
        in html
    )
    assert '<meta name="description" content="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">' in html
    assert "Hà Nội &lt;b&gt;" in html  # in the table of contents
    assert BODY + TABLE + PROSE in html
    # The home page (generated) is a tab of the nav; the editor's page links to it.
    editors = (site / "2016" / "ca-nam" / "quang-tri" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="\.\./\.\./\.\./"[^>]*>Về trang chủ</a>', editors)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Minh Bạch</title>" in home  # the home page's title is the site's name
    assert '<li class="md-tabs__item md-tabs__item--active">\n      <a href="." ' in home


def test_the_sitemap_lists_the_generated_pages_too(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    site = tmp_path / "site"
    url = "https://thads.example.gov.vn/"
    build_site(reports, site, EDITIONS, strict=True, config_file=CONFIG, epoch=EPOCH, site_url=url)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert locations == [  # two generated pages, two editors', by their paths
        url + "2016/ca-nam/ha-noi/",
        url + "2016/ca-nam/quang-tri/",
        url,
        url + "phuong-phap/",
    ]
    assert "<lastmod>2024-07-01</lastmod>" in sitemap
    en = re.findall(r"<loc>([^<]*)</loc>", (site / "en" / "sitemap.xml").read_text("utf-8"))
    assert url + "en/2016/full-year/quang-tri/" in en and len(en) == 3


def test_a_failed_build_keeps_nothing_it_built(tmp_path: Path) -> None:
    """The cache is written only after a build that passed: a page built by a failed
    build is built again by the next."""
    reports = _reports(tmp_path)
    site, cache = tmp_path / "site", tmp_path / "cache"
    _build(reports, site, cache)
    write_generated(reports, "vi", replace(HA_NOI, body=HA_NOI.body + "<p>mới</p>"))
    editors = reports / "vi" / "phuong-phap" / "index.md"
    good = editors.read_text(encoding="utf-8")
    editors.write_text(good + "\n[x](missing.md)\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"missing\.md"):
        _build(reports, site, cache)
    editors.write_text(good, encoding="utf-8")
    messages = _build(reports, site, cache)
    assert any("mkdocs vi: 4 pages, 3 built, 1 from the cache" in line for line in messages)
    assert "<p>mới</p>" in (site / "2016/ca-nam/ha-noi/index.html").read_text(encoding="utf-8")


def test_pages_built_in_forked_processes_give_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = _reports(tmp_path)
    single = tmp_path / "single"
    _build(reports, single, tmp_path / "single-cache")
    monkeypatch.setattr(processes, "FORK_ABOVE", 2)
    monkeypatch.setattr(processes, "workers", lambda: 2)
    monkeypatch.setattr(processes, "may_fork", lambda: True)  # other tests' threads
    site, cache = tmp_path / "site", tmp_path / "cache"
    messages = _build(reports, site, cache)
    assert any("mkdocs vi: 4 pages, 4 built, 0 from the cache" in line for line in messages)
    assert _without_stamp(tree_hashes(site)) == _without_stamp(tree_hashes(single))
    again = _build(reports, site, cache)
    assert any("mkdocs vi: 4 pages, 2 built, 2 from the cache" in line for line in again)


def test_a_damaged_cached_page_is_built_again(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    site, cache = tmp_path / "site", tmp_path / "cache"
    _build(reports, site, cache)
    expected = _without_stamp(tree_hashes(site))
    import sqlite3

    with sqlite3.connect(cache / "cache.sqlite") as db:
        db.execute(
            "update entry set data = cast(replace(cast(data as text), 'Hà Nội', 'Hà Tây') as blob)"
            " where kind = 'site-page-vi'"
        )
    (site / ".minhbach-build").unlink()  # assembled anew, every page from the cache or built
    messages = _build(reports, site, cache)
    assert any("mkdocs vi: 4 pages, 4 built, 0 from the cache" in line for line in messages)
    assert _without_stamp(tree_hashes(site)) == expected


def test_the_page_cache_keeps_html(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    PageCache(store, "vi").put("k", "<p>mới</p>".encode())
    PageCache(store, "vi").commit(["k"])
    store.commit(prune=True)
    store.close()
    again = PageCache(Store(tmp_path / "cache"), "vi")
    assert again.html("k") == "<p>mới</p>".encode()
    assert again.html("other") is None and PageCache(again.store, "en").html("k") is None


def test_a_site_changed_by_hand_is_assembled_again(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    site, cache = tmp_path / "site", tmp_path / "cache"
    _build(reports, site, cache)
    expected = tree_hashes(site)
    (site / ".minhbach-build").unlink()  # e.g. site/ copied back from a backup
    (site / "index.html").write_text("stale", encoding="utf-8")
    messages = _build(reports, site, cache)
    assert not any("files changed" in line for line in messages)  # swapped in whole
    assert _without_stamp(tree_hashes(site)) == _without_stamp(expected)


def test_static_files_are_put_in_and_removed(tmp_path: Path) -> None:
    reports = _reports(tmp_path)
    static = tmp_path / "files"
    (static / "du-lieu").mkdir(parents=True)
    (static / "du-lieu" / "a.csv").write_text("a\n", encoding="utf-8")
    site, cache = tmp_path / "site", tmp_path / "cache"
    _build(reports, site, cache, static)
    assert (site / "du-lieu" / "a.csv").read_text(encoding="utf-8") == "a\n"
    (static / "du-lieu" / "a.csv").unlink()
    (static / "du-lieu" / "b.csv").write_text("b\n", encoding="utf-8")
    messages = _build(reports, site, cache, static)
    assert "site: 2 files changed in" in " ".join(messages)
    assert not (site / "du-lieu" / "a.csv").exists()
    assert (site / "du-lieu" / "b.csv").read_text(encoding="utf-8") == "b\n"


def test_link_or_copy_links_makes_folders_replaces_and_copies_across_devices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "reports" / "chart.svg"
    source.parent.mkdir()
    source.write_text("<svg/>")
    target = tmp_path / "site" / "2024" / "ca-nam" / "chart.svg"  # no folder yet
    link_or_copy(str(source), str(target))
    assert target.read_text() == "<svg/>" and target.stat().st_ino == source.stat().st_ino
    beside = target.with_name("other.svg")  # the folder is there now
    link_or_copy(str(source), str(beside))
    assert beside.stat().st_ino == source.stat().st_ino

    newer = tmp_path / "reports" / "newer.svg"
    newer.write_text("<svg>2</svg>")
    link_or_copy(str(newer), str(target))  # replaces the old link
    assert target.read_text() == "<svg>2</svg>" and source.read_text() == "<svg/>"

    with pytest.raises(FileNotFoundError):
        link_or_copy(str(tmp_path / "reports" / "gone.svg"), str(tmp_path / "site" / "x.svg"))
    assert not (tmp_path / "site" / "x.svg").exists()

    def cross_device(src: str, dst: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    copied = tmp_path / "elsewhere" / "deep" / "chart.svg"  # copied, into a new folder
    link_or_copy(str(source), str(copied))
    assert copied.read_text() == "<svg/>" and copied.stat().st_ino != source.stat().st_ino
