"""A 2025 period reported after the merger by the merged unit (`reported_as: post2025`),
and nationwide ranks out of the other scheme's count of units.

From July 2025 a merged province reports the whole statistical year, months before the
merger included, as one unit: Gia Lai's 9 months to 30/06/2025 ranked "20/34". Without
`reported_as`, the period-end rule files it under the old Gia Lai (one of 63), whose page
then prints a 34-unit rank. The datasets here are synthetic test data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.render import charts
from tests.conftest import after_heading, body, generated

from .conftest import CONTENT, ContentDir, build_into

HEADER = """\
status: final
source: {title: "Báo cáo thử", publisher: "Cục THADS thử", url: "https://example.org/t", date: 2026-11-01}
"""


def dataset(unit: str, period: str, extra: str = "", of: int | None = 34) -> str:
    ranking = f"ranking: {{basis: rate, cases: 20, of: {of}}}\n" if of else ""
    return (
        f"unit: {unit}\nperiod: {period}\n{HEADER}{extra}"
        "cases: {enforceable: 20000, completed: 12000}\n" + ranking
    )


def errors(site: ContentDir) -> list[str]:
    result = site.check("--strict")
    assert result.code == 1, result.err
    return result.lines


def test_a_34_unit_rank_on_a_63_unit_period_is_an_error_with_the_way_out(
    site: ContentDir,
) -> None:
    site.write("datasets/2025-9m/gia-lai.yml", dataset("gia-lai", "2025-9m"))
    lines = errors(site)
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "content/datasets/2025-9m/gia-lai.yml:6:39: ranking.of (Số đơn vị xếp hạng): "
        "a nationwide rank out of 34 units, but 2025-9m is reported by the 63 units"
    ), lines
    assert "add reported_as: post2025 with unit: gia-lai" in lines[0]


def test_a_63_unit_rank_after_the_merger_is_an_error(site: ContentDir) -> None:
    site.write("datasets/2026-3m/gia-lai.yml", dataset("gia-lai", "2026-3m", of=63))
    lines = errors(site)
    assert len(lines) == 1 and "out of 63 units" in lines[0] and "34 units" in lines[0], lines


def test_a_regional_rank_and_the_right_count_pass(site: ContentDir) -> None:
    site.write("datasets/2025-9m/gia-lai.yml", dataset("gia-lai", "2025-9m", of=63))
    site.write(
        "datasets/2025-9m/kon-tum.yml",
        dataset("kon-tum", "2025-9m", of=None)
        + "ranking: {basis: rate, cases: 2, of: 34, scope: 'khu vực Tây Nguyên'}\n",
    )
    result = site.check("--strict")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025-12m", "ends on 30/09/2025, after the merger"),
        ("2024-6m", "only the statistical year 2025"),
    ],
)
def test_reported_as_only_for_2025_periods_before_the_merger(
    site: ContentDir, period: str, message: str
) -> None:
    site.write(
        f"datasets/{period}/gia-lai.yml",
        dataset("gia-lai", period, "reported_as: post2025\n", of=None),
    )
    lines = errors(site)
    assert len(lines) == 1 and "reported_as (Báo cáo theo địa giới)" in lines[0], lines
    assert message in lines[0], lines


def test_reported_as_names_a_merged_unit(site: ContentDir) -> None:
    # Bình Định became part of Gia Lai: it is not one of the 34.
    site.write(
        "datasets/2025-9m/binh-dinh.yml",
        dataset("binh-dinh", "2025-9m", "reported_as: post2025\n"),
    )
    lines = errors(site)
    assert len(lines) == 1 and "'binh-dinh' is not one of the 34 units" in lines[0], lines


@pytest.fixture
def built(site: ContentDir) -> Path:
    site.write(
        "datasets/2025-9m/gia-lai.yml", dataset("gia-lai", "2025-9m", "reported_as: post2025\n")
    )
    site.write(
        "datasets/2025-9m/kon-tum.yml",
        dataset("kon-tum", "2025-9m", of=None).replace("12000", "10000"),
    )
    site.write("datasets/2025-6m/gia-lai.yml", dataset("gia-lai", "2025-6m", of=None))
    site.write(
        "datasets/2024-9m/gia-lai.yml",
        dataset("gia-lai", "2024-9m", of=None).replace("12000", "10000"),
    )
    site.write("datasets/2025-6m/binh-dinh.yml", dataset("binh-dinh", "2025-6m", of=None))
    shutil.copytree(CONTENT / "pages", site.root / "content" / "pages")
    assert site.check("--strict").code == 0
    out = site.root / "out"
    assert build_into("content", out, "--strict") == 0
    return out / "reports"


def test_the_merged_units_figures_are_filed_under_it_and_said_so(built: Path) -> None:
    page = body(built, "vi/2025/9-thang/gia-lai/index.md")
    assert (
        "Số liệu của Gia Lai sau sáp nhập (hình thành ngày 01/07/2025 từ Bình Định, Gia Lai)"
        in (page)
    )
    en = body(built, "en/2025/9-months/gia-lai/index.md")
    assert "Figures of the merged Gia Lai" in en


def test_the_period_lists_the_merged_unit_apart_never_ranked_among_the_63(built: Path) -> None:
    period = generated(built, "vi/2025/9-thang/index.md")
    page = period.body
    assert "01/10/2024–30/06/2025 · 1 trên 63 đơn vị có số liệu" in page  # Kon Tum alone
    ranking = after_heading(period, "Xếp hạng các đơn vị theo tỷ lệ thi hành xong")
    ranking = ranking.split("</table>", 1)[0]
    assert "Kon Tum" in ranking and "Gia Lai" not in ranking
    merged = after_heading(period, "Đơn vị sau sáp nhập báo cáo cả kỳ").split("</table>", 1)[0]
    assert '<a href="gia-lai/">Gia Lai</a></th><td class="mb-text">Bình Định, Gia Lai</td>' in (
        merged
    )
    assert "60,00%" in merged  # 12.000 / 20.000


def test_the_history_breaks_before_the_merged_units_2025_figures(built: Path) -> None:
    page = body(built, "vi/don-vi/gia-lai/index.md")
    table = page.split("<caption>Gia Lai: số liệu các kỳ, kỳ 9 tháng</caption>", 1)[1]
    rows = table.split("</table>", 1)[0].split("<tr")[2:]  # after the header row
    assert len(rows) == 3, rows
    assert "9 tháng năm 2024" in rows[0] and "50,00%" in rows[0]  # the old Gia Lai
    assert 'class="mb-break"' in rows[1]
    assert "9 tháng năm 2025" in rows[2] and "60,00%" in rows[2]  # the merged Gia Lai


def test_the_trend_draws_the_merged_units_figures_on_its_own_line(
    built: Path, site: ContentDir
) -> None:
    content, problems = check_content(site.root / "content")
    assert content is not None, problems
    model, _ = compute(content)
    made = charts.trend(model.history("gia-lai"), "x.md", "vi")
    assert made is not None
    lines = {
        value["period"]: value["line"]
        for value in made.spec["data"]["values"]
        if value.get("kind") == "rate" and value["series"] == "cases"
    }
    assert lines["9 tháng năm 2024"] == "cases-9m-pre2025"
    assert lines["9 tháng năm 2025"] == "cases-9m-post2025"
