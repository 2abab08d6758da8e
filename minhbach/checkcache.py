"""The check cache: each dataset file's own checks, skipped when nothing they read changed.

Checking one dataset file (YAML with marks, schema, the per-file rules) reads the file,
the unit registry and targets, the archived sources it quotes, the catalogue and the
code. `check_content(root, cache_dir=...)` keeps, per dataset file, what those checks
found (its problems and the typed dataset) under a key hashing all of them but the
sources, which are listed in the entry with their hashes and compared on use. A hit
gives exactly what the checks would find; the checks across datasets always run.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .problems import Problem

if TYPE_CHECKING:
    from .validate import CheckedDataset

PACKAGE = Path(__file__).resolve().parent
#: Libraries whose behaviour shapes the checks' results.
LIBRARIES = ("pydantic", "pydantic-core", "pyyaml", "babel")
FORMAT = b"minhbach-check-cache 1\n"


@dataclass(frozen=True)
class FileCheck:
    """What the checks of one dataset file found: its problems, and the dataset if it passed."""

    problems: tuple[Problem, ...]
    checked: CheckedDataset | None
    sources: tuple[tuple[str, str | None], ...]  # archived sources read: name, sha256 or None


class CheckCache:
    """Per-file check results in `folder`, one pickle per dataset file, valid for `context`."""

    def __init__(self, folder: Path, context: str, sources: Path) -> None:
        self.folder = folder
        self.context = context
        self.sources = sources
        self.hits = 0
        self.misses = 0
        self._source_hashes: dict[str, str | None] = {}

    def get(self, shown: str, data: bytes) -> FileCheck | None:
        """The result stored for this file's path and bytes, if still valid; else None."""
        result = self._load(shown, data)
        if result is None or any(
            self.source_hash(name) != digest for name, digest in result.sources
        ):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def _load(self, shown: str, data: bytes) -> FileCheck | None:
        try:
            with open(self._entry(shown), "rb") as stream:
                # The key is read before the pickle: an entry made by other code is never
                # unpickled.
                if stream.readline() != FORMAT or stream.readline() != self._key(shown, data):
                    return None
                result = pickle.load(stream)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return result if isinstance(result, FileCheck) else None

    def put(self, shown: str, data: bytes, result: FileCheck) -> None:
        """Store a file's result, replacing what was stored for its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = self._entry(shown)
        # Written beside the entry and renamed over it: a reader never sees half an entry.
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(FORMAT + self._key(shown, data))
                pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def source_hash(self, name: str) -> str | None:
        """The sha256 of an archived source as the checks read it; None if it is not a file."""
        if name not in self._source_hashes:
            path = self.sources / name
            self._source_hashes[name] = (
                hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            )
        return self._source_hashes[name]

    def _entry(self, shown: str) -> Path:
        return self.folder / f"{hashlib.sha256(shown.encode()).hexdigest()[:32]}.pickle"

    def _key(self, shown: str, data: bytes) -> bytes:
        digest = hashlib.sha256(self.context.encode())
        digest.update(shown.encode() + b"\0")
        digest.update(data)
        return digest.hexdigest().encode() + b"\n"


def context_key(*parts: Any) -> str:
    """Hash of the code, library versions and `parts` (reprs of what the checks read)."""
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


@functools.cache
def code_version() -> str:
    """Hash of the code the checks run, the package data files, Python and library versions."""
    digest = hashlib.sha256(f"{sys.version}\0{pickle.HIGHEST_PROTOCOL}\0".encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    # Only the modules `validate` imports, directly or not: a change to the pages' code
    # (render, charts, site) leaves the checks' results, and so the cache, as they were.
    paths = [PACKAGE / f"{module}.py" for module in sorted(_imported_from("validate"))]
    paths += sorted(PACKAGE.glob("*.yml"))
    for path in paths:
        digest.update(f"{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _imported_from(module: str) -> set[str]:
    """The package's modules `module` imports, directly or through others, and itself."""
    found: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = PACKAGE / f"{name}.py"
        if name in found or not path.is_file():
            continue
        found.add(name)
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    todo.append(node.module.split(".")[0])
                else:  # from . import x
                    todo.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                f"{PACKAGE.name}."
            ):
                todo.append((node.module or "").split(".")[1])
            elif isinstance(node, ast.Import):
                todo.extend(
                    alias.name.split(".")[1]
                    for alias in node.names
                    if alias.name.startswith(f"{PACKAGE.name}.")
                )
    return found
