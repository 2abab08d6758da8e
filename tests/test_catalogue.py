"""The catalogue and the models stay in step: no undocumented field, no orphan entry."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from minhbach.content import models
from minhbach.content.catalogue import get_catalogue

CATALOGUE = get_catalogue()
GROUP_MODELS: dict[str, type[BaseModel]] = {
    "dataset": models.Dataset,
    "source": models.Source,
    "results": models.Results,
    "subaggregate": models.SubAggregate,
    "change": models.Change,
    "admin_judgments": models.AdminJudgments,
    "citizen_reception": models.CitizenReception,
    "coercion": models.Coercion,
    "state_compensation": models.StateCompensation,
    "inspection": models.Inspection,
    "reform": models.Reform,
    "ranking": models.Ranking,
    "acknowledgement": models.Acknowledgement,
    "revision": models.Revision,
}


@pytest.mark.parametrize("group", sorted(GROUP_MODELS))
def test_every_model_field_is_in_the_catalogue_and_back(group: str) -> None:
    assert list(GROUP_MODELS[group].model_fields) == list(CATALOGUE.groups[group].fields)


def test_every_group_is_checked_against_a_model() -> None:
    assert set(CATALOGUE.groups) == set(GROUP_MODELS)


def test_every_field_has_both_languages() -> None:
    for group in CATALOGUE.groups.values():
        for field in group.fields.values():
            for text in (field.label, field.definition):
                assert text.vi.strip() and text.en.strip(), field.key


def test_enum_values_have_labels() -> None:
    for group in CATALOGUE.groups.values():
        for key, field in group.fields.items():
            if field.measure == "enum":
                labels = CATALOGUE.enums[
                    "reform_status" if key == "status" and "planned" in field.values else key
                ]
                assert list(labels) == field.values


def test_identities_name_real_fields() -> None:
    for identity in CATALOGUE.identities:
        group = "results" if identity.kind == "subset" else identity.group
        fields = CATALOGUE.groups[group].fields
        for key in identity.field_keys():
            if identity.kind == "difference" and key == "target":
                continue
            assert key in fields, (identity.id, key)
        assert identity.text.vi and identity.text.en and identity.evidence


def test_describe_names_nested_fields() -> None:
    assert CATALOGUE.describe(("cases", "completed")) == "cases.completed (Thi hành xong)"
    assert (
        CATALOGUE.describe(("state_budget", "money", "rate"))
        == "state_budget.money.rate (Tỷ lệ thi hành xong)"
    )
    assert CATALOGUE.describe(("inspections", 0, "kind")) == "inspections[0].kind (Loại)"
    assert (
        CATALOGUE.describe(("cases", "change", "new", "absolute"), "en")
        == "cases.change.new.absolute (Newly accepted: absolute change)"
    )
