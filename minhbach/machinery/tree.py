"""A folder of generated files, written only where the bytes changed, with a record.

The render stage writes `reports/` through a `TreeWriter`, from several processes at
once: each worker writes the pages it rendered and returns what it wrote, and the
build's own process merges that, writes the rest, and removes every file no part of
the build claimed. The record (`TREE_MANIFEST`: size, modification time and hash of
each file) lets a later build keep a file without reading it, and lets the site stage
know a file's content without reading it either.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from minhbach.layout import SOURCES_MANIFEST, TREE_MANIFEST

#: One file's record: [size, mtime_ns, blake2b-128 hex digest].
Entry = list[int | str]


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, other: WriteStats) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.removed += other.removed


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class TreeWriter:
    """Writes files under `root` when their bytes changed, and records every file it claims.

    A file whose size and modification time are what the record says, and whose new
    bytes hash the same, is not read again; any other existing file of the same size
    is compared byte for byte, so a file edited by hand is noticed and rewritten.
    `finish` removes every file that was neither written nor kept. Without `record`,
    nothing but the files is written (for trees kept in git, like golden pages).
    """

    def __init__(
        self, root: Path, *, record: bool = True, known: dict[str, Entry] | None = None
    ) -> None:
        self.root = root
        self._root = str(root)  # paths joined as strings, not pathlib: this runs per file
        self.record = record
        self.stats = WriteStats()
        self.entries: dict[str, Entry] = {}  # what this writer claimed, by path from root
        self._folders: set[str] = set()  # folders `put` made sure of, by path from root
        root.mkdir(parents=True, exist_ok=True)
        self.known: dict[str, Entry] = known if known is not None else {}
        if record and known is None:
            try:
                self.known = json.loads((root / TREE_MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}

    def put(self, rel: str, data: bytes) -> str:
        """Make `rel` hold `data`; its digest."""
        digest = file_digest(data)
        path = self.root / rel
        try:
            info = path.stat()
        except FileNotFoundError:
            info = None
            folder = os.path.dirname(rel)
            if folder not in self._folders:  # asked once per folder, not once per file
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(folder)
        if info is not None and info.st_size == len(data):
            entry: Entry = [info.st_size, info.st_mtime_ns, digest]
            if self.known.get(rel) == entry or path.read_bytes() == data:
                self.stats.unchanged += 1
                self.entries[rel] = entry
                return digest
        # A name of its own per process: two workers may write the same shared file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        self.stats.written += 1
        info = path.stat()
        self.entries[rel] = [info.st_size, info.st_mtime_ns, digest]
        return digest

    def keep(self, rel: str, digest: str) -> bool:
        """Claim `rel` unread if it is still the file an earlier build wrote with `digest`."""
        entry = self.known.get(rel)
        if entry is None or entry[2] != digest:
            return False
        try:
            info = os.stat(os.path.join(self._root, rel))
        except FileNotFoundError:
            return False
        if [info.st_size, info.st_mtime_ns] != entry[:2]:
            return False
        self.entries[rel] = entry
        self.stats.unchanged += 1
        return True

    def merge(self, entries: dict[str, Entry], stats: WriteStats) -> None:
        """Claim what another process wrote into the same tree."""
        for rel, entry in entries.items():
            mine = self.entries.get(rel)
            if mine is not None and mine != entry:  # written twice: record what is there
                info = (self.root / rel).stat()
                entry = [info.st_size, info.st_mtime_ns, entry[2]]
            self.entries[rel] = entry
        self.stats.add(stats)

    def finish(self) -> WriteStats:
        """Remove every file not claimed, and empty folders; save the record."""
        manifest = self.root / TREE_MANIFEST
        claimed = self.entries
        start = len(self._root) + 1
        removed: set[str] = set()  # folders removed, emptied
        # Bottom up, by paths from the root as `entries` has them; a folder is empty once
        # none of its files is left and every folder in it was removed (the system is
        # not asked again, folder by folder).
        for folder, dirs, names in os.walk(self._root, topdown=False):
            base = folder[start:] + "/" if folder != self._root else ""
            left = 0
            for name in names:
                rel = base + name
                if rel in claimed or (self.record and rel == TREE_MANIFEST):
                    left += 1
                else:
                    os.unlink(os.path.join(folder, name))
                    self.stats.removed += 1
            if folder == self._root or left:
                continue
            if all(os.path.join(folder, name) in removed for name in dirs):
                os.rmdir(folder)
                removed.add(folder)
        if self.record:
            tmp = manifest.with_name(f".{manifest.name}.tmp")
            ordered = dict(sorted(self.entries.items()))
            tmp.write_text(json.dumps(ordered, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, manifest)
        return self.stats


def write_tree(root: Path, files: dict[str, bytes], *, record: bool = True) -> WriteStats:
    """Make `root` hold exactly `files`: write what changed, keep what did not, remove the rest."""
    writer = TreeWriter(root, record=record)
    for rel, data in sorted(files.items()):
        writer.put(rel, data)
    return writer.finish()


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` but the records, by path from `root`."""
    files: dict[str, bytes] = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if rel not in (TREE_MANIFEST, SOURCES_MANIFEST):
                files[rel] = path.read_bytes()
    return dict(sorted(files.items()))
