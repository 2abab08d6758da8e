"""The stages that run with the cyclic collector paused leave no reference cycles behind."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.machinery.cache import Store, fingerprint
from minhbach.machinery.memory import collector_paused

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def garbage_saved() -> Iterator[None]:
    fingerprint()  # once per process; importlib.metadata leaves a few cycles of its own
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


@pytest.mark.usefixtures("garbage_saved")
def test_check_and_compute_make_no_reference_cycles(tmp_path: Path) -> None:
    root = tmp_path / "content"
    # Without the editorial pages: they are checked before the pause, with the collector
    # running, because Markdown's converter is made of reference cycles (check_content).
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("pages"))
    # Problems of every kind too: YAML syntax, schema (pydantic errors), domain rules.
    (root / "datasets" / "2024-6m" / "broken.yml").write_text("unit: [\n", encoding="utf-8")
    alpha = (root / "datasets" / "2024-6m" / "alpha.yml").read_text(encoding="utf-8")
    (root / "datasets" / "2024-6m" / "beta.yml").write_text(
        alpha.replace("unit: alpha", "unit: beta\nextra_key: 1").replace("900", "-900"),
        encoding="utf-8",
    )
    for _ in range(2):  # the second from the check cache
        store = Store(tmp_path / "cache")
        content, _ = check_content(root, store)
        store.commit()
        store.close()
        compute(content)
    assert gc.collect() == 0, [type(o).__name__ for o in gc.garbage][:20]


def test_the_collector_is_back_on_after_a_pause_and_stays_off_if_it_was() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
