"""The unit registry: 63 old units, 34 new ones, the merger map, and resolution by date."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from minhbach.content.models import RegistryFile
from minhbach.content.registry import Registry, ResolveError
from minhbach.content.yamlfile import load_yaml
from minhbach.problems import Problems

from .conftest import CONTENT

BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def registry() -> Registry:
    problems = Problems()
    doc = load_yaml(CONTENT / "provinces.yml", problems)
    assert doc is not None and not problems.items
    return Registry.from_file(RegistryFile.model_validate(doc.data))


def test_counts(registry: Registry) -> None:
    assert len(registry.in_scheme("pre2025")) == 63
    assert len(registry.in_scheme("post2025")) == 34
    assert [u.slug for u in registry.in_scheme("national")] == ["toan-quoc"]
    assert registry.check() == []


def test_every_old_unit_maps_to_exactly_one_new_unit(registry: Registry) -> None:
    uses = Counter(slug for u in registry.in_scheme("post2025") for slug in u.formed_from)
    assert set(uses) == {u.slug for u in registry.in_scheme("pre2025")}
    assert set(uses.values()) == {1}


def test_merger_shape(registry: Registry) -> None:
    sizes = Counter(len(u.formed_from) for u in registry.in_scheme("post2025"))
    # Resolution 202/2025/QH15: 11 unchanged units; 23 new units formed from 52 old ones.
    assert sizes[1] == 11
    assert sum(n for n in sizes.elements() if n > 1) == 52
    assert sum(c for n, c in sizes.items() if n > 1) == 23


def test_reused_code_pitfall(registry: Registry) -> None:
    # New Bắc Ninh carries code 24, which was old Bắc Giang's; old Bắc Ninh was 27.
    old_24 = next(u for u in registry.in_scheme("pre2025") if u.code == "24")
    new_24 = next(u for u in registry.in_scheme("post2025") if u.code == "24")
    assert (old_24.slug, new_24.slug) == ("bac-giang", "bac-ninh")
    assert registry.resolve("bac-ninh", BEFORE).code == "27"
    assert registry.resolve("bac-ninh", AFTER).code == "24"
    assert registry.resolve("bac-ninh", BEFORE).id != registry.resolve("bac-ninh", AFTER).id
    reused = [
        u.slug
        for u in registry.in_scheme("post2025")
        if any(p.code == u.code and p.slug != u.slug for p in registry.predecessors(u))
    ]
    # THADS.md §4.2 lists the seven; Huế keeps Thừa Thiên Huế's code under a new slug.
    assert sorted(reused) == [
        "an-giang",
        "bac-ninh",
        "dong-thap",
        "gia-lai",
        "hue",
        "lao-cai",
        "quang-tri",
        "tay-ninh",
    ]


@pytest.mark.parametrize(
    ("slug", "day", "code"),
    [
        ("quang-tri", BEFORE, "45"),
        ("quang-tri", AFTER, "44"),
        ("gia-lai", BEFORE, "64"),
        ("gia-lai", AFTER, "52"),
        ("ha-noi", BEFORE, "01"),
        ("ha-noi", AFTER, "01"),
        ("thua-thien-hue", BEFORE, "46"),
        ("hue", AFTER, "46"),
    ],
)
def test_resolve_by_date(registry: Registry, slug: str, day: dt.date, code: str) -> None:
    assert registry.resolve(slug, day).code == code


def test_merged_unit_after_merger_names_its_successor(registry: Registry) -> None:
    with pytest.raises(ResolveError) as info:
        registry.resolve("quang-binh", AFTER)
    assert info.value.hint == "use unit: quang-tri for periods ending from 01/07/2025"


def test_new_unit_before_merger_names_its_predecessors(registry: Registry) -> None:
    with pytest.raises(ResolveError) as info:
        registry.resolve("hue", BEFORE)
    assert info.value.hint == "before the merger, use one of its predecessors: 'thua-thien-hue'"


def test_nation_resolves_on_any_day(registry: Registry) -> None:
    assert registry.resolve("toan-quoc", BEFORE) == registry.resolve("toan-quoc", AFTER)


def test_successor_and_predecessors(registry: Registry) -> None:
    new = registry.resolve("ho-chi-minh", AFTER)
    assert [u.slug for u in registry.predecessors(new)] == [
        "binh-duong",
        "ba-ria-vung-tau",
        "ho-chi-minh",
    ]
    assert registry.successor(registry.resolve("binh-duong", BEFORE)) == new


def test_registry_check_finds_a_unit_mapped_twice(registry: Registry) -> None:
    units = list(registry.units)
    index = next(i for i, u in enumerate(units) if u.slug == "ha-noi" and u.scheme == "post2025")
    units[index] = units[index].model_copy(update={"formed_from": ["ha-noi", "bac-giang"]})
    broken = Registry(registry.schemes, tuple(units), registry.regions)
    messages = [m for _, m in broken.check()]
    assert (
        "'bac-giang' is in 2 formed_from lists; every old unit becomes part of exactly one "
        "new unit" in messages
    )


def _without_scheme(data: dict, scheme: str) -> None:
    data["schemes"] = [s for s in data["schemes"] if s["id"] != scheme]


def _only_old_units(data: dict) -> None:
    data["units"] = [u for u in data["units"] if u["scheme"] != "post2025"]


def _both_schemes_open(data: dict) -> None:
    for scheme in data["schemes"]:
        scheme.pop("valid_from", None)
        scheme.pop("valid_to", None)


def _gap(data: dict) -> None:
    data["schemes"][1]["valid_from"] = dt.date(2025, 9, 1)


def _no_nation(data: dict) -> None:
    data["units"] = [u for u in data["units"] if u["scheme"] != "national"]


def _unit_in_two_new(data: dict) -> None:
    new = [u for u in data["units"] if u["scheme"] == "post2025"]
    new[0]["formed_from"].append(new[1]["formed_from"][0])


def _same_scheme_twice(data: dict) -> None:
    data["schemes"].append(dict(data["schemes"][1]))


def _no_schemes(data: dict) -> None:
    data["schemes"] = []


BROKEN = {
    "no post2025 scheme": lambda data: _without_scheme(data, "post2025"),
    "no pre2025 scheme": lambda data: _without_scheme(data, "pre2025"),
    "no post2025 units": _only_old_units,
    "schemes without dates": _both_schemes_open,
    "a gap between the schemes": _gap,
    "no national unit": _no_nation,
    "an old unit in two new ones": _unit_in_two_new,
    "a scheme listed twice": _same_scheme_twice,
    "no scheme": _no_schemes,
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_registry_is_reported_never_raised(
    tmp_path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import shutil

    import yaml

    from minhbach.check.validate import check_content

    # Everything that resolves a unit or a scheme: the bundled datasets and targets.
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    data = yaml.safe_load((root / "provinces.yml").read_text(encoding="utf-8"))
    BROKEN[name](data)

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True  # content refuses aliases: the values written out

    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True)
    (root / "provinces.yml").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    content, problems = check_content(root)  # never raises
    if name == "no national unit":  # a registry may lack it: its datasets then fail
        assert content.registry is not None
        assert any("unknown unit 'toan-quoc'" in p.message for p in problems.errors)
    else:
        assert content.registry is None and content.datasets == []
        assert problems.errors and {p.rule for p in problems.errors} == {"registry"}
