"""Is the site already built from exactly these inputs? Then a build has nothing to do.

The fingerprint of a build covers everything its output depends on: every file of
the content folder, the generator's code and templates, `mkdocs.yml`, the versions
of the libraries that shape the output, the build options and SOURCE_DATE_EPOCH.
It is recorded (with the problems the build printed, so that warnings are shown
again) after a build that passed, together with the stamp of the site it
published; a later build with the same fingerprint and the same, untouched site
stops there. Any difference, however small, runs the whole pipeline, whose own
caches then keep the work in proportion to what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

#: Libraries whose version can change the published bytes.
LIBRARIES = (
    "altair",
    "babel",
    "jinja2",
    "markdown",
    "mkdocs",
    "mkdocs-material",
    "nh3",
    "pydantic",
    "pymdown-extensions",
    "pyyaml",
    "vl-convert-python",
)
STAMP = ".minhbach-build"


def fingerprint(content: Path, code: Iterable[Path], options: str) -> str:
    """Hash of the content tree, the code and template trees, library versions and options."""
    digest = hashlib.sha256()
    for root in (content, *code):
        _hash_tree(digest, root)
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\n".encode())
    digest.update(options.encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def read_files(root: Path, names: Iterable[str]) -> list[bytes]:
    """The bytes of these files of a folder, empty for one that is not there: what a cache
    key holds of the content's shared files (registry, targets, releases)."""
    return [(root / name).read_bytes() if (root / name).is_file() else b"" for name in names]


def tree_hash(root: Path) -> str:
    """Hash of the files in a tree (or of one file), by their paths and bytes."""
    digest = hashlib.sha256()
    _hash_tree(digest, root)
    return digest.hexdigest()


def _hash_tree(digest: hashlib._Hash, root: Path) -> None:
    if root.is_file():
        digest.update(f"{root.name}\0".encode() + root.read_bytes())
        return
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        # A link (to a file or a folder, which the walk does not enter) is hashed as a link,
        # never followed: the check refuses links, so a file that becomes one, even to the
        # same bytes, is a change to check, and a broken one is not an error here.
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


@dataclass(frozen=True)
class Record:
    """What the last build that passed was made from, and what it printed."""

    path: Path

    def up_to_date(self, inputs: str, site: Path) -> list[str] | None:
        """The problems printed last time if `site` is still that build's output, else None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            stamp = (site / STAMP).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return None
        if data.get("inputs") != inputs or data.get("stamp") != stamp:
            return None
        problems: list[str] = data.get("problems", [])
        return problems

    def save(self, inputs: str, site: Path, problems: list[str]) -> None:
        try:
            stamp = (site / STAMP).read_text(encoding="utf-8").strip()
        except OSError:
            return  # a site without a stamp is never taken as up to date
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        record = {"inputs": inputs, "stamp": stamp, "problems": problems}
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
