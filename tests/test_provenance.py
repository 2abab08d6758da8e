"""Where figures come from (issue 24): several sources per dataset, acknowledged warnings,
published and computed changes told apart, notes beside figures, in the checks, the pages
and the open data."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.render.pages import render_pages
from tests.conftest import rendered

from .conftest import CONTENT, ContentDir

HEADER = 'status: final\nsource: {url: "https://thads.moj.gov.vn/a"}\n'

# National 2022 and 2023 (THADS.md §1.6.7): 2023's carried over (299.096) is 2022's
# to enforce − completed less the cases moved to separate tracking, which the source
# does not count: the carry-over warning is right and cannot be fixed.
NATIONAL_2022 = (
    "unit: toan-quoc\nperiod: 2022-12m\n"
    + HEADER
    + "cases: {to_enforce: 900000, completed: 580000}\n"
)


def national_2023(extra: str = "") -> str:
    return (
        "unit: toan-quoc\nperiod: 2023-12m\n" + HEADER + "cases: {carried_over: 299096}\n" + extra
    )


ACK = (
    "acknowledged:\n"
    "  - warning: carry_over\n"
    "    field: cases.carried_over\n"
    '    reason: "số chuyển sổ theo dõi riêng không được công bố"\n'
)


# --- acknowledged warnings ---


def test_an_acknowledged_warning_passes_strict_and_is_printed_as_acknowledged(
    site: ContentDir,
) -> None:
    site.write("datasets/2022-12m/toan-quoc.yml", NATIONAL_2022)
    site.write("datasets/2023-12m/toan-quoc.yml", national_2023())
    result = site.check("--strict")
    assert result.code == 1
    assert len(result.lines) == 1 and ": warning: cases.carried_over" in result.lines[0]
    site.write("datasets/2023-12m/toan-quoc.yml", national_2023(ACK))
    result = site.check("--strict")
    assert result.code == 0, result.lines
    assert len(result.lines) == 1
    line = result.lines[0]
    assert line.startswith("content/datasets/2023-12m/toan-quoc.yml:")
    assert ": acknowledged: cases.carried_over" in line
    assert "[carry_over; reason: số chuyển sổ theo dõi riêng không được công bố]" in line
    assert "0 warnings, 1 acknowledged" in result.out


def test_an_acknowledgement_of_another_field_does_not_hide_the_warning(
    site: ContentDir,
) -> None:
    site.write("datasets/2022-12m/toan-quoc.yml", NATIONAL_2022)
    site.write(
        "datasets/2023-12m/toan-quoc.yml",
        national_2023(ACK.replace("cases.carried_over", "money.carried_over")),
    )
    result = site.check("--strict")
    assert result.code == 1
    warnings = [line for line in result.lines if ": warning: " in line]
    assert any("cases.carried_over" in line for line in warnings)
    assert any(
        "acknowledges a 'carry_over' warning on money.carried_over that the check does not give"
        in line
        for line in warnings
    )


def test_a_stale_acknowledgement_is_a_located_warning(site: ContentDir) -> None:
    site.write("datasets/2023-12m/toan-quoc.yml", national_2023(ACK))
    result = site.check("--strict")
    assert result.code == 1
    assert result.lines == [
        "content/datasets/2023-12m/toan-quoc.yml:7:5: warning: acknowledged[0]: acknowledges a "
        "'carry_over' warning on cases.carried_over that the check does not give (hint: "
        "remove the acknowledgement, or correct its warning name and field)"
    ]


def test_an_unknown_warning_name_is_an_error_with_a_hint(site: ContentDir) -> None:
    site.write(
        "datasets/2023-12m/toan-quoc.yml", national_2023(ACK.replace("carry_over", "cary_over"))
    )
    result = site.check()
    assert result.code == 1
    assert any(
        "acknowledged[0].warning" in line
        and "'cary_over' is not the name of a warning" in line
        and "did you mean 'carry_over'?" in line
        for line in result.lines
    ), result.lines


def test_an_acknowledgement_without_a_field_covers_every_warning_of_its_name(
    site: ContentDir,
) -> None:
    site.write("datasets/2022-12m/toan-quoc.yml", NATIONAL_2022)
    ack = ACK.replace("    field: cases.carried_over\n", "")
    site.write("datasets/2023-12m/toan-quoc.yml", national_2023(ack))
    assert site.check("--strict").code == 0


# --- several sources ---

SOURCES = """\
status: final
sources:
  - {id: bao-cao, title: "Báo cáo", url: "https://thads.moj.gov.vn/a"}
  - {id: bai-bao, publisher: "Báo Pháp luật", url: "https://baophapluat.vn/b"}
"""


def test_figures_name_their_source_among_several(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n"
        + SOURCES
        + "cases: {completed: {value: 3086, source: bai-bao}, enforceable: 3366}\n",
    )
    assert site.check("--strict").code == 0


def test_an_unknown_source_id_is_a_located_error_with_did_you_mean(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n"
        + SOURCES
        + "cases: {completed: {value: 3086, source: bai-bo}}\n",
    )
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/datasets/2016-12m/quang-tri.yml:7:42: cases.completed.source: no "
        "source with id 'bai-bo' in sources: (hint: did you mean 'bai-bao'?)"
    ]


def test_source_and_sources_together_are_an_error(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n" + SOURCES + 'source: {url: "https://a.vn/"}\n',
    )
    result = site.check()
    assert result.code == 1
    assert any(
        "sources (Các nguồn): the dataset gives both source: and sources:" in line
        for line in result.lines
    ), result.lines


def test_no_source_at_all_is_an_error(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml", "unit: quang-tri\nperiod: 2016-12m\nstatus: final\n"
    )
    result = site.check()
    assert result.code == 1
    assert any("the dataset names no source" in line for line in result.lines), result.lines


def test_sources_need_unique_ids(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\nstatus: final\nsources:\n"
        '  - {url: "https://a.vn/"}\n'
        '  - {id: a, url: "https://a.vn/"}\n'
        '  - {id: a, url: "https://b.vn/"}\n',
    )
    result = site.check()
    assert result.code == 1
    text = "\n".join(result.lines)
    assert "sources[0]" in text and "a source in sources: needs an id" in text
    assert "a second source with id 'a'" in text


def test_a_figure_source_needs_sources(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n"
        + HEADER
        + "cases: {completed: {value: 3086, source: a}}\n",
    )
    result = site.check()
    assert result.code == 1
    assert "the figure names source 'a' but the dataset has one source:" in result.lines[0]


def test_a_quote_is_checked_against_its_own_sources_archive(site: ContentDir) -> None:
    site.write("sources/a.txt", "Đã thi hành xong 3.086 việc.\n")
    site.write("sources/b.txt", "Một bài khác.\n")
    dataset = (
        "unit: quang-tri\nperiod: 2016-12m\nstatus: final\nsources:\n"
        "  - {id: a, archive: a.txt}\n"
        "  - {id: b, archive: b.txt}\n"
        'cases: {completed: {value: 3086, quote: "thi hành xong 3.086 việc", source: SRC}}\n'
    )
    site.write("datasets/2016-12m/quang-tri.yml", dataset.replace("SRC", "a"))
    assert site.check("--strict").code == 0
    site.write("datasets/2016-12m/quang-tri.yml", dataset.replace("SRC", "b"))
    result = site.check()
    assert result.code == 1
    assert "the quote is not in the archived source b.txt" in result.lines[0]


def test_a_quote_without_an_archived_source_is_an_error(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n" + SOURCES
        + 'cases: {completed: {value: 3086, quote: "3.086 việc", source: bai-bao}}\n',
    )  # fmt: skip
    result = site.check()
    assert result.code == 1
    assert "a quote needs the archived source to check it against" in result.lines[0]


# --- the pages and the open data ---

PAGE_2022 = """\
unit: toan-quoc
period: 2022-12m
status: final
source: {url: "https://thads.moj.gov.vn/2022"}
cases: {new: 587800, to_enforce: 900000, completed: 580000}
"""
PAGE_2023 = """\
unit: toan-quoc
period: 2023-12m
status: final
sources:
  - {id: bao-cao, title: "Báo cáo tổng kết", archive: a.txt}
  - {id: bai-bao, publisher: "Báo Pháp luật", url: "https://baophapluat.vn/b"}
cases:
  carried_over: 299096
  new: 625642
  to_enforce: 950000
  enforceable: {value: 700000, note: "theo báo cáo sơ bộ", source: bai-bao}
  completed: {value: 600000, quote: "thi hành xong 600.000 việc", source: bao-cao}
  rate: 70
  change:
    new: {percent: 6.34}
    completed: {absolute: 20000}
acknowledged:
  - warning: carry_over
    field: cases.carried_over
    reason: "số chuyển sổ theo dõi riêng không được công bố"
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("provenance") / "content"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "a.txt").write_text("Đã thi hành xong 600.000 việc.\n", encoding="utf-8")
    (root / "provinces.yml").write_bytes((CONTENT / "provinces.yml").read_bytes())
    for period, text in (("2022-12m", PAGE_2022), ("2023-12m", PAGE_2023)):
        (root / "datasets" / period).mkdir(parents=True)
        (root / "datasets" / period / "toan-quoc.yml").write_text(text, encoding="utf-8")
    (root / "datasets" / "2023-12m" / "quang-tri.yml").write_text(
        "unit: quang-tri\nperiod: 2023-12m\nstatus: final\n"
        'source: {publisher: "Cổng thông tin", url: "https://a.vn/"}\n'
        "cases: {change: {rate: {points: 0.18}}}\n",
        encoding="utf-8",
    )
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    assert sorted((p.severity.value, p.rule) for p in problems) == [
        ("acknowledged", "carry_over"),
        ("warning", "published_change"),
        ("warning", "rate"),
    ]
    model, _ = compute(content)
    files, _ = render_pages(model)
    return files


def row_of(page: str, label: str) -> str:
    found = [line for line in page.splitlines() if f">{label}</th>" in line]
    assert len(found) == 1, label
    return found[0]


def notes_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'<li id="mb-note-(\d+)" value="\d+">([^<]*)</li>', page))


def test_a_published_change_is_shown_with_the_differing_computed_one(
    built: dict[str, bytes],
) -> None:
    vi = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    new = row_of(vi, "Thụ lý mới")
    assert "tăng 6,34% (theo nguồn); tăng 37.842 việc (tăng 6,44%) (tính toán)" in new
    number = re.search(r'href="#mb-note-(\d+)"', new.split("(tính toán)")[1])
    assert number is not None
    assert notes_of(vi)[number[1]].startswith(
        "Mức tăng, giảm theo nguồn khác với mức tính toán từ bộ số liệu cùng kỳ năm trước"
    )
    # Where both agree, the source's alone, marked as the source's.
    completed = row_of(vi, "Thi hành xong")
    assert "tăng 20.000 việc (theo nguồn)" in completed and "tính toán" not in completed
    en = rendered(built, "en/2023/full-year/toan-quoc/index.md").body
    assert "up 6.34% (as published); up 37,842 cases (up 6.44%) (computed)" in row_of(
        en, "Newly accepted"
    )


def test_a_computed_change_is_always_marked(built: dict[str, bytes]) -> None:
    vi = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    cells = re.findall(r"<td[^>]*>((?:tăng|giảm|không đổi)[^<]*)", vi)
    assert len(cells) == 3
    for cell in cells:  # every change cell says where it comes from
        assert "(theo nguồn)" in cell or "(tính toán)" in cell, cell
    assert "<td>tăng 50.000 việc (tăng 5,56%) (tính toán)</td>" in row_of(
        vi, "Tổng số phải thi hành"
    )


def test_an_inconsistent_published_figure_carries_a_note(built: dict[str, bytes]) -> None:
    vi = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    rate = row_of(vi, "Tỷ lệ thi hành xong")
    number = re.search(r'<td>70%<sup class="mb-note-ref"><a href="#mb-note-(\d+)"', rate)
    assert number is not None, rate
    assert notes_of(vi)[number[1]] == (
        "số liệu nguồn không khớp: Tỷ lệ thi hành xong = thi hành xong / có điều kiện thi "
        "hành × 100"
    )
    en = rendered(built, "en/2023/full-year/toan-quoc/index.md").body
    assert "source figures do not match: Completion rate = completed / enforceable × 100" in (
        " ".join(notes_of(en).values())
    )


def test_an_acknowledged_warning_shows_its_reason_beside_the_figure(
    built: dict[str, bytes],
) -> None:
    vi = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    carried = row_of(vi, "Số cũ chuyển sang")
    number = re.search(
        r'<td>299.096 việc<sup class="mb-note-ref"><a href="#mb-note-(\d+)"', carried
    )
    assert number is not None, carried
    note = notes_of(vi)[number[1]]
    assert note.endswith("đã ghi nhận: số chuyển sổ theo dõi riêng không được công bố")


def test_a_figure_note_is_published_beside_it(built: dict[str, bytes]) -> None:
    vi = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    row = row_of(vi, "Có điều kiện thi hành")
    number = re.search(r'href="#mb-note-(\d+)"', row)
    assert number is not None and notes_of(vi)[number[1]] == "theo báo cáo sơ bộ"


def test_every_source_is_in_the_source_section_without_a_leading_comma(
    built: dict[str, bytes],
) -> None:
    vi = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    section = vi.split('<div class="mb-source">')[1].split("</div>")[0]
    assert '<span class="mb-source__id">[bao-cao]</span> <cite>Báo cáo tổng kết</cite>.' in section
    assert (
        '<span class="mb-source__id">[bai-bao]</span> Báo Pháp luật. <a href="https://baophapluat.vn/b"'
        in section
    )
    assert ">, " not in section and "<p>," not in section
    assert "du-lieu/nguon/a.txt" in section
    # A single source with a publisher and no title.
    one = rendered(built, "vi/2023/ca-nam/quang-tri/index.md").body
    assert '<div class="mb-source">\n<p>Cổng thông tin.</p>\n<p><a href="https://a.vn/"' in one


def test_the_quote_hint_only_where_a_figure_has_a_quote(built: dict[str, bytes]) -> None:
    assert "dùng phím Tab tới số liệu" in rendered(built, "vi/2023/ca-nam/toan-quoc/index.md").body
    assert (
        "dùng phím Tab tới số liệu" not in rendered(built, "vi/2022/ca-nam/toan-quoc/index.md").body
    )


def test_no_empty_headline_section(built: dict[str, bytes]) -> None:
    national = rendered(built, "vi/2023/ca-nam/toan-quoc/index.md")
    assert "Kết quả chính" in [heading.text for heading in national.toc]
    # Search reads the heading, not the cards under it.
    assert '<div data-pagefind-ignore><div class="mb-cards">' in national.body
    # A dataset with no rate and no completed figure: no headline section at all.
    page = rendered(built, "vi/2023/ca-nam/quang-tri/index.md").body
    assert "Kết quả chính" not in page and 'class="mb-cards"' not in page
    assert "tăng 0,18 điểm % (theo nguồn)" in page
    assert "Headline figures" not in rendered(built, "en/2023/full-year/quang-tri/index.md").body


def test_the_open_data_says_source_note_and_check_of_each_figure(
    built: dict[str, bytes],
) -> None:
    text = gzip.decompress(built["vi/du-lieu/2023-12m/thads-2023-12m.csv.gz"]).decode()
    rows = {(r["block"], r["field"], r["origin"]): r for r in csv.DictReader(io.StringIO(text))}
    assert rows[("cases", "enforceable", "published")]["source"] == "bai-bao"
    assert rows[("cases", "enforceable", "published")]["note"] == "theo báo cáo sơ bộ"
    assert rows[("cases", "completed", "published")]["source"] == "bao-cao"
    rate = rows[("cases", "rate", "published")]
    assert rate["check"] == "mismatch:rate" and "published 70% but" in rate["check_note"]
    carried = rows[("cases", "carried_over", "published")]
    assert carried["check"] == "acknowledged:carry_over"
    assert carried["check_note"] == "số chuyển sổ theo dõi riêng không được công bố"
    # Both changes of a field: the source's and the computed one.
    assert rows[("cases", "change.new.percent", "published")]["value"] == "6.34"
    assert (
        rows[("cases", "change.new.percent", "published")]["check"] == "mismatch:published_change"
    )
    assert rows[("cases", "change.new.percent", "computed")]["value"] == "6.44"
    assert rows[("cases", "new", "published")]["check"] == ""
    page = built["vi/du-lieu/2023-12m/thads-2023-12m-toan-quoc.csv"].decode()
    page_rows = {r["field"]: r for r in csv.DictReader(io.StringIO(page))}
    assert page_rows["new"]["change_percent"] == "6.34"
    assert page_rows["new"]["change_origin"] == "published"
    assert page_rows["new"]["check"] == "mismatch:published_change"


def test_the_open_data_lists_every_source_of_a_dataset(built: dict[str, bytes]) -> None:
    rows = list(csv.DictReader(io.StringIO(built["vi/du-lieu/sources.csv"].decode())))
    ours = [r for r in rows if r["period"] == "2023-12m" and r["unit"] == "toan-quoc"]
    assert [(r["source"], r["main"], r["title"], r["publisher"]) for r in ours] == [
        ("bao-cao", "true", "Báo cáo tổng kết", ""),
        ("bai-bao", "false", "", "Báo Pháp luật"),
    ]
    assert ours[0]["archive"] == "nguon/a.txt" and ours[1]["url"] == "https://baophapluat.vn/b"
    single = [r for r in rows if r["period"] == "2022-12m"]
    assert [(r["source"], r["main"], r["url"]) for r in single] == [
        ("", "true", "https://thads.moj.gov.vn/2022")
    ]
    package = json.loads(built["vi/du-lieu/datapackage.json"])
    assert "sources.csv" in [resource["path"] for resource in package["resources"]]
