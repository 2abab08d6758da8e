"""When the build may fork."""

from __future__ import annotations

import threading

from minhbach.machinery.processes import may_fork


def test_a_process_running_another_thread_does_not_fork() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not may_fork()
    finally:
        stop.set()
        other.join()
