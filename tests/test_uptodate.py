"""A build with nothing changed stops early; any change to an input runs the pipeline."""

from __future__ import annotations

from pathlib import Path

from minhbach.machinery import cli
from minhbach.machinery.cache import Store
from minhbach.machinery.uptodate import STAMP, Record, inputs_key
from minhbach.render import pages as render


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_inputs_key_follows_the_content_and_the_options(tmp_path: Path) -> None:
    content = _tree(tmp_path / "content", {"datasets/2024-6m/a.yml": "x: 1\n"})
    base = inputs_key(content, "options")
    assert inputs_key(content, "options") == base
    assert inputs_key(content, "other options") != base
    (content / "datasets/2024-6m/a.yml").write_text("x: 2\n", encoding="utf-8")
    changed = inputs_key(content, "options")
    assert changed != base
    (content / "datasets/2024-6m/a.yml").rename(content / "datasets/2024-6m/b.yml")
    assert inputs_key(content, "options") != changed


def test_record_needs_the_same_inputs_and_the_same_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / STAMP).write_text("build-1\n", encoding="utf-8")
    store = Store(tmp_path / "cache")
    record = Record(store)
    assert record.up_to_date("inputs", site) is None  # nothing recorded yet
    record.save("inputs", site, ["content/x.yml:1:1: warning: …"])
    store.commit()
    record = Record(Store(tmp_path / "cache"))
    assert record.up_to_date("inputs", site) == ["content/x.yml:1:1: warning: …"]
    assert record.up_to_date("other inputs", site) is None
    (site / STAMP).write_text("build-2\n", encoding="utf-8")  # another build's site
    assert record.up_to_date("inputs", site) is None
    (site / STAMP).unlink()
    assert record.up_to_date("inputs", site) is None


def test_cli_languages_are_the_render_stage_languages() -> None:
    assert cli.LANGS == render.LANGS
