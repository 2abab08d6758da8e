"""The compute stage on the synthetic fixture site: totals, ranks, changes, the merger."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from minhbach.compute import SiteModel, UnitPeriod, compute
from minhbach.numbers import show, signed
from minhbach.periods import Period
from minhbach.validate import check_content

MINI = Path(__file__).parent / "fixtures" / "mini"


def model_of(root: Path) -> SiteModel:
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    model, _ = compute(content)
    return model


@pytest.fixture(scope="module")
def model() -> SiteModel:
    return model_of(MINI)


def page(model: SiteModel, unit_id: str, period: str) -> UnitPeriod:
    return next(p for p in model.pages if p.unit.id == unit_id and p.period == Period.parse(period))


def view(model: SiteModel, period: str):  # type: ignore[no-untyped-def]
    return next(v for v in model.periods if v.period == Period.parse(period))


def test_national_totals_are_summed_from_every_unit(model: SiteModel) -> None:
    totals = view(model, "2024-6m").totals
    assert totals is not None and totals.units == 3 and totals.mismatches == []
    cases = totals.blocks["cases"]
    assert cases.fields["completed"].point == 600 + 1200 + 280
    assert cases.fields["enforceable"].point == 800 + 1600 + 400
    assert show(cases.rate, "vi") == "74,29%"  # 2.080 / 2.800, recomputed from the sums
    assert show(totals.blocks["money"].fields["completed"], "vi") == "133 tỷ đồng"
    assert cases.target is not None and show(cases.target.value, "vi") == "80%"


def test_totals_hold_only_figures_every_unit_reports(model: SiteModel) -> None:
    complete = view(model, "2026-6m")
    assert complete.complete and complete.expected == 2
    assert complete.totals is None  # Gamma gives rates only: nothing to add up


def test_a_national_figure_that_differs_from_the_sum_is_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    national = root / "datasets" / "2024-6m" / "toan-quoc.yml"
    text = national.read_text().replace("completed: 2080", "completed: 2081", 1)
    text = text.replace("rate: 74.29", "rate: 74.32", 1)
    text = text.replace("carried_forward: 1400", "carried_forward: 1399", 1)
    text = text.replace("enforceable_carried_forward: 720", "enforceable_carried_forward: 719", 1)
    national.write_text(text)
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    _model, problems = compute(content)
    lines = problems.format_lines()
    assert any(
        "cases.completed: the national dataset has 2.081 việc but the 3 units of 2024-6m sum to 2.080 việc"
        in line
        for line in lines
    ), lines
    assert all(p.severity.value == "warning" for p in problems.items)


def test_equal_rates_share_a_rank(model: SiteModel) -> None:
    ranking = view(model, "2025-6m").ranking
    ranks = {row.page.unit.slug: row.rank_cases for row in ranking}
    assert ranks == {"alpha": 1, "beta": 2, "gamma": 2}  # 85%, 80%, 80%
    assert page(model, "pre2025:gamma", "2025-6m").rank == {"cases": 2, "money": 2}


def test_change_against_last_year_is_relative_for_counts_and_points_for_rates(
    model: SiteModel,
) -> None:
    cases = page(model, "pre2025:alpha", "2025-6m").blocks["cases"]
    completed = cases.changes["completed"]
    assert completed.basis == "computed"
    assert signed(completed.absolute, "vi") == "tăng 165 việc"  # type: ignore[arg-type]
    assert signed(completed.percent, "vi") == "tăng 27,50%"  # type: ignore[arg-type]
    assert signed(cases.changes["rate"].points, "vi") == "tăng 10,00 điểm %"  # type: ignore[arg-type]


def test_a_merged_unit_is_compared_with_its_predecessors_combined(model: SiteModel) -> None:
    alpha = page(model, "post2025:alpha", "2026-6m").blocks["cases"]
    change = alpha.changes["completed"]
    assert change.basis == "combined"
    assert change.previous is not None and change.previous.point == 765 + 800
    gamma = page(model, "post2025:gamma", "2026-6m").blocks["cases"]
    assert gamma.changes["rate"].basis == "computed"  # unchanged by the merger: its own series
    assert gamma.changes["rate"].points.point == Decimal("5.50")  # type: ignore[union-attr]


def test_history_marks_the_merger_and_combines_predecessors(model: SiteModel) -> None:
    alpha = model.history("alpha")
    assert [u.id for u in alpha.units] == ["pre2025:alpha", "post2025:alpha"]
    assert alpha.merged and [u.slug for u in alpha.predecessors] == ["alpha", "beta"]
    assert [c.period.key for c in alpha.combined] == ["2024-6m", "2025-6m"]
    combined = alpha.combined[1].blocks["cases"]
    assert show(combined.rate, "vi") == "82,37%"  # (765 + 800) / (900 + 1000)
    beta = model.history("beta")
    assert beta.successor is not None and beta.successor.id == "post2025:alpha"
    assert not model.history("gamma").merged


def test_rate_is_recomputed_only_when_the_source_gives_none(model: SiteModel) -> None:
    money = page(model, "pre2025:gamma", "2025-6m").blocks["money"]
    assert money.rate is not None and not money.rate.published
    assert show(money.rate, "vi") == "40,00%"
    cases = page(model, "pre2025:alpha", "2024-6m").blocks["cases"]
    assert cases.rate is not None and cases.rate.published


def test_a_target_stated_as_over_is_met_only_above_it(model: SiteModel) -> None:
    cases = page(model, "pre2025:alpha", "2025-6m").blocks["cases"]
    assert cases.target is not None and show(cases.target.value, "vi") == "trên 83,5%"
    assert cases.met is True  # 85,00 > 83,5
    beta = page(model, "pre2025:beta", "2025-6m").blocks["cases"]
    assert beta.met is True and beta.gap is not None and beta.gap.point == 0  # exactly 80


def test_missing_figures_stay_missing(model: SiteModel) -> None:
    gamma = page(model, "post2025:gamma", "2026-6m").blocks["money"]
    assert gamma.fields == {} and gamma.rate is not None and show(gamma.rate, "vi") == "gần 41%"
    assert gamma.target is None and gamma.gap is None and gamma.met is None
