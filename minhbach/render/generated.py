"""The render → site contract: a generated page, typed, and where the render stage puts it.

The render stage fills a page template into a `GeneratedPage`: its title, description,
headings and body HTML, in which what search skips is marked `data-pagefind-ignore`.
It writes each one as JSON under `reports/pages/<lang>/`, by its path. The site stage
reads those files and gives each page to the theme as a finished page: it does not run
Markdown over it and does not parse its HTML. Editors' pages (`content/pages/`) are
Markdown. They go to `reports/<lang>/`, MkDocs' `docs_dir`, and through MkDocs' ordinary
Markdown path.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import asdict, dataclass, field
from typing import Any

from minhbach.layout import PAGES_DIR


@dataclass(frozen=True)
class Heading:
    """A heading of a generated page, as its table of contents lists it."""

    level: int
    """1 to 6: `<h1>` to `<h6>`."""
    id: str
    """The heading's `id` in the body, unique in the page; its permalink is `#id`."""
    text: str
    """Its text, plain (not HTML); the theme escapes it."""


@dataclass(frozen=True)
class GeneratedPage:
    """One page the render stage made from the site model, finished but for the theme.

    Every text here is what the reader sees: `title`, `description` and each heading's
    `text` are plain text, and the theme escapes them. `body` is HTML that the render
    stage escaped.
    """

    path: str
    """The page's path in its edition, as MkDocs names a page: "2024/6-thang/index.md"
    (published as 2024/6-thang/index.html, at the address 2024/6-thang/)."""
    title: str
    """The `<title>` and the header's title."""
    description: str
    """The meta description; may be empty."""
    body: str
    """The page's content: what the theme puts in its `<article>`. The first heading
    is the page's `<h1>`."""
    toc: tuple[Heading, ...] = field(default=())
    """The body's headings, in order."""
    image: str = ""
    """The chart a shared link to the page shows (Open Graph `og:image`): a PNG's path in
    the edition ("thong-cao/2024-6-thang/thads-2024-6m-bieu-do.png"); '' for none."""

    def __post_init__(self) -> None:
        if not self.path.endswith(".md") or self.path.startswith("/"):
            raise ValueError(f"a generated page's path names a page: {self.path!r}")

    def to_json(self) -> bytes:
        """The page as the render stage writes it: UTF-8 JSON, keys sorted (one page, one text)."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, indent=0).encode()

    @classmethod
    def from_json(cls, data: bytes) -> GeneratedPage:
        loaded: dict[str, Any] = json.loads(data)
        loaded["toc"] = tuple(Heading(**heading) for heading in loaded.get("toc", ()))
        return cls(**loaded)


def page_file(lang: str, path: str) -> str:
    """Where the render stage writes the page at `path` of edition `lang`, in reports/."""
    return posixpath.join(PAGES_DIR, lang, path.removesuffix(".md") + ".json")


def page_path(rel: str) -> tuple[str, str]:
    """The inverse of `page_file`: the edition and the page's path."""
    _, lang, rest = rel.split("/", 2)
    return lang, rest.removesuffix(".json") + ".md"
