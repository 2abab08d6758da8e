"""Property tests: consistent figures pass every identity; breaking one is reported at its field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.check.checked import Content
from minhbach.check.validate import CrossChecker, DatasetChecker, _load_registry
from minhbach.content.catalogue import Identity, get_catalogue
from minhbach.content.models import Dataset
from minhbach.content.yamlfile import Document
from minhbach.problems import Problems

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


# --- hedged figures are ranges in every rule (docs/figures.md: "Hedged figures are ranges") ---
#
# For every identity of the catalogue and every rule across periods, figures with
# qualifiers whose ranges agree but whose written numbers alone do not: the rule must
# stay silent (so `--strict` passes on correct data) and must still fire when the ranges
# cannot meet. Identities are built from their kind and fields, so a new identity of a
# known kind is walked as it is added; a new kind or a new rule across periods fails
# `test_every_rule_is_walked_with_hedged_figures` until it has its case here.

Fields = dict[str, object]


def _hedged(word: str, value: int) -> str:
    # A trailing zero would widen the hedge's step ("hơn 450" is 450-460): keep them out.
    assert value % 10, value
    return f"{word} {value}"


def _partition(identity: Identity) -> tuple[Fields, Fields]:
    """Parts "gần p+1" (p to p+1 each) and a whole "hơn Σp": they meet only as ranges."""
    assert identity.whole is not None
    parts = [1000 * (i + 1) + 234 for i in range(len(identity.parts))]
    written = {key: _hedged("gần", p + 1) for key, p in zip(identity.parts, parts, strict=True)}
    whole = sum(parts)
    good = {**written, identity.whole: _hedged("hơn", whole)}
    bad = {**written, identity.whole: _hedged("hơn", whole - 21)}
    return good, bad


def _ratio(identity: Identity) -> tuple[Fields, Fields]:
    """1234 to 1235 of 1566 to 1567 is 78,75-78,86%; the written 1234 / 1567 is 78,75%."""
    assert identity.value and identity.numerator and identity.denominator
    figures = {identity.numerator: "hơn 1234", identity.denominator: "gần 1567"}
    return {**figures, identity.value: "78,85"}, {**figures, identity.value: "79,5"}


def _difference(identity: Identity) -> tuple[Fields, Fields]:
    """A rate of 81,4-81,5% against 80,00% is 1,40-1,50 points; written, 1,40."""
    assert identity.value and identity.minuend and identity.subtrahend
    figures = {identity.minuend: "hơn 81,4", identity.subtrahend: "80,00"}
    return {**figures, identity.value: "1,48"}, {**figures, identity.value: "2,5"}


def _rank(identity: Identity) -> tuple[Fields, Fields]:
    """Rank "gần 36" (35-36) of "hơn 35" (35-36) units: possible, though 36 > 35."""
    return {"cases": "gần 36", "of": "hơn 35"}, {"cases": "gần 47", "of": "hơn 35"}


BUILDERS = {"partition": _partition, "ratio": _ratio, "difference": _difference, "rank": _rank}
# Where a group's figures go in a dataset (results: both blocks, money in tỷ).
PLACES: dict[str, list[tuple[str, ...]]] = {
    "results": [("cases",), ("money",)],
    "admin_judgments": [("admin_judgments",)],
    "citizen_reception": [("citizen_reception",)],
    "coercion": [("coercion",)],
    "state_compensation": [("state_compensation",)],
    "ranking": [("ranking",)],
}


def _dataset(period: str, body: dict[str, object]) -> dict[str, object]:
    return {
        "unit": "quang-tri",
        "period": period,
        "status": "final",
        "source": {"url": "https://thads.moj.gov.vn/a"},
        "money_unit": "billion_vnd",
        **body,
    }


def _nest(place: tuple[str, ...], fields: Fields) -> dict[str, object]:
    body: dict[str, object] = dict(fields)
    for key in reversed(place):
        body = {key: body}
    return body


def _check(bodies: dict[str, dict[str, object]]) -> list[str]:
    """Check datasets of one unit, each alone and then across periods: every problem."""
    problems = Problems()
    content = Content(Path("content"), registry=REGISTRY)
    checked = {}
    for period, body in bodies.items():
        data = _dataset(period, body)
        doc = Document(f"content/datasets/{period}/quang-tri.yml", data)
        dataset = Dataset.model_validate(data)
        result = DatasetChecker(doc, dataset, CONTENT, content, problems, CATALOGUE).run()
        if result is not None:
            checked[result.period] = result
    CrossChecker(problems, CATALOGUE).run(checked)
    return [f"[{p.rule}] {p.format()}" for p in problems]


def _identity_cases() -> list[tuple[str, dict[str, dict[str, object]], dict[str, dict]]]:
    cases = []
    for identity in CATALOGUE.identities:
        if identity.kind == "subset":
            for key in identity.fields:  # one field at a time: each is its own comparison
                for block in ("cases", "money"):
                    good = {
                        block: {key: _hedged("hơn", 1234)},
                        "state_budget": {block: {key: _hedged("gần", 1235)}},
                    }
                    bad = {
                        block: {key: _hedged("hơn", 1234)},
                        "state_budget": {block: {key: _hedged("gần", 1257)}},
                    }
                    cases.append((f"{identity.id}:{block}.{key}", {"2016-12m": good}, bad))
            continue
        good_fields, bad_fields = BUILDERS[identity.kind](identity)
        for place in PLACES[identity.group]:
            name = f"{identity.id}:{'.'.join(place)}"
            good, bad = _nest(place, good_fields), _nest(place, bad_fields)
            cases.append((name, {"2016-12m": good}, bad))
    return cases


IDENTITY_CASES = _identity_cases()


# Rules across periods (and a change published both ways within one dataset, which
# reports as published_change too): datasets whose hedged figures agree as ranges only,
# and the same with one figure moved beyond its range.
CROSS_CASES: dict[str, list[tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]]] = {
    "cumulative": [
        (
            # completed 1233-1234 after 1233-1234; carried over 346-348 after 346.
            {
                "2016-6m": {"cases": {"completed": "gần 1234", "carried_over": 346}},
                "2016-9m": {"cases": {"completed": "hơn 1233", "carried_over": "khoảng 347"}},
            },
            {
                "2016-6m": {"cases": {"completed": "gần 1234", "carried_over": 346}},
                "2016-9m": {"cases": {"completed": "hơn 1203", "carried_over": "khoảng 347"}},
            },
        ),
        (
            {
                "2016-6m": {"money": {"carried_over": 346}},
                "2016-9m": {"money": {"carried_over": "khoảng 347"}},
            },
            {
                "2016-6m": {"money": {"carried_over": 346}},
                "2016-9m": {"money": {"carried_over": "khoảng 357"}},
            },
        ),
    ],
    "carry_over": [
        (
            # 2345-2346 to enforce − 1111-1112 completed = 1233-1235; carried over 1235-1236.
            {
                "2015-12m": {block: {"to_enforce": "hơn 2345", "completed": "gần 1112"}},
                "2016-12m": {block: {"carried_over": "gần 1236"}},
            },
            {
                "2015-12m": {block: {"to_enforce": "hơn 2345", "completed": "gần 1112"}},
                "2016-12m": {block: {"carried_over": "gần 1256"}},
            },
        )
        for block in ("cases", "money")
    ],
    "published_change": [
        (
            # 1234-1235 now, 1111-1112 a year before: up 122-124, or 10,97-11,16%.
            {
                "2015-12m": {block: {"completed": "gần 1112"}},
                "2016-12m": {
                    block: {
                        "completed": "hơn 1234",
                        "change": {"completed": {"absolute": "hơn 123", "percent": "khoảng 11,1"}},
                    }
                },
            },
            {
                "2015-12m": {block: {"completed": "gần 1112"}},
                "2016-12m": {
                    block: {
                        "completed": "hơn 1234",
                        "change": {"completed": {"absolute": "hơn 123", "percent": "khoảng 13,1"}},
                    }
                },
            },
        )
        for block in ("cases", "money")
    ]
    + [
        (
            # A rate's change in points: 81,4-81,5% after 79,8-79,9% is up 1,5-1,7 points.
            {
                "2015-12m": {"cases": {"rate": "gần 79,9"}},
                "2016-12m": {
                    "cases": {"rate": "hơn 81,4", "change": {"rate": {"points": "gần 1,6"}}}
                },
            },
            {
                "2015-12m": {"cases": {"rate": "gần 79,9"}},
                "2016-12m": {
                    "cases": {"rate": "hơn 81,4", "change": {"rate": {"points": "gần 3,6"}}}
                },
            },
        )
    ],
}


def test_every_rule_is_walked_with_hedged_figures() -> None:
    kinds = {identity.kind for identity in CATALOGUE.identities}
    assert kinds <= set(BUILDERS) | {"subset"}, "a new kind of identity needs a range case"
    walked = {name.split(":")[0] for name, _, _ in IDENTITY_CASES}
    assert walked == {identity.id for identity in CATALOGUE.identities}
    assert set(CROSS_CASES) == {check.id for check in CATALOGUE.cross_checks}
    assert all(CROSS_CASES.values())


@pytest.mark.parametrize(
    ("name", "good", "bad"), IDENTITY_CASES, ids=[c[0] for c in IDENTITY_CASES]
)
def test_identities_compare_hedged_figures_as_ranges(
    name: str, good: dict[str, dict[str, object]], bad: dict[str, object]
) -> None:
    rule = name.split(":")[0]
    assert _check(good) == []
    assert any(problem.startswith(f"[{rule}] ") for problem in _check({"2016-12m": bad}))


# A change published as a number and a percentage is checked within its dataset
# (`change_consistency`), hedged figures as ranges too.
CONSISTENCY_CASES = [
    (
        # Within one dataset: up 125-126 to 1234-1235 is 11,26-11,37%; written, 11,27%.
        {
            "2016-12m": {
                block: {
                    "completed": "hơn 1234",
                    "change": {"completed": {"absolute": "hơn 125", "percent": "gần 11,4"}},
                }
            }
        },
        {
            "2016-12m": {
                block: {
                    "completed": "hơn 1234",
                    "change": {"completed": {"absolute": "hơn 125", "percent": "gần 12,4"}},
                }
            }
        },
    )
    for block in ("cases", "money")
]


@pytest.mark.parametrize(("good", "bad"), CONSISTENCY_CASES, ids=["cases", "money"])
def test_a_change_published_both_ways_compares_hedged_figures_as_ranges(
    good: dict[str, dict[str, object]], bad: dict[str, dict[str, object]]
) -> None:
    assert _check(good) == []
    assert any(problem.startswith("[change_consistency] ") for problem in _check(bad))


CROSS_PARAMS = [(rule, good, bad) for rule, pairs in CROSS_CASES.items() for good, bad in pairs]


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    CROSS_PARAMS,
    ids=[f"{rule}-{index}" for index, (rule, _, _) in enumerate(CROSS_PARAMS)],
)
def test_rules_across_periods_compare_hedged_figures_as_ranges(
    rule: str, good: dict[str, dict[str, object]], bad: dict[str, dict[str, object]]
) -> None:
    assert _check(good) == []
    assert any(problem.startswith(f"[{rule}] ") for problem in _check(bad))
