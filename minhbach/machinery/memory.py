"""The build's one use of Python's cyclic garbage collector (`gc`): the only module that
touches it.

The build makes millions of small objects that form no reference cycles
(tests/test_memory.py): reference counting frees each as soon as it is unused. The cyclic
collector only finds cycles, and it walks every tracked object again and again as they
grow in number: left alone it took half the time of the check and compute on 2,500
datasets, and a collection in a forked process touches, and so copies, every object it
shares with the build's process. So the build pauses it while a stage makes its result,
and moves what exists out of its sight (`gc.freeze`) before it forks and once the model
is made; a long-running process (the preview server) gives it all back after each build.
Measurements: docs/performance.md.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector while a stage builds its large, acyclic result.

    What the stage built lives on as the next stage's input, so it is then set aside
    (`set_aside`) instead of being walked once more when the collector is switched back
    on (~1 s). Nested pauses are fine; the collector is switched back on only if it was
    on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            set_aside()
            gc.enable()


def set_aside() -> None:
    """Move every object that exists now out of the collector's sight, for good (until
    `give_back`): before forking, and once the model is made."""
    gc.freeze()


def give_back() -> None:
    """Let the collector see, and free, what was set aside: after a build in a process
    that goes on (the preview server)."""
    gc.unfreeze()
    gc.collect()
