"""Charts: the specs of every kind, the locales, the palette and the render cache.

These tests build real charts from the mini fixture site and render them with
vl-convert; the built pages are checked in test_build.py and in the browser in
test_browser.py.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import altair as alt
import pytest
import vl_convert
from altair.utils.schemapi import validate_jsonschema

from minhbach.check.validate import check_content
from minhbach.compute.model import SiteModel, UnitPeriod, compute
from minhbach.content.catalogue import get_catalogue
from minhbach.content.numbers import show
from minhbach.machinery.cache import Store
from minhbach.render.imageworker import ImageWorker, ImageWorkerError
from minhbach.render.pages import Renderer, Strings, charts, get_pages

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def model() -> SiteModel:
    content, problems = check_content(FIXTURE)
    assert not problems.items
    built, _ = compute(content)
    return built


def all_charts(model: SiteModel, lang: str) -> list[charts.Chart]:
    """Every chart the pages of one edition of the fixture site ask for."""
    renderer = Renderer(model, lang, Strings())  # type: ignore[arg-type]
    images, _ = charts.render_images(renderer.image_charts(), None)  # before the pages
    renderer.image_sizes = {key: (image.width, image.height) for key, image in images.items()}
    made: dict[str, charts.Chart] = {}  # each chart once, by its file
    for page in get_pages(model, lang, Strings()):  # type: ignore[arg-type]
        renderer.page_charts = []
        renderer.render(page)
        for chart in renderer.page_charts:
            made.setdefault(chart.path("svg"), chart)
    return list(made.values())


def test_every_kind_is_made_from_the_fixture_site(model: SiteModel) -> None:
    kinds = {c.kind for c in all_charts(model, "vi")}
    assert kinds >= {"rate_target", "breakdown", "trend", "ranking_cases", "ranking_money", "map"}


def test_the_chart_worker_draws_what_this_process_draws(model: SiteModel) -> None:
    made = [image_charts(model, "vi")[0], image_charts(model, "en")[-1]]
    here, _ = charts.render_images(made, None)
    with ImageWorker() as worker:
        there, stats = charts.render_images(made, None, worker=worker)
        # The worker serves batch after batch, until closed.
        again, _ = charts.render_images(made[:1], None, worker=worker)
    assert stats.rendered == 2
    assert {k: v.svg for k, v in there.items()} == {k: v.svg for k, v in here.items()}
    assert again[made[0].key].svg == here[made[0].key].svg
    worker.close()  # closing twice does nothing


def test_the_chart_worker_makes_the_vega_bundle_this_process_makes(tmp_path: Path) -> None:
    with ImageWorker() as worker:
        worker.start_bundle()
        with pytest.raises(ImageWorkerError, match="not received"):
            worker.send([])  # one request at a time
        store = Store(tmp_path)
        bundle = charts.bundle_cached(store, worker)
        assert not worker.bundle_asked
        # Then charts again.
        locale = charts.d3_locales("vi")
        (svg,) = worker.draw([(json.dumps({"mark": "point"}), locale["format"], locale["time"])])
    assert svg.startswith(b"<svg")
    store.commit()
    assert bundle == charts.vega_bundle() == Store(tmp_path).get(charts.BUNDLE, "js")


def test_the_chart_worker_reports_vl_convert_errors() -> None:
    locale = charts.d3_locales("vi")
    with ImageWorker() as worker:
        with pytest.raises(ImageWorkerError, match="vl-convert failed"):
            worker.draw([("{not json", locale["format"], locale["time"])])
        # An error spoils only its batch.
        (svg,) = worker.draw([(json.dumps({"mark": "point"}), locale["format"], locale["time"])])
    assert svg.startswith(b"<svg")


def test_a_stopped_chart_worker_is_an_error_not_a_hang() -> None:
    worker = ImageWorker()
    worker._process.kill()
    with pytest.raises(ImageWorkerError, match="stopped"):
        worker.draw([(json.dumps({"mark": "point"}), {}, {})])
    worker.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_spec_is_valid_vega_lite(model: SiteModel, lang: str) -> None:
    schema = alt.vegalite.v6.schema.load_schema()
    seen: set[str] = set()
    for chart in all_charts(model, lang):
        if chart.kind in seen:
            continue
        seen.add(chart.kind)
        validate_jsonschema(chart.spec, schema)  # raises on an invalid spec


def test_filling_a_spec_leaves_the_template_alone() -> None:
    before = json.dumps(charts.template("ranking_cases", "vi"), sort_keys=True)
    spec = charts.fill("ranking_cases", "vi", [{"unit": "A", "rate": 1.0}])
    spec["data"]["values"].append({"unit": "B"})
    assert charts.template("ranking_cases", "vi")["data"] == {"name": "rows"}  # a placeholder
    assert json.dumps(charts.template("ranking_cases", "vi"), sort_keys=True) == before


def test_vietnamese_locale_comes_from_cldr() -> None:
    locale = charts.d3_locales("vi")
    assert locale["format"]["decimal"] == ","
    assert locale["format"]["thousands"] == "."
    assert locale["time"]["months"][2] == "tháng 3"
    assert locale["time"]["days"][0] == "Chủ Nhật"  # d3 weeks start on Sunday
    english = charts.d3_locales("en")
    assert (english["format"]["decimal"], english["format"]["thousands"]) == (".", ",")
    assert english["time"]["shortMonths"][2] == "Mar"


def _texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


@pytest.mark.parametrize(
    ("lang", "number", "month"),
    [("vi", "1.577,3", "tháng 3 2024"), ("en", "1,577.3", "March 2024")],
)
def test_vl_convert_formats_with_our_locale(lang: str, number: str, month: str) -> None:
    spec: dict[str, Any] = {
        "data": {"values": [{"n": 1577.25, "d": "2024-03-31"}]},
        "layer": [
            {"mark": "text", "encoding": {"text": {"field": "n", "format": ",.1f"}}},
            {
                "mark": {"type": "text", "dy": 20},
                "encoding": {"text": {"field": "d", "type": "temporal", "format": "%B %Y"}},
            },
        ],
    }
    locale = charts.d3_locales(lang)  # type: ignore[arg-type]
    svg = vl_convert.vegalite_to_svg(
        spec, format_locale=locale["format"], time_format_locale=locale["time"]
    )
    assert number in _texts(svg)
    assert month in _texts(svg)


def test_palette_contrast_is_at_least_3_to_1_on_white() -> None:
    for colour in (*charts.SERIES.values(), charts.MUTED, charts.INK):
        assert charts.contrast(colour, charts.BACKGROUND) >= 3, colour
    # Tiles are separated by a white gap and outlined, so each tile's edge is its outline
    # on white; its label must read on its fill (WCAG AA for text).
    assert charts.contrast(charts.TILE_OUTLINE, charts.BACKGROUND) >= 3
    for fill in (*charts.MAP_FILLS, charts.MAP_MISSING):
        assert charts.contrast(charts.ink_on(fill), fill) >= 4.5, fill


def test_series_are_told_apart_by_shape_not_colour_alone() -> None:
    assert len(set(charts.SHAPES.values())) == len(charts.SERIES)
    spec = json.dumps(charts.template("trend", "vi"))
    assert '"shape"' in spec


def test_rate_target_summary_and_table_state_the_page_figures(model: SiteModel) -> None:
    made = all_charts(model, "vi")
    rate = next(c for c in made if c.kind == "rate_target" and "alpha" in c.stem)
    values = rate.spec["data"]["values"]
    assert values, "the chart has data"
    for row, value in zip(rate.rows, values, strict=False):
        assert row[1][0] in rate.summary  # the rate as shown is in the summary
        assert value["rate_label"] == row[1][0]
        assert Decimal(row[1][1]) == Decimal(str(value["rate"]))


def test_missing_figures_are_dashes_not_zero(model: SiteModel) -> None:
    seen_missing = False
    for chart in all_charts(model, "vi"):
        for row in chart.rows:
            for shown, machine in row[1:]:
                if machine == "" and chart.kind != "reform":
                    seen_missing = True
                    # a gap beside an annual target on a sub-annual page is not judged, not 0
                    assert shown in ("—", charts.word("not_judged_short", "vi")), (chart.stem, row)
        for value in chart.spec["data"]["values"]:
            if value.get("label") == "—":
                assert value.get("rate") is None and value.get("value") is None, chart.stem
    assert seen_missing, "the fixture has missing figures, so this test can fail"


def image_charts(model: SiteModel, lang: str) -> list[charts.Chart]:
    return [c for c in all_charts(model, lang) if c.image]


def test_render_cache_renders_each_chart_once(model: SiteModel, tmp_path: Path) -> None:
    made = image_charts(model, "vi")[:4]
    store = Store(tmp_path)
    first, stats = charts.render_images(made, store)
    assert stats.rendered == len({c.key for c in made}) and stats.cached == 0
    store.commit()
    again, stats = charts.render_images(made, Store(tmp_path))
    assert stats.rendered == 0 and stats.cached == len({c.key for c in made})
    assert {k: v.svg for k, v in again.items()} == {k: v.svg for k, v in first.items()}
    changed = charts.Chart(
        made[0].kind,
        made[0].lang,
        made[0].folder,
        made[0].stem,
        made[0].title,
        made[0].summary,
        {**made[0].spec, "data": {"values": made[0].spec["data"]["values"][:1]}},
        made[0].columns,
        made[0].rows,
    )
    _, stats = charts.render_images([changed, *made[1:]], Store(tmp_path))
    assert stats.rendered == (0 if changed.key == made[0].key else 1)


def test_rendered_images_are_svg_with_their_size(model: SiteModel) -> None:
    chart = image_charts(model, "vi")[0]
    images, _ = charts.render_images([chart], None)
    image = images[chart.key]
    assert image.svg.startswith(b"<svg")
    assert f'width="{image.width}"'.encode() in image.svg[:400]
    assert image.width > 50 and image.height > 20


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_chart_drawn_in_html_is_its_kinds_template_with_its_values(
    model: SiteModel, lang: str
) -> None:
    """What the live view puts together is the chart's spec, to the byte."""
    drawn = [chart for chart in all_charts(model, lang) if not chart.image]
    assert {chart.kind for chart in drawn} >= {"rate_target", "breakdown", "ranking_cases", "map"}
    for chart in drawn:
        template = json.loads(charts.template_json(chart.kind, lang))
        packed = json.loads(chart.own_json())
        # Packed, but a map's: its records of tiles and of the key have different fields.
        assert ("rows" in packed) == (chart.kind != "map") == ("data" not in packed), chart.kind
        own = charts.unpack_data(packed)
        assert "data" in own and ("width" in own) == (chart.kind == "map"), chart.kind
        assert {**template, **own} == json.loads(chart.spec_json())


def test_a_spec_in_a_page_cannot_close_its_script_element() -> None:
    spec = charts.fill("breakdown", "vi", [{"item": "</script><b>x</b>"}])
    chart = charts.Chart("breakdown", "vi", "", "x", "", "", spec, [], [], [])
    text = chart.own_json()
    assert "<" not in text
    assert json.loads(text) == {"fields": ["item"], "rows": [["</script><b>x</b>"]]}


@pytest.mark.parametrize(
    "own",
    [
        {"data": {"values": [{"a": 1, "b": None}, {"a": 2.5, "b": "x"}]}, "width": 3},
        {"data": {"values": [{"a": 1}, {"b": 2}]}},  # records of other fields: kept as they are
        {"data": {"values": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]}},  # nor in another order
        {"data": {"values": []}},
        {"data": {"url": "x.csv"}},
        {"width": 3},
    ],
)
def test_packed_data_gives_back_the_same_records(own: dict[str, Any]) -> None:
    packed = charts.pack_data(own)
    assert charts.unpack_data(packed) == own
    records = own.get("data", {}).get("values")
    assert ("rows" in packed) == bool(records and all(list(r) == list(records[0]) for r in records))


def test_charts_of_both_editions_have_their_own_files(model: SiteModel) -> None:
    vi = {c.path("svg") for c in all_charts(model, "vi")}
    en = {c.path("svg") for c in all_charts(model, "en")}
    assert vi and en and not vi & en


# --- charts drawn in HTML: a unit and period's, from the same figures as their spec ---

CSS = Path(__file__).resolve().parents[1] / "site_templates/overrides/assets/minhbach.css"


def unit_page(model: SiteModel, slug: str, period: str) -> UnitPeriod:
    return next(p for p in model.pages if p.unit.slug == slug and p.period.key == period)


def test_a_unit_and_periods_charts_are_drawn_in_html_the_others_are_images(
    model: SiteModel,
) -> None:
    by_kind: dict[str, set[bool]] = {}
    for chart in all_charts(model, "vi"):
        by_kind.setdefault(chart.kind, set()).add(chart.image)
    assert by_kind["rate_target"] == by_kind["breakdown"] == by_kind["reform"] == {False}
    assert by_kind["ranking_cases"] == by_kind["ranking_money"] == {False}  # 63 bars: HTML
    assert by_kind["inspections"] == {False}  # a unit's and a period's
    assert by_kind["map"] == {False}  # HTML tiles
    assert by_kind["trend"] == {True}  # the only kind rendered to an image
    page = unit_page(model, "alpha", "2024-6m")
    unit = charts.unit_inspections(page, "2024/6-thang/alpha/index.md", "vi")
    view = next(v for v in model.periods if v.period.key == "2024-6m")
    period = charts.period_inspections(view, "2024/6-thang/index.md", "vi")
    assert unit is not None and unit.bars and not unit.image
    assert period is not None and period.bars and not period.image


def test_a_maps_tiles_are_its_spec_tiles(model: SiteModel) -> None:
    """The HTML tiles say what the live view's tiles say, at the same places."""
    maps = [chart for chart in all_charts(model, "vi") if chart.kind == "map"]
    assert maps
    for chart in maps:
        assert chart.tiles is not None
        spec_tiles = [v for v in chart.spec["data"]["values"] if v["kind"] == "tile"]
        assert [
            (t.column * charts.TILE + 1, t.row * charts.TILE + 1, t.abbr, t.text, t.fill, t.ink)
            for t in chart.tiles.tiles
        ] == [(v["x"], v["y"], v["abbr"], v["short"], v["fill"], v["ink"]) for v in spec_tiles]
        spec_key = [
            (v["fill"], v["label"]) for v in chart.spec["data"]["values"] if v["kind"] == "key"
        ]
        assert chart.tiles.key == spec_key
        assert len(chart.tiles.tiles) == len(chart.rows)


def test_bars_are_the_table_rows_and_a_missing_figure_has_no_bar(model: SiteModel) -> None:
    seen_missing = False
    for chart in all_charts(model, "vi"):
        if chart.bars is None:
            continue
        assert len(chart.bars) == len(chart.rows), chart.stem
        for bar, row in zip(chart.bars, chart.rows, strict=True):
            assert bar.text in [shown for shown, _ in row], (chart.stem, bar, row)
            if bar.share is None:
                seen_missing = True
                assert bar.text == "—", (chart.stem, bar)
            else:
                assert bar.text != "—" and 0 <= bar.share <= 1, (chart.stem, bar)
    assert seen_missing, "the fixture has missing figures, so this test can fail"


def test_bar_lengths_are_the_figures_on_the_charts_scale(model: SiteModel) -> None:
    page = unit_page(model, "alpha", "2024-6m")
    md = "2024/6-thang/alpha/index.md"
    rate = charts.rate_target(page, md, "vi", "")
    assert rate is not None and rate.bars
    for bar, key in zip(rate.bars, ("cases", "money"), strict=True):
        block = page.block(key)
        assert block is not None and block.rate is not None and block.target is not None
        assert bar.share == pytest.approx(float(block.rate.point) / 100)  # of 100%
        assert bar.target == pytest.approx(float(block.target.value.point) / 100)
        assert bar.series == key and bar.colour == charts.SERIES[key]
        assert bar.text == show(block.rate, "vi") and bar.note.startswith("chỉ tiêu ")
    breakdown = charts.breakdown(page, md, "vi")
    assert breakdown is not None and breakdown.bars
    for key in ("cases", "money"):  # each measure its own scale: its largest figure is 100%
        block = page.block(key)
        assert block is not None
        group = [b for b in breakdown.bars if b.series == key]
        assert [b.total for b in group] == [True, False, False, False, False]
        largest = max(
            float(v.point)
            for k in ("to_enforce", *charts.BREAKDOWN_KEYS)
            if (v := block.get(k)) is not None
        )
        for bar, item in zip(group, ("to_enforce", *charts.BREAKDOWN_KEYS), strict=True):
            value = block.get(item)
            expected = None if value is None else float(value.point) / largest
            assert bar.share == (None if expected is None else pytest.approx(expected)), item
    inspections = charts.unit_inspections(page, md, "vi")
    assert inspections is not None and inspections.bars
    shares = [b.share for b in inspections.bars if b.share is not None]
    assert max(shares) == 1  # one scale across the kinds of inspection, as in the spec
    assert len({b.group for b in inspections.bars}) > 1
    reform = charts.reform(page, md, "vi")
    assert reform is not None and reform.bars
    statuses = list(get_catalogue().enums["reform_status"])
    for bar, item in zip(reform.bars, page.dataset.reform or [], strict=True):
        assert bar.share == pytest.approx((statuses.index(item.status) + 1) / len(statuses))


@pytest.mark.parametrize(
    ("share", "css"),
    [(0.471, "47.1%"), (1 / 3, "33.33%"), (1.0, "100%"), (0.0, "0%"), (1.2, "100%"), (-0.1, "0%")],
)
def test_bar_widths_are_css_percentages_within_the_track(share: float, css: str) -> None:
    assert charts.css_percent(share) == css


def test_shares_are_parts_of_the_largest_figure() -> None:
    assert charts.shares([None, 2.0, 4.0]) == [None, 0.5, 1.0]
    assert charts.shares([0.0, None]) == [0.0, None]  # nothing to scale by: no length
    assert charts.shares([None]) == [None]


def _css_rule(selector: str) -> dict[str, str]:
    css = CSS.read_text(encoding="utf-8")
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    pairs = (line.split(":", 1) for line in match.group(1).split(";") if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def test_html_bars_use_the_chart_colours_and_read_in_both_schemes() -> None:
    # The bars keep the white view of the charts in the dark scheme too, with their own ink,
    # so one set of ratios holds in both: text 4.5:1, bars and the target tick 3:1.
    assert _css_rule(".md-typeset .mb-chart__view")["background-color"] == charts.BACKGROUND
    assert _css_rule(".md-typeset ul.mb-bars")["color"] == charts.INK
    assert _css_rule(".md-typeset .mb-bars__note")["color"] == charts.MUTED
    missing = _css_rule(".md-typeset .mb-bars > .mb-bars__row--missing > :last-child")
    assert missing["color"] == charts.MUTED
    assert _css_rule(".md-typeset .mb-bars > li > :nth-child(2)")["background-color"] == (
        charts.TRACK
    )
    tick = _css_rule(".md-typeset .mb-bars > .mb-bars__row--target > :nth-child(2)::after")
    assert tick["background-color"] == charts.INK
    # Each series' colour: the first is every row's, the others their row modifier's.
    for series, colour in charts.SERIES.items():
        row = "li" if series == charts.DEFAULT_SERIES else f".mb-bars__row--{series}"
        assert _css_rule(f".md-typeset .mb-bars > {row}")["--mb-bar-colour"] == colour, series
    for ink in (charts.INK, charts.MUTED):
        assert charts.contrast(ink, charts.BACKGROUND) >= 4.5, ink
    for colour in charts.SERIES.values():
        for behind in (charts.BACKGROUND, charts.TRACK, charts.INK):  # edge, track, tick
            assert charts.contrast(colour, behind) >= 3, (colour, behind)
