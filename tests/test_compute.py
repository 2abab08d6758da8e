"""The compute stage on the synthetic fixture site: totals, ranks, changes, the merger."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minhbach.check.checked import Content
from minhbach.check.validate import check_content
from minhbach.compute.model import (
    Blocks,
    Change,
    SiteModel,
    UnitPeriod,
    Value,
    add,
    compute,
    difference,
    ratio,
)
from minhbach.content.figures import Figure, Qualifier
from minhbach.content.numbers import show, signed
from minhbach.content.periods import Period
from minhbach.machinery.cache import Store
from minhbach.problems import Problems

MINI = Path(__file__).parent / "fixtures" / "mini"


def compute_stored(content: Content, folder: Path) -> tuple[SiteModel, Problems]:
    """`compute` with a store in `folder`, committed after, as one build would."""
    store = Store(folder)
    found = compute(content, store)
    store.commit(prune=True)
    store.close()
    return found


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


def _one_more_completed(national: str) -> str:
    """The mini site's national 2024-6m dataset with one more case completed (identities kept)."""
    text = national.replace("completed: 2080", "completed: 2081", 1)
    text = text.replace("rate: 74.29", "rate: 74.32", 1)
    text = text.replace("carried_forward: 1400", "carried_forward: 1399", 1)
    return text.replace("enforceable_carried_forward: 720", "enforceable_carried_forward: 719", 1)


def test_a_national_figure_that_differs_from_the_sum_is_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    national = root / "datasets" / "2024-6m" / "toan-quoc.yml"
    national.write_text(_one_more_completed(national.read_text()))
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    _model, problems = compute(content)
    lines = problems.format_lines()
    assert any(
        "cases.completed: the national dataset has 2.081 việc but the 3 units of 2024-6m sum to 2.080 việc"
        in line
        and "cases.completed: cases.completed" not in line  # the field, said once
        for line in lines
    ), lines
    assert all(p.severity.value == "warning" for p in problems.items)


def test_a_hedged_unit_figure_is_summed_as_its_range(tmp_path: Path) -> None:
    # Alpha's "hơn 599" completed is 599-600: the units sum to 2.079-2.080, so the national
    # 2.080 agrees, while 2.081 does not (a sum of the written numbers, 2.079, meets neither).
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    alpha = root / "datasets" / "2024-6m" / "alpha.yml"
    alpha.write_text(alpha.read_text().replace("  completed: 600\n", '  completed: "hơn 599"\n', 1))
    content, problems = check_content(root)
    assert problems.items == [], problems.format_lines()
    _model, problems = compute(content)
    assert problems.items == [], problems.format_lines()
    national = root / "datasets" / "2024-6m" / "toan-quoc.yml"
    national.write_text(_one_more_completed(national.read_text()))
    content, problems = check_content(root)
    assert not problems.errors, problems.format_lines()
    _model, problems = compute(content)
    completed = [p.message for p in problems.items if p.field == "cases.completed"]
    assert completed == [
        "the national dataset has 2.081 việc but the 3 units of 2024-6m sum to khoảng 2.079 việc"
    ], problems.format_lines()


def _made(model: SiteModel) -> int:
    return sum(isinstance(p.blocks, Blocks) and p.blocks.made for p in model.pages)


def test_a_model_made_lazily_equals_one_made_at_once_and_makes_only_what_is_used(
    tmp_path: Path,
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    content, _ = check_content(root)
    eager, eager_problems = compute(content)
    assert _made(eager) == 0  # the periods' totals sum the units' fields alone
    compute_stored(content, tmp_path / "cache")  # keeps the periods' reconciliation
    lazy, problems = compute_stored(content, tmp_path / "cache")
    assert _made(lazy) == 0  # no page is used yet: ranks read the rates alone
    assert page(lazy, "pre2025:alpha", "2025-6m").block("cases") is not None
    # Its own blocks, not last year's: a change reads only last year's fields and rate.
    assert _made(lazy) == 1
    assert problems.format_lines() == eager_problems.format_lines()
    assert lazy == eager  # every block, ranking and total, made now


def test_make_makes_what_the_given_periods_histories_and_pages_show(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    content, _ = check_content(root)
    compute_stored(content, tmp_path / "cache")
    model, _ = compute_stored(content, tmp_path / "cache")
    june = Period.parse("2024-6m")
    alpha = page(model, "pre2025:alpha", "2025-6m")
    model.make([june], [], [alpha])
    made = {(p.unit.id, p.period.key) for p in model.pages if p.blocks.made}  # type: ignore[attr-defined]
    period = {(p.unit.id, "2024-6m") for p in model.pages if p.period == june}
    assert made == period | {("pre2025:alpha", "2025-6m")}
    assert view(model, "2024-6m").later_totals.made
    model.make([], ["gamma"], [])
    gamma = model.history("gamma")
    assert all(p.blocks.made for p in gamma.pages)  # type: ignore[attr-defined]


def test_the_reconciliation_kept_for_a_period_is_used_only_while_its_datasets_are_unchanged(
    tmp_path: Path,
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    cache = tmp_path / "cache"
    content, _ = check_content(root)
    _, problems = compute_stored(content, cache)
    assert problems.warnings == []
    national = root / "datasets" / "2024-6m" / "toan-quoc.yml"
    national.write_text(_one_more_completed(national.read_text()))
    content, checked = check_content(root)
    assert not checked.errors, checked.format_lines()
    for _ in range(2):  # made, then kept
        model, problems = compute_stored(content, cache)
        found = [p.message for p in problems.warnings if p.rule == "national_totals"]
        assert len(found) == 3 and "has 2.081 việc" in found[0], problems.format_lines()
    assert _made(model) == 0


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


def test_values_and_changes_are_immutable_and_compare_by_their_fields() -> None:
    figure = Figure(Decimal(47), qualifier=Qualifier.NEARLY)
    value = Value(Decimal(47), "count", Decimal(1), figure, True)
    assert value == Value.of(figure, "count") and hash(value) == hash(Value.of(figure, "count"))
    assert value != value._replace(approximate=False)
    with pytest.raises(AttributeError):
        value.point = Decimal(0)  # type: ignore[misc]
    change = Change("completed", value, None, None, value, "combined")
    assert change.published is None and change.differs is False  # their defaults
    with pytest.raises(AttributeError):
        change.basis = "computed"  # type: ignore[misc]


decimals = st.decimals(min_value=-(10**15), max_value=10**15, places=3, allow_nan=False)
steps = st.sampled_from([Decimal(1), Decimal("1.0"), Decimal("0.01"), Decimal(1000)])
values = st.builds(
    lambda point, step, approximate: Value(point, "money", step, None, approximate),
    decimals,
    steps,
    st.booleans(),
)


@given(st.lists(values, min_size=1, max_size=8))
def test_a_sum_is_exact_as_coarse_as_its_coarsest_part_and_hedged_if_any_part_is(
    parts: list[Value],
) -> None:
    total = add(parts)
    assert repr(total.point) == repr(sum((v.point for v in parts), Decimal(0)))
    assert repr(total.step) == repr(max(v.step for v in parts))  # the first of equal steps
    assert total.approximate == any(v.approximate for v in parts)
    assert total.figure is None and total.measure == "money"


@given(values, values)
def test_a_difference_and_a_ratio_follow_their_parts(a: Value, b: Value) -> None:
    gap = difference(a, b, "points")
    assert gap == Value(a.point - b.point, "points", min(a.step, b.step), None, gap.approximate)
    assert repr(gap.step) == repr(min(a.step, b.step))
    assert gap.approximate == (a.approximate or b.approximate)
    share = ratio(a, b)
    if b.point <= 0:
        assert share is None
    else:
        assert share == Value(
            a.point / b.point * 100, "percent", Decimal("0.01"), None, gap.approximate
        )
