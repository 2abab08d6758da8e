"""Where figures come from (issue 24): several sources per dataset, acknowledged warnings,
published and computed changes told apart, notes beside figures, in the checks, the pages
and the open data."""

from __future__ import annotations

from .conftest import ContentDir

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
