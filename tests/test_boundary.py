"""The content boundary in the check: links are refused and never followed, required
folders are required, and nothing under content/ is left out without a word."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from minhbach.check.validate import check_content
from minhbach.content import catalogue
from minhbach.problems import UserError
from minhbach.render import pages as render

from .conftest import CONTENT, ContentDir

HEADER = 'status: final\nsource: {url: "https://thads.moj.gov.vn/a"}\n'
QUANG_TRI = "unit: quang-tri\nperiod: 2016-12m\n" + HEADER
QUOTED = (
    "unit: quang-ninh\nperiod: 2024-3m\nstatus: final\nsource: {archive: a.txt}\n"
    'cases:\n  completed: {value: 1577, quote: "đã thi hành xong 1.577"}\n'
)
ARCHIVE = "đã thi hành xong 1.577/3.348 việc có điều kiện thi hành"
LINKED = (
    "is a symbolic link; content files and folders must be real files and folders inside "
    "the content folder (hint: replace the link by a copy)"
)


def _outside(site: ContentDir, name: str, text: str) -> Path:
    """A file beside the content folder, for links to point at."""
    path = site.root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_symlinked_dataset_is_an_error_and_not_read(site: ContentDir) -> None:
    target = _outside(site, "elsewhere.yml", QUANG_TRI)
    link = site.root / "content" / "datasets" / "2016-12m" / "quang-tri.yml"
    link.parent.mkdir()
    link.symlink_to(target)
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [f"content/datasets/2016-12m/quang-tri.yml: datasets/2016-12m/quang-tri.yml {LINKED}"],
    )
    assert "elsewhere" not in result.err


def test_a_broken_symlink_dataset_is_an_error(site: ContentDir) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    (site.root / "content" / "datasets" / "2016-12m" / "hue.yml").symlink_to("/nowhere/hue.yml")
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [f"content/datasets/2016-12m/hue.yml: datasets/2016-12m/hue.yml {LINKED}"],
    )
    assert "Traceback" not in result.err + result.out


def test_a_symlinked_period_folder_is_an_error_and_not_walked(site: ContentDir) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    (site.root / "content" / "datasets" / "2017-12m").symlink_to("2016-12m")
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [f"content/datasets/2017-12m: datasets/2017-12m {LINKED}"],
    )


@pytest.mark.parametrize("where", ["outside", "inside"])
def test_a_symlinked_archive_is_refused_and_the_quote_not_checked_against_it(
    site: ContentDir, where: str
) -> None:
    # A link to a file holding the very quote: the check must neither pass nor read it.
    target = (
        _outside(site, "hostname", ARCHIVE)
        if where == "outside"
        else site.write("sources/copy.txt", ARCHIVE)
    )
    (site.root / "content" / "sources" / "a.txt").symlink_to(target)
    site.write("datasets/2024-3m/quang-ninh.yml", QUOTED)
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: sources/a.txt is a "
            "symbolic link; content files must be regular files inside the content folder "
            "(hint: replace the link by a copy of the file)"
        ],
    )


def test_a_hard_linked_archive_is_refused_and_the_quote_not_checked_against_it(
    site: ContentDir,
) -> None:
    # A hard link is a regular file inside the folder and a host file at once.
    outside = _outside(site, "hostname", ARCHIVE)
    os.link(outside, site.root / "content" / "sources" / "a.txt")
    site.write("datasets/2024-3m/quang-ninh.yml", QUOTED)
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: sources/a.txt is a "
            "hard link (2 names for one file); content files must be files of their own "
            "inside the content folder (hint: replace the link by a copy of the file)"
        ],
    )


def test_an_archive_below_a_symlinked_folder_is_refused(site: ContentDir) -> None:
    _outside(site, "a.txt", ARCHIVE)
    (site.root / "content" / "sources" / "office").symlink_to(site.root)
    site.write("datasets/2024-3m/quang-ninh.yml", QUOTED.replace("a.txt", "office/a.txt"))
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: sources/office is a "
        "symbolic link; content files must be regular files inside the content folder "
        "(hint: replace the link by a copy of the file)"
    ]


def test_a_symlinked_target_archive_is_refused(site: ContentDir) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    (site.root / "content" / "sources" / "t.txt").symlink_to(_outside(site, "t.txt", "80%"))
    site.write(
        "targets.yml",
        "targets:\n  - {year: 2016, unit: quang-tri, cases: 74, source: {archive: t.txt}}\n",
    )
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [
            "content/targets.yml:2:64: targets[0].source.archive: sources/t.txt is a symbolic "
            "link; content files must be regular files inside the content folder (hint: "
            "replace the link by a copy of the file)"
        ],
    )


def test_a_symlinked_registry_is_refused(site: ContentDir) -> None:
    registry = site.root / "content" / "provinces.yml"
    registry.rename(site.root / "provinces.yml")
    registry.symlink_to(site.root / "provinces.yml")
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [
            "content/provinces.yml: provinces.yml is a symbolic link; content files must be "
            "regular files inside the content folder (hint: replace the link by a copy of the "
            "file)"
        ],
    )


def test_a_non_utf8_archive_is_a_located_error(site: ContentDir) -> None:
    (site.root / "content" / "sources" / "a.txt").write_bytes("thi hành án".encode("cp1258"))
    site.write("datasets/2024-3m/quang-ninh.yml", QUOTED)
    result = site.check()
    assert (result.code, result.lines) == (
        1,
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: the archived source "
            "a.txt is not UTF-8 text (invalid continuation byte at byte 5) (hint: save the "
            "archived source as UTF-8)"
        ],
    )
    assert "Traceback" not in result.err + result.out


def test_the_check_cache_never_passes_an_archive_now_a_symlink(site: ContentDir) -> None:
    archive = site.write("sources/a.txt", ARCHIVE)
    site.write("datasets/2024-3m/quang-ninh.yml", QUOTED)
    assert site.check("--strict").code == 0  # stored in the build's store (.cache)
    assert (site.root / ".cache" / "cache.sqlite").stat().st_size > 0
    # The same bytes, now behind a link: the cached result must not be used.
    copy = _outside(site, "copy.txt", ARCHIVE)
    archive.unlink()
    archive.symlink_to(copy)
    result = site.check()
    assert result.code == 1
    assert "sources/a.txt is a symbolic link" in result.err


def test_a_symlinked_content_folder_is_the_operators_and_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "content").symlink_to(CONTENT)
    monkeypatch.chdir(tmp_path)
    content, problems = check_content(Path("content"))
    assert [p.format() for p in problems] == []
    assert len(content.datasets) == 7


# --- required content ---


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ("remove", "the datasets folder is missing (hint: every content folder needs "),
        ("file", "datasets is not a folder (hint: every content folder needs "),
        (
            "link",
            "datasets is a symbolic link; it must be a folder inside the content folder "
            "(hint: replace the link by the folder itself)",
        ),
    ],
)
def test_a_missing_or_replaced_datasets_folder_is_an_error(
    site: ContentDir, replace: str, message: str
) -> None:
    datasets = site.root / "content" / "datasets"
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    moved = site.root / "datasets-elsewhere"
    datasets.rename(moved)
    if replace == "file":
        datasets.write_text("")
    elif replace == "link":
        datasets.symlink_to(moved)
    result = site.check()
    assert result.code == 1
    assert result.lines[0].startswith(f"content/datasets: {message}")
    assert len(result.lines) == 1
    assert result.out.startswith("check FAILED: 0 datasets")


def test_a_renamed_datasets_folder_is_an_error_and_named(site: ContentDir) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    (site.root / "content" / "datasets").rename(site.root / "content" / "dataset")
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/dataset: warning: not part of a content folder; it is ignored (hint: did you "
        "mean datasets?)",
        "content/datasets: the datasets folder is missing (hint: every content folder needs "
        "datasets/<period>/<unit>.yml: nothing can be published without it)",
    ]


def test_an_empty_datasets_folder_is_an_error(site: ContentDir) -> None:
    # A build of it would replace the published site with one without any period or
    # unit page: it is refused like a missing folder.
    expected = [
        "content/datasets: no datasets: the site would have no period or unit page "
        "(hint: add datasets/<period>/<unit>.yml; nothing is published without one)"
    ]
    result = site.check()
    assert (result.code, result.lines) == (1, expected)


def test_a_missing_catalogue_is_a_clean_error(
    site: ContentDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    missing = site.root / "catalogue.yml"
    monkeypatch.setattr(catalogue, "CATALOGUE_PATH", missing)
    catalogue.get_catalogue.cache_clear()
    try:
        result = site.check()
    finally:
        catalogue.get_catalogue.cache_clear()
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: the indicator catalogue {missing} cannot be read (No such file or directory); "
        "it is part of Minh Bạch: restore it from the repository\n"
    )


def test_a_broken_catalogue_is_a_clean_error(
    site: ContentDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = site.root / "catalogue.yml"
    broken.write_text("groups: [\n", encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_PATH", broken)
    catalogue.get_catalogue.cache_clear()
    try:
        result = site.check()
    finally:
        catalogue.get_catalogue.cache_clear()
    assert result.code == 1
    assert result.err.startswith(f"error: the indicator catalogue {broken} is broken: ")
    assert "Traceback" not in result.err


# --- nothing left out unseen ---


def test_an_unknown_entry_in_the_content_folder_is_a_warning(site: ContentDir) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    site.write("notes.txt", "draft")
    site.write("source/a.txt", ARCHIVE)
    site.write(".gitkeep", "")  # dot-files are the tools', left alone
    site.write("README.md", "# Content\n")
    result = site.check()
    assert (result.code, result.lines) == (
        0,
        [
            "content/notes.txt: warning: not part of a content folder; it is ignored (hint: a "
            "content folder holds provinces.yml, subunits.yml, targets.yml, releases.yml, "
            "datasets, released, sources, pages, README.md)",
            "content/source: warning: not part of a content folder; it is ignored (hint: did "
            "you mean sources?)",
        ],
    )
    assert site.check("--strict").code == 1


# --- dates ---


def test_a_source_dated_before_its_period_ends_is_a_warning(site: ContentDir) -> None:
    dataset = (
        "unit: quang-tri\nperiod: 2016-12m\nstatus: final\nsource: {{url: {url}, date: {day}}}\n"
    )
    url = '"https://thads.moj.gov.vn/a"'
    site.write("datasets/2016-12m/quang-tri.yml", dataset.format(url=url, day="2016-09-29"))
    expected = [
        "content/datasets/2016-12m/quang-tri.yml:4:51: warning: source.date: the source is "
        "dated 29/09/2016, before period 2016-12m ends (30/09/2016) (hint: a period's results "
        "are reported once it has ended: check the date, the period and the source)"
    ]
    relaxed = site.check()
    assert (relaxed.code, relaxed.lines) == (0, expected)
    assert site.check("--strict").code == 1
    # A report of the period's last day may give its results: not before the period ends.
    site.write("datasets/2016-12m/quang-tri.yml", dataset.format(url=url, day="2016-09-30"))
    assert site.check("--strict").code == 0


def test_a_published_release_is_compared_with_the_time_of_the_build(site: ContentDir) -> None:
    site.write("datasets/2016-12m/quang-tri.yml", QUANG_TRI)
    site.write(
        "releases.yml",
        "releases:\n  - {period: 2016-12m, publish_at: 2030-02-27 09:00:00+07:00, "
        "status: published}\n  - {period: 2017-12m, publish_at: 2030-02-27, status: published}\n",
    )
    root = site.root / "content"

    def errors(now: dt.datetime) -> list[str]:
        return [p.format() for p in check_content(root, as_of=now)[1].errors]

    future = "a release dated in the future cannot be published (hint: set status: scheduled)"
    vietnam = dt.timezone(dt.timedelta(hours=7))
    assert errors(dt.datetime(2030, 2, 26, 23, 59, tzinfo=vietnam)) == [
        f"content/releases.yml:2:71: releases[0].status: {future}",
        f"content/releases.yml:3:56: releases[1].status: {future}",
    ]
    # The day given without a time is Vietnam's: it has begun at 17:00 UTC the day before.
    assert errors(dt.datetime(2030, 2, 26, 17, 0, tzinfo=dt.UTC)) == [
        f"content/releases.yml:2:71: releases[0].status: {future}"
    ]
    assert errors(dt.datetime(2030, 2, 27, 9, 0, tzinfo=vietnam)) == []


# --- the render stage reads archives through the boundary too ---


def test_render_reads_archives_through_the_boundary(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text(ARCHIVE, encoding="utf-8")
    (tmp_path / "outside.txt").write_text("root:x:0:0", encoding="utf-8")
    (tmp_path / "sources" / "b.txt").symlink_to(tmp_path / "outside.txt")

    def model(*archives: str) -> SimpleNamespace:
        pages = [
            SimpleNamespace(
                checked=SimpleNamespace(
                    src_path=f"content/datasets/2024-3m/{name}.yml",
                    summary=SimpleNamespace(source=SimpleNamespace(archive=name), sources=()),
                )
            )
            for name in archives
        ]
        return SimpleNamespace(content=SimpleNamespace(root=tmp_path), pages=pages)

    assert render._archives(model("a.txt")) == {  # type: ignore[arg-type]
        f"vi/{render.archive_path('a.txt')}": ARCHIVE.encode()
    }
    with pytest.raises(UserError, match=r"sources/b\.txt is a symbolic link"):
        render._archives(model("a.txt", "b.txt"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="leaves the archive folder"):
        render.archive_path("../../etc/passwd")


# --- an up-to-date build is one whose content the check would still pass ---


def test_the_build_fingerprint_hashes_links_as_links(tmp_path: Path) -> None:
    from minhbach.machinery.uptodate import inputs_key as fingerprint

    content = tmp_path / "content"
    (content / "sources").mkdir(parents=True)
    archive = content / "sources" / "a.txt"
    archive.write_text(ARCHIVE, encoding="utf-8")
    base = fingerprint(content, "options")
    # The same bytes behind a link: a change, so the build runs the check, which refuses it.
    copy = tmp_path / "copy.txt"
    copy.write_text(ARCHIVE, encoding="utf-8")
    archive.unlink()
    archive.symlink_to(copy)
    linked = fingerprint(content, "options")
    assert linked != base
    # A link to a folder, which the walk does not enter, and a broken link are seen too.
    (content / "datasets").mkdir()
    before = fingerprint(content, "options")
    (content / "datasets" / "2017-12m").symlink_to(tmp_path)
    with_folder = fingerprint(content, "options")
    assert with_folder != before
    (content / "datasets" / "hue.yml").symlink_to(tmp_path / "nowhere.yml")
    assert fingerprint(content, "options") not in (before, with_folder)
