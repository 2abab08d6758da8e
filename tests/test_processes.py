"""When the build may fork, and how it shares work among forked processes."""

from __future__ import annotations

import os
import threading

import pytest

from minhbach.machinery import processes
from minhbach.machinery.processes import fork_map, may_fork


def test_a_process_running_another_thread_does_not_fork() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not may_fork()
    finally:
        stop.set()
        other.join()


def test_fork_map_gives_the_results_in_order_from_this_process_and_a_forked_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(processes, "FORK_ABOVE", 4)
    monkeypatch.setattr(processes, "workers", lambda: 2)
    # Other tests of the session may have left threads: this process forks only when it
    # runs one (`may_fork`), so say it does.
    monkeypatch.setattr(processes, "may_fork", lambda: True)
    here = os.getpid()
    offset = 10  # a closure's value: the children see this process as it was

    def task(item: int) -> tuple[int, bool]:
        return item + offset, os.getpid() != here

    results = list(fork_map(task, list(range(50))))
    assert [value for value, _ in results] == list(range(10, 60))
    # Batches of 3 (50 items, 2 processes, 8 batches each), every other one done here.
    assert [forked for _, forked in results] == [(index // 3) % 2 == 1 for index in range(50)]


def test_fork_map_works_here_below_the_threshold_or_on_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = os.getpid()
    assert list(fork_map(lambda item: (item, os.getpid()), [1, 2])) == [(1, here), (2, here)]
    monkeypatch.setattr(processes, "workers", lambda: 1)
    many = list(range(processes.FORK_ABOVE * 2))
    assert {pid for _, pid in fork_map(lambda item: (item, os.getpid()), many)} == {here}


def test_an_error_in_a_child_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "FORK_ABOVE", 4)
    monkeypatch.setattr(processes, "may_fork", lambda: True)
    monkeypatch.setattr(processes, "workers", lambda: 2)

    def task(item: int) -> int:
        if item == 7:
            raise ValueError("item 7")
        return item

    with pytest.raises(ValueError, match="item 7"):
        list(fork_map(task, list(range(20))))
