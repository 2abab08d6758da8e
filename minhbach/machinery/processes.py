"""When the build may fork worker processes, and the one way it shares work among them."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from minhbach.machinery.memory import set_aside

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
    """`task(item)` for each item, in order, shared among processes when that pays.

    The one way the build works in parallel. With FORK_ABOVE items or more, more than
    one core (`workers`) and a process that may fork (`may_fork`), the items are cut
    into small batches, and one child per other core is forked from this process: this
    process does every `workers()`-th batch itself and the children the others, as they
    become free. `task` may be any callable (a closure, a bound method): it sees
    everything this process holds, as it was when the children were forked. Only the
    batches' bounds go to the children; their results come back pickled, in order, as
    they are ready, and the results are yielded in the items' order. This process works
    too, rather than only waiting: a child's memory is shared with it until the child
    writes (reference counts write to every object a child reads), so each child costs
    a copy of what it reads, and this process reads for free. The children die with
    this process. Before forking, what exists is moved out of the cyclic collector's
    sight (`memory.set_aside`): a collection in a child would touch, and so copy, every
    object it shares with this process. Otherwise the work is done here, in order.
    """
    count = workers() if len(items) >= FORK_ABOVE else 1
    if count < 2 or not may_fork():
        yield from map(task, items)
        return
    size = max(1, len(items) // (count * 8))
    batches = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    global _TASK
    _TASK = (task, items)
    set_aside()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(count - 1, initializer=_die_with_parent) as pool:
            theirs = pool.imap(_run, [b for n, b in enumerate(batches) if n % count])
            for n, (start, stop) in enumerate(batches):
                if n % count:
                    yield from next(theirs)
                else:  # this process's own batch
                    yield from (task(items[index]) for index in range(start, stop))
    finally:
        _TASK = None


_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what forked children run


def _run(batch: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    task, items = _TASK
    return [task(items[index]) for index in range(*batch)]


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to kill this child when the process that forked it dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the pool's own shutdown still applies
        pass
