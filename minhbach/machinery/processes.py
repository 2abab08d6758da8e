"""When the build may fork worker processes, and the one way it shares work among them."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: The one policy of the build's parallel work: with at least this many items, and
#: more than one core, the work is shared among forked processes (`fork_map`).
FORK_ABOVE = 64


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


def fork_map(task: Callable[[Item], Result], items: Sequence[Item]) -> Iterator[Result]:
    """`task(item)` for each item, in order, shared among forked processes when that pays.

    The one way the build works in parallel. With FORK_ABOVE items or more, more than
    one core (`workers`) and a process that may fork (`may_fork`), one child per core
    is forked from this process: `task` may then be any callable (a closure, a bound
    method), and it sees everything this process holds as it was when they were
    forked. Only the items' indices go to the children; the results come back pickled,
    in order, as they are ready, so that this process uses them while the children
    work. The children take small batches as they become free, so a slow item does not
    hold the others back, and they die with this process. Before forking, what exists
    is moved out of the cyclic collector's sight (`gc.freeze`): a collection in a child
    would touch, and so copy, every object it shares with this process. Otherwise the
    work is done here, in order.
    """
    count = workers() if len(items) >= FORK_ABOVE else 1
    if count < 2 or not may_fork():
        yield from map(task, items)
        return
    global _TASK
    _TASK = (task, items)
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(count, initializer=_die_with_parent) as pool:
            chunk = max(1, len(items) // (count * 8))
            yield from pool.imap(_run, range(len(items)), chunksize=chunk)
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
