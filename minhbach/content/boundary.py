"""The content boundary: the one place the build reads files of the content folder.

Content arrives from many offices and is untrusted. Every file the build reads from
it goes through `ContentFolder`, which allows only a regular file inside the folder,
reached without a symlink anywhere below the folder (a symlink to a file inside it
is refused too: what is published must be what was reviewed) and not hard-linked
to another name (a hard link may be a host file), and names given in a
field (`source.archive`) only as a relative path of plain parts: no `..`, no
absolute path, no backslash, no empty part. The folder itself, named by the
operator with `--content`, is trusted and may be a symlink.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class ContentPathError(Exception):
    """A content file that may not be read: what is wrong, and how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def name_problem(name: str) -> ContentPathError | None:
    """Why `name` (a path written in a field, relative to a content subfolder) is refused."""
    if not name or name != name.strip():
        return ContentPathError(
            f"'{name}' is not a file name", "write the file's name, e.g. 2024-6m-bao-cao.txt"
        )
    if "\\" in name or "\x00" in name or any(ord(c) < 32 for c in name):
        return ContentPathError(
            f"'{name}' has a backslash or control character", "use plain names and '/' only"
        )
    pure = PurePosixPath(name)
    if pure.is_absolute() or name.startswith("~"):
        return ContentPathError(
            f"'{name}' is an absolute path; only files inside the content folder can be named",
            "write the name relative to the folder, e.g. 2024-6m-bao-cao.txt",
        )
    if any(part in ("", ".", "..") for part in name.split("/")):
        return ContentPathError(
            f"'{name}' leaves its folder ('..' or an empty part)",
            "copy the file into the folder and write its name alone",
        )
    return None


@dataclass(frozen=True)
class ContentFolder:
    """A content folder: `root` as the operator named it."""

    root: Path

    def path(self, relative: str) -> Path:
        """The path of `relative` (a '/'-separated path below the root); nothing is checked."""
        return self.root.joinpath(*relative.split("/"))

    def check(self, relative: str) -> Path:
        """The path of a regular file at `relative`, or ContentPathError saying why not.

        Every part below the root is looked at without following links: a symlink
        (to anywhere, even inside the folder), a device, a fifo or a folder is refused.
        """
        problem = name_problem(relative)
        if problem is not None:
            raise problem
        current = self.root
        parts = relative.split("/")
        for index, part in enumerate(parts):
            current = current / part
            try:
                info = os.lstat(current)
            except FileNotFoundError:
                raise ContentPathError(f"no file {relative}") from None
            except OSError as exc:
                raise ContentPathError(f"{relative}: cannot be read ({exc.strerror})") from None
            if stat.S_ISLNK(info.st_mode):
                raise ContentPathError(
                    f"{'/'.join(parts[: index + 1])} is a symbolic link; content files must "
                    "be regular files inside the content folder",
                    "replace the link by a copy of the file",
                )
            last = index == len(parts) - 1
            if last and not stat.S_ISREG(info.st_mode):
                kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                raise ContentPathError(f"{relative} is {kind}")
            if last and info.st_nlink > 1:
                # A hard link is a regular file inside the folder that is also a file
                # elsewhere (/etc/passwd): what is published must be what was reviewed.
                raise ContentPathError(
                    f"{relative} is a hard link ({info.st_nlink} names for one file); content "
                    "files must be files of their own inside the content folder",
                    "replace the link by a copy of the file",
                )
            if not last and not stat.S_ISDIR(info.st_mode):
                raise ContentPathError(f"no file {relative} ({'/'.join(parts[: index + 1])})")
        return current

    def read(self, relative: str) -> bytes:
        """The bytes of the regular file at `relative`, or ContentPathError."""
        path = self.check(relative)
        try:
            with open(path, "rb", opener=_no_follow) as handle:
                return handle.read()
        except OSError as exc:
            raise ContentPathError(f"{relative}: cannot be read ({exc.strerror})") from None

    def is_folder(self, relative: str) -> bool:
        """Is `relative` a real folder (not a symlink) below the root?"""
        current = self.root
        for part in relative.split("/"):
            current = current / part
            try:
                if not stat.S_ISDIR(os.lstat(current).st_mode):
                    return False
            except OSError:
                return False
        return True

    def walk(self, relative: str) -> Iterator[tuple[str, ContentPathError | None]]:
        """Every entry below the folder `relative`, sorted: (its relative path, a problem).

        Regular files come with None; a symlink (file or folder, never followed), or an
        entry that is neither file nor folder, comes with the problem to report. Folders
        are descended into and not listed themselves.
        """
        top = self.path(relative)
        try:
            entries = sorted(os.scandir(top), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{relative}/{entry.name}"
            if entry.is_symlink():
                yield (
                    rel,
                    ContentPathError(
                        f"{rel} is a symbolic link; content files and folders must be real "
                        "files and folders inside the content folder",
                        "replace the link by a copy",
                    ),
                )
            elif entry.is_dir(follow_symlinks=False):
                yield from self.walk(rel)
            elif entry.is_file(follow_symlinks=False):
                yield rel, None
            else:
                yield rel, ContentPathError(f"{rel} is not a regular file")


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


def shown_path(shown_root: str, relative: str) -> str:
    """A content file's path in messages: the content folder as shown, then the path below
    it as written (never a link's target)."""
    return str(Path(shown_root, *relative.split("/")))
