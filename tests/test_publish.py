"""Publishing in one step: a build killed at any instant leaves the old site or the new
one, complete; the next build removes what the killed one left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minhbach.site.publish import publish, recover, start_from, versions_folder
from tests.test_build import MINI, build, tree_hashes

REPO = Path(__file__).resolve().parents[1]


def _site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "a").mkdir()
    (folder / "a" / "b.html").write_text(text + " b")
    return folder


def _leftovers(out: Path) -> list[str]:
    """What is beside `site` but the link and the one version it points to."""
    found = sorted(p.name for p in out.iterdir() if p.name != "site")
    versions = versions_folder(out / "site")
    if versions.is_dir():
        current = Path(os.readlink(out / "site")).name
        found.remove(versions.name)
        found += [v.name for v in versions.iterdir() if v.name != current]
    return found


def test_a_published_site_is_a_link_to_its_only_version(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    publish(_site(tmp_path / "one", "one"), site)
    assert site.is_symlink() and (site / "index.html").read_text() == "one"
    publish(_site(tmp_path / "two", "two"), site)
    assert (site / "a" / "b.html").read_text() == "two b"
    assert _leftovers(site.parent) == []
    # The link is relative: the published folder can be moved or mounted elsewhere.
    assert not Path(os.readlink(site)).is_absolute()


def test_a_plain_site_folder_is_taken_over(tmp_path: Path) -> None:
    site = _site(tmp_path / "out" / "site", "old")
    publish(_site(tmp_path / "new", "new"), site)
    assert site.is_symlink() and (site / "index.html").read_text() == "new"
    assert _leftovers(site.parent) == []


def test_the_next_version_starts_as_hard_links_and_never_writes_the_published_one(
    tmp_path: Path,
) -> None:
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    publish(_site(tmp_path / "one", "one"), site)
    following = tmp_path / "next"
    start_from(site, following)
    assert (following / "index.html").stat().st_ino == (site / "index.html").stat().st_ino
    changed = following / "index.html.tmp"
    changed.write_text("two")
    os.replace(changed, following / "index.html")  # as the build replaces a file
    assert (site / "index.html").read_text() == "one"
    publish(following, site)
    assert (site / "index.html").read_text() == "two"


def test_recover_removes_what_killed_builds_left(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    publish(_site(tmp_path / "one", "one"), site)
    versions = versions_folder(site)
    _site(versions / "v-half", "half")  # moved in, never linked
    _site(site.parent / ".site-tmp-x" / "site", "work")  # a work folder
    (site.parent / ".site-link-v-half").symlink_to(".site-versions/v-half")
    keep = site.parent / "notes.txt"  # not ours
    keep.write_text("x")
    recover(site)
    assert (site / "index.html").read_text() == "one"
    assert _leftovers(site.parent) == ["notes.txt"]


def test_a_site_left_missing_is_linked_to_the_newest_version(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    versions = versions_folder(site)
    _site(versions / "v-old", "old")
    time.sleep(0.01)
    _site(versions / "v-new", "new")
    os.utime(versions / "v-old", ns=(1, 1))
    recover(site)
    assert (site / "index.html").read_text() == "new"
    assert _leftovers(site.parent) == []


class _Killed(BaseException):
    """Stands for a kill -9 at one step of publishing."""


@pytest.mark.parametrize("plain", [False, True], ids=["linked", "plain folder"])
def test_publishing_stopped_at_any_step_leaves_a_complete_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: bool
) -> None:
    # Every file-system step of publish (renames, links, removals) is stopped in turn:
    # the site is then the old one or the new one, whole, and recover plus the next
    # publish make it the newest with nothing left over.
    steps = ("replace", "symlink", "rmtree", "unlink", "mkdir")
    step = 0
    while True:
        out = tmp_path / f"run-{plain}-{step}"
        site = out / "site"
        if plain:
            _site(site, "old")
        else:
            out.mkdir()
            publish(_site(out / "old", "old"), site)
        # Assembled where a build assembles it: its work folder beside the site.
        fresh = _site(out / ".site-tmp-new" / "site", "new")
        old, new = tree_hashes(site), tree_hashes(fresh)
        calls = 0

        def stopping(real, after=step):  # type: ignore[no-untyped-def]
            def call(*args, **kwargs):  # type: ignore[no-untyped-def]
                nonlocal calls
                calls += 1
                if calls > after:
                    raise _Killed
                return real(*args, **kwargs)

            return call

        with monkeypatch.context() as patched:
            for name in steps:
                module = shutil if name == "rmtree" else os
                patched.setattr(module, name, stopping(getattr(module, name)))
            patched.setattr("pathlib.Path.mkdir", stopping(Path.mkdir))
            try:
                publish(fresh, site)
                finished = True
            except _Killed:
                finished = False
        recover(site)
        assert tree_hashes(site) in (old, new), f"stopped after {step} steps"
        if finished:
            assert tree_hashes(site) == new
            shutil.rmtree(out / ".site-tmp-new", ignore_errors=True)
            assert _leftovers(out) == []
            break
        publish(_site(out / ".site-tmp-newer" / "site", "newer"), site)
        shutil.rmtree(out / ".site-tmp-newer", ignore_errors=True)  # as a build does
        assert (site / "index.html").read_text() == "newer"
        assert _leftovers(out) == []
        step += 1
    assert step >= 4  # it did stop at each step of a publish


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    # Real kills (SIGKILL) of incremental builds at moments spread over the build: `site`
    # is then the site of the edit before or of the edit being built, whole (each edit
    # changes a source title, shown on pages), and the next build ends clean.
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    dataset = content / "datasets" / "2024-6m" / "alpha.yml"
    text = dataset.read_text(encoding="utf-8")
    marker = "Báo cáo thử alpha 2024-6m"

    def edit(number: int) -> None:
        dataset.write_text(text.replace(marker, f"{marker} ({number})"), encoding="utf-8")

    def complete(number: int) -> dict[str, str]:
        """The site a whole build of edit `number` makes (built elsewhere)."""
        edit(number)
        elsewhere = tmp_path / f"whole-{number}"
        assert build(content, elsewhere) == 0
        return tree_hashes(elsewhere / "site")

    out = tmp_path / "out"
    command = [
        sys.executable, str(REPO / "build.py"), "--content", str(content),
        "--reports", str(out / "reports"), "--site", str(out / "site"),
        "--cache", str(out / "cache"),
    ]  # fmt: skip
    expected = {0: complete(0)}
    assert build(content, out) == 0
    published = 0
    for number, delay in enumerate([0.4, 0.9, 1.4, 1.9, 2.6], start=1):
        expected[number] = complete(number)
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        # The build and every process it started, at once: as a CI job or a service
        # manager stops a build (its forked helpers would otherwise outlive this test).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        hashes = tree_hashes(out / "site")
        # The stamp files name the build; the pages must be one build's, whole.
        assert hashes in (expected[published], expected[number]), f"killed after {delay} s"
        if hashes == expected[number]:
            published = number
    assert build(content, out) == 0
    assert tree_hashes(out / "site") == expected[number]
    assert _leftovers(out) == ["cache", "reports"]


def test_messages_name_the_site_not_its_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # paths in messages are shown relative to it
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    assert build(content, tmp_path / "out") == 0
    dataset = content / "datasets" / "2024-6m" / "alpha.yml"
    dataset.write_text(dataset.read_text(encoding="utf-8").replace("thử", "thử lại", 1))
    capsys.readouterr()
    assert build(content, tmp_path / "out") == 0  # `site` is a link now
    printed = capsys.readouterr()
    assert "built into out/site/" in printed.out
    assert ".site-versions" not in printed.out + printed.err
