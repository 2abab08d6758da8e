"""When the build may fork worker processes, and the one way it shares work among them."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Below this many items, forking costs more than it saves: the work is done here.
FORK_ABOVE = 200


def may_fork() -> bool:
    """Whether forking is safe here: on Linux, from a process running one thread.

    A forked child holds only the thread that forked it, and any lock another thread
    held then (the preview server's threads; vl-convert's runtime starts threads Python
    does not know of, hence the count of the process's tasks too). Elsewhere (macOS
    system libraries, Windows) the build does not fork.
    """
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def workers() -> int:
    """How many processes share a stage's work: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def fork_map(
    task: Callable[[Item], Result], items: Sequence[Item], *, processes: int | None = None
) -> list[Result]:
    """`[task(item) for item in items]`, shared among forked processes when that pays.

    The children are forked from this process, so `task` may be any callable (a
    closure, a bound method) and sees everything this process holds, as it was when
    they were forked; only items' indices go to them, and the results come back
    pickled. They take small batches as they become free, so a slow item does not
    hold the others back, and they die with this process. Done here, in order, with
    fewer than FORK_ABOVE items, one core, or where forking is not safe (`may_fork`).
    """
    count = min(processes or workers(), len(items) // max(FORK_ABOVE // 2, 1))
    if count < 2 or len(items) < FORK_ABOVE or not may_fork():
        return [task(item) for item in items]
    global _TASK
    _TASK = (task, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(count, initializer=_die_with_parent) as pool:
            chunk = max(1, len(items) // (count * 16))
            return pool.map(_run, range(len(items)), chunksize=chunk)
    finally:
        _TASK = None


_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what forked children run


def _run(index: int) -> Any:
    assert _TASK is not None
    task, items = _TASK
    return task(items[index])


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to kill this child when the process that forked it dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the pool's own shutdown still applies
        pass
