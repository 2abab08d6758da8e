"""Is the site already built from exactly these inputs? Then a build has nothing to do.

The inputs of a build are every file of the content folder, the build options and
SOURCE_DATE_EPOCH; the code, templates, `mkdocs.yml` and library versions are in
every key of the build's store (`cache.fingerprint`). What a build that passed was
made from is recorded in the store, with the problems it printed (so that warnings
are shown again) and the stamp of the site it published; a later build with the same
inputs and the same, untouched site stops there. Any difference, however small, runs
the whole pipeline, whose own entries then keep the work in proportion to what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from minhbach.machinery.cache import PAGE_TEMPLATES, Store, hash_tree

STAMP = ".minhbach-build"
KIND = "build-record"


def inputs_key(content: Path, options: str) -> str:
    """Hash of the content tree, the page templates, the options and SOURCE_DATE_EPOCH."""
    digest = hashlib.sha256()
    for root in (content, PAGE_TEMPLATES):
        hash_tree(digest, root)
        digest.update(b"\0")
    digest.update(options.encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def read_files(root: Path, names: Iterable[str]) -> list[bytes]:
    """The bytes of these files of a folder, empty for one that is not there: what a cache
    key holds of the content's shared files (registry, targets, releases)."""
    return [(root / name).read_bytes() if (root / name).is_file() else b"" for name in names]


@dataclass(frozen=True)
class Record:
    """What the last build that passed was made from, and what it printed."""

    store: Store

    def up_to_date(self, inputs: str, site: Path) -> list[str] | None:
        """The problems printed last time if `site` is still that build's output, else None."""
        found = self.store.get(KIND, "last")
        try:
            data = json.loads(found) if found is not None else {}
            stamp = (site / STAMP).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return None
        if data.get("inputs") != inputs or data.get("stamp") != stamp:
            return None
        problems: list[str] = data.get("problems", [])
        return problems

    def save(self, inputs: str, site: Path, problems: list[str]) -> None:
        """Record a build that passed (written when the store commits)."""
        try:
            stamp = (site / STAMP).read_text(encoding="utf-8").strip()
        except OSError:
            return  # a site without a stamp is never taken as up to date
        record = {"inputs": inputs, "stamp": stamp, "problems": problems}
        self.store.put(KIND, "last", json.dumps(record, ensure_ascii=False).encode())
