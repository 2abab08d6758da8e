"""The catalogue of invalid inputs: each gives exactly this message, exit 1, and no traceback."""

from __future__ import annotations

import pytest

from .conftest import CONTENT, ContentDir

HEADER = """\
status: final
source: {url: "https://thads.moj.gov.vn/a"}
"""
REGISTRY = (CONTENT / "provinces.yml").read_text(encoding="utf-8")
A_DATASET = {"datasets/2016-12m/quang-tri.yml": "unit: quang-tri\nperiod: 2016-12m\n" + HEADER}


def _registry(old: str, new: str) -> dict[str, str]:
    """The bundled registry with one edit, and a dataset for it to be read for."""
    assert REGISTRY.count(old) == 1, old
    return {"provinces.yml": REGISTRY.replace(old, new), **A_DATASET}


def _source(source: str) -> dict[str, str]:
    """A dataset with this source, quoting it."""
    return {
        "datasets/2024-3m/quang-ninh.yml": "unit: quang-ninh\nperiod: 2024-3m\nstatus: final\n"
        f'source: {source}\ncases:\n  completed: {{value: 1577, quote: "đã thi hành xong"}}\n'
    }


CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "yaml syntax",
        {
            "datasets/2020-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2020-6m\ncases:\n"
            "  completed: 10\n   enforceable: 20\n"
        },
        [
            "content/datasets/2020-6m/khanh-hoa.yml:5:15: YAML syntax error: mapping values are not "
            "allowed in this context (hint: check indentation and quoting around this line)"
        ],
    ),
    (
        "wrong type",
        {
            "datasets/2020-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2020-6m\n"
            + HEADER
            + "cases: {completed: nhiều}\n"
        },
        [
            "content/datasets/2020-6m/khanh-hoa.yml:5:20: cases.completed (Thi hành xong): 'nhiều' "
            'is not a number (hint: write a number, optionally after a qualifier: "gần 47", '
            '"trên 50,5")'
        ],
    ),
    (
        "unknown key",
        {
            "datasets/2020-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2020-6m\n"
            + HEADER
            + "cases:\n  complted: 5\n"
        },
        [
            "content/datasets/2020-6m/khanh-hoa.yml:6:3: cases (Kết quả THADS tính bằng việc): "
            "unknown key 'complted' (hint: did you mean 'completed'?)"
        ],
    ),
    (
        "missing required key",
        {
            "datasets/2020-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2020-6m\n"
            'source: {url: "https://thads.moj.gov.vn/a"}\n'
        },
        [
            "content/datasets/2020-6m/khanh-hoa.yml:1:1: status (Tình trạng số liệu): required key "
            "is missing (hint: add 'status:')"
        ],
    ),
    (
        "hard sum broken",
        {
            "datasets/2016-12m/quang-tri.yml": "unit: quang-tri\nperiod: 2016-12m\n"
            + HEADER
            + "cases:\n  carried_over: 346\n  new: 3379\n  accepted: 3752\n"
        },
        [
            "content/datasets/2016-12m/quang-tri.yml:8:13: cases.accepted (Tổng số thụ lý): 3.752 "
            "does not equal carried_over + new = 346 + 3.379 = 3.725 (hint: Total accepted = carried "
            "over + newly accepted; check each figure against the source)"
        ],
    ),
    (
        "part larger than whole",
        {
            "datasets/2024-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2024-6m\n"
            + HEADER
            + "cases:\n  completed: 3501\n  enforceable: 3366\n"
        },
        [
            "content/datasets/2024-6m/khanh-hoa.yml:6:14: cases.completed (Thi hành xong): 3.501 is "
            "larger than cases.enforceable (3.366) (hint: Completed is a part of enforceable; check "
            "both figures against the source)"
        ],
    ),
    (
        "merged province used after the merger",
        {"datasets/2026-6m/binh-duong.yml": "unit: binh-duong\nperiod: 2026-6m\n" + HEADER},
        [
            "content/datasets/2026-6m/binh-duong.yml:1:7: unit (Đơn vị): 'binh-duong' (Bình Dương) "
            "no longer exists on 31/03/2026: it was merged into 'ho-chi-minh' (Hồ Chí Minh) on "
            "01/07/2025 (Nghị quyết 202/2025/QH15) (hint: use unit: ho-chi-minh for periods ending "
            "from 01/07/2025)"
        ],
    ),
    (
        "new province used before the merger",
        {"datasets/2020-6m/hue.yml": "unit: hue\nperiod: 2020-6m\n" + HEADER},
        [
            "content/datasets/2020-6m/hue.yml:1:7: unit (Đơn vị): 'hue' (Huế) exists only from "
            "01/07/2025, not on 31/03/2020 (hint: before the merger, use one of its predecessors: "
            "'thua-thien-hue')"
        ],
    ),
    (
        "unknown unit",
        {
            "datasets/2020-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2020-6m\n" + HEADER,
            "datasets/2020-6m/khan-hoa.yml": "unit: khan-hoa\nperiod: 2020-6m\n" + HEADER,
        },
        [
            "content/datasets/2020-6m/khan-hoa.yml:1:7: unit (Đơn vị): unknown unit 'khan-hoa' "
            "(hint: did you mean 'khanh-hoa'?)"
        ],
    ),
    (
        "ambiguous money",
        {
            "datasets/2021-12m/quang-nam.yml": "unit: quang-nam\nperiod: 2021-12m\n"
            + HEADER
            + 'money_unit: billion_vnd\nmoney: {completed: "1,052 tỷ"}\n'
        },
        [
            "content/datasets/2021-12m/quang-nam.yml:6:20: money.completed (Thi hành xong): "
            "'1,052 tỷ' is ambiguous: 1 tỷ 052 triệu with a Vietnamese decimal comma, 1052 tỷ "
            'with an English thousands comma (hint: write "1.052 tỷ" for 1052 tỷ (before a unit '
            'word the dot groups thousands), or "1 tỷ 052 triệu")'
        ],
    ),
    (
        "ambiguous money without a unit word names the dataset's unit",
        {
            "datasets/2021-12m/quang-nam.yml": "unit: quang-nam\nperiod: 2021-12m\n"
            + HEADER
            + 'money_unit: billion_vnd\nmoney: {completed: "2.457"}\n'
        },
        [
            "content/datasets/2021-12m/quang-nam.yml:6:20: money.completed (Thi hành xong): "
            "'2.457' is ambiguous (money_unit billion_vnd: tỷ): 2457 tỷ with a Vietnamese "
            'thousands dot, 2.457 tỷ with an English decimal point (hint: write "2.457 tỷ" for '
            "2457 tỷ (before a unit word the dot groups thousands), or 2.457 as a plain YAML "
            "number for 2.457 tỷ)"
        ],
    ),
    (
        "unknown money unit word",
        {
            "datasets/2021-12m/quang-nam.yml": "unit: quang-nam\nperiod: 2021-12m\n"
            + HEADER
            + 'money_unit: billion_vnd\nmoney: {completed: "gần 337 tỷ VNĐ"}\n'
        },
        [
            "content/datasets/2021-12m/quang-nam.yml:6:20: money.completed (Thi hành xong): "
            "'gần 337 tỷ VNĐ': unknown unit 'tỷ VNĐ' (hint: money may name \"nghìn tỷ\", \"tỷ\", "
            '"triệu", "nghìn" or "đồng" after the number ("gần 337 nghìn tỷ", "97,6 tỷ đồng"); '
            "other figures no unit)"
        ],
    ),
    (
        "a count with a decimal comma",
        {
            "datasets/2024-3m/quang-ninh.yml": "unit: quang-ninh\nperiod: 2024-3m\n"
            + HEADER
            + 'cases: {completed: "3,700"}\n'
        },
        [
            "content/datasets/2024-3m/quang-ninh.yml:5:20: cases.completed (Thi hành xong): "
            "'3,700' is ambiguous: 3.700 with a Vietnamese decimal comma (not a whole number), "
            "3700 with an English thousands comma (hint: a count is a whole number: write 3700 "
            'or "3.700")'
        ],
    ),
    (
        "a count with decimals",
        {
            "datasets/2024-3m/quang-ninh.yml": "unit: quang-ninh\nperiod: 2024-3m\n"
            + HEADER
            + 'cases: {completed: "3.700,5"}\n'
        },
        [
            "content/datasets/2024-3m/quang-ninh.yml:5:20: cases.completed (Thi hành xong): "
            "3700.5 is not a whole number (hint: a count is a whole number)"
        ],
    ),
    (
        "an ambiguous rate",
        {
            "datasets/2024-3m/quang-ninh.yml": "unit: quang-ninh\nperiod: 2024-3m\n"
            + HEADER
            + 'cases: {rate: "81.500"}\n'
        },
        [
            "content/datasets/2024-3m/quang-ninh.yml:5:15: cases.rate (Tỷ lệ thi hành xong): "
            "'81.500' is ambiguous: 81500 with a Vietnamese thousands dot, 81.500 with an English "
            "decimal point (hint: write a plain YAML number, '.' for decimals and no thousands "
            "separator: 81500 or 81.500)"
        ],
    ),
    (
        "an ambiguous target",
        {
            "targets.yml": "targets:\n  - {year: 2016, unit: quang-tri, cases: '81.500'}\n",
            **A_DATASET,
        },
        [
            "content/targets.yml:2:42: targets[0].cases: '81.500' is ambiguous: 81500 with a "
            "Vietnamese thousands dot, 81.500 with an English decimal point (hint: write a plain "
            "YAML number, '.' for decimals and no thousands separator: 81500 or 81.500)"
        ],
    ),
    (
        "octal-looking number",
        {
            "datasets/2016-12m/quang-tri.yml": "unit: quang-tri\nperiod: 2016-12m\n"
            + HEADER
            + "cases: {carried_over: 0346}\n"
        },
        [
            "content/datasets/2016-12m/quang-tri.yml:5:23: cases.carried_over (Số cũ chuyển sang): "
            "'0346' has a leading zero, which YAML reads as octal (hint: write 346 or quote it: "
            '"0346")'
        ],
    ),
    (
        "duplicate key",
        {
            "datasets/2016-12m/quang-tri.yml": "unit: quang-tri\nperiod: 2016-12m\n"
            + HEADER
            + "cases:\n  new: 3379\n  new: 3380\n"
        },
        [
            "content/datasets/2016-12m/quang-tri.yml:7:3: cases.new (Thụ lý mới): duplicate key "
            "'new' (first at line 6) (hint: YAML keeps only the last one; remove or rename one of "
            "them)"
        ],
    ),
    (
        "period folder mismatch",
        {"datasets/2024-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2024-3m\n" + HEADER},
        [
            "content/datasets/2024-6m/khanh-hoa.yml:2:9: period (Kỳ báo cáo): the dataset says "
            "2024-3m but is in folder 2024-6m/ (hint: move it to datasets/2024-3m/ or correct the "
            "period)"
        ],
    ),
    (
        "file name mismatch",
        {"datasets/2024-6m/khanh-hoa.yml": "unit: dong-thap\nperiod: 2024-6m\n" + HEADER},
        [
            "content/datasets/2024-6m/khanh-hoa.yml:1:7: unit (Đơn vị): the dataset says unit "
            "'dong-thap' but the file is named khanh-hoa.yml (hint: rename the file to dong-thap.yml "
            "or correct the unit)"
        ],
    ),
    (
        "bad period",
        {"datasets/2024-13m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2024-13m\n" + HEADER},
        [
            "content/datasets/2024-13m/khanh-hoa.yml:2:9: period (Kỳ báo cáo): months must be 1 to "
            "12, not 13 (hint: the N months since 1 October: 2024-3m, 2024-12m)"
        ],
    ),
    (
        "money without a unit",
        {
            "datasets/2020-6m/khanh-hoa.yml": "unit: khanh-hoa\nperiod: 2020-6m\n"
            + HEADER
            + "money: {completed: 450}\n"
        },
        [
            "content/datasets/2020-6m/khanh-hoa.yml:5:20: money.completed (Thi hành xong): a money "
            "figure needs a unit (hint: add money_unit: billion_vnd (or the unit the source uses) at "
            'the top of the file, or write the unit: "97,6 tỷ")'
        ],
    ),
    (
        "quote not in the archived source",
        {
            "sources/a.txt": "đã thi hành xong 1.577/3.348 việc có điều kiện thi hành",
            "datasets/2024-3m/quang-ninh.yml": "unit: quang-ninh\nperiod: 2024-3m\nstatus: final\n"
            'source: {archive: a.txt}\ncases:\n  completed: {value: 1577, quote: "đã thi hành xong '
            '1.578"}\n',
        },
        [
            "content/datasets/2024-3m/quang-ninh.yml:6:35: cases.completed.quote (Thi hành xong): "
            "the quote is not in the archived source a.txt (hint: copy the sentence exactly as the "
            "source writes it)"
        ],
    ),
    (
        "rank beyond the units ranked",
        {
            "datasets/2021-12m/dong-thap.yml": "unit: dong-thap\nperiod: 2021-12m\n"
            + HEADER
            + "ranking: {basis: workload, cases: 26, of: 25}\n"
        },
        [
            "content/datasets/2021-12m/dong-thap.yml:5:35: ranking.cases (Hạng về việc): rank 26 of "
            "only 25 units (hint: A rank lies between 1 and the number of units ranked)"
        ],
    ),
    (
        "rate change given as absolute",
        {
            "datasets/2024-3m/quang-ninh.yml": "unit: quang-ninh\nperiod: 2024-3m\n"
            + HEADER
            + "cases:\n  rate: 47.10\n  change: {rate: {absolute: 1.82}}\n"
        },
        [
            "content/datasets/2024-3m/quang-ninh.yml:7:18: cases.change.rate (Tỷ lệ thi hành xong): "
            "rate is a rate: its change is given in points (hint: write points: (percentage points), "
            "as in 'tăng 1,82%')"
        ],
    ),
    (
        "archive leaving the content folder",
        _source("{archive: ../../../../etc/hostname}"),
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: "
            "'../../../../etc/hostname' leaves its folder ('..' or an empty part) (hint: copy "
            "the file into the folder and write its name alone)"
        ],
    ),
    (
        "archive as an absolute path",
        _source("{archive: /etc/hostname}"),
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: '/etc/hostname' is an "
            "absolute path; only files inside the content folder can be named (hint: write the "
            "name relative to the folder, e.g. 2024-6m-bao-cao.txt)"
        ],
    ),
    (
        "archive in a folder that leaves",
        _source("{archive: a/../../provinces.yml}"),
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: "
            "'a/../../provinces.yml' leaves its folder ('..' or an empty part) (hint: copy the "
            "file into the folder and write its name alone)"
        ],
    ),
    (
        "archive missing",
        _source("{archive: nowhere.txt}"),
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:19: source.archive: no archived source "
            "nowhere.txt in content/sources/"
        ],
    ),
    (
        "url not a web address",
        _source('{url: "javascript:alert(1)"}'),
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:15: source.url: 'javascript:alert(1)' is "
            "not a web address",
            "content/datasets/2024-3m/quang-ninh.yml:6:35: cases.completed.quote (Thi hành "
            "xong): a quote needs the archived source to check it against (hint: add "
            "source.archive)",
        ],
    ),
    (
        "url with a line break",
        _source('{url: "https://a.vn/\\n"}'),
        [
            "content/datasets/2024-3m/quang-ninh.yml:4:15: source.url: 'https://a.vn/\\n' is not "
            "a web address",
            "content/datasets/2024-3m/quang-ninh.yml:6:35: cases.completed.quote (Thi hành "
            "xong): a quote needs the archived source to check it against (hint: add "
            "source.archive)",
        ],
    ),
    (
        "target basis unknown",
        {
            "targets.yml": "targets:\n  - {year: 2016, unit: quang-tri, cases: 74, basis: stat}\n",
            **A_DATASET,
        },
        [
            "content/targets.yml:2:53: targets[0].basis: 'stat' is not one of stated, derived, "
            "goal (hint: did you mean 'stated'?)"
        ],
    ),
    (
        "target source not a web address",
        {
            "targets.yml": 'targets:\n  - {year: 2016, unit: quang-tri, cases: 74, source: {url: "file:///etc/passwd"}}\n',
            **A_DATASET,
        },
        [
            "content/targets.yml:2:60: targets[0].source.url: 'file:///etc/passwd' is not a web "
            "address"
        ],
    ),
    (
        "target archive leaving the content folder",
        {
            "targets.yml": "targets:\n  - {year: 2016, unit: quang-tri, cases: 74, source: {archive: ../provinces.yml}}\n",
            **A_DATASET,
        },
        [
            "content/targets.yml:2:64: targets[0].source.archive: '../provinces.yml' leaves its "
            "folder ('..' or an empty part) (hint: copy the file into the folder and write its "
            "name alone)"
        ],
    ),
    (
        "target archive missing",
        {
            "targets.yml": "targets:\n  - {year: 2016, unit: quang-tri, cases: 74, source: {archive: a.txt}}\n",
            **A_DATASET,
        },
        [
            "content/targets.yml:2:64: targets[0].source.archive: no archived source a.txt in "
            "content/sources/"
        ],
    ),
    (
        "progress target on a 12-month dataset",
        {
            "datasets/2016-12m/quang-tri.yml": "unit: quang-tri\nperiod: 2016-12m\n"
            + HEADER
            + "cases:\n  completed: 10\n  enforceable: 20\n  progress_target: 50\n"
        },
        [
            "content/datasets/2016-12m/quang-tri.yml:8:20: cases.progress_target (Chỉ tiêu tiến "
            "độ): 2016-12m is a 12-month period: the annual target judges it, not a progress "
            "target (hint: write the year's target as target:, or move the figure to a "
            "sub-annual dataset)"
        ],
    ),
    (
        "progress targets in targets.yml",
        {
            "targets.yml": "targets:\n  - year: 2016\n    unit: quang-tri\n    cases: 74\n"
            "    progress_target:\n      2016-6: {cases: 40}\n      2017-6m: {cases: 40}\n"
            "      2016-12m: {cases: 74}\n      2016-9m: {cases: 140}\n      2016-3m: {}\n",
            **A_DATASET,
        },
        [
            "content/targets.yml:6:15: targets[0].progress_target.2016-6: '2016-6' is not a "
            "period like 2024-6m (year-months) (hint: write Y-Nm, e.g. 2024-6m)",
            "content/targets.yml:7:16: targets[0].progress_target.2017-6m: 2017-6m is in "
            "statistical year 2017, not 2016 (hint: move it to the entry of 2017)",
            "content/targets.yml:8:17: targets[0].progress_target.2016-12m: 2016-12m is the "
            "whole year: the annual target judges it, not a progress target (hint: write the "
            "year's target as cases: and money: of the entry)",
            "content/targets.yml:9:24: targets[0].progress_target.2016-9m.cases: a target is a "
            "percentage from 0 to 100, not 140",
            "content/targets.yml:10:16: targets[0].progress_target.2016-3m: a progress target "
            "needs cases:, money: or both",
        ],
    ),
    (
        "release in the future published",
        {
            "releases.yml": "releases:\n  - {period: 2016-12m, publish_at: 2099-02-27, status: published}\n",
            **A_DATASET,
        },
        [
            "content/releases.yml:2:56: releases[0].status: a release dated in the future cannot "
            "be published (hint: set status: scheduled)"
        ],
    ),
    (
        "release in the future at a time published",
        {
            "releases.yml": "releases:\n  - {period: 2016-12m, publish_at: 2099-02-27 09:00:00+07:00, status: published}\n",
            **A_DATASET,
        },
        [
            "content/releases.yml:2:71: releases[0].status: a release dated in the future cannot "
            "be published (hint: set status: scheduled)"
        ],
    ),
    (
        "registry slug with a space",
        _registry("slug: hue\n", "slug: h ue\n"),
        [
            "content/provinces.yml:560:11: units[83].slug: 'h ue' is not a slug: lowercase "
            "letters a-z, digits and single hyphens only, e.g. ba-ria-vung-tau"
        ],
    ),
    (
        "registry slug with HTML",
        _registry("slug: hue\n", 'slug: "<b>hue</b>"\n'),
        [
            "content/provinces.yml:560:11: units[83].slug: '<b>hue</b>' is not a slug: lowercase "
            "letters a-z, digits and single hyphens only, e.g. ba-ria-vung-tau"
        ],
    ),
    (
        "registry slug leaving its folder",
        _registry("slug: hue\n", "slug: ../hue\n"),
        [
            "content/provinces.yml:560:11: units[83].slug: '../hue' is not a slug: lowercase "
            "letters a-z, digits and single hyphens only, e.g. ba-ria-vung-tau"
        ],
    ),
    (
        "registry unit name empty",
        _registry('{vi: "Huế", en: "Hue"}', '{vi: " ", en: ""}'),
        [
            "content/provinces.yml:564:16: units[83].name.vi: the name is empty",
            "content/provinces.yml:564:25: units[83].name.en: the name is empty",
        ],
    ),
    (
        "registry region name empty",
        _registry('{vi: "Tây Nguyên", en: "Central Highlands"}', '{vi: "Tây Nguyên", en: ""}'),
        ["content/provinces.yml:37:34: regions[3].name.en: the name is empty"],
    ),
    (
        "registry scheme label empty",
        _registry('en: "63 provinces and cities (until 30 June 2025)"', 'en: ""'),
        ["content/provinces.yml:23:60: schemes[0].label.en: the label is empty"],
    ),
    (
        "registry schemes with a gap",
        _registry("valid_from: 2025-07-01", "valid_from: 2025-08-01"),
        [
            "content/provinces.yml:27:17: schemes[1].valid_from: no scheme covers 01/07/2025 to "
            "31/07/2025, between pre2025 and post2025"
        ],
    ),
    (
        "registry schemes overlapping",
        _registry("valid_from: 2025-07-01", "valid_from: 2025-06-01"),
        [
            "content/provinces.yml:27:17: schemes[1].valid_from: post2025 starts on 01/06/2025, "
            "while pre2025 is still valid"
        ],
    ),
    (
        "registry scheme starting late",
        _registry(
            "    valid_to: 2025-06-30", "    valid_from: 2000-01-01\n    valid_to: 2025-06-30"
        ),
        [
            "content/provinces.yml:24:17: schemes[0].valid_from: no scheme covers the days "
            "before 01/01/2000; leave valid_from out of the first scheme (pre2025)"
        ],
    ),
    (
        "registry scheme ending",
        _registry(
            "    valid_from: 2025-07-01", "    valid_from: 2025-07-01\n    valid_to: 2090-12-31"
        ),
        [
            "content/provinces.yml:28:15: schemes[1].valid_to: no scheme covers the days after "
            "31/12/2090; leave valid_to out of the last scheme (post2025)"
        ],
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_input_gives_exact_message(
    site: ContentDir, files: dict[str, str], expected: list[str]
) -> None:
    for relative, text in files.items():
        site.write(relative, text)
    result = site.check()
    assert result.code == 1
    assert result.lines == expected
    assert "Traceback" not in result.err + result.out
    assert result.out.startswith("check FAILED:")


def test_all_problems_of_all_files_at_once(site: ContentDir) -> None:
    site.write(
        "datasets/2024-6m/khanh-hoa.yml",
        "unit: khanh-hoa\nperiod: 2024-6m\nstatus: finl\n"
        'source: {url: "https://thads.moj.gov.vn/a"}\ncases:\n  completed: 3501\n'
        "  enforceable: 3366\n  complted: 1\n",
    )
    site.write("datasets/2026-6m/binh-duong.yml", "unit: binh-duong\nperiod: 2026-6m\n" + HEADER)
    result = site.check()
    assert result.code == 1
    assert [line.split(": ")[1] for line in result.lines] == [
        "status (Tình trạng số liệu)",
        "cases.completed (Thi hành xong)",
        "cases (Kết quả THADS tính bằng việc)",
        "unit (Đơn vị)",
    ]
    assert (
        result.out.strip() == "check FAILED: 0 datasets, 0 units, 0 periods; 4 errors, 0 warnings"
    )


def test_problems_are_capped_per_file(site: ContentDir) -> None:
    keys = "\n".join(f"  extra_{i}: 1" for i in range(25))
    site.write(
        "datasets/2020-6m/khanh-hoa.yml",
        "unit: khanh-hoa\nperiod: 2020-6m\n" + HEADER + "cases:\n" + keys + "\n",
    )
    result = site.check()
    assert len(result.lines) == 21
    assert result.lines[-1] == "content/datasets/2020-6m/khanh-hoa.yml: ... and 5 more"


def test_rate_mismatch_is_a_warning_that_strict_fails(site: ContentDir) -> None:
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n"
        + HEADER
        + "cases: {completed: 3086, enforceable: 3366, rate: 90}\n",
    )
    expected = [
        "content/datasets/2016-12m/quang-tri.yml:5:51: warning: cases.rate (Tỷ lệ thi "
        "hành xong): published 90% but completed / enforceable = 3.086 / 3.366 = 91,68% "
        "(hint: Completion rate = completed / enforceable × 100; check the rate and both "
        "figures against the source)"
    ]
    relaxed = site.check()
    assert (relaxed.code, relaxed.lines) == (0, expected)
    strict = site.check("--strict")
    assert (strict.code, strict.lines) == (1, expected)
    assert strict.out.strip().endswith("1 warning (strict: warnings fail)")


def test_rounded_published_rate_is_accepted(site: ContentDir) -> None:
    # 3.086 / 3.366 = 91,68%, published as "92%": within half a unit of the last digit.
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n"
        + HEADER
        + "cases: {completed: 3086, enforceable: 3366, rate: 92}\n",
    )
    assert site.check("--strict").code == 0


def test_approximate_money_is_checked_as_a_range(site: ContentDir) -> None:
    # "gần 47" of "trên 105" tỷ is 43,4-44,8%, and "45%" covers 44,5-45,5: consistent.
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n" + HEADER + "money_unit: billion_vnd\n"
        'money: {completed: "gần 47", enforceable: "trên 105", rate: 45}\n',
    )
    assert site.check("--strict").code == 0
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n" + HEADER + "money_unit: billion_vnd\n"
        'money: {completed: "gần 47", enforceable: "trên 105", rate: 47}\n',
    )
    result = site.check("--strict")
    assert result.code == 1
    assert "= gần 47 tỷ đồng / trên 105 tỷ đồng = 43,40–44,76%" in result.err


def test_year_to_year_carry_over_break_is_a_warning(site: ContentDir) -> None:
    site.write(
        "datasets/2021-12m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2021-12m\n"
        + HEADER
        + "cases: {to_enforce: 843917, completed: 494505}\n",
    )
    site.write(
        "datasets/2022-6m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2022-6m\n" + HEADER + "cases: {carried_over: 349000}\n",
    )
    result = site.check()
    assert result.code == 0
    assert result.lines == [
        "content/datasets/2022-6m/dong-thap.yml:5:23: warning: cases.carried_over (Số cũ chuyển "
        "sang): 349.000 does not follow from 2021-12m: to_enforce − completed = 349.412 (difference "
        "412) (hint: if the difference was moved to separate tracking (chuyển sổ "
        "theo dõi riêng), record it as separately_tracked)"
    ]
    site.write(
        "datasets/2022-6m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2022-6m\n"
        + HEADER
        + "cases: {carried_over: 349000, separately_tracked: 412}\n",
    )
    assert site.check("--strict").code == 0


def test_warnings_print_money_as_the_officer_wrote_it(site: ContentDir) -> None:
    # In the dataset's money_unit (tỷ), or the text as written; never a long number of đồng.
    site.write(
        "datasets/2021-12m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2021-12m\n"
        + HEADER
        + "money_unit: billion_vnd\nmoney: {to_enforce: 100046.056327, completed: 48600.000000}\n",
    )
    site.write(
        "datasets/2022-6m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2022-6m\n"
        + HEADER
        + 'money_unit: billion_vnd\nmoney: {carried_over: "gần 51 nghìn tỷ"}\n',
    )
    site.write(
        "datasets/2022-9m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2022-9m\n"
        + HEADER
        + 'money_unit: million_vnd\nmoney: {carried_over: "gần 51 nghìn tỷ", new: 51446056.327}\n',
    )
    site.write(
        "datasets/2022-12m/dong-thap.yml",
        "unit: dong-thap\nperiod: 2022-12m\n"
        + HEADER
        + 'money_unit: billion_vnd\nmoney: {new: "05 tỷ 057 triệu 879 nghìn đồng"}\n',
    )
    result = site.check()
    assert result.code == 0
    assert [line.split(" (hint")[0].split(": ", 2)[2] for line in result.lines] == [
        "money.new (Thụ lý mới): 05 tỷ 057 triệu 879 nghìn đồng is less than 51.446.056,327 "
        "triệu đồng in 2022-9m",
        "money.carried_over (Số cũ chuyển sang): gần 51 nghìn tỷ đồng does not follow from "
        "2021-12m: to_enforce − completed = 51.446,056327 tỷ đồng (difference 446,056327 tỷ "
        "đồng)",
        "money.carried_over (Số cũ chuyển sang): gần 51 nghìn tỷ đồng does not follow from "
        "2021-12m: to_enforce − completed = 51.446,056327 tỷ đồng (difference 446.056,327 "
        "triệu đồng)",
    ]
    assert not any("51.446.056.327" in line for line in result.lines)


def test_decreasing_cumulative_figure_is_a_warning(site: ContentDir) -> None:
    site.write(
        "datasets/2017-7m/toan-quoc.yml",
        "unit: toan-quoc\nperiod: 2017-7m\n"
        + HEADER
        + "cases: {carried_over: 290524, new: 341063}\n",
    )
    site.write(
        "datasets/2017-9m/toan-quoc.yml",
        "unit: toan-quoc\nperiod: 2017-9m\n"
        + HEADER
        + "cases: {carried_over: 290524, new: 340000}\n",
    )
    result = site.check()
    assert result.lines == [
        "content/datasets/2017-9m/toan-quoc.yml:5:36: warning: cases.new (Thụ lý mới): 340.000 is "
        "less than 341.063 in 2017-7m (hint: figures since 1 October only grow within a "
        "statistical year)"
    ]


def test_published_change_is_checked_against_last_year(site: ContentDir) -> None:
    site.write(
        "datasets/2016-9m/toan-quoc.yml",
        "unit: toan-quoc\nperiod: 2016-9m\n" + HEADER + "cases: {completed: 352182}\n",
    )
    site.write(
        "datasets/2017-9m/toan-quoc.yml",
        "unit: toan-quoc\nperiod: 2017-9m\n" + HEADER + "cases:\n  completed: 369372\n"
        "  change: {completed: {absolute: 17190, percent: 4.88}}\n",
    )
    assert site.check("--strict").code == 0
    site.write(
        "datasets/2016-9m/toan-quoc.yml",
        "unit: toan-quoc\nperiod: 2016-9m\n" + HEADER + "cases: {completed: 350000}\n",
    )
    result = site.check()
    assert [line.split(": warning: ")[1].split(": published")[0] for line in result.lines] == [
        "cases.change.completed.absolute (Thi hành xong: tăng, giảm)",
        "cases.change.completed.percent (Thi hành xong: tăng, giảm (%))",
    ]
    assert result.lines[0].endswith(
        "published 17.190 but 2016-9m has 350.000 and this period 369.372: 19.372 "
        "(hint: check the change against last year's dataset)"
    )


def test_target_gap_is_checked_against_targets_file(site: ContentDir) -> None:
    site.write("targets.yml", "targets:\n  - {year: 2016, unit: quang-tri, cases: 74}\n")
    site.write(
        "datasets/2016-12m/quang-tri.yml",
        "unit: quang-tri\nperiod: 2016-12m\n" + HEADER + "cases: {rate: 92, target_gap: 18}\n",
    )
    assert site.check("--strict").code == 0
    site.write("targets.yml", "targets:\n  - {year: 2016, unit: quang-tri, cases: 70}\n")
    result = site.check()
    assert result.lines == [
        "content/datasets/2016-12m/quang-tri.yml:5:31: warning: cases.target_gap (So với chỉ "
        "tiêu): published 18 points but rate − target = 92 − 70 = 22 (hint: Against target "
        "(points) = rate − target; check the target for this unit and year)"
    ]


def test_target_for_a_slug_in_both_schemes_needs_the_scheme(site: ContentDir) -> None:
    site.write("targets.yml", "targets:\n  - {year: 2025, unit: quang-tri, cases: 80}\n")
    site.write("datasets/2016-12m/quang-tri.yml", "unit: quang-tri\nperiod: 2016-12m\n" + HEADER)
    result = site.check()
    assert result.lines == [
        "content/targets.yml:2:24: targets[0].unit: 'quang-tri' names two units in 2025, before "
        "and after the 01/07/2025 merger (hint: add scheme: pre2025 or scheme: post2025)"
    ]


def test_missing_content_folder_is_a_clean_error(tmp_path, monkeypatch, capsys) -> None:
    from minhbach.machinery.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["--content", "nowhere", "check"]) == 1
    assert capsys.readouterr().err == "error: no content folder at nowhere\n"
