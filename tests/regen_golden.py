"""Regenerate the golden pages: `python tests/regen_golden.py`, then review `git diff tests/golden`.

Regenerate only when a change to the pages is intended (a template, a label, a format);
the diff is the review: every changed figure in it must be explained by the change.

A generated page's golden is `<its path>.html` ("vi/2026/6-thang/alpha/index.html"): a
comment with its title, description and table of contents, its body, then a comment
and the HTML the search index reads, each one block a line as the templates write them.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from minhbach.check.validate import check_content  # noqa: E402
from minhbach.compute.model import compute  # noqa: E402
from minhbach.render.generated import GeneratedPage  # noqa: E402
from minhbach.render.pages import LANGS, Strings, get_pages, render_pages, write_tree  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = REPO / "tests" / "golden"
SITES = ("mini",)


def golden_files(name: str) -> dict[str, bytes]:
    """Every file `reports/` would hold for a fixture site."""
    content, problems = check_content(FIXTURES / name)
    assert not problems.items, problems.format_lines()
    model, problems = compute(content)
    assert not problems.items, problems.format_lines()
    files, _ = render_pages(model)
    strings = Strings()
    generated = {
        f"{lang}/{page.path}" for lang in LANGS for page in get_pages(model, lang, strings)
    }
    # Images and the Vega bundle are machine output; the specs (.vl.json) and data (.csv)
    # of the charts stay, so a change to a chart shows in the review diff.
    # Specs are kept one key per line here, so their diffs can be read.
    return {
        (path.removesuffix(".md") + ".html" if path in generated else path): (
            _page(GeneratedPage.from_json(data)) if path in generated else _readable(path, data)
        )
        for path, data in files.items()
        if not path.endswith((".svg", ".png", "/vega.js"))
    }


def _page(page: GeneratedPage) -> bytes:
    """A generated page as its golden file: what it says of itself, and its body."""
    toc = "".join(f"\n  {'  ' * (h.level - 1)}{h.level} #{h.id} {h.text}" for h in page.toc)
    header = f"title: {page.title}\ndescription: {page.description}\ntoc:{toc}"
    # "--" may not be in a comment: the texts are the fixture's, which never hold it.
    assert "--" not in header, header
    return f"<!--\n{header}\n-->\n{page.body}".encode()


def _readable(path: str, data: bytes) -> bytes:
    if path.endswith(".gz"):  # compressed open data: its text is the review, not zlib's bytes
        return gzip.decompress(data)
    if not path.endswith(".vl.json"):
        return data
    return (json.dumps(json.loads(data), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def main() -> None:
    for name in SITES:
        stats = write_tree(GOLDEN / name, golden_files(name), record=False)
        print(
            f"{name}: {stats.written} written, {stats.unchanged} unchanged, {stats.removed} removed"
        )


if __name__ == "__main__":
    main()
