"""When the build may fork worker processes."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading


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
