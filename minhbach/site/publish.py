"""Publishing a built site in one step: `site` is a symbolic link to a complete version.

Every version of the site is a whole folder in `.<site>-versions/`, beside `site`. A new
version is assembled elsewhere (in the build's work folder), moved into the versions
folder whole, and published by replacing the link `site` with a new one through one
`rename`, which is atomic: a reader or a `kill -9` at any instant finds the old site or
the new one, complete, never a mix and never none. The version the link left is removed
afterwards, and `recover` (run at the start of every build) removes whatever a killed
build left behind: work folders, half-made links, versions no link points to.

An incremental build starts its version as a copy of the published one made of hard
links (`start_from`), then replaces the files that changed in the copy: a file of the
published version is never written into.

A `site` that is a plain folder (made by an earlier release, or by hand) is moved into
the versions folder on the first publish; that move is the one moment without a `site`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def versions_folder(site: Path) -> Path:
    """Where the versions of `site` live: beside it, so a rename never crosses devices."""
    return site.with_name(f".{site.name}-versions")


def recover(site: Path) -> None:
    """Remove what killed builds left beside `site`, keeping the published version.

    A `site` left missing (a build killed while moving a plain folder aside) is linked
    again to the newest complete version first.
    """
    parent = site.parent
    for stale in parent.glob(f".{site.name}-tmp-*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{site.name}-link-*"):
        if stale.is_symlink():
            stale.unlink()
    versions = versions_folder(site)
    if not versions.is_dir() or versions.is_symlink():
        return
    complete = sorted(
        (v for v in versions.iterdir() if v.is_dir() and not v.is_symlink()),
        key=lambda v: v.stat().st_mtime_ns,
    )
    if not os.path.lexists(site) and complete:
        _link(site, complete[-1])
    current = _current(site)
    for version in versions.iterdir():
        if version != current:
            _remove(version)


def start_from(site: Path, to: Path) -> None:
    """Make `to` a copy of the published `site` of hard links (copies across devices)."""
    shutil.copytree(site, to, symlinks=True, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def publish(new_site: Path, site: Path) -> None:
    """Make the complete folder `new_site` the published `site`, in one rename."""
    versions = versions_folder(site)
    versions.mkdir(exist_ok=True)
    version = Path(tempfile.mkdtemp(prefix="v-", dir=versions))
    os.replace(new_site, version)  # an empty folder is replaced by the whole new site
    previous = _current(site)
    if site.is_dir() and not site.is_symlink():
        # A plain folder: into the versions, so the link can take its name.
        moved = Path(tempfile.mkdtemp(prefix="v-", dir=versions))
        os.replace(site, moved)
        previous = moved
    _link(site, version)
    if previous is not None and previous != version:
        _remove(previous)


def _link(site: Path, version: Path) -> None:
    """Point `site` at `version` with one rename of a new link over the old one."""
    link = site.with_name(f".{site.name}-link-{version.name}")
    if os.path.lexists(link):
        link.unlink()
    os.symlink(os.path.join(version.parent.name, version.name), link)
    os.replace(link, site)


def _current(site: Path) -> Path | None:
    """The version `site` links to, if it is such a link."""
    if not site.is_symlink():
        return None
    target = Path(os.readlink(site))
    if not target.is_absolute():
        target = site.parent / target
    versions = versions_folder(site)
    return target if target.parent == versions else None


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
