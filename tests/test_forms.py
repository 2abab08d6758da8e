"""The official forms 07 (security and coercive measures) and 11 (state compensation):
catalogue blocks checked by their identities, shown on the unit page, in the open data
and on the methodology page. (Form 08, complaints and denunciations, is the
`citizen_reception` block, with forms 09.) Inspections and reform across units: the period
overview's reform chart and status per unit, the history's tables over the periods, and a
reform status quoted like a figure."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import reform_over_periods
from minhbach.content.models import Reform
from minhbach.content.periods import Period
from minhbach.machinery.cli import main
from tests.conftest import after_heading, body, generated

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
GAMMA = MINI / "datasets" / "2024-6m" / "gamma.yml"

# Synthetic figures (the 31 coercions are Nam Định 2017's, THADS.md §5.10, as an example).
FORMS = """\
coercion:
  security_measures: 12
  coercion_decisions: 40
  coercions: 31
  coercions_completed: 29
state_compensation:
  claims: 3
  resolved: 2
  pending: 1
  amount: 1500000
"""


def _content(root: Path, forms: str = FORMS) -> Path:
    content = root / "content"
    shutil.copytree(MINI, content)
    path = content / "datasets" / "2024-6m" / "gamma.yml"
    path.write_text(GAMMA.read_text(encoding="utf-8") + forms, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forms")
    content = _content(root)
    out = root / "out"
    args = ["--content", str(content), "--reports", str(out / "reports"), "--strict"]
    assert main([*args, "--site", str(out / "site"), "--cache", str(out / "cache")]) == 0
    return out / "reports"


def test_the_unit_page_shows_both_forms_in_both_editions(built: Path) -> None:
    vi = generated(built, "vi/2024/6-thang/gamma/index.md")
    coercion = after_heading(vi, "Biện pháp bảo đảm, cưỡng chế thi hành án")
    assert "Tổ chức cưỡng chế</th><td>31</td>" in coercion.replace(' class="mb-num"', "")
    assert after_heading(vi, "Giải quyết bồi thường nhà nước")
    en = generated(built, "en/2024/6-months/gamma/index.md")
    assert after_heading(en, "Security and coercive measures")
    assert after_heading(en, "State compensation")


def test_the_open_data_has_every_figure_of_the_forms(built: Path) -> None:
    path = built / "files" / "du-lieu" / "2024-6m" / "thads-2024-6m-gamma.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    found = {(row["block"], row["field"]): row["value"] for row in rows}
    assert found[("coercion", "coercions")] == "31"
    assert found[("state_compensation", "resolved")] == "2"
    # money in đồng, from thousand_vnd: 1.500.000 nghìn đồng
    assert found[("state_compensation", "amount")] == "1500000000"


def test_the_methodology_page_defines_the_forms(built: Path) -> None:
    vi = body(built, "vi/phuong-phap/index.md")
    assert "Cưỡng chế thành công ≤ tổ chức cưỡng chế" in vi
    assert "Số tiền bồi thường" in vi


@pytest.mark.parametrize(
    ("forms", "rule"),
    [
        (FORMS.replace("coercions_completed: 29", "coercions_completed: 32"), "coercion_outcome"),
        (FORMS.replace("pending: 1", "pending: 2"), "compensation_outcome"),
    ],
)
def test_the_forms_identities_are_checked(tmp_path: Path, forms: str, rule: str) -> None:
    _, problems = check_content(_content(tmp_path, forms))
    found = [p for p in problems.items if p.rule == rule]
    assert found and all(p.severity.value == "error" for p in found), [str(p) for p in found]
    assert "gamma.yml" in found[0].format()


def test_the_period_overview_gives_reform_status_per_unit_with_a_chart(built: Path) -> None:
    vi = generated(built, "vi/2024/6-thang/index.md")
    summary = after_heading(vi, "Tiến độ cải cách hành chính")
    assert 'class="mb-chart mb-chart--reform"' in summary
    assert "Cơ chế một cửa: 1 đơn vị (1 đã hoàn thành)." in summary
    per_unit = summary.split("Tình trạng cải cách hành chính của từng đơn vị", 1)[1]
    row = next(line for line in per_unit.splitlines() if "Tỉnh Alpha" in line)
    assert "Đã hoàn thành" in row and "Đang triển khai" in row
    en = body(built, "en/2024/6-months/index.md")
    assert "Administrative reform, status per unit" in en


def test_the_history_tracks_inspections_and_reform_over_the_periods(built: Path) -> None:
    vi = generated(built, "vi/don-vi/alpha/index.md")
    inspections = after_heading(vi, "Kiểm tra qua các kỳ").split("</table>", 1)[0]
    assert inspections.count('<tr><th scope="row"') == 2  # comprehensive, thematic: 2024-6m
    reform = after_heading(vi, "Cải cách hành chính qua các kỳ").split("</table>", 1)[0]
    assert "6 tháng năm 2024" in reform and "Cơ chế một cửa" in reform


def test_a_reform_status_quote_is_checked_against_the_archived_source(tmp_path: Path) -> None:
    content = _content(tmp_path, "")
    path = content / "datasets" / "2024-6m" / "alpha.yml"
    text = path.read_text(encoding="utf-8").replace(
        "{key: one_stop, status: done}",
        '{key: one_stop, status: done, quote: "đã hoàn thành cơ chế một cửa"}',
    )
    path.write_text(text, encoding="utf-8")
    _, problems = check_content(content)
    found = [p.format() for p in problems.items if "reform[0].quote" in p.format()]
    assert found and "a quote needs the archived source" in found[0], found


def test_a_units_reform_history_is_runs_of_one_status() -> None:
    def page(period: str, *items: tuple[str, str]) -> Any:
        reform = [Reform(key=key, status=status) for key, status in items]
        return SimpleNamespace(period=Period.parse(period), dataset=SimpleNamespace(reform=reform))

    pages = [
        page("2024-12m", ("one_stop", "in_progress")),
        page("2024-6m", ("one_stop", "in_progress"), ("online_filing", "planned")),
        page("2025-3m", ("one_stop", "done")),
        page("2025-6m", ("one_stop", "done"), ("online_filing", "planned")),
    ]
    runs = [
        (r.key, r.status, r.first.period.key, r.last.period.key) for r in reform_over_periods(pages)
    ]
    assert runs == [
        ("one_stop", "in_progress", "2024-6m", "2024-12m"),
        ("one_stop", "done", "2025-3m", "2025-6m"),
        # not reported in 2024-12m or 2025-3m: one run from its first report to its last
        ("online_filing", "planned", "2024-6m", "2025-6m"),
    ]
