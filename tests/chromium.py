"""The system Chromium the browser tests drive, and how it is started here.

Playwright's own browser download does not work on this machine: the tests launch
Debian's Chromium, headless, with no background requests of its own.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
