"""The site checkers find what they promise on small hand-written sites, and nothing else."""

from __future__ import annotations

from pathlib import Path

from tests.sitecheck import broken_links, external_references


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


PAGE = """<!doctype html>
<html lang="vi"><head>
<meta charset="utf-8">
<link rel="stylesheet" href="{css}">
<link rel="icon" href="{root}assets/favicon.png">
<link rel="alternate" href="https://example.org/en/" hreflang="en">
<link rel="canonical" href="https://example.org/">
</head><body>
{body}
</body></html>
"""


def page(body: str = "", root: str = "", css: str | None = None) -> str:
    """Return a page whose stylesheet and icon links start with `root` ("../", "/")."""
    return PAGE.format(root=root, css=f"{root}assets/site.css" if css is None else css, body=body)


def test_a_self_contained_site_has_no_external_references(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": page(
                '<a href="https://moj.gov.vn/">Bộ Tư pháp</a>'  # a link, not a request
                '<img src="assets/chart.svg" srcset="assets/chart.png 1x, assets/chart@2x.png 2x">'
                '<img src="data:image/png;base64,iVBORw0KGgo=">'
                "<script>var docs = 'https://unpkg.com/mermaid';</script>"
                '<script src="assets/app.js"></script>'
            ),
            "assets/site.css": '.x { background: url("chart.svg") } .y { mask: url(data:image/svg+xml;x) }',
            # URL strings inside scripts are not requests, nor is a fetch of a variable.
            "assets/app.js": 'const help = "see https://bit.ly/x"; let u = `https://api.github.com/${r}`; fetch(u);',
        },
    )
    assert external_references(site) == []


def test_every_kind_of_request_to_another_host_is_found(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": page(
                css="https://fonts.googleapis.com/css?family=Roboto",
                body=(
                    '<script src="//cdn.example.com/lib.js"></script>'
                    '<img src="https://img.example.com/a.png">'
                    '<picture><source srcset="a.webp 1x, https://img.example.com/b.webp 2x"></picture>'
                    '<iframe src="https://www.youtube.com/embed/x"></iframe>'
                    '<video src="https://media.example.com/v.mp4" poster="https://media.example.com/p.jpg"></video>'
                    '<audio src="https://media.example.com/a.mp3"></audio>'
                    "<div style=\"background-image: url('https://img.example.com/bg.png')\"></div>"
                    "<style>@import 'https://css.example.com/more.css';</style>"
                    '<svg><use href="https://icons.example.com/sprite.svg#x"></use></svg>'
                ),
            ),
            "en/index.html": page(
                '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>'
                '<link rel="manifest" href="https://example.com/manifest.json">',
                root="../",
            ),
            "assets/site.css": (
                '@import url("https://css.example.com/base.css");\n'
                "@font-face { src: url(https://fonts.example.com/a.woff2) format('woff2') }"
            ),
            "assets/worker.js": (
                "importScripts('https://cdn.example.com/lunr.js'); fetch(\"//api.example.com/q\");"
                " fetch(`https://api.github.com/repos/${repo}`)"
            ),
        },
    )
    assert external_references(site) == [
        "assets/site.css: https://css.example.com/base.css",
        "assets/site.css: https://fonts.example.com/a.woff2",
        "assets/worker.js: //api.example.com/q",
        "assets/worker.js: https://api.github.com/repos/${repo}",
        "assets/worker.js: https://cdn.example.com/lunr.js",
        "en/index.html: https://example.com/manifest.json",
        "en/index.html: https://fonts.gstatic.com",
        "index.html: //cdn.example.com/lib.js",
        "index.html: https://css.example.com/more.css",
        "index.html: https://fonts.googleapis.com/css?family=Roboto",
        "index.html: https://icons.example.com/sprite.svg#x",
        "index.html: https://img.example.com/a.png",
        "index.html: https://img.example.com/b.webp",
        "index.html: https://img.example.com/bg.png",
        "index.html: https://media.example.com/a.mp3",
        "index.html: https://media.example.com/p.jpg",
        "index.html: https://media.example.com/v.mp4",
        "index.html: https://www.youtube.com/embed/x",
    ]


def test_links_that_resolve_are_not_reported(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": page(
                '<h2 id="ket-qua">Kết quả</h2>'
                '<a href="#ket-qua">here</a> <a href="#">top</a> <a href="">self</a>'
                '<a href="2024/6-thang/">folder</a> <a href="2024/6-thang">folder, no slash</a>'
                '<a href="2024/6-thang/#tong-hop">fragment on a folder</a>'
                '<a href="du-lieu/k%E1%BA%BFt-qu%E1%BA%A3.csv?v=1">percent-encoded</a>'
                '<a href="mailto:thads@moj.gov.vn">mail</a> <a href="https://moj.gov.vn/">away</a>'
                '<img src="assets/chart.svg" srcset="assets/chart.svg 1x">'
            ),
            "assets/site.css": '.x { background: url("chart.svg") }',
            "assets/favicon.png": "",
            "assets/chart.svg": "<svg/>",
            "2024/6-thang/index.html": page(
                '<section id="tong-hop"></section><a href="../../">home</a>'
                '<a href="../../en/#top">English</a>',
                root="../../",
            ),
            "du-lieu/kết-quả.csv": "a,b\n",
            "en/index.html": page(
                '<a name="top"></a><a href="/index.html#ket-qua">vi</a>', root="/"
            ),
        },
    )
    assert broken_links(site) == []


def test_missing_files_fragments_and_escapes_are_reported(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": page(
                '<a href="2024/ca-nam/">no such folder</a>'
                '<a href="du-lieu/x.csv">no such file</a>'
                '<a href="#khong-co">no such id here</a>'
                '<a href="en/#khong-co">no such id there</a>'
                '<a href="../outside.html">above the site</a>'
                '<script src="assets/app.js"></script>'
                '<img srcset="assets/a.png 1x, assets/b.png 2x">',
                css="assets/missing.css",
            ),
            "assets/favicon.png": "",
            "assets/a.png": "",
            "assets/site.css": "@font-face { src: url(fonts/missing.woff2) }",
            "en/index.html": page('<a href="/nowhere/">root-relative</a>', root="../"),
        },
    )
    assert broken_links(site) == [
        "en/index.html: /nowhere/ (not found)",
        "index.html: assets/missing.css (not found)",
        "index.html: 2024/ca-nam/ (not found)",
        "index.html: du-lieu/x.csv (not found)",
        "index.html: #khong-co (no id 'khong-co' in index.html)",
        "index.html: en/#khong-co (no id 'khong-co' in en/index.html)",
        "index.html: ../outside.html (leaves the site)",
        "index.html: assets/app.js (not found)",
        "index.html: assets/b.png (not found)",
        "assets/site.css: fonts/missing.woff2 (not found)",
    ]
