"""Throwaway content folders written inline per test, checked through the real CLI."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from minhbach.machinery.cli import main

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


@pytest.fixture
def site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> ContentDir:
    monkeypatch.chdir(tmp_path)
    return ContentDir(tmp_path, capsys)
