"""The generated pages of the mini fixture, as the render stage hands them to the site stage."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.render.generated import GeneratedPage
from minhbach.render.pages import LANGS, Strings, get_pages, render_pages

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def pages() -> dict[str, GeneratedPage]:
    content, problems = check_content(MINI)
    assert not problems.errors
    model, _ = compute(content)
    files, _ = render_pages(model)
    strings = Strings()
    return {
        f"{lang}/{page.path}": GeneratedPage.from_json(files[f"{lang}/{page.path}"])
        for lang in LANGS
        for page in get_pages(model, lang, strings)
    }


class _Blocks(HTMLParser):
    """The elements of a page, with their ids and the hrefs of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_every_page_survives_its_json(pages: dict[str, GeneratedPage]) -> None:
    # The 42 of the mini site, its 3 press releases, its revisions and search pages per edition.
    assert len(pages) == 52
    for page in pages.values():
        assert GeneratedPage.from_json(page.to_json()) == page


def test_the_toc_is_the_bodys_headings_with_unique_ids(pages: dict[str, GeneratedPage]) -> None:
    for key, page in pages.items():
        headings = [
            (int(tag[1]), attrs["id"])
            for tag, attrs in _tags(page.body)
            if re.fullmatch(r"h\d", tag)
        ]
        assert headings == [(h.level, h.id) for h in page.toc], key
        assert page.toc[0].level == 1 and len({h.id for h in page.toc}) == len(page.toc), key
        assert "\n#" not in page.body and "](" not in page.body, key  # no Markdown left


def test_what_search_skips_is_marked_for_pagefind(pages: dict[str, GeneratedPage]) -> None:
    """Data tables, charts, cards, legends and download lines (their figures are in the
    open data) are inside `data-pagefind-ignore`; headings and prose are not."""
    from lxml import html as lxml_html

    skipped = {"mb-cards", "mb-legend", "mb-downloads", "mb-chart__data"}
    for key, page in pages.items():
        root = lxml_html.fragment_fromstring(page.body, create_parent="div")
        for element in root.iter("table", "figure", "p", "div"):
            classes = set((element.get("class") or "").split())
            if element.tag in ("table", "figure") or classes & skipped:
                marked = [
                    e for e in element.iterancestors() if e.get("data-pagefind-ignore") is not None
                ]
                assert element.get("data-pagefind-ignore") is not None or marked, (key, element.tag)
        for heading in root.iter("h1", "h2", "h3"):
            assert not [
                e for e in heading.iterancestors() if e.get("data-pagefind-ignore") is not None
            ], key
    unit = pages["vi/2026/6-thang/alpha/index.md"]
    assert 'class="mb-cards"' in unit.body and "<table" in unit.body and "<figure" in unit.body


def test_links_to_pages_are_the_published_addresses(pages: dict[str, GeneratedPage]) -> None:
    for key, page in pages.items():
        lang, path = key.split("/", 1)
        edition = {p.removeprefix(f"{lang}/") for p in pages if p.startswith(f"{lang}/")}
        folder = posixpath.dirname(path)
        for tag, attrs in _tags(page.body):
            href = attrs.get("href", "")
            if tag != "a" or not href.endswith("/") or "hreflang" in attrs or ":" in href:
                continue
            target = posixpath.normpath(posixpath.join(folder, href))
            target = "index.md" if target == "." else f"{target}/index.md"
            assert target in edition, (key, href)
