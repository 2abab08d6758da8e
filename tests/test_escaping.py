"""Every text of the content reaches the built site as text, in every context it lands in.

The "mini" fixture is copied with a payload in every text field an editor writes (unit,
region and scheme names, sources, notes, narratives, inspection and reform notes, the
ranking scope, targets' sources, editorial pages and their front matter), built, and
every built page, the search index and every SVG are read with a real parser
(`html.parser`, `xml.etree`): no script runs but the site's own, no attribute handles an
event, no address is `javascript:`, nothing is loaded from another host, no placeholder
of the site stage is left, and the payloads are shown as the text they are.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import yaml

from tests.sitecheck import search_fragments
from tests.test_build import MINI, build

#: A payload for each kind of context; `{}` is replaced by the field's name, so that a
#: leak says where it came from.
PAYLOAD = (
    "{} </title><script>alert(1)</script>\"><img src=x onerror=alert(2)> '-alert(3)-' "
    "{{{{ 7*7 }}}} {{% raw %}} [x](javascript:alert(4)) *a* _b_ | c | `d` \\ &amp; <!-- e"
)
# With blank lines and Markdown tables: texts written as blocks.
BLOCK = (
    "<div>{} x</div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    '<p class="mb-legend">forged</p>\n\n'
    '<script>alert(5)</script><a href="javascript:alert(6)">j</a> '
    '<img src="https://tracker.example/x.png" onerror="alert(7)">\n'
)
# The site stage's placeholder words as an editor could write them: in one dataset only
# (a page holding them was once left unstashed, which hid what else broke it).
FORGED = "MBSTASH0\n\nMBPROSE0\n\n<!--mb-stash:0-->\n"
FORGED_IN = "2024-6m/gamma.yml"


def payload(name: str) -> str:
    return PAYLOAD.format(name)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def hostile_copy(content: Path) -> None:
    """The mini fixture at `content`, with payloads in its text fields."""
    shutil.copytree(MINI, content)
    registry = _yaml(content / "provinces.yml")
    for scheme in registry["schemes"]:
        scheme["label"] = {lang: payload(f"scheme-{scheme['id']}-{lang}") for lang in ("vi", "en")}
    for region in registry["regions"]:
        region["name"] = {lang: payload(f"region-{lang}") for lang in ("vi", "en")}
    for unit in registry["units"]:
        unit["name"] = {lang: payload(f"{unit['slug']}-{lang}") for lang in ("vi", "en")}
    _write(content / "provinces.yml", registry)
    targets = _yaml(content / "targets.yml")
    for entry in targets["targets"]:
        entry["source"] = {"title": payload("target-title"), "publisher": payload("target-pub")}
        entry["note"] = payload("target-note")
    _write(content / "targets.yml", targets)
    for path in sorted((content / "datasets").rglob("*.yml")):
        dataset = _yaml(path)
        stem = f"{path.parent.name}-{path.stem}"
        dataset["source"]["title"] = payload(f"{stem}-title")
        dataset["source"]["publisher"] = payload(f"{stem}-publisher")
        dataset["notes"] = [payload(f"{stem}-note"), BLOCK.format(f"{stem}-note-block")]
        dataset["narrative"] = BLOCK.format(f"{stem}-narrative")
        if path.as_posix().endswith(FORGED_IN):
            dataset["narrative"] += "\n" + FORGED
        for item in dataset.get("inspections", []) + dataset.get("reform", []):
            item["note"] = payload(f"{stem}-item-note")
        if dataset.get("ranking"):
            dataset["ranking"]["scope"] = payload(f"{stem}-scope")
        _write(path, dataset)
    for lang, name in (("vi", "gioi-thieu"), ("en", "about")):
        front = {"title": payload(f"page-title-{lang}"), "description": payload(f"page-{lang}")}
        body = "\n\n".join(
            [
                f"# {payload(f'page-heading-{lang}')}",
                BLOCK.format(f"page-{lang}"),
                FORGED,
                '<iframe src="https://tracker.example/frame"></iframe>',
                "[ok](https://moj.gov.vn) [j](javascript:alert(8)) ![i](//tracker.example/i.png)",
            ]
        )
        text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}\n"
        (content / "pages" / lang / f"{name}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("escaping")
    hostile_copy(out / "content")
    # Not strict: the editorial pages' dropped tags are warnings.
    assert build(out / "content", out) == 0
    return out / "site"


# The theme's own inline scripts: its configuration (JSON) and its few lines of setup,
# which name none of the payloads.
_OWN_JSON = {("application/json", "__config"), ("application/json", "")}
_LOADING = {"img", "iframe", "frame", "script", "link", "embed", "object", "source", "video",
            "audio", "track", "input", "image", "use"}  # fmt: skip


class _Page(HTMLParser):
    """What a page holds that could run or load: found as a browser's parser finds it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None
        self._text: list[str] = []
        self.title = ""
        self._in_title = False
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "data:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        for name in ("src", "href", "data", "srcset", "poster", "action", "formaction"):
            url = values.get(name, "")
            outside = url and (urlsplit(url).netloc or urlsplit(url).scheme)
            if tag in _LOADING and outside:
                self.problems.append(f"<{tag} {name}={url!r}> from another host")
        if tag == "script":
            self._script = values
            self._text = []
        if tag == "title":
            self._in_title = True
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        if tag == "title":
            self._in_title = False


def _script_problems(attrs: dict[str, str], text: str) -> list[str]:
    src = attrs.get("src")
    if src is not None:
        return (
            [] if re.fullmatch(r"(/(en/)?|(\.\./)*)assets/[\w./-]+\.js", src) else [f"script {src}"]
        )
    kind = attrs.get("type", "")
    if kind == "application/json":
        try:
            json.loads(text)  # whole: no string of it ended the element early
        except ValueError:
            return [f"JSON script cut short: {text[:80]!r}"]
        return []
    return [f"inline script naming a payload: {text[:80]!r}"] if "alert" in text else []


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    for attrs, text in page.scripts:
        page.problems += _script_problems(attrs, text)
    return page


def test_parse_finds_what_a_payload_would_do() -> None:
    """The checker itself: each of these is found."""
    found = parse(
        '<img src=x onerror=alert(1)><a href="java\tscript:alert(1)">x</a>'
        '<script>alert(1)</script><script src="https://cdn.example/x.js"></script>'
        '<iframe src="//tracker.example/"></iframe>'
        '<script type="application/json">{"a": "</script><script>alert(1)//"}</script>'
    ).problems
    assert len(found) == 8, found  # the outside script twice: from a host, not of the site


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_page_runs_or_loads_anything_of_the_content(hostile: Path) -> None:
    pages = _pages(hostile)
    assert len(pages) > 40  # every page type of both editions
    problems = {
        str(path.relative_to(hostile)): found
        for path in pages
        if (found := parse(path.read_text(encoding="utf-8")).problems)
    }
    assert problems == {}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("don-vi/alpha", "alpha-vi"),
        ("en/units/alpha", "alpha-en"),
        ("2024/6-thang/alpha", "alpha-vi"),
        ("gioi-thieu", "page-title-vi"),
        ("en/about", "page-title-en"),
    ],
)
def test_the_title_and_description_show_the_text_as_written(
    hostile: Path, url: str, name: str
) -> None:
    page = parse((hostile / url / "index.html").read_text(encoding="utf-8"))
    assert page.problems == []
    assert payload(name) in page.title  # as text: not closed, not run
    if url.startswith(("gioi", "en/about")):
        assert page.meta["description"] == payload(name.replace("title-", ""))


def test_the_scheme_label_on_a_history_page_is_text(hostile: Path) -> None:
    page = (hostile / "don-vi" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "scheme-pre2025-vi &lt;/title&gt;&lt;script&gt;" in page
    assert "scheme-pre2025-vi </title>" not in page


def test_a_hostile_narrative_leaves_the_rest_of_its_page_whole(hostile: Path) -> None:
    for url, stem in (("2024/6-thang/alpha", "alpha"), ("en/2024/6-months/gamma", "gamma")):
        page = (hostile / url / "index.html").read_text(encoding="utf-8")
        narrative = page.index('class="mb-narrative"')
        # After it, the notes, the source section and the downloads, whole.
        assert page.index("mb-notes") > narrative
        assert page.index('class="mb-source"') > narrative
        assert page.index(f"thads-2024-6m-{stem}.csv") > narrative
        assert "<td>1</td>" in page[narrative:]  # its table is a table
    # The editor's placeholder-like words are text.
    assert "<p>MBSTASH0</p>" in page[page.index('class="mb-narrative"') :]


def test_the_search_index_holds_the_content_as_text(hostile: Path) -> None:
    """Pagefind's index holds what the reader sees: the hostile names as the literal text
    the pages show (the search page inserts it as text), no markup of the pages."""
    fragments = [fragment for _, fragment in search_fragments(hostile)]
    assert len(fragments) > 20
    titles = [fragment["meta"]["title"] for fragment in fragments]
    assert any("<script>alert(" in title for title in titles)  # the name, as text
    for fragment in fragments:
        text = fragment["content"]
        assert "data-pagefind" not in text and "¶" not in text and "mb-results" not in text


def test_every_svg_is_well_formed_and_holds_no_script(hostile: Path) -> None:
    svgs = sorted(hostile.rglob("*.svg"))
    for path in svgs:
        root = ElementTree.fromstring(path.read_bytes())  # raises if a name broke the markup
        for element in root.iter():
            assert not element.tag.endswith("}script"), path
            assert not any(name.startswith("on") for name in element.attrib), path
    assert svgs
