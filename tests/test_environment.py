"""Failures of the machine, not the content: one line naming the folder or port, exit 1,
no traceback, and the previous site/ as it was.

A full disk and a read-only folder are real: small tmpfs mounts (root can mount them, as
in CI; elsewhere those tests are skipped). A busy port is a socket this test holds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from minhbach.machinery.cli import main
from tests.test_build import MINI, build, tree_hashes


def _mount(folder: Path, *options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")


@pytest.fixture
def mounts() -> Iterator[list[Path]]:
    mounted: list[Path] = []
    yield mounted
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    return errors[0]


def test_a_full_disk_is_one_line_and_the_site_stays(
    tmp_path: Path, mounts: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    disk = tmp_path / "disk"
    _mount(disk, "size=16m")
    mounts.append(disk)
    site = disk / "site"

    def build_site_on_disk(cache: str) -> int:
        return main(
            ["--content", str(MINI), "--site", str(site), "--reports", str(tmp_path / "reports"),
             "--cache", str(tmp_path / cache)]
        )  # fmt: skip

    assert build_site_on_disk("cache") == 0
    before = tree_hashes(site)
    # Room for less than a second copy of the site, which a cold build assembles beside it.
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"\0" * (free - 1_000_000))
    capsys.readouterr()
    assert build_site_on_disk("cold-cache") == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line and str(disk) in line
    assert tree_hashes(site) == before


def test_a_read_only_site_folder_is_one_line_and_the_site_stays(
    tmp_path: Path, mounts: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "published"
    _mount(folder, "size=20m")
    mounts.append(folder)
    site = folder / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site\n")
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    capsys.readouterr()
    code = main(
        ["--content", str(MINI), "--site", str(site), "--reports", str(tmp_path / "reports"),
         "--cache", str(tmp_path / "cache")]
    )  # fmt: skip
    assert code == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "Read-only file system" in line and str(folder) in line
    assert (site / "index.html").read_text() == "the previous site\n"


def test_a_read_only_cache_folder_is_a_build_without_a_cache_and_one_note(
    tmp_path: Path, mounts: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    _mount(cache, "size=20m")
    mounts.append(cache)
    subprocess.run(["mount", "-o", "remount,ro", str(cache)], check=True)
    capsys.readouterr()
    code = main(
        ["--content", str(MINI), "--site", str(tmp_path / "site"), "--reports",
         str(tmp_path / "reports"), "--cache", str(cache)]
    )  # fmt: skip
    assert code == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "build cache" in line]
    assert len(notes) == 1 and "cannot be used" in notes[0], notes
    assert (tmp_path / "site" / "index.html").is_file()


def test_serve_on_a_busy_port_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        capsys.readouterr()
        code = main(
            ["--content", str(MINI), "--site", str(tmp_path / "site"), "--reports",
             str(tmp_path / "reports"), "--cache", str(tmp_path / "cache"), "serve",
             "--port", str(port)]
        )  # fmt: skip
    assert code == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line == (
        f"error: port {port} on 127.0.0.1 is in use (hint: stop the other server or pass --port)"
    )


def test_a_killed_builds_work_folder_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / "out" / ".site-tmp-abc123"
    (stale / "site").mkdir(parents=True)
    (stale / "site" / "index.html").write_text("half a site")
    keep = tmp_path / "out" / ".site-tmp-keep.txt"  # not a folder of ours
    keep.write_text("x")
    assert build(MINI, tmp_path / "out") == 0
    assert not stale.exists() and keep.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")) == [
        keep.name,
        ".site-versions",  # the published version, which `site` links to
    ]
    assert os.path.isdir(tmp_path / "out" / "site")
