"""Editors' pages: what `check` says of each (exact messages), and what is published."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from minhbach.content import editorial
from minhbach.content.editorial import clean, dropped, page_html, reserved_names
from tests.conftest import ContentDir
from tests.test_build import MINI, build

PAGE = "pages/vi/gioi-thieu.md"
SHOWN = f"content/{PAGE}"


def page_lines(result_lines: list[str], path: str = SHOWN) -> list[str]:
    return [line for line in result_lines if line.startswith(path)]


def test_what_the_sanitiser_drops_is_a_warning_at_its_line(site: ContentDir) -> None:
    site.write(
        PAGE,
        """
        ---
        title: Giới thiệu
        ---
        # Giới thiệu

        Văn bản <script>alert(1)</script> và <b onclick="alert(2)">đậm</b>.

        [x](javascript:alert(3)) · [Bộ Tư pháp](https://moj.gov.vn) · [dữ liệu](../du-lieu/index.md)

        ![logo](https://tracker.example/logo.png) ![biểu đồ](../don-vi/alpha/a.svg)

        <iframe src="https://video.example/embed/1"></iframe>

        <p style="color: red" class="mb-legend">x</p>
        """,
    )
    result = site.check()
    assert page_lines(result.lines) == [
        f"{SHOWN}:6:9: warning: <script> is not allowed on a page; it is removed with its "
        "content (hint: a page may use headings, paragraphs, lists, tables, emphasis, code, "
        "quotes, images and links)",
        f"{SHOWN}:6:41: warning: attribute 'onclick' of <b> is not allowed; it is removed "
        "(hint: a page takes no scripts, styles or attributes of its own)",
        f"{SHOWN}:8:5: warning: link to 'javascript:alert(3)' is not allowed; it is removed "
        "(hint: link to http, https or mailto addresses, or to pages of this site)",
        f"{SHOWN}:10:9: warning: image from another address "
        "(https://tracker.example/logo.png) is removed (hint: only images of this site are "
        "shown, by an address relative to the page)",
        f"{SHOWN}:12:14: warning: <iframe> from another host (video.example) is removed "
        "(hint: a page shows nothing from another site; link to it instead)",
        f"{SHOWN}:14:4: warning: attribute 'style' of <p> is not allowed; it is removed "
        "(hint: a page takes no scripts, styles or attributes of its own)",
        f"{SHOWN}:14:30: warning: class 'mb-legend' of <p> is not allowed; it is removed "
        "(hint: a page takes no scripts, styles or attributes of its own)",
    ]


def test_a_page_of_what_the_list_allows_has_no_warning(site: ContentDir) -> None:
    site.write(
        PAGE,
        """
        # Giới thiệu

        Đoạn **đậm**, *nghiêng*, `mã`, [liên kết](https://moj.gov.vn) và
        [thư](mailto:lienhe@moj.gov.vn).

        > Trích dẫn.

        | Cột | Số |
        |:----|---:|
        | a   | 1  |

        !!! note "Ghi chú"
            Nội dung.

        ![biểu đồ](../don-vi/alpha/a.svg)
        """,
    )
    assert page_lines(site.check().lines) == []


def test_the_published_html_is_what_the_check_allowed() -> None:
    html = page_html(
        '# T\n\n<a href="javascript:alert(1)" onclick="x">a</a> <script>alert(2)</script>\n\n'
        '![i](https://tracker.example/i.png)\n\n<iframe src="https://x.example/"></iframe>\n'
    )
    cleaned = clean(html)
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert "tracker.example" not in cleaned and "iframe" not in cleaned
    assert '<h1 id="t">T' in cleaned and "<a" in cleaned
    assert dropped(cleaned) == []  # what is left warns of nothing
    assert len(dropped(html)) == 5


@pytest.mark.parametrize(
    ("front", "message"),
    [
        (
            "title: [1, 2]",
            '2:8: title: must be text, not a list (hint: write it in quotes: title: "...")',
        ),
        (
            "description: 12",
            "2:14: description: must be text, not a number "
            '(hint: write it in quotes: description: "...")',
        ),
        ('title: "a\n  b: [', "4:1: YAML syntax error: while scanning a quoted scalar"),
        ("- a\n- b", "2:1: the front matter is not a list of keys"),
    ],
)
def test_broken_front_matter_is_a_located_error(site: ContentDir, front: str, message: str) -> None:
    site.write(PAGE, f"---\n{front}\n---\n# Trang\n")
    result = site.check()
    assert result.code == 1
    lines = page_lines(result.lines)
    assert len(lines) == 1 and lines[0].startswith(f"{SHOWN}:{message}"), lines


def test_an_unknown_front_matter_key_is_a_warning(site: ContentDir) -> None:
    site.write(PAGE, "---\ntitle: Trang\nminhbach: generated\ntemplate: x.html\n---\n# Trang\n")
    assert page_lines(site.check().lines) == [
        f"{SHOWN}:3:1: warning: minhbach: is not used by the site; it is ignored "
        "(hint: a page's front matter may give title and description)",
        f"{SHOWN}:4:1: warning: template: is not used by the site; it is ignored "
        "(hint: a page's front matter may give title and description)",
    ]


def test_a_page_that_is_not_utf8_is_a_located_error(site: ContentDir) -> None:
    path = site.root / "content" / PAGE
    path.parent.mkdir(parents=True)
    path.write_bytes("# Giới thiệu\n\nđoạn \xff\n".encode("latin-1", "replace"))
    path.write_bytes(b"# Gioi thieu\n\ndoan \xff\n")
    result = site.check()
    assert page_lines(result.lines) == [
        f"{SHOWN}:3:1: not UTF-8 text (invalid start byte at byte 19) "
        "(hint: save the file as UTF-8)"
    ]
    assert result.code == 1


def test_a_symlinked_page_or_folder_is_an_error_and_never_read(site: ContentDir) -> None:
    secret = site.root / "secret.md"
    secret.write_text("# root:x:0:0\n", encoding="utf-8")
    (site.root / "content" / "pages" / "vi").mkdir(parents=True)
    os.symlink(secret, site.root / "content" / PAGE)
    os.symlink(site.root / "elsewhere", site.root / "content" / "pages" / "en")
    (site.root / "elsewhere").mkdir()
    result = site.check()
    assert result.code == 1
    assert page_lines(result.lines, "content/pages") == [
        "content/pages/en: pages/en is a symbolic link; content files and folders must be "
        "real files and folders inside the content folder (hint: replace the link by a copy)",
        f"{SHOWN}: {PAGE} is a symbolic link; content files and folders must be real files "
        "and folders inside the content folder (hint: replace the link by a copy)",
    ]


def test_a_symlinked_pages_folder_is_an_error(site: ContentDir) -> None:
    (site.root / "elsewhere").mkdir()
    os.symlink(site.root / "elsewhere", site.root / "content" / "pages")
    result = site.check()
    assert result.code == 1
    assert page_lines(result.lines, "content/pages") == [
        "content/pages: is not a folder (a symbolic link, or a file) (hint: pages/ holds a "
        "folder per language, vi/ and en/, of Markdown pages)"
    ]


def test_nothing_under_pages_is_dropped_without_a_word(site: ContentDir) -> None:
    site.write("pages/fr/a-propos.md", "# À propos\n")
    site.write("pages/vn/gioi-thieu.md", "# Giới thiệu\n")
    site.write("pages/vi/logo.png", "not a page")
    site.write("pages/vi/cu/trang.md", "# Cũ\n")
    site.write("pages/vi/Gioi Thieu.md", "# Giới thiệu\n")
    result = site.check()
    assert page_lines(result.lines, "content/pages") == [
        "content/pages/fr: warning: not a language folder of pages/ (vi/ or en/); it is not "
        "published (hint: put each page in pages/vi/ or pages/en/)",
        "content/pages/vi/Gioi Thieu.md: 'Gioi Thieu' is not a page name: it is its address "
        "on the site (hint: use lowercase letters a-z, digits and hyphens, e.g. gioi-thieu.md)",
        "content/pages/vi/cu/trang.md: warning: in a folder of pages/vi/; it is not "
        "published (hint: put the page in pages/vi/ itself)",
        "content/pages/vi/logo.png: warning: not a Markdown page (.md); it is not published "
        "(hint: an editorial page is a .md file; other files are not part of the site)",
        "content/pages/vn: warning: not a language folder of pages/ (vi/ or en/); it is not "
        "published (hint: put each page in pages/vi/ or pages/en/)",
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(reserved_names() | {"2024"}))
def test_a_page_named_like_a_generated_section_is_an_error(
    site: ContentDir, lang: str, name: str
) -> None:
    site.write(f"pages/{lang}/{name}.md", "# Trang\n")
    result = site.check()
    assert result.code == 1
    assert page_lines(result.lines, "content/pages") == [
        f"content/pages/{lang}/{name}.md: '{name}' is the name of a generated section of the "
        "site; the page would replace it (hint: give the page another name)"
    ]


def test_reserved_names_cover_every_generated_section_of_both_editions() -> None:
    names = reserved_names()
    for name in ("du-lieu", "phuong-phap", "don-vi", "ky-bao-cao"):
        assert name in names
    for name in ("data", "methodology", "units", "periods", "en", "assets", "search"):
        assert name in names
    assert "gioi-thieu" not in names and "about" not in names  # the editors' own sections


def _mini_with_page(tmp_path: Path, text: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    (content / "pages" / "vi" / "gioi-thieu.md").write_text(text, encoding="utf-8")
    return content


def test_a_built_editorial_page_is_what_the_sanitiser_kept(tmp_path: Path) -> None:
    content = _mini_with_page(
        tmp_path,
        '---\ntitle: "</title><script>alert(1)</script>"\nminhbach: generated\n---\n'
        '# Giới thiệu\n\n<script>alert(2)</script> <a href="javascript:alert(3)">x</a>\n\n'
        '<div class="mb-cards"><img src="https://tracker.example/x.png"></div>\n',
    )
    assert build(content, tmp_path / "out") == 0
    html = (tmp_path / "out" / "site" / "gioi-thieu" / "index.html").read_text(encoding="utf-8")
    # Marked "generated" by the editor: still an editor's page, sanitised.
    assert "alert(2)" not in html and "javascript:" not in html and "tracker" not in html
    assert "mb-cards" not in html
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; - " in html


def test_a_mkdocs_error_about_an_editorial_page_names_the_editors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check refuses this link itself (tests/test_check_builds.py); MkDocs' message, for
    # what the check would not catch, is what this test is about.
    monkeypatch.setattr(editorial, "check_links", lambda *_: None)
    content = _mini_with_page(
        tmp_path, "---\ntitle: Giới thiệu\n---\n# Giới thiệu\n\nXem [trang cũ](khong-co.md).\n"
    )
    capsys.readouterr()
    assert build(content, tmp_path / "out") == 1
    err = capsys.readouterr().err
    shown = content / "pages" / "vi" / "gioi-thieu.md"
    assert f"\n{shown}:6:16: contains a link 'khong-co.md', but the target " in err, err
    assert "reports/vi/gioi-thieu" not in err
    assert not (tmp_path / "out" / "site").exists()
