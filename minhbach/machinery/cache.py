"""The build cache: one store, every entry keyed under the build's fingerprint.

The fingerprint (`fingerprint`) is what any output can depend on besides the content:
the project's code and data files (the catalogue among them), `mkdocs.yml` and the theme
overrides, the Python version and the installed version of every distribution the build
runs on (the closure of `requirements.txt`). It is mixed into every key by the store, so
no entry made by other code or other libraries can ever be found. It is computed once
per build (per `Store`): a long-running `serve` sees an edit to `mkdocs.yml` or the
theme overrides. What the key adds is the stage's own: the content files an entry was
made from, the page templates a page was rendered with.

Entries live in one sqlite3 database (`<cache>/cache.sqlite`), each with the sha256 of
its bytes, checked on every read. A damaged or unreadable entry, or a database that is
not one, is a miss: the work is done again, and the build says so once as a note. Reads
and writes happen in the build's own process; what other processes made comes back to
it first. Writes are kept in memory and written in one transaction by `commit`, after
the build passed; `commit` also drops the entries of each kind this build used that it
did not use again (those of removed pages or changed datasets).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

PACKAGE = Path(__file__).resolve().parent.parent
PROJECT = PACKAGE.parent
DATABASE = "cache.sqlite"
#: The project's files outside the package whose bytes shape every output.
PROJECT_FILES = ("mkdocs.yml", "requirements.txt", "site_templates/overrides")
#: Page templates: not in the fingerprint; a page's key holds the templates it is made
#: from (`templates_hash`), so a template edit renders pages again without voiding the
#: check, chart and open-data entries.
PAGE_TEMPLATES = PROJECT / "site_templates"
_SCHEMA = """
create table if not exists entry (
    key blob primary key,
    kind text not null,
    checksum blob not null,
    data blob not null
) without rowid
"""


def fingerprint() -> str:
    """Hash of everything besides the content that the build's output depends on."""
    digest = hashlib.sha256(f"python {sys.version}\0pickle {pickle.HIGHEST_PROTOCOL}\0".encode())
    for name, version in sorted(distributions().items()):
        digest.update(f"{name}=={version}\0".encode())
    hash_tree(digest, PACKAGE)
    for name in PROJECT_FILES:
        hash_tree(digest, PROJECT / name)
    return digest.hexdigest()


@functools.cache
def distributions() -> dict[str, str]:
    """The installed version of each distribution `requirements.txt` needs, directly or not
    ("-" for one that is not installed, as a requirement for another Python may be).
    Read once per process: the libraries a process runs are the ones it imported."""
    todo = _requirement_names((PROJECT / "requirements.txt").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    while todo:
        name = _normal(todo.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            found[name] = "-"
            continue
        found[name] = dist.version
        todo += [r for r in _requirement_names("\n".join(dist.requires or ())) if r]
    return found


_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement_names(text: str) -> list[str]:
    """The distribution names of requirement lines, leaving out comments and extras' own."""
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        match = _NAME.match(line)
        if match and "extra ==" not in line:
            names.append(match[1])
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def templates_hash() -> str:
    """Hash of the page templates (every file under site_templates/ but the overrides)."""
    digest = hashlib.sha256()
    for path in sorted(PAGE_TEMPLATES.rglob("*")):
        rel = path.relative_to(PAGE_TEMPLATES)
        if path.is_file() and rel.parts[0] != "overrides":
            digest.update(f"{rel}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def hash_tree(digest: Any, root: Path) -> None:
    """Add the files of a tree (or one file) to `digest`, by path and bytes.

    A link is hashed as a link, never followed: the check refuses links, so a file that
    becomes one, even to the same bytes, is a change, and a broken one is no error here.
    """
    if root.is_symlink():
        digest.update(b"link\0" + os.fsencode(os.readlink(root)))
        return
    if root.is_file():
        digest.update(f"{root.name}\0".encode() + root.read_bytes())
        return
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        links = [d for d in dirs if Path(folder, d).is_symlink()]
        dirs[:] = [d for d in dirs if d not in links]
        for name in sorted([*names, *links]):
            if name.endswith(".pyc"):
                continue
            path = Path(folder, name)
            digest.update(f"{path.relative_to(root)}\0".encode())
            if path.is_symlink():
                digest.update(b"link\0" + os.fsencode(os.readlink(path)))
                continue
            try:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError as exc:  # the check reports it, located
                digest.update(f"unreadable\0{exc.errno}".encode())


def key(*parts: str | bytes) -> str:
    """Hash of `parts`, each told apart from the next."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


#: Bytes of entries kept in memory, at most, before they go into the open transaction.
SPILL_ABOVE = 64 * 1024 * 1024


class Store:
    """The build's entries by kind and key, in `<folder>/cache.sqlite`; None: no cache.

    `get` gives the bytes stored under a key if they are intact, else None; `put` keeps
    bytes to be written by `commit`. `notes` holds what went wrong reading, said once.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.notes: list[str] = []
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._pending: dict[bytes, tuple[str, bytes]] = {}
        self._pending_bytes = 0
        self._used: dict[str, set[bytes]] = {}
        self._damaged = 0
        self._broken = False
        self._loaded: dict[bytes, tuple[bytes, bytes]] = {}
        self._fingerprint = ""  # made on the first key

    @property
    def path(self) -> Path | None:
        return self.folder / DATABASE if self.folder is not None else None

    def _full(self, kind: str, ident: str) -> bytes:
        if not self._fingerprint:
            self._fingerprint = fingerprint()
        return hashlib.sha256(f"{self._fingerprint}\0{kind}\0{ident}".encode()).digest()

    def _connection(self) -> sqlite3.Connection | None:
        if self.path is None or self._broken:
            return None
        if self._db is None or self._pid != os.getpid():
            # A forked worker never uses its parent's connection (sqlite forbids it).
            try:
                self._db = self._open(self.path)
            except (sqlite3.OperationalError, OSError) as exc:  # locked, unreadable folder
                self._broke(exc)
                return None
            except sqlite3.DatabaseError as exc:
                # Not a database (damaged, or written by something else): made anew.
                self.notes.append(
                    f"note: the build cache {self.path} was damaged ({exc}); it is made anew"
                )
                try:
                    self.path.unlink()
                    self._db = self._open(self.path)
                except (sqlite3.Error, OSError) as again:
                    self._broke(again)
                    return None
            self._pid = os.getpid()
        return self._db

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            # A cache may lose its last transaction to a power cut, never its consistency.
            db.execute("pragma journal_mode = wal")
            db.execute("pragma synchronous = normal")
            db.execute(_SCHEMA)
            db.execute("select count(*) from entry").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def _broke(self, exc: BaseException) -> None:
        self._broken = True
        self._db = None
        self.notes.append(
            f"note: the build cache {self.path} cannot be used ({exc}); "
            "this build made everything anew"
        )

    def get(self, kind: str, ident: str) -> bytes | None:
        """The bytes stored under (kind, ident), if intact; else None."""
        full = self._full(kind, ident)
        pending = self._pending.get(full)
        if pending is not None:
            return pending[1]
        row = self._loaded.pop(full, None)
        db = self._connection() if row is None else None
        if db is not None:
            try:
                row = db.execute(
                    "select checksum, data from entry where key = ?", (full,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._broke(exc)
        if row is None:
            self.misses += 1
            return None
        checksum, data = row
        if hashlib.sha256(data).digest() != checksum:
            self._damaged += 1
            self.misses += 1
            return None
        self.hits += 1
        self._used.setdefault(kind, set()).add(full)
        return bytes(data)

    def preload(self, kind: str) -> None:
        """Read every entry of a small kind at once (one query, not one per `get`)."""
        db = self._connection()
        if db is None:
            return
        try:
            rows = db.execute("select key, checksum, data from entry where kind = ?", (kind,))
            self._loaded.update((key, (checksum, data)) for key, checksum, data in rows)
        except sqlite3.Error as exc:
            self._broke(exc)

    def put(self, kind: str, ident: str, data: bytes) -> None:
        """Keep `data` under (kind, ident), written by `commit`.

        What is kept goes into the database's open transaction once it holds more than
        SPILL_ABOVE bytes, so that a build never holds all its pages in memory; nothing
        is committed before `commit`, and a store closed without it keeps nothing.
        """
        if self.folder is None:
            return
        full = self._full(kind, ident)
        previous = self._pending.get(full)
        self._loaded.pop(full, None)  # read before, now replaced
        self._pending[full] = (kind, data)
        self._pending_bytes += len(data) - (len(previous[1]) if previous else 0)
        self._used.setdefault(kind, set()).add(full)
        if self._pending_bytes > SPILL_ABOVE:
            self._spill()

    def _spill(self) -> None:
        """Write the kept entries into the open transaction (uncommitted)."""
        db = self._connection()
        if db is None:
            return
        try:
            self._write_pending(db)
        except sqlite3.Error as exc:
            self._broke(exc)

    def _write_pending(self, db: sqlite3.Connection) -> None:
        """The kept entries into the database's transaction, with their checksums."""
        db.executemany(
            "insert or replace into entry values (?, ?, ?, ?)",
            (
                (full, kind, hashlib.sha256(data).digest(), data)
                for full, (kind, data) in self._pending.items()
            ),
        )
        self._pending.clear()
        self._pending_bytes = 0

    def has(self, kind: str, ident: str) -> bool:
        """Whether an entry is stored under (kind, ident) (unread: `get` checks it)."""
        full = self._full(kind, ident)
        if full in self._pending:
            return True
        db = self._connection()
        if db is None:
            return False
        try:
            return db.execute("select 1 from entry where key = ?", (full,)).fetchone() is not None
        except sqlite3.Error as exc:
            self._broke(exc)
            return False

    def get_object(self, kind: str, ident: str) -> Any:
        """An object stored by `put_object`, or None (also for one that cannot be read back)."""
        data = self.get(kind, ident)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:
            self._damaged += 1
            return None

    def put_object(self, kind: str, ident: str, value: Any) -> None:
        self.put(kind, ident, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    @property
    def usable(self) -> bool:
        """Whether entries can be read and written (a folder given, its database opened)."""
        return self._connection() is not None

    def keep(self, kind: str, ident: str) -> None:
        """Count the entry under (kind, ident) as used by this build, read or not."""
        self._used.setdefault(kind, set()).add(self._full(kind, ident))

    def commit(self, *, prune: bool = False) -> None:
        """Write the kept entries in one transaction; with `prune`, also drop every entry
        of a kind this build used that it did not use again (a build that passed)."""
        db = self._connection()
        if db is None:
            return
        try:
            with db:  # commits the entries spilled before too, or none of them
                self._write_pending(db)
                for kind, used in self._used.items() if prune else ():
                    stale = [
                        (full,)
                        for (full,) in db.execute("select key from entry where kind = ?", (kind,))
                        if full not in used
                    ]
                    db.executemany("delete from entry where key = ?", stale)
        except sqlite3.Error as exc:
            self._broke(exc)

    def close(self) -> None:
        """Close the database; what was not committed (spilled entries too) is dropped."""
        if self._db is not None and self._pid == os.getpid():
            self._db.rollback()
            self._db.close()
        self._db = None

    def report(self) -> list[str]:
        """What went wrong with the cache in this build, once."""
        notes = list(self.notes)
        if self._damaged:
            notes.append(
                f"note: {self._damaged} damaged build-cache entries were ignored and made again"
            )
        return notes


class JinjaCode(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in the build's store (Jinja checks each against
    its template's source)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get("template-code", bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put("template-code", bucket.key, bucket.bytecode_to_string())
