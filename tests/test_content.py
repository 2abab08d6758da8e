"""The bundled content: it checks clean, and every figure traces to its sentence."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from minhbach.check.checked import Content
from minhbach.check.validate import DatasetChecker, check_content
from minhbach.content.catalogue import get_catalogue
from minhbach.content.figures import Figure, Qualifier
from minhbach.content.models import Dataset
from minhbach.content.numbers import figure_text

from .conftest import CONTENT, REPO

CATALOGUE = get_catalogue()


@pytest.fixture(scope="module")
def content() -> Content:
    checked, problems = check_content(CONTENT)
    assert [p.format() for p in problems] == []
    return checked


def test_build_check_passes_strict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from minhbach.machinery.cli import main

    monkeypatch.chdir(REPO)
    assert main(["--strict", "check"]) == 0
    assert capsys.readouterr().out == (
        "check ok: 7 datasets, 6 units, 7 periods; 0 errors, 0 warnings\n"
        # The sources of four periods give no date: they have no release entry.
        "note: 4 period(s) have no entry in releases.yml and are published without an "
        "announced time: 2018-8m, 2020-6m, 2020-9m, 2024-3m (hint: list a period in releases.yml "
        "with its publish_at to hold it until then)\n"
    )


def _figures(value: object, loc: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Figure]]:
    from pydantic import BaseModel

    if isinstance(value, Figure):
        return [(loc, value)]
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _figures(v, (*loc, str(k)))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _figures(v, (*loc, str(i)))]
    if isinstance(value, BaseModel):
        return [f for k in type(value).model_fields for f in _figures(getattr(value, k), (*loc, k))]
    return []


def test_every_bundled_figure_quotes_its_sentence_with_the_same_number(content: Content) -> None:
    checked_figures = 0
    unarchived = []
    for checked in content.datasets:
        if not checked.dataset.main_source.archive:
            # No verbatim copy of the source to quote from: its figures carry no quote.
            unarchived.append(Path(checked.src_path).parts[-2:])
            assert all(not f.quote for _, f in _figures(checked.dataset))
            continue
        for loc, figure in _figures(checked.dataset):
            assert figure.quote, f"{checked.src_path}: {'.'.join(loc)} has no quote"
            field = CATALOGUE.field_at(loc)
            assert field is not None
            is_money = (
                "money" in loc[:2]
                and field.measure == "amount"
                and (
                    "change" not in loc
                    or CATALOGUE.field_at(loc[: loc.index("change") + 2]).measure == "amount"
                )
            )
            scale = Decimal(10) ** 9 if is_money else Decimal(1)
            written = figure_text(figure, scale).lstrip("-")
            assert written in figure.quote, f"{checked.src_path}: {'.'.join(loc)}: {written}"
            checked_figures += 1
    assert checked_figures == 56
    assert unarchived == [("2018-8m", "ba-dinh.yml")]


def test_quang_tri_2016(content: Content) -> None:
    dataset = next(
        d
        for d in content.datasets
        if d.unit_id == "pre2025:quang-tri" and d.period.key == "2016-12m"
    ).dataset
    assert dataset.cases is not None and dataset.money is not None
    assert dataset.cases.completed is not None and dataset.cases.completed.value == 3086
    assert dataset.cases.accepted is not None and dataset.cases.accepted.value == 3725
    completed = dataset.money.completed
    assert completed is not None
    assert (completed.value, completed.qualifier) == (Decimal(47) * 10**9, Qualifier.NEARLY)
    assert dataset.cases.in_progress is None  # not reported, never zero


def test_ba_dinh_2018_is_the_branch_of_the_moj_article(content: Content) -> None:
    # moj.gov.vn ItemID=3007 (29/06/2018): Chi cục THADS quận Ba Đình, 8 months, money 3,26%.
    checked = next(d for d in content.datasets if d.unit_id == "pre2025:ba-dinh")
    dataset = checked.dataset
    assert checked.period.key == "2018-8m"
    assert dataset.cases is None and dataset.ranking is None
    assert dataset.money is not None and dataset.money.rate is not None
    assert dataset.money.rate.value == Decimal("3.26")
    assert _figures(dataset) == [(("money", "rate"), dataset.money.rate)]
    source = dataset.main_source
    assert (source.date, source.archive) == (dt.date(2018, 6, 29), None)
    assert source.url == (
        "https://moj.gov.vn/qt/tintuc/Pages/hoat-dong-cua-cac-don-vi-thuoc-bo.aspx?ItemID=3007"
    )
    # 'trên 32%': the year's target, shown beside an 8-month result for reference only.
    target = checked.targets["money"]
    assert (target.value, target.qualifier) == (Decimal(32), Qualifier.OVER)


def test_targets_resolve_per_unit_and_year(content: Content) -> None:
    by_key = {(d.unit_id, d.period.key): d for d in content.datasets}
    quang_tri = by_key[("pre2025:quang-tri", "2016-12m")]
    assert {k: v.value for k, v in quang_tri.targets.items()} == {"cases": 74, "money": 32}
    dong_thap = by_key[("pre2025:dong-thap", "2021-12m")]
    assert dong_thap.targets["cases"].value == Decimal("81.50")
    assert ("post2025:phu-tho", 2025) in content.targets
    assert ("pre2025:phu-tho", 2025) not in content.targets


def test_archived_sources_are_the_seed_articles() -> None:
    seeds = REPO.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside this clone")
    for path in sorted(seeds.glob("00*.txt")):
        assert (CONTENT / "sources" / path.name).read_bytes() == path.read_bytes()


def test_no_dataset_outside_the_period_layout() -> None:
    for path in (CONTENT / "datasets").rglob("*"):
        if path.is_file():
            assert path.suffix == ".yml" and len(path.relative_to(CONTENT / "datasets").parts) == 2
    assert Path(CONTENT / "provinces.yml").is_file()


def test_the_figures_checked_are_those_of_the_scaled_dataset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # check_measures reads the figures found while scaling, with the scaled ones put in.
    scale_money = DatasetChecker.scale_money
    scaled_datasets = 0

    def comparing(self: DatasetChecker) -> Dataset:
        nonlocal scaled_datasets
        scaled = scale_money(self)
        found = list(self.figures(scaled))
        assert [(loc, amount) for loc, _, _, amount in self.scaled_figures] == [
            (loc, amount) for loc, _, _, amount in found
        ]
        assert all(
            ours[1] is theirs[1] and ours[2] is theirs[2]
            for ours, theirs in zip(self.scaled_figures, found, strict=True)
        )
        scaled_datasets += 1
        return scaled

    monkeypatch.setattr(DatasetChecker, "scale_money", comparing)
    check_content(CONTENT)
    check_content(REPO / "tests" / "fixtures" / "mini")
    assert scaled_datasets > 10


def test_the_readme_dataset_example_is_part_of_the_real_one_and_checks_clean(
    tmp_path: Path,
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    real = CONTENT / "datasets/2016-12m/quang-tri.yml"
    real_lines = real.read_text(encoding="utf-8").splitlines()
    assert all(line in real_lines for line in example.splitlines())  # copied, not invented
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "datasets/2016-12m/quang-tri.yml").write_text(example, encoding="utf-8")
    _, problems = check_content(content)
    assert [p.format() for p in problems] == []
