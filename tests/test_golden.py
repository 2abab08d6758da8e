"""Golden pages: the fixture site renders exactly as committed in tests/golden/.

When a change to the pages is intended, run `python tests/regen_golden.py` and review
`git diff tests/golden`: every changed line must be explained by the change.
"""

from __future__ import annotations

import difflib

import pytest

from tests.regen_golden import GOLDEN, SITES, golden_files


@pytest.mark.parametrize("name", SITES)
def test_fixture_site_matches_golden_pages(name: str) -> None:
    expected_root = GOLDEN / name
    expected = {
        str(p.relative_to(expected_root)): p.read_bytes()
        for p in expected_root.rglob("*")
        if p.is_file()
    }
    actual = golden_files(name)
    assert sorted(actual) == sorted(expected), (
        "pages added or removed: run python tests/regen_golden.py"
    )
    for path in sorted(actual):
        if actual[path] != expected[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(),
                actual[path].decode().splitlines(),
                f"golden/{name}/{path}",
                "rendered",
                lineterm="",
            )
            pytest.fail(
                "\n".join(list(diff)[:40])
                + "\n(if intended: python tests/regen_golden.py, then review git diff tests/golden)"
            )
