"""Sub-provincial units (subunits.yml): district branches until 30/06/2025, regional offices
from 01/07/2025, each under a province, with datasets and pages of their own."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import pytest
import yaml

from minhbach.check.validate import check_content
from minhbach.compute.model import SiteModel, compute
from minhbach.content.models import RegistryFile, SubUnit, SubunitsFile
from minhbach.content.registry import Registry, ResolveError
from minhbach.content.yamlfile import load_yaml
from minhbach.machinery.cli import main
from minhbach.problems import Problems

from .conftest import CONTENT, ContentDir, build_into

HEADER = """\
status: final
source: {url: "https://thads.moj.gov.vn/a"}
"""
SUBUNITS = """\
subunits:
  - slug: ba-dinh
    parent: ha-noi
    kind: branch
    name: {vi: "Chi cục THADS quận Ba Đình", en: "Ba Dinh District Branch"}
    code: "001"
  - slug: khu-vuc-1
    parent: ha-noi
    kind: regional
    name: {vi: "Phòng THADS khu vực 1", en: "Regional Office 1"}
  - slug: pleiku
    parent: gia-lai
    kind: branch
    name: {vi: "Chi cục THADS thành phố Pleiku", en: "Pleiku City Branch"}
    valid_from: 2016-01-01
"""


@pytest.fixture(scope="module")
def registry() -> Registry:
    problems = Problems()
    doc = load_yaml(CONTENT / "provinces.yml", problems)
    assert doc is not None and not problems.items
    base = Registry.from_file(RegistryFile.model_validate(doc.data))
    entries = SubunitsFile.model_validate(yaml.safe_load(SUBUNITS)).subunits
    assert base.check_subunits(entries) == []
    return base.with_subunits(entries)


def test_a_branch_resolves_until_the_merger(registry: Registry) -> None:
    unit = registry.resolve("ba-dinh", dt.date(2018, 5, 31))
    assert isinstance(unit, SubUnit)
    assert (unit.id, unit.kind, unit.parent, unit.code) == (
        "pre2025:ba-dinh",
        "branch",
        "ha-noi",
        "001",
    )
    # Its days default to its scheme's: until 30/06/2025, from the first day.
    assert (unit.valid_from, unit.valid_to) == (None, dt.date(2025, 6, 30))
    assert registry.resolve("ba-dinh", dt.date(2025, 6, 30)) == unit
    assert registry.parent(unit) == registry.resolve("ha-noi", dt.date(2018, 5, 31))
    assert unit.region == "dong-bang-song-hong"


def test_a_regional_office_resolves_from_the_merger(registry: Registry) -> None:
    unit = registry.resolve("khu-vuc-1", dt.date(2026, 3, 31))
    assert (unit.id, unit.scheme) == ("post2025:khu-vuc-1", "post2025")
    assert registry.parent(unit).id == "post2025:ha-noi"  # type: ignore[arg-type]
    with pytest.raises(ResolveError) as caught:
        registry.resolve("khu-vuc-1", dt.date(2025, 6, 30))
    assert caught.value.message == (
        "'khu-vuc-1' (Phòng THADS khu vực 1) exists from 01/07/2025, not on 30/06/2025"
    )
    assert caught.value.hint == "a dataset of 'khu-vuc-1' is for a period ending from 01/07/2025"


def test_a_sub_unit_outside_its_own_days_does_not_resolve(registry: Registry) -> None:
    with pytest.raises(ResolveError) as caught:
        registry.resolve("pleiku", dt.date(2015, 12, 31))
    assert caught.value.message == (
        "'pleiku' (Chi cục THADS thành phố Pleiku) exists from 01/01/2016 to 30/06/2025, "
        "not on 31/12/2015"
    )
    with pytest.raises(ResolveError):
        registry.resolve("ba-dinh", dt.date(2025, 9, 30))


def test_sub_units_are_never_provinces_of_a_scheme(registry: Registry) -> None:
    assert len(registry.in_scheme("pre2025")) == 63
    assert len(registry.in_scheme("post2025")) == 34
    ha_noi = registry.resolve("ha-noi", dt.date(2018, 5, 31))
    assert [s.slug for s in registry.subunits_of(ha_noi)] == ["ba-dinh"]
    new_ha_noi = registry.resolve("ha-noi", dt.date(2026, 3, 31))
    assert [s.slug for s in registry.subunits_of(new_ha_noi)] == ["khu-vuc-1"]


def _subunit(**fields: str) -> str:
    entry = {
        "slug": "ba-dinh",
        "parent": "ha-noi",
        "kind": "branch",
        "name": '{vi: "Chi cục THADS quận Ba Đình", en: "Ba Dinh District Branch"}',
        **fields,
    }
    lines = [f"    {key}: {value}" for key, value in entry.items() if value]
    return "subunits:\n  - " + "\n".join(lines).lstrip()


A_DATASET = {"datasets/2018-8m/ba-dinh.yml": "unit: ba-dinh\nperiod: 2018-8m\n" + HEADER}

BAD: list[tuple[str, str, list[str]]] = [
    (
        "unknown parent",
        _subunit(parent="ha-nio"),
        [
            "content/subunits.yml:3:13: subunits[0].parent: unknown parent 'ha-nio' "
            "(hint: did you mean 'ha-noi'?)"
        ],
    ),
    (
        "parent is the nation",
        _subunit(parent="toan-quoc"),
        [
            "content/subunits.yml:3:13: subunits[0].parent: a sub-unit's parent is a "
            "province, not the nation"
        ],
    ),
    (
        "regional office under a province merged away",
        _subunit(parent="ha-giang", kind="regional"),
        [
            "content/subunits.yml:3:13: subunits[0].parent: 'ha-giang' (Hà Giang) no longer "
            "exists from 01/07/2025, when a regional office (Phòng THADS khu vực) is "
            "(hint: its successor is parent: tuyen-quang (Tuyên Quang))"
        ],
    ),
    (
        "branch under a province formed in 2025",
        _subunit(parent="hue"),
        [
            "content/subunits.yml:3:13: subunits[0].parent: 'hue' (Huế) exists only from "
            "01/07/2025, after the days of a branch (Chi cục THADS) "
            "(hint: a branch belongs to one of its predecessors: 'thua-thien-hue')"
        ],
    ),
    (
        "branch after the merger",
        _subunit(valid_to="2025-12-31"),
        [
            "content/subunits.yml:6:15: subunits[0].valid_to: 31/12/2025 is outside the days "
            "of a branch (Chi cục THADS), which exists until 30/06/2025 (63 tỉnh, thành phố "
            "(đến 30/06/2025)) (hint: from 01/07/2025 the branches were replaced by regional "
            "offices: list one with kind: regional)"
        ],
    ),
    (
        "regional office before the merger",
        _subunit(kind="regional", valid_from="2025-01-01"),
        [
            "content/subunits.yml:6:17: subunits[0].valid_from: 01/01/2025 is outside the days "
            "of a regional office (Phòng THADS khu vực), which exists from 01/07/2025 (34 tỉnh, "
            "thành phố (từ 01/07/2025)) (hint: before 01/07/2025 a province had district "
            "branches: list one with kind: branch)"
        ],
    ),
    (
        "ends before it starts",
        _subunit(valid_from="2020-01-01", valid_to="2019-12-31"),
        [
            "content/subunits.yml:7:15: subunits[0].valid_to: the sub-unit ends (31/12/2019) "
            "before it starts (01/01/2020)"
        ],
    ),
    (
        "slug of a province",
        _subunit(slug="gia-lai"),
        [
            "content/subunits.yml:2:11: subunits[0].slug: 'gia-lai' is the slug of Gia Lai in "
            "provinces.yml (hint: page addresses are made of slugs: give the sub-unit its own, "
            "e.g. 'ha-noi-gia-lai')"
        ],
    ),
    (
        "slug listed twice",
        _subunit() + "\n  - " + _subunit(kind="regional").split("  - ", 1)[1],
        [
            "content/subunits.yml:6:11: subunits[1].slug: 'ba-dinh' is listed twice (first as "
            "subunits[0]) (hint: a slug names one sub-unit, whatever its kind and days)"
        ],
    ),
    (
        "not a slug",
        _subunit(slug="Ba_Dinh"),
        [
            "content/subunits.yml:2:11: subunits[0].slug: 'Ba_Dinh' is not a slug: lowercase "
            "letters a-z, digits and single hyphens only, e.g. ba-ria-vung-tau"
        ],
    ),
    (
        "empty name",
        _subunit(name='{vi: "Chi cục", en: " "}'),
        ["content/subunits.yml:5:31: subunits[0].name.en: the name is empty"],
    ),
    (
        "unknown kind",
        _subunit(kind="district"),
        [
            "content/subunits.yml:4:11: subunits[0].kind: 'district' is not allowed; "
            "expected 'branch' or 'regional'"
        ],
    ),
    (
        "code twice under one parent",
        _subunit(code='"001"')
        + "\n  - "
        + _subunit(slug="hoan-kiem", code='"001"').split("  - ", 1)[1],
        [
            "content/subunits.yml:11:11: subunits[1].code: code 001 is used twice under "
            "'ha-noi' (first by subunits[0])"
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_subunits_give_exact_messages(site: ContentDir, text: str, expected: list[str]) -> None:
    site.write("subunits.yml", text + "\n")
    for relative, dataset in A_DATASET.items():
        site.write(relative, dataset)
    result = site.check()
    assert result.code == 1
    assert result.lines == expected
    assert "Traceback" not in result.err + result.out


def test_without_subunits_a_branch_is_an_unknown_unit(site: ContentDir) -> None:
    site.write("datasets/2024-9m/pleiku.yml", "unit: pleiku\nperiod: 2024-9m\n" + HEADER)
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/datasets/2024-9m/pleiku.yml:1:7: unit (Đơn vị): unknown unit 'pleiku' (hint: "
        "a unit is a slug of provinces.yml; a district branch or regional office is listed in "
        "subunits.yml first, under its province)"
    ]


def test_a_sub_unit_dataset_checks(site: ContentDir) -> None:
    site.write("subunits.yml", SUBUNITS)
    site.write("datasets/2024-9m/pleiku.yml", "unit: pleiku\nperiod: 2024-9m\n" + HEADER)
    site.write("datasets/2018-8m/ba-dinh.yml", "unit: ba-dinh\nperiod: 2018-8m\n" + HEADER)
    result = site.check("--strict")
    assert result.code == 0, result.err
    assert result.out.startswith("check ok: 2 datasets, 2 units, 2 periods")


def test_a_sub_unit_dataset_outside_its_days_is_a_located_error(site: ContentDir) -> None:
    site.write("subunits.yml", SUBUNITS)
    site.write("datasets/2026-6m/ba-dinh.yml", "unit: ba-dinh\nperiod: 2026-6m\n" + HEADER)
    site.write("datasets/2015-12m/pleiku.yml", "unit: pleiku\nperiod: 2015-12m\n" + HEADER)
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/datasets/2015-12m/pleiku.yml:1:7: unit (Đơn vị): 'pleiku' (Chi cục THADS "
        "thành phố Pleiku) exists from 01/01/2016 to 30/06/2025, not on 30/09/2015 (hint: a "
        "dataset of 'pleiku' is for a period ending from 01/01/2016 to 30/06/2025)",
        "content/datasets/2026-6m/ba-dinh.yml:1:7: unit (Đơn vị): 'ba-dinh' (Chi cục THADS "
        "quận Ba Đình) exists until 30/06/2025, not on 31/03/2026 (hint: a dataset of "
        "'ba-dinh' is for a period ending until 30/06/2025)",
    ]


def test_a_target_may_name_a_sub_unit_in_its_days(site: ContentDir) -> None:
    site.write("subunits.yml", SUBUNITS)
    site.write("datasets/2018-8m/ba-dinh.yml", "unit: ba-dinh\nperiod: 2018-8m\n" + HEADER)
    site.write(
        "targets.yml",
        "targets:\n  - {year: 2018, unit: ba-dinh, money: 32}\n"
        "  - {year: 2026, unit: ba-dinh, money: 32}\n",
    )
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/targets.yml:3:24: targets[1].unit: no unit 'ba-dinh' in statistical year "
        "2026 (hint: a dataset of 'ba-dinh' is for a period ending until 30/06/2025)"
    ]


# --- a fixture site with sub-units ---

MINI = Path(__file__).parent / "fixtures" / "mini"
MINI_SUBUNITS = """\
subunits:
  - slug: alpha-bac
    parent: alpha
    kind: branch
    name: {vi: "Chi cục THADS huyện Alpha Bắc", en: "Alpha Bac District Branch"}
    code: "001"
  - slug: alpha-khu-vuc-1
    parent: alpha
    kind: regional
    name: {vi: "Phòng THADS khu vực 1", en: "Regional Office 1"}
"""
# A branch's figures, large enough that adding them to the provinces' would show.
BRANCH = """\
unit: alpha-bac
period: 2024-6m
status: final
source:
  title: "Báo cáo thử alpha-bac 2024-6m"
  publisher: "Chi cục THADS thử"
  url: https://example.org/bao-cao/alpha-bac-2024-6m
  date: 2024-04-10
cases:
  enforceable: 1000
  completed: 990
  rate: 99.00
"""


@pytest.fixture(scope="module")
def with_subunits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("subunits") / "content"
    shutil.copytree(MINI, root)
    (root / "subunits.yml").write_text(MINI_SUBUNITS, encoding="utf-8")
    (root / "datasets" / "2024-6m" / "alpha-bac.yml").write_text(BRANCH, encoding="utf-8")
    return root


def _model(root: Path) -> SiteModel:
    content, problems = check_content(root)
    assert not problems.items, problems.format_lines()
    model, problems = compute(content)
    assert not problems.items, problems.format_lines()
    return model


def test_a_sub_unit_is_never_ranked_mapped_or_summed(with_subunits: Path) -> None:
    model, plain = _model(with_subunits), _model(MINI)
    view = next(v for v in model.periods if v.period.key == "2024-6m")
    before = next(v for v in plain.periods if v.period.key == "2024-6m")
    assert [p.unit.slug for p in view.subunits] == ["alpha-bac"]
    assert [p.unit.slug for p in view.pages] == [p.unit.slug for p in before.pages]
    assert [(r.page.unit.slug, r.rank_cases) for r in view.ranking] == [
        (r.page.unit.slug, r.rank_cases) for r in before.ranking
    ]
    assert all(p.ranked_of == 3 for p in view.pages) and view.subunits[0].rank == {}
    assert view.totals is not None and before.totals is not None
    assert view.totals.units == 3
    assert view.totals.blocks["cases"].fields == before.totals.blocks["cases"].fields
    assert view.reconciliation == before.reconciliation == []


def test_the_province_history_lists_its_sub_units(with_subunits: Path) -> None:
    model = _model(with_subunits)
    alpha = model.history("alpha")
    assert [(r.unit.slug, r.latest is not None) for r in alpha.subunits] == [
        ("alpha-bac", True),
        ("alpha-khu-vuc-1", False),
    ]
    branch = model.history("alpha-bac")
    assert branch.is_subunit and branch.parent is not None and branch.parent.slug == "alpha"
    assert [p.period.key for p in branch.pages] == ["2024-6m"]
    assert model.history("alpha-khu-vuc-1").pages == []  # listed, so it has a page


def _read(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(with_subunits: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    assert build_into(with_subunits, out, "--strict") == 0
    return out / "site"


def test_a_sub_unit_has_its_pages_in_both_editions(built: Path) -> None:
    vi = _read(built, "2024/6-thang/alpha-bac")
    assert (
        'Chi cục THADS thuộc Cục THADS tỉnh <a href="../../../don-vi/alpha/">Tỉnh Alpha</a>' in vi
    )
    en = _read(built, "en/2024/6-months/alpha-bac")
    assert "District branch (Chi cục THADS) of the THADS department of" in en
    assert '<a href="../../../units/alpha/">Alpha Province</a>' in en
    assert "Alpha Bac District Branch" in _read(built, "en/units/alpha-bac")
    assert "đến 30/06/2025" in _read(built, "don-vi/alpha-bac")
    assert "from 1 July 2025" in _read(built, "en/units/alpha-khu-vuc-1")


def test_the_parent_page_lists_it_and_the_ranking_does_not(built: Path) -> None:
    for path, kind in (("don-vi/alpha", "Chi cục THADS"), ("en/units/alpha", "District branch")):
        page = _read(built, path)
        table = page[page.index('class="mb-sortable mb-group mb-subunits"') :]
        table = table[: table.index("</table>")]
        assert "alpha-bac/" in table and kind in table and "alpha-khu-vuc-1/" in table
    period = _read(built, "2024/6-thang")
    ranking = period[period.index('class="mb-sortable mb-ranking"') :]
    ranking = ranking[: ranking.index("</table>")]
    assert "Alpha Bắc" not in ranking and "Tỉnh Alpha" in ranking
    subunits = period[period.index('class="mb-sortable mb-group mb-subunits"') :]
    assert "Chi cục THADS huyện Alpha Bắc" in subunits[: subunits.index("</table>")]
    # The map has a tile per province: three, not four.
    assert period.count('class="mb-tile ') in (0, 3)


def test_open_data_carries_the_parent(built: Path) -> None:
    data = built / "du-lieu"
    datasets = list(csv.DictReader(io.StringIO((data / "datasets.csv").read_text("utf-8"))))
    parents = {(d["period"], d["unit"]): d["unit_parent"] for d in datasets}
    assert parents[("2024-6m", "alpha-bac")] == "alpha"
    assert {v for k, v in parents.items() if k[1] != "alpha-bac"} == {""}
    observations = csv.DictReader(
        io.StringIO(gzip.decompress((data / "thads.csv.gz").read_bytes()).decode("utf-8"))
    )
    rows = [o for o in observations if o["unit"] == "alpha-bac"]
    assert rows and {o["unit_parent"] for o in rows} == {"alpha"}
    units = list(csv.DictReader(io.StringIO((data / "units.csv").read_text("utf-8"))))
    branch = next(u for u in units if u["slug"] == "alpha-bac")
    assert (branch["scheme"], branch["kind"], branch["parent"], branch["valid_to"]) == (
        "pre2025",
        "branch",
        "alpha",
        "2025-06-30",
    )


def test_the_province_registry_refuses_a_sub_unit(site: ContentDir) -> None:
    registry = site.root / "content" / "provinces.yml"
    text = registry.read_text(encoding="utf-8")
    old = '  - slug: ha-giang\n    scheme: pre2025\n    code: "02"\n    kind: province\n'
    assert old in text
    registry.write_text(text.replace(old, old.replace("province", "branch")), encoding="utf-8")
    site.write("datasets/2018-8m/ba-dinh.yml", "unit: ba-dinh\nperiod: 2018-8m\n" + HEADER)
    result = site.check()
    assert result.code == 1
    assert result.lines[0] == (
        "content/provinces.yml:57:11: units[2].kind: a branch (Chi cục THADS) is listed in "
        "subunits.yml, with its parent"
    )


def test_a_period_of_a_sub_unit_alone_has_no_ranking_and_no_map() -> None:
    from minhbach.render import charts

    model = _model(CONTENT)
    view = next(v for v in model.periods if v.period.key == "2018-8m")
    assert view.pages == [] and view.ranking == [] and view.totals is None
    assert [p.unit.slug for p in view.subunits] == ["ba-dinh"]
    units = model.registry.in_scheme(view.scheme)
    assert charts.tile_map(view, "2018/8-thang/index.md", "vi", units) is None


def test_every_link_of_the_site_with_sub_units_resolves(built: Path) -> None:
    from tests.sitecheck import broken_links

    assert broken_links(built) == []


def test_a_sub_unit_name_is_text_wherever_it_lands(tmp_path: Path) -> None:
    payload = "<img src=x onerror=alert(1)>"
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    hostile = MINI_SUBUNITS.replace('"Chi cục THADS huyện Alpha Bắc"', f'"Chi cục {payload}"')
    (content / "subunits.yml").write_text(hostile.replace('"Regional Office 1"', f'"{payload}"'))
    (content / "datasets" / "2024-6m" / "alpha-bac.yml").write_text(BRANCH, encoding="utf-8")
    out = tmp_path / "out"
    args = ["--strict", "--content", str(content), "--reports", str(out / "r")]
    assert main([*args, "--site", str(out / "s"), "--cache", str(out / "c")]) == 0
    pages = sorted((out / "s").rglob("*.html"))
    escaped = "Chi cục &lt;img src=x onerror=alert(1)&gt;"
    shown = {str(p.relative_to(out / "s")) for p in pages if escaped in p.read_text()}
    assert shown == {  # its pages, its province's history, the units list and the period's
        "2024/6-thang/alpha-bac/index.html",
        "don-vi/alpha-bac/index.html",
        "don-vi/alpha/index.html",
        "don-vi/index.html",
        "2024/6-thang/index.html",
    }
    assert not [p for p in pages if payload in p.read_text(encoding="utf-8")]
