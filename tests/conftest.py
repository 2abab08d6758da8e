"""Throwaway content folders written inline per test, checked through the real CLI."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from minhbach.machinery.cli import main
from minhbach.render.generated import GeneratedPage, page_file

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


class ContentDir:
    """A content folder with the real unit registry and whatever files a test writes."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self.capsys = capsys
        (root / "content" / "datasets").mkdir(parents=True)
        (root / "content" / "sources").mkdir()
        (root / "content" / "provinces.yml").write_bytes((CONTENT / "provinces.yml").read_bytes())

    def write(self, relative: str, text: str) -> Path:
        path = self.root / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def check(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main(["--content", "content", *args, "check"])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


def build_into(content: Path | str, out: Path, *args: str) -> int:
    """Build `content` with every output (reports, site, caches) under `out`; the exit code."""
    return main(
        [
            "--content",
            str(content),
            *args,
            "--reports",
            str(out / "reports"),
            "--site",
            str(out / "site"),
            "--cache",
            str(out / "cache"),
        ]
    )


def generated(reports: Path, page: str) -> GeneratedPage:
    """The generated page the render stage wrote into `reports`, by its edition path
    ("vi/2024/6-thang/gamma/index.md", as `render_pages` names it)."""
    lang, path = page.split("/", 1)
    return GeneratedPage.from_json((reports / page_file(lang, path)).read_bytes())


def body(reports: Path, page: str) -> str:
    """The body HTML of a generated page in `reports` (`generated`)."""
    return generated(reports, page).body


def rendered(files: dict[str, bytes], page: str) -> GeneratedPage:
    """A generated page of `render_pages`' files, by its edition path."""
    return GeneratedPage.from_json(files[page])


def after_heading(page: GeneratedPage, text: str) -> str:
    """The body of `page` after its heading whose text is `text` (there must be one)."""
    found = [heading.id for heading in page.toc if heading.text == text]
    assert found, f"no heading {text!r} in {page.path}: {[h.text for h in page.toc]}"
    return page.body.split(f' id="{found[0]}">', 1)[1]


@pytest.fixture
def site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> ContentDir:
    monkeypatch.chdir(tmp_path)
    return ContentDir(tmp_path, capsys)
