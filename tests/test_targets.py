"""Targets judged only where they apply, comparable series only, and the small points of
issue 24: built pages of the mini fixture site with a few synthetic datasets added.

The annual target judges 12-month results only; a sub-annual page shows it for reference,
labelled, without ✓/✗ or a gap, unless a progress target for the period is on record. A
published gap without a target shows the target it implies, marked derived. Trend lines and
history tables join periods of one length only, and never across 01/07/2025.
"""

from __future__ import annotations

import html
import re
import shutil
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from minhbach.check.validate import check_content
from minhbach.compute.model import SiteModel, compute
from minhbach.machinery.cli import main
from minhbach.render import charts

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

HEADER = """\
status: final
source:
  title: "Báo cáo thử"
  publisher: "Cục THADS thử"
  url: https://example.org/bao-cao/thu
  date: 2024-10-10
money_unit: thousand_vnd
"""

# Synthetic datasets added to the mini fixture (whose 2024 targets for alpha are 82 and 42).
EXTRA = {
    # 12 months: judged against the annual target (cases 80 < 82: not met; money 45 > 42: met)
    "datasets/2024-12m/alpha.yml": """\
        unit: alpha
        period: 2024-12m
        cases: {completed: 800, enforceable: 1000, rate: 80.00}
        money: {completed: 45000, enforceable: 100000, rate: 45.00}
        """,
    # 12 months, a published gap and no target on record: the target it implies is derived
    "datasets/2024-12m/beta.yml": """\
        unit: beta
        period: 2024-12m
        cases: {rate: 90.70, target_gap: 2.50}
        """,
    # 9 months with the dataset's own progress target: judged against it
    "datasets/2024-9m/alpha.yml": """\
        unit: alpha
        period: 2024-9m
        cases: {completed: 700, enforceable: 1000, rate: 70.00, progress_target: 65}
        """,
}


def _write(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(MINI, content)
    for relative, text in EXTRA.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = textwrap.dedent(text).splitlines(keepends=True)  # unit, period, then figures
        path.write_text("".join(lines[:2]) + HEADER + "".join(lines[2:]), encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("targets"))


@pytest.fixture(scope="module")
def model(content: Path) -> SiteModel:
    checked, problems = check_content(content)
    assert not problems.items, [str(p) for p in problems.items]
    built, _ = compute(checked)
    return built


@pytest.fixture(scope="module")
def site(content: Path) -> Path:
    out = content.parent / "out"
    code = main(
        [
            "--content",
            str(content),
            "--reports",
            str(out / "reports"),
            "--site",
            str(out / "site"),
            "--cache",
            str(out / "cache"),
            "--strict",
        ]
    )
    assert code == 0
    return out / "site"


def text_of(site: Path, url: str) -> str:
    """The visible text of a built page, whitespace collapsed."""
    page = (site / url / "index.html").read_text(encoding="utf-8")
    body = page.split('<article class="md-content__inner md-typeset">', 1)[1]
    body = body.split("</article>", 1)[0]
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def block(model: SiteModel, unit: str, period: str, key: str = "cases") -> Any:
    page = next(
        p
        for p in model.pages
        if p.unit.slug == unit and p.period.key == period and p.unit.scheme != "post2025"
    )
    return page.blocks[key]


JUDGED = ("✓", "✗", "Chưa đạt chỉ tiêu", "Đạt chỉ tiêu")
JUDGED_EN = ("✓", "✗", "Target not met", "Target met")
# a gap to target in words, as the pages write it ('thấp hơn 2,00 điểm %', '2.00 points below')
GAP = re.compile(r"(vượt|thấp hơn)( chỉ tiêu)? (khoảng )?[\d.,]+ điểm %|points? (above|below)")


# --- item 2: the annual target judges 12-month results only ---


@pytest.mark.parametrize(
    ("url", "words", "label"),
    [
        ("2024/6-thang/alpha", JUDGED, "Chỉ tiêu năm 2024 (tham khảo)"),
        ("en/2024/6-months/alpha", JUDGED_EN, "2024 annual target (for reference)"),
    ],
)
def test_a_sub_annual_page_shows_the_annual_target_for_reference_not_judged(
    site: Path, url: str, words: tuple[str, ...], label: str
) -> None:
    text = text_of(site, url)
    assert label in text
    for word in words:
        assert word not in text, (url, word)
    assert not GAP.search(text), (url, GAP.search(text))


def test_a_sub_annual_block_has_no_gap_and_no_met(model: SiteModel) -> None:
    cases = block(model, "alpha", "2024-6m")
    assert cases.target is not None and cases.target.kind == "annual"
    assert not cases.target.judged and cases.gap is None and cases.met is None
    assert cases.rate is not None and cases.rate.point < cases.target.value.point  # would fail


@pytest.mark.parametrize(
    ("url", "words", "label"),
    [
        ("2024/6-thang", ("✓", "✗", "Chưa đạt chỉ tiêu", "đã đạt chỉ tiêu"), "chỉ tiêu năm"),
        ("en/2024/6-months", ("✓", "✗", "Target not met", "met it"), "annual target"),
    ],
)
def test_a_sub_annual_ranking_never_says_not_met(
    site: Path, url: str, words: tuple[str, ...], label: str
) -> None:
    text = text_of(site, url)
    assert label in text
    for word in words:
        assert word not in text, (url, word)


def test_a_progress_target_on_record_judges_the_period(site: Path, model: SiteModel) -> None:
    # targets.yml: alpha's progress target for 2025-6m, "trên 83,5" (annual "trên 86")
    cases = block(model, "alpha", "2025-6m")
    assert cases.target.kind == "progress" and cases.target.judged and cases.met is True
    assert cases.gap is not None and cases.gap.point == Decimal("1.5")
    # the dataset's own progress target for 2024-9m: 70 against 65
    own = block(model, "alpha", "2024-9m")
    assert own.target.kind == "progress" and own.target.origin == "dataset" and own.met is True
    text = text_of(site, "2024/9-thang/alpha")
    assert "Chỉ tiêu tiến độ 65%" in text and "✓ Đạt chỉ tiêu" in text
    assert "Progress target 65%" in text_of(site, "en/2024/9-months/alpha")


def test_a_12_month_result_is_still_judged(site: Path, model: SiteModel) -> None:
    cases, money = block(model, "alpha", "2024-12m"), block(model, "alpha", "2024-12m", "money")
    assert cases.target.judged and cases.met is False and money.met is True
    text = text_of(site, "2024/ca-nam/alpha")
    assert "Chỉ tiêu 82% · ✗ Chưa đạt chỉ tiêu (thấp hơn 2,00 điểm %)" in text
    assert "✓ Đạt chỉ tiêu" in text
    ranking = text_of(site, "2024/ca-nam")
    assert "✗" in ranking and "thấp hơn 2,00 điểm %" in ranking


def test_the_open_data_names_a_progress_target_and_gives_no_gap_beside_a_reference(
    site: Path,
) -> None:
    data = (site / "du-lieu").rglob("*2024-6m-alpha.csv")
    rows = next(data).read_text(encoding="utf-8")
    assert ",cases,target," in rows or "cases,target," in rows
    assert "target_gap" not in rows
    judged = next((site / "du-lieu").rglob("*2024-9m-alpha.csv")).read_text(encoding="utf-8")
    assert "progress_target" in judged and "target_gap" in judged
    ranking = next((site / "du-lieu").rglob("thads-2024-6m-xep-hang.csv")).read_text("utf-8")
    header, *rows = ranking.splitlines()
    line = next(r for r in rows if ",alpha," in r)
    alpha = dict(zip(header.split(","), line.split(","), strict=True))
    assert alpha["target_cases"] == "82" and alpha["gap_cases"] == ""
    assert alpha["target_kind_cases"] == "reference"
    year = next((site / "du-lieu").rglob("thads-2024-12m-xep-hang.csv")).read_text("utf-8")
    assert ",annual,annual" in year and "annual-derived" in year


# --- item 5: a published gap without a target ---


def test_a_published_gap_without_a_target_shows_the_target_it_implies(
    site: Path, model: SiteModel
) -> None:
    cases = block(model, "beta", "2024-12m")
    assert cases.target is not None and cases.target.derived
    assert cases.target.value.point == Decimal("88.20") and not cases.target.value.published
    assert cases.met is True
    vi = text_of(site, "2024/ca-nam/beta")
    assert "Chỉ tiêu (suy ra) 88,20%" in vi and "(vượt 2,50 điểm %)" in vi
    assert "Target (derived) 88.20%" in text_of(site, "en/2024/full-year/beta")
    ranking = text_of(site, "2024/ca-nam")
    assert "88,20% (suy ra)" in ranking and "vượt 2,50 điểm %" in ranking


# --- item 3 and 8: comparable series only ---


def _trend(model: SiteModel, slug: str, lang: str = "vi") -> charts.Chart:
    made = charts.trend(model.history(slug), "x.md", lang)  # type: ignore[arg-type]
    assert made is not None
    return made


def _lines(chart: charts.Chart) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {}
    for value in chart.spec["data"]["values"]:
        if value.get("kind") == "rate":
            lines.setdefault(value["line"], []).append(value["period"])
    return lines


def test_a_trend_joins_periods_of_one_length_only(model: SiteModel) -> None:
    lines = _lines(_trend(model, "alpha"))
    for periods in lines.values():
        lengths = {name.split(" ")[0] if name[0].isdigit() else "12" for name in periods}
        assert len(lengths) == 1, periods
    assert any("năm 2024" in p and not p[0].isdigit() for ps in lines.values() for p in ps)
    chart = _trend(model, "alpha")
    assert chart.summary.startswith(charts.word("trend_choice", "vi"))
    assert "kỳ 12 tháng" in chart.summary and "kỳ 6 tháng" in chart.summary
    assert chart.spec["title"]["text"] == charts.word("trend_choice", "vi")


def test_a_trend_breaks_at_the_merger(model: SiteModel) -> None:
    chart = _trend(model, "alpha")
    sides: dict[str, set[bool]] = {}
    for value in chart.spec["data"]["values"]:
        if value.get("kind") == "rate":
            sides.setdefault(value["line"], set()).add(value["date"] >= "2025-07-01")
    assert all(len(after) == 1 for after in sides.values()), sides
    assert any(True in s for s in sides.values()) and any(False in s for s in sides.values())
    # the old alpha alone and the predecessors combined are two lines, not one
    six_before = [
        line for line, s in sides.items() if line.startswith("cases-6m-") and s == {False}
    ]
    assert len(six_before) == 2, six_before
    # target lines per scheme: no pre-merger target runs past 30/06/2025
    for value in chart.spec["data"]["values"]:
        if value.get("kind") == "target" and value["date"] < "2025-07-01":
            assert value["end"] <= "2025-06-30", value


def test_a_history_table_per_period_length(site: Path) -> None:
    page = (site / "don-vi" / "alpha" / "index.html").read_text(encoding="utf-8")
    captions = re.findall(r"<caption>([^<]*)</caption>", page)
    assert any(c.endswith("kỳ 12 tháng") for c in captions), captions
    assert any(c.endswith("kỳ 6 tháng") for c in captions), captions
    assert "mỗi bảng gồm các kỳ cùng số tháng" in html.unescape(page)


# --- item 14: the small points ---


def test_a_gap_cell_reads_in_words_and_is_exact_to_a_threshold_target(model: SiteModel) -> None:
    # alpha 2025-6m: 85,00 against the progress target "trên 83,5": exact, not "khoảng"
    cases = block(model, "alpha", "2025-6m")
    assert cases.gap is not None and not cases.gap.approximate
    from minhbach.render.pages import Renderer, Strings

    cell = Renderer(model, "vi", Strings()).gap_cell(cases, sortable=False)  # type: ignore[arg-type]
    assert ">vượt 1,50 điểm %" in cell and "khoảng" not in cell and "+" not in cell
    below = Renderer(model, "vi", Strings()).gap_cell(  # type: ignore[arg-type]
        block(model, "alpha", "2024-12m"), sortable=False
    )
    assert ">thấp hơn 2,00 điểm %" in below and "−" not in below


def test_a_tile_shows_one_decimal(model: SiteModel) -> None:
    view = next(v for v in model.periods if v.period.key == "2024-12m")
    tiles = charts.tile_map(view, "x.md", "vi", [p.unit for p in view.pages])
    assert tiles is not None
    shorts = {t.get("short") for t in tiles.spec["data"]["values"] if t.get("kind") == "tile"}
    assert "90,7%" in shorts and "91%" not in shorts


def test_tooltip_dates_say_nam_in_vietnamese() -> None:
    spec = charts.template("trend", "vi")
    formats = _find(spec, "format")
    assert "%e %B năm %Y" in formats
    assert "%e %B %Y" in _find(charts.template("trend", "en"), "format")


def test_the_reform_tooltip_is_labelled() -> None:
    for lang, label in (("vi", "Nội dung cải cách"), ("en", "Reform initiative")):
        titles = [
            t for t in _tooltips(charts.template("reform", lang)) if t.get("field") == "initiative"
        ]
        assert titles and all(t.get("title") == label for t in titles), titles


def _find(spec: Any, key: str) -> list[Any]:
    found: list[Any] = []
    for node in _walk(spec):
        if key in node:
            found.append(node[key])
    return found


def _tooltips(spec: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for node in _walk(spec):
        tooltip = node.get("tooltip")
        if isinstance(tooltip, list):
            found += [t for t in tooltip if isinstance(t, dict)]
        elif isinstance(tooltip, dict):
            found.append(tooltip)
    return found


def _walk(spec: Any) -> Iterator[dict[str, Any]]:
    if isinstance(spec, dict):
        yield spec
        for value in spec.values():
            yield from _walk(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _walk(value)


def test_a_unit_page_tells_its_own_lengths_trend_the_history_every_length(site: Path) -> None:
    def trend_summary(url: str) -> str:
        page = (site / url / "index.html").read_text(encoding="utf-8")
        figure = page.split('class="mb-chart mb-chart--trend"', 1)[1]
        return html.unescape(figure.split('<p class="mb-chart__summary">', 1)[1].split("</p>")[0])

    unit = trend_summary("2024/6-thang/alpha")
    assert "kỳ 6 tháng" in unit and "kỳ 12 tháng" not in unit, unit
    assert unit.endswith("Các đường của kỳ khác 6 tháng: trong bảng số liệu các kỳ của đơn vị.")
    history = trend_summary("don-vi/alpha")
    assert "kỳ 6 tháng" in history and "kỳ 12 tháng" in history, history
    assert unit.split(". Về việc", 1)[0] == history.split(". Về việc", 1)[0]  # the choice
