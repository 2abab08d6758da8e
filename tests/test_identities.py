"""Property tests: consistent figures pass every identity; breaking one is reported at its field."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.catalogue import get_catalogue
from minhbach.models import Dataset
from minhbach.problems import Problems
from minhbach.validate import Content, DatasetChecker, _load_registry
from minhbach.yamlfile import Document

from .conftest import CONTENT

REGISTRY = _load_registry(CONTENT / "provinces.yml", Problems())
CATALOGUE = get_catalogue()


@st.composite
def consistent_cases(draw: st.DrawFn) -> dict[str, int]:
    carried_over = draw(st.integers(0, 10**6))
    new = draw(st.integers(0, 10**6))
    accepted = carried_over + new
    deducted = draw(st.integers(0, accepted))
    to_enforce = accepted - deducted
    enforceable = draw(st.integers(0, to_enforce))
    postponed = draw(st.integers(0, to_enforce - enforceable))
    completed = draw(st.integers(0, enforceable))
    in_progress = draw(st.integers(0, enforceable - completed))
    return {
        "carried_over": carried_over,
        "new": new,
        "accepted": accepted,
        "deducted": deducted,
        "to_enforce": to_enforce,
        "enforceable": enforceable,
        "not_enforceable": to_enforce - enforceable - postponed,
        "postponed_suspended": postponed,
        "completed": completed,
        "in_progress": in_progress,
        "carried_forward": to_enforce - completed,
        "enforceable_carried_forward": enforceable - completed,
    }


def run(cases: dict[str, object]) -> Problems:
    problems = Problems()
    data = {
        "unit": "quang-tri",
        "period": "2016-12m",
        "status": "final",
        "source": {"url": "https://thads.moj.gov.vn/a"},
        "cases": cases,
    }
    doc = Document("content/datasets/2016-12m/quang-tri.yml", data)
    content = Content(Path("content"), registry=REGISTRY)
    DatasetChecker(doc, Dataset.model_validate(data), CONTENT, content, problems, CATALOGUE).run()
    return problems


@settings(max_examples=200)
@given(consistent_cases(), st.sampled_from([0, 1, 2]))
def test_consistent_figures_pass(cases: dict[str, int], rate_decimals: int) -> None:
    if cases["enforceable"]:
        rate = round(cases["completed"] * 100 / cases["enforceable"], rate_decimals)
        cases = (
            {**cases, "rate": str(rate).replace(".", ",")}
            if rate_decimals
            else {**cases, "rate": int(rate)}
        )
    assert [p.format() for p in run(cases)] == []


@settings(max_examples=200)
@given(
    consistent_cases(),
    st.sampled_from(["accepted", "to_enforce", "carried_forward", "enforceable_carried_forward"]),
    st.integers(1, 1000),
)
def test_an_inflated_total_is_an_error_at_that_field(
    cases: dict[str, int], key: str, extra: int
) -> None:
    broken = {**cases, key: cases[key] + extra}
    errors = run(broken).errors
    assert errors, broken
    # Reported at the field itself, or at the whole of the partition whose sum names it.
    assert any(f"cases.{key} " in (e.field or "") or f" {key}" in e.message for e in errors)


@given(consistent_cases(), st.integers(1, 1000))
def test_completed_above_enforceable_is_an_error(cases: dict[str, int], extra: int) -> None:
    broken = {
        **cases,
        "completed": cases["enforceable"] + extra,
        "carried_forward": None,
        "enforceable_carried_forward": None,
        "in_progress": None,
    }
    messages = [p.message for p in run(broken).errors]
    assert (
        f"{broken['completed']:,}".replace(",", ".")
        + f" is larger than cases.enforceable ({cases['enforceable']:,})".replace(",", ".")
    ) in messages
