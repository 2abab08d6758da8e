"""The built generated pages of an edition in the build's store, and the site's files.

A generated page is built again only when its key changes: the hash of its typed
content (`render.generated`) and of everything else its HTML depends on (the edition's
configuration, and the list of pages and files, which links and navigation depend on;
the code, theme and library versions are in every key of the build's store). Its HTML
is kept; the store writes it only after a build passed, so a page that warned is never
skipped. Static files (charts, data) are hard-linked into the
new site rather than copied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from minhbach.layout import TREE_MANIFEST
from minhbach.machinery.cache import Store


@dataclass
class PageCache:
    """Built pages of one edition in the build's store, by key: their HTML."""

    store: Store
    lang: str

    @property
    def kind(self) -> str:
        return f"site-page-{self.lang}"

    def html(self, key: str) -> bytes | None:
        """The HTML of a cached page, if intact."""
        return self.store.get(self.kind, key)

    def put(self, key: str, html: bytes) -> None:
        """Keep a built page, written when the store commits."""
        self.store.put(self.kind, key, html)

    def commit(self, keys: Iterable[str]) -> None:
        """After a build that passed: keep `keys` (this build's pages) when the store drops
        what a build did not use."""
        for key in keys:
            self.store.keep(self.kind, key)


def content_hashes(reports: Path, folder: str) -> dict[str, str]:
    """The hash of every file under `reports/folder` (by path from there), from the render
    stage's record (`TREE_MANIFEST`) where the file's size and time match it."""
    try:
        known = json.loads((reports / TREE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    root = reports / folder
    prefix = folder.rstrip("/") + "/"
    hashes: dict[str, str] = {}
    # Strings and scandir, not pathlib: this runs once per file of the site.
    folders = [(str(root), "")]
    while folders:
        folder, base = folders.pop()
        with os.scandir(folder) as found:
            for entry in found:
                rel = base + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, rel + "/"))
                    continue
                info = entry.stat()
                record = known.get(prefix + rel)
                if record and record[:2] == [info.st_size, info.st_mtime_ns]:
                    hashes[rel] = record[2]
                else:
                    with open(entry.path, "rb") as stream:
                        hashes[rel] = hashlib.blake2b(stream.read(), digest_size=16).hexdigest()
    return dict(sorted(hashes.items()))


def link_or_copy(source: str, target: str) -> None:
    """Hard-link `source` to `target` (fast, no extra space), or copy across file systems.

    Both sides are immutable once written: the render stage replaces files (a new
    inode) rather than writing into them, and so does the page cache.
    """
    try:
        _link_or_copy(source, target)
    except FileNotFoundError:
        # Its folder is not there yet, the first time in each: made then, not asked for
        # on every file (15,800 files, 13,600 failed mkdir calls in a cold build).
        if not os.path.exists(source):
            raise
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _link_or_copy(source, target)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, target)
