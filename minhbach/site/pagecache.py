"""What keeps the MkDocs stage fast on thousands of generated pages.

Measured on the reference collection (2,600 pages of one edition): MkDocs spent
about 40 ms per generated page, nearly all of it in three HTML parsers run over the
same markup: Python-Markdown's raw-HTML block parser (md_in_html), MkDocs' anchor
collector, and Material's search indexer. Our pages are mostly HTML that the render
stage already produced (tables, figures), so the MkDocs stage here:

- **stashes** each top-level block of finished HTML of a generated page (a table, a
  figure, a details block) behind a placeholder before Markdown runs (a one-word
  paragraph, then an HTML comment), and puts it back into the page's final HTML.
  Markdown, the table of contents, link checks and the search index still see every
  heading, paragraph, list and Markdown link; the search index therefore covers every
  page, by title, headings and prose, but not the cells of its data tables (which are
  in the open data files). A page's prose written as HTML (its lede, narrative and
  source, `<p class="mb-…">` or `<div class="mb-…">`), which Markdown would pass
  through as it is, is stashed too but put back before the search index reads the
  page, so the index sees it as before; the headings' permalinks are hidden from the
  search indexer alone, which parsed each only to leave its text out;
- **parses** a stashed page without Python-Markdown's block parser and inline
  processor when nothing is left of it but headings of plain text and placeholders
  (every unit page: its prose is written as HTML), which is about two thirds of the
  time Markdown took on one: the element tree is the one the block parser would make,
  and every other step (the table of contents, its ids and permalinks, MkDocs' own
  processors, the serializer) is Markdown's and MkDocs' as usual (`Skeleton`);
- **caches** each built page by the hash of its Markdown source and of everything
  else its HTML depends on (the edition's configuration and the list of pages and
  files, which links and navigation depend on; the code, theme and library versions
  are in every key of the build's store). A page whose key is in the cache is not
  built again: its HTML and its search entries are taken from the cache. The cache
  is written only after a build passed, so a page that warned is never skipped;
- **links** static files (charts, data) into the new site instead of copying them.

Generated pages say so in their front matter (`minhbach: generated`); editors'
pages are built by MkDocs as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown

from minhbach.layout import TREE_MANIFEST
from minhbach.machinery.cache import Store

#: Front-matter key and value of a generated page.
MARK_KEY = "minhbach"
MARK_VALUE = "generated"

# A block of finished HTML: starts at the beginning of a paragraph with one of these
# tags (or is one of these generated paragraphs). Our templates write each such block
# without blank lines inside (the same rule Markdown's raw-HTML blocks follow), so a
# block is everything up to the next blank line.
_STASHED = re.compile(
    r'<(?:table|figure|details)\b|<div class="mb-cards"|<p class="mb-(?:legend|downloads)"'
)
# A stashed block's place: in the Markdown a paragraph of one word, which Markdown passes
# through as plain text (an HTML comment there went through its raw-HTML parser: about
# a tenth of its time on a unit page, 0.5 ms); in the HTML, before the search indexer
# sees it, a comment. Each word and comment holds the page's own nonce, a hash of its
# Markdown: content cannot write one (it would have to hold the hash of the page that
# holds it), so no editor text is ever taken for a placeholder, and a placeholder left
# in a built page is found by its nonce (`Stashed.left_in`).
_WORD = "MBSTASH"
_NONCE = r"[0-9a-f]{16}"
_PARAGRAPH = re.compile(rf"<p>{_WORD}({_NONCE})x(\d+)</p>")
_TOKEN = re.compile(rf"<!--mb-stash-({_NONCE}):(\d+)-->")
# A block of prose written as HTML, stashed too, but put back before the search indexer
# reads the page: one element that Markdown passes through as it is (see `_prose`).
_PROSE = re.compile(r'<(p|div) class="mb-[^"]*">')
_SHOWN_WORD = "MBPROSE"
_SHOWN = re.compile(rf"<p>{_SHOWN_WORD}({_NONCE})x(\d+)</p>")

#: What a placeholder of any page looks like, in its Markdown or HTML: for tests that
#: scan a built site (`Stashed.left_in` is the build's own check, by the page's nonce).
PLACEHOLDER = re.compile(rf"MB(?:STASH|PROSE){_NONCE}x\d+|<!--mb-stash-{_NONCE}:\d+-->")


@dataclass
class Stashed:
    """The blocks stashed from one page, and the nonce its placeholders carry."""

    nonce: str = ""
    chunks: list[str] = field(default_factory=list)

    def left_in(self, html: str) -> bool:
        """Is any placeholder of this page still in `html` (after `unstash`)?"""
        return bool(self.chunks) and self.nonce in html


def stash(markdown: str) -> tuple[str, Stashed]:
    """Replace each block of finished HTML by a placeholder paragraph; return both.

    Blocks are paragraphs separated by blank lines; a block is stashed when it starts
    with a table, a figure or a details element, or is a page's headline cards, legend
    or download line (figures and links the tables and open data also give, so the
    search index loses nothing by not seeing them). Everything else (headings, prose,
    lists, Markdown links, admonitions) is left to Markdown and to the search index.
    Prose written as HTML (`_PROSE`) is stashed under another word, for `hide` to put
    back.
    """
    nonce = hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    stashed = Stashed(nonce)
    if nonce in markdown:  # not in this universe; but then no placeholder could be told apart
        return markdown, stashed
    blocks = markdown.split("\n\n")
    chunks = stashed.chunks
    for index, block in enumerate(blocks):
        body = block.lstrip("\n")
        chunk = body.rstrip("\n")
        if _STASHED.match(body):
            word = _WORD
        elif _prose(chunk):
            word = _SHOWN_WORD
        else:
            continue
        blocks[index] = block[: len(block) - len(body)] + f"{word}{nonce}x{len(chunks)}"
        chunks.append(chunk)
    return "\n\n".join(blocks), stashed


def _prose(block: str) -> bool:
    """Is `block` one `<p class="mb-…">` or `<div class="mb-…">` element and nothing else?

    Markdown passes such a block through as it is (a raw HTML block); text after its
    closing tag would be Markdown's, hence one opening and one closing tag of its kind,
    the closing one last (a nested `<div>` or a `<pre>` in a `<p>` block: left to Markdown).
    """
    match = _PROSE.match(block)
    if match is None:
        return False
    tag = match[1]
    close = f"</{tag}>"
    return block.endswith(close) and block.count(close) == 1 and block.count(f"<{tag}") == 1


# A heading's permalink as the toc extension writes it (`permalink: true`): its text is
# the one thing in a heading the search indexer leaves out, after parsing the link.
_PERMALINK = re.compile(r'<a class="headerlink" href="[^"<>]*"(?: title="[^"<>]*")?>[^<]*</a>')


def hide(html: str, stashed: Stashed) -> tuple[str, Stashed]:
    """Markdown's HTML of a stashed page with each placeholder paragraph of a table,
    figure or the like as a comment, which the search indexer skips, and its prose
    written as HTML back in place, which the indexer reads; and the chunks `unstash`
    puts back.

    The headings' permalinks are stashed too, as comments, and added to the chunks: the
    indexer reads past a permalink (its text is in no entry), and parsing the link took a
    quarter of the time it spent on a unit page (0.68 against 0.50 ms).
    """
    nonce, chunks = stashed.nonce, stashed.chunks

    def own(replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        # Another page's nonce cannot be in this page: left as it is, found by no one.
        return lambda match: replace(match) if match[1] == nonce else match[0]

    if chunks:
        html = _SHOWN.sub(own(lambda match: chunks[int(match[2])]), html)
    html = _PARAGRAPH.sub(own(lambda match: f"<!--mb-stash-{nonce}:{match[2]}-->"), html)
    kept = list(chunks)

    def link(match: re.Match[str]) -> str:
        kept.append(match[0])
        return f"<!--mb-stash-{nonce}:{len(kept) - 1}-->"

    return _PERMALINK.sub(link, html), Stashed(nonce, kept)


def unstash(html: str, stashed: Stashed | None) -> str:
    """Put the stashed blocks back in place of their placeholders (after `hide`)."""
    if stashed is None or not stashed.chunks:
        return html
    nonce, chunks = stashed.nonce, stashed.chunks
    return _TOKEN.sub(lambda match: chunks[int(match[2])] if match[1] == nonce else match[0], html)


# What is left of a page made only of headings and placeholders, line by line: a
# heading of plain text (letters, digits, spaces and punctuation that starts no inline
# Markdown: no backslash, backtick, bracket, angle bracket, ampersand, asterisk,
# underscore, brace, hash, bar or tilde), a placeholder, or a blank line.
_PLAIN = r"[^\W_]|[.,:;()%/'\"?!·–—+\-]"
_HEADING_LINE = re.compile(rf"(#{{1,6}}) ((?:{_PLAIN})(?:(?:{_PLAIN}| )*(?:{_PLAIN}))?)")
_PLACEHOLDER_LINE = re.compile(rf"(?:{_WORD}|{_SHOWN_WORD}){_NONCE}x\d+")


def skeleton_tree(lines: list[str], tag: str) -> etree.Element | None:
    """The element tree Python-Markdown's block parser makes of `lines`, when they are
    only headings of plain text and placeholders, each alone between blank lines; else None.

    A heading line is an `<hN>` holding its text, a placeholder line a `<p>` holding its
    word: what Markdown's ATX-heading and paragraph processors make of such a block, and
    what no other processor of the extensions we use claims (a table needs two lines, a
    list or quote or admonition its marker). Their text holds nothing inline patterns
    match, so Markdown's inline processor would leave it as it is.
    """
    root = etree.Element(tag)
    previous = ""
    for line in lines:
        if not line:
            previous = line
            continue
        if previous:  # two lines in one block: a paragraph of both, or a heading and text
            return None
        if _PLACEHOLDER_LINE.fullmatch(line):
            etree.SubElement(root, "p").text = line
        else:
            heading = _HEADING_LINE.fullmatch(line)
            if heading is None:
                return None
            etree.SubElement(root, f"h{len(heading[1])}").text = heading[2]
        previous = line
    return root


class Skeleton:
    """Markdown's parsing of a stashed generated page, sped up where it has nothing to do.

    Installed on one Markdown instance: when the page's lines, once Markdown's
    preprocessors ran, are a skeleton (`skeleton_tree`), its block parser is not run
    and neither is its inline processor; any other page goes through both as usual.
    Preprocessors, the other tree processors (the table of contents, MkDocs' anchors,
    links and title), the serializer and postprocessors run on every page.
    tests/test_pagecache.py converts skeletons and other pages both ways.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        self.md = md
        self.skipped = 0  # pages whose parsing was spared
        self.parsed = False  # whether the page being converted was a skeleton
        parser: Any = md.parser
        inline: Any = md.treeprocessors["inline"]
        self._parse = parser.parseDocument
        self._inline = inline.run
        # On this instance only: its parser and inline processor, whatever else holds them.
        parser.parseDocument = self._parse_document
        inline.run = self._run_inline

    def _parse_document(self, lines: list[str]) -> Any:
        root = skeleton_tree(lines, self.md.doc_tag)
        self.parsed = root is not None
        if root is None:
            return self._parse(lines)
        self.skipped += 1
        self.md.parser.root = root
        return etree.ElementTree(root)

    def _run_inline(self, tree: etree.Element, *more: Any) -> Any:
        if self.parsed:
            return None  # the tree as it is
        return self._inline(tree, *more)


@dataclass
class PageCache:
    """Built pages of one edition in the build's store, by key: HTML and search entries.

    `staging` are the stores the edition's helper processes wrote the pages they built
    into (one each, see `site._Helpers`): looked up too, and taken into the build's
    store by `commit`.
    """

    store: Store
    lang: str
    staging: list[Store] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.store.preload(self.kinds[1])  # the search entries of every page: small

    @property
    def kinds(self) -> tuple[str, str]:
        return f"site-page-{self.lang}", f"site-index-{self.lang}"

    def lookup(self, key: str) -> list[dict[str, Any]] | None:
        """The search entries of a cached page (whose HTML `html` gives), or None."""
        found = self._first(self.kinds[1], key)
        if found is None:
            return None
        try:
            entries: list[dict[str, Any]] = json.loads(found)
        except ValueError:
            return None
        return entries

    def html(self, key: str) -> bytes | None:
        """The HTML of a cached page, if intact."""
        return self._first(self.kinds[0], key)

    def _first(self, kind: str, key: str) -> bytes | None:
        for store in (self.store, *self.staging):
            found = store.get(kind, key)
            if found is not None:
                return found
        return None

    def put(self, key: str, html: str, entries: list[dict[str, Any]]) -> None:
        """Keep a built page, written when the store commits."""
        page, index = _page_files(html, entries)
        self.store.put(self.kinds[0], key, page)
        self.store.put(self.kinds[1], key, index)

    def commit(self, keys: Iterable[str]) -> None:
        """After a build that passed: take the helpers' pages, and keep `keys` (this build's
        pages) when the store drops what a build did not use."""
        for store in self.staging:
            store.close()
            if store.path is not None:
                self.store.absorb(store.path)
        for key in keys:
            for kind in self.kinds:
                self.store.keep(kind, key)


def content_hashes(root: Path) -> dict[str, str]:
    """The hash of every file under `root` (by path from `root`), from the record if current."""
    try:
        known = json.loads((root.parent / TREE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    prefix = root.name + "/"
    hashes: dict[str, str] = {}
    # Strings and scandir, not pathlib: the reference's 26,000 files took 1.5 s with Path.
    folders = [(str(root), "")]
    while folders:
        folder, base = folders.pop()
        with os.scandir(folder) as found:
            for entry in found:
                rel = base + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, rel + "/"))
                    continue
                info = entry.stat()
                record = known.get(prefix + rel)
                if record and record[:2] == [info.st_size, info.st_mtime_ns]:
                    hashes[rel] = record[2]
                else:
                    with open(entry.path, "rb") as stream:
                        hashes[rel] = hashlib.blake2b(stream.read(), digest_size=16).hexdigest()
    return dict(sorted(hashes.items()))


def link_or_copy(source: str, target: str) -> None:
    """Hard-link `source` to `target` (fast, no extra space), or copy across file systems.

    Both sides are immutable once written: the render stage replaces files (a new
    inode) rather than writing into them, and so does the page cache.
    """
    try:
        _link_or_copy(source, target)
    except FileNotFoundError:
        # Its folder is not there yet, the first time in each: made then, not asked for
        # on every file (15,800 files, 13,600 failed mkdir calls in a cold build).
        if not os.path.exists(source):
            raise
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _link_or_copy(source, target)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, target)


def _page_files(html: str, entries: list[dict[str, Any]]) -> tuple[bytes, bytes]:
    """A built page's two files: its HTML, and its search entries as JSON."""
    return (
        html.encode("utf-8", errors="xmlcharrefreplace"),
        json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode(),
    )
