"""`check ok` ⇒ the site builds: random content folders across 01/07/2025, checked, then built.

Each example is a random pick (hypothesis, derandomised: CI runs the same examples every
time) of units (provinces before the merger, among them members of three-way mergers
whose siblings are absent; units after it; the nation) and periods on both sides of
01/07/2025, with a dataset per pick, sometimes targets, progress targets, a release
calendar and editors' pages, checked and built strict or not, with every edition or the
Vietnamese alone. The content folder is checked, then built as `python build.py` builds
it (MkDocs in strict mode, so a link to a page never made fails it): whenever the check
passes, the build must pass too, and every link of the built site must lead to a file of
it. A failure prints the (shrunk) content folder it wrote. Subsets of the reference
collection, a seed each (in the test id), are checked and built the same way. Every
figure written here is synthetic test data, not a real figure."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.content.periods import Period
from minhbach.content.registry import MERGER_DATE
from minhbach.layout import SOURCES_MANIFEST
from minhbach.machinery.cli import main
from minhbach.render.generated import page_file
from minhbach.render.pages import Renderer, Strings, get_pages
from minhbach.site.shell import _locate
from tests.sitecheck import broken_links

from .conftest import CONTENT, ContentDir

# Provinces that were merged three into one (Phú Thọ, Ninh Bình, Lâm Đồng, Hồ Chí Minh,
# Vĩnh Long, Cần Thơ): one of them alone brings a successor page that names the others.
THREE_WAY = [
    "vinh-phuc", "hoa-binh", "ha-nam", "nam-dinh", "binh-duong", "ba-ria-vung-tau",
    "ben-tre", "tra-vinh", "hau-giang", "soc-trang", "binh-thuan", "dak-nong",
]  # fmt: skip
# Two-way merges, unchanged units, and units whose slug changes (Thừa Thiên Huế → Huế).
PRE_2025 = [
    *THREE_WAY, "ninh-binh", "phu-tho", "lam-dong", "ho-chi-minh", "vinh-long", "can-tho",
    "ha-giang", "tuyen-quang", "quang-binh", "quang-tri", "kon-tum", "ha-noi", "thanh-hoa",
    "thua-thien-hue", "bac-giang", "bac-ninh", "long-an", "tay-ninh",
]  # fmt: skip
POST_2025 = [
    "ninh-binh", "phu-tho", "lam-dong", "ho-chi-minh", "vinh-long", "can-tho", "tuyen-quang",
    "quang-tri", "quang-ngai", "ha-noi", "thanh-hoa", "hue", "bac-ninh", "tay-ninh",
]  # fmt: skip
NATION = "toan-quoc"
FORMED_FROM: dict[str, list[str]] = {
    unit["slug"]: unit["formed_from"]
    for unit in yaml.safe_load((CONTENT / "provinces.yml").read_text(encoding="utf-8"))["units"]
    if unit["scheme"] == "post2025"
}
# 2025-9m ends on 30/06/2025 (the old units'); 2025-12m on 30/09/2025 (the new units').
PRE_PERIODS = ["2017-12m", "2024-6m", "2024-12m", "2025-3m", "2025-6m", "2025-9m"]
POST_PERIODS = ["2025-12m", "2026-3m", "2026-6m", "2026-12m"]

# A few in CI (each is a check and a build, 2 to 4 s); CHECK_BUILDS_EXAMPLES=200 for a
# deeper search on a quiet machine.
EXAMPLES = int(os.environ.get("CHECK_BUILDS_EXAMPLES", "8"))


def _end_year(period: str) -> int:
    return Period.parse(period).year


def _months(period: str) -> int:
    return Period.parse(period).months


def _after_end(period: str, days: int) -> dt.date:
    """A day soon after the period ends: its source's date, its release's."""
    return Period.parse(period).end + dt.timedelta(days=days)


@dataclass
class Figures:
    """One block's figures, consistent with each other (the check's hard sums)."""

    carried_over: int
    new: int
    deducted: int
    enforceable: int
    completed: int

    def lines(self, rng: random.Random, money: bool) -> list[str]:
        accepted = self.carried_over + self.new
        to_enforce = accepted - self.deducted
        rate = round(100 * self.completed / self.enforceable, 2)
        full = {
            "carried_over": self.carried_over,
            "new": self.new,
            "accepted": accepted,
            "deducted": self.deducted,
            "to_enforce": to_enforce,
            "enforceable": self.enforceable,
            "completed": self.completed,
            "not_enforceable": to_enforce - self.enforceable,
            "carried_forward": to_enforce - self.completed,
            "enforceable_carried_forward": self.enforceable - self.completed,
        }
        shape = rng.choice(["full", "pair", "rate"])
        if shape == "rate":  # sometimes as the source words it: nothing to compare it with
            hedged = rng.choice([f"{rate}", f'"gần {int(rate) + 1}"', f'"trên {int(rate)}"'])
            return [f"  rate: {hedged}"]
        keys = list(full) if shape == "full" else ["enforceable", "completed"]
        scale = 1000 if money else 1  # money in nghìn đồng (money_unit: thousand_vnd)
        return [f"  {key}: {full[key] * scale}" for key in keys] + [f"  rate: {rate}"]


def _carried_over(walk: int, key: str, year: int) -> int:
    """What a unit carries into a statistical year: the same in all its periods."""
    return random.Random(f"{walk}/{key}/{year}/carried").randint(2000, 3000)


def _figures(walk: int, key: str, period: str) -> Figures:
    """A block's figures, so that the years and periods of a unit agree with each other.

    Figures since 1 October grow with the months of the period; the year's carried-over
    figure is the last year's to enforce − completed, so neither the `cumulative` nor
    the `carry_over` rule warns (random figures would, and `--strict` would stop there).
    """
    year, months = _end_year(period), _months(period)
    pick = random.Random(f"{walk}/{key}/{year}")
    carried_over, onward = _carried_over(walk, key, year), _carried_over(walk, key, year + 1)
    new, deducted = pick.randint(3000, 5000), pick.randint(0, 40)
    completed = carried_over + new - deducted - onward  # over the whole year
    reserve = onward // 4  # enforceable, not completed: what is left at the year's end
    return Figures(
        carried_over,
        new * months // 12,
        deducted * months // 12,
        completed * months // 12 + reserve,
        completed * months // 12,
    )


def dataset(rng: random.Random, walk: int, unit: str, period: str) -> str:
    lines = [
        "# Synthetic test data (tests/test_check_builds.py): not real figures.",
        f"unit: {unit}",
        f"period: {period}",
        "status: final",
        "source:",
        f'  title: "Báo cáo thử {unit} {period}"',
        '  publisher: "Cục THADS thử"',
        f"  url: https://example.org/bao-cao/{unit}-{period}",
        f"  date: {_after_end(period, 10)}",
        "money_unit: thousand_vnd",
    ]
    blocks = rng.choice([("cases",), ("money",), ("cases", "money")])
    for block in blocks:
        lines.append(f"{block}:")
        lines += _figures(walk, f"{unit}/{block}", period).lines(rng, money=block == "money")
    if rng.random() < 0.3:
        # A nationwide rank is out of the units of the period's scheme (`rank_scheme`).
        of = 63 if Period.parse(period).end < MERGER_DATE else 34
        lines.append(f"ranking: {{basis: rate, cases: {rng.randint(1, of)}, of: {of}}}")
    if rng.random() < 0.3:
        lines += ["narrative: |", f"  Kết quả thử của {unit} trong kỳ {period}."]
    return "\n".join(lines) + "\n"


def _scheme(period: str) -> str:
    return "pre2025" if period in PRE_PERIODS else "post2025"


def synthetic_site(rng: random.Random) -> dict[str, str]:
    """A random content folder: path under content/ → text (provinces.yml is the real one)."""
    walk = rng.randrange(10**6)  # keys the figures of every unit and year
    periods = rng.sample(PRE_PERIODS, rng.randint(1, 3)) + rng.sample(
        POST_PERIODS, rng.randint(0, 2)
    )
    # A few merged units with their predecessors, so that units recur across periods, a
    # predecessor comes with or without its siblings, and sometimes all of them report.
    families = rng.sample(sorted(FORMED_FROM), rng.randint(1, 3))
    files: dict[str, str] = {}
    picked: set[tuple[str, str]] = set()
    for period in periods:
        if _scheme(period) == "pre2025":
            pool = sorted({old for new in families for old in FORMED_FROM[new]} | set(PRE_2025))
            family = rng.choice(families)
            units = list(FORMED_FROM[family]) if rng.random() < 0.3 else []
        else:
            pool, units = sorted(set(families) | set(POST_2025)), []
        units += rng.sample(pool, rng.randint(1, 4))
        if rng.random() < 0.3:
            units.append(NATION)
        for unit in sorted(set(units)):
            files[f"datasets/{period}/{unit}.yml"] = dataset(rng, walk, unit, period)
            picked.add((unit, period))
    if rng.random() < 0.6:
        files["targets.yml"] = _targets(rng, sorted(picked))
    if rng.random() < 0.4:
        files["releases.yml"] = _releases(rng, periods)
    if rng.random() < 0.5:
        files["pages/vi/gioi-thieu.md"] = "# Giới thiệu\n\nTrang thử.\n"
        files["pages/en/about.md"] = "# About\n\nA test page.\n"
    if rng.random() < 0.3:  # an editor's page of its own, linking to the site's pages
        unit = rng.choice([*PRE_2025, *POST_2025])  # whose page the site may not have
        files["pages/vi/ghi-chu.md"] = "# Ghi chú\n\nXem [các kỳ](../ky-bao-cao/index.md)" + (
            f" và [một đơn vị](../don-vi/{unit}/index.md).\n" if rng.random() < 0.5 else ".\n"
        )
    if rng.random() < 0.3:  # a period announced, without data yet
        files["releases.yml"] = files.get("releases.yml", "releases:\n") + (
            "  - {period: 2027-3m, publish_at: 2027-01-20, status: scheduled}\n"
        )
    return files


def _targets(rng: random.Random, picked: list[tuple[str, str]]) -> str:
    lines = ["# Synthetic test targets: not real figures.", "targets:"]
    seen: set[tuple[str, int, str]] = set()
    for unit, period in picked:
        year, scheme = _end_year(period), _scheme(period)
        if rng.random() < 0.5 or (unit, year, scheme) in seen:
            continue
        seen.add((unit, year, scheme))
        scope = "" if unit == NATION else f", scheme: {scheme}"
        progress = ""
        if _months(period) < 12 and rng.random() < 0.5:  # judges that sub-annual period
            progress = f", progress_target: {{{period}: {{cases: {rng.randint(50, 80)}}}}}"
        lines.append(
            f"  - {{year: {year}, unit: {unit}{scope}, cases: {rng.randint(70, 90)}, "
            f"money: {rng.randint(30, 50)}, basis: stated{progress}}}"
        )
    return "\n".join(lines) + "\n" if len(lines) > 2 else "targets: []\n"


def _releases(rng: random.Random, periods: list[str]) -> str:
    lines = ["# Synthetic test release calendar.", "releases:"]
    for period in sorted(periods):
        lines.append(
            f"  - {{period: {period}, publish_at: {_after_end(period, 20)}, status: published}}"
        )
    return "\n".join(lines) + "\n"


def write_site(root: Path, files: dict[str, str]) -> Path:
    content = root / "content"
    (content / "datasets").mkdir(parents=True)
    (content / "provinces.yml").write_bytes((CONTENT / "provinces.yml").read_bytes())
    for relative, text in files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return content


def check_then_build(
    root: Path, content: Path, strict: bool, langs: tuple[str, ...] = ()
) -> tuple[int, int | None]:
    """The check's exit code, and the build's (None when the check failed)."""
    flags = (["--strict"] if strict else []) + [f"--lang={lang}" for lang in langs]
    out = root / "out"
    checked = main(["--content", str(content), *flags, "check"])
    if checked != 0:
        return checked, None
    built = main(
        [
            "--content",
            str(content),
            "--reports",
            str(out / "reports"),
            "--site",
            str(out / "site"),
            "--cache",
            str(out / "cache"),
            *flags,
        ]
    )
    return checked, built


def check_and_build_quietly(
    files: dict[str, str], strict: bool, langs: tuple[str, ...]
) -> tuple[int, int | None, str, list[str]]:
    """Write `files`, check, build: the exit codes, what they printed, the broken links."""
    output = io.StringIO()
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.redirect_stdout(output),
        contextlib.redirect_stderr(output),
    ):
        root = Path(folder)
        checked, built = check_then_build(root, write_site(root, files), strict, langs)
        links = broken_links(root / "out" / "site") if built == 0 else []
    return checked, built, output.getvalue(), links


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    rng=st.randoms(use_true_random=False),
    strict=st.booleans(),
    vi_only=st.booleans(),
)
# Found by this test: a folder without an about page passed the check, then the strict
# build failed on the nav's entry for it (no pages/ folder here) ...
@example(rng=random.Random(3), strict=True, vi_only=False)
# ... and an editor's link to a unit's page the site does not have (Phú Thọ) passed it too.
@example(rng=random.Random(10), strict=False, vi_only=False)
def test_a_site_that_passes_the_check_builds(
    rng: random.Random, strict: bool, vi_only: bool
) -> None:
    files = synthetic_site(rng)
    note("\n".join(f"--- content/{path}\n{text}" for path, text in sorted(files.items())))
    checked, built, output, links = check_and_build_quietly(
        files, strict, ("vi",) if vi_only else ()
    )
    if checked != 0:
        # The generator's one invalid input, on purpose: an editor's link to a unit's page
        # the site may not have. Anything else the check refuses is the generator's bug.
        problems = [line for line in output.splitlines() if not line.startswith("check ")]
        assert problems, output
        assert all("a page the site will not have" in line for line in problems), output
        return
    assert built == 0, output
    assert links == []


# --- the dataset of the issue ---

NAM_DINH = """\
# Synthetic test data: not real figures.
unit: nam-dinh
period: 2017-12m
status: final
source: {title: "Báo cáo thử", publisher: "Cục THADS thử", url: "https://example.org/t", date: 2017-10-10}
cases: {enforceable: 1000, completed: 800}
"""


def _build(content: Path, out: Path, cache: str = "cache") -> int:
    return main(
        [
            "--content",
            str(content),
            "--reports",
            str(out / "reports"),
            "--site",
            str(out / "site"),
            "--cache",
            str(out / cache),
        ]
    )


def test_the_nam_dinh_dataset_of_the_issue_builds(tmp_path: Path) -> None:
    # Issue 24: it passed the check, then Ninh Bình's new history page linked to Hà Nam's,
    # which was never made.
    content = write_site(tmp_path, {"datasets/2017-12m/nam-dinh.yml": NAM_DINH})
    assert main(["--content", str(content), "check"]) == 0
    assert _build(content, tmp_path / "out") == 0
    site = tmp_path / "out" / "site"
    assert (site / "don-vi" / "ha-nam" / "index.html").is_file()
    assert broken_links(site) == []


def test_a_build_with_relative_folders_from_another_folder_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MkDocs resolves a relative docs_dir and site_dir against mkdocs.yml's folder, not
    # the working directory: run outside the repository, the build looked for the pages
    # the render stage had just written in the repository's reports/.
    write_site(tmp_path, {"datasets/2017-12m/nam-dinh.yml": NAM_DINH})
    monkeypatch.chdir(tmp_path)
    folders = ["--reports", "out/reports", "--site", "out/site", "--cache", "out/cache"]
    assert main(["--content", "content", *folders]) == 0
    assert (tmp_path / "out" / "site" / "don-vi" / "ha-nam" / "index.html").is_file()


def test_an_editors_link_to_a_page_the_site_will_not_have_is_a_located_error(
    site: ContentDir,
) -> None:
    site.write("datasets/2017-12m/nam-dinh.yml", NAM_DINH)
    site.write(
        "pages/vi/gioi-thieu.md",
        """
        # Giới thiệu

        Xem [Ninh Bình](../don-vi/ninh-binh/index.md), [Hà Nội](../don-vi/ha-noi/index.md)
        và [năm 2018](../2018/ca-nam/index.md#ket-qua).
        """,
    )
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/pages/vi/gioi-thieu.md:3:57: links to '../don-vi/ha-noi/index.md' "
        "(don-vi/ha-noi/index.md), a page the site will not have (hint: did you mean "
        "../don-vi/ha-nam/index.md?)",
        "content/pages/vi/gioi-thieu.md:4:15: links to '../2018/ca-nam/index.md#ket-qua' "
        "(2018/ca-nam/index.md), a page the site will not have (hint: did you mean "
        "../2017/ca-nam/index.md?)",
    ]


# --- the reference collection (bench/make_reference.py): every block filled ---

REFERENCE_SEEDS = [0, 1]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "ref"
    script = CONTENT.parent / "bench" / "make_reference.py"
    command = [sys.executable, str(script), "--out", str(out), "--years", "2024-2025"]
    subprocess.run(command, capture_output=True, check=True)
    return out


def reference_subset(reference: Path, seed: int) -> dict[str, str]:
    """Some of the reference's datasets (one period whole, with its national dataset, so
    its totals and full ranking are made), with its targets, releases, sources and pages."""
    rng = random.Random(seed)
    files = {
        path.relative_to(reference).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(reference.rglob("*"))
        if path.is_file() and path.relative_to(reference).parts[0] != "datasets"
    }
    periods = sorted(p.name for p in (reference / "datasets").iterdir())
    whole = rng.choice(periods)
    for period in rng.sample(periods, 3):
        found = sorted((reference / "datasets" / period).glob("*.yml"))
        for path in found if period == whole else rng.sample(found, rng.randint(1, 5)):
            files[f"datasets/{period}/{path.name}"] = path.read_text(encoding="utf-8")
    files.pop("provinces.yml")  # `write_site` copies the real one (the reference's copy)
    return files


@pytest.mark.parametrize("seed", REFERENCE_SEEDS, ids=[f"seed={s}" for s in REFERENCE_SEEDS])
def test_a_subset_of_the_reference_collection_builds(
    seed: int, reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_site(tmp_path, reference_subset(reference, seed))
    checked, built = check_then_build(tmp_path, content, strict=True)
    err = capsys.readouterr().err
    assert checked == 0, err
    assert built == 0, err
    assert broken_links(tmp_path / "out" / "site") == []


def test_a_national_dataset_its_units_do_not_sum_to_fails_the_strict_check_as_the_build(
    reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The build's compute stage reconciles a complete period's national dataset with its
    # units; `check --strict` passed such a folder, then `build --strict` failed.
    files = reference_subset(reference, 0)
    files = {k: v for k, v in files.items() if not k.startswith("datasets/")}
    for path in sorted((reference / "datasets" / "2025-12m").glob("*.yml")):
        files[f"datasets/2025-12m/{path.name}"] = path.read_text(encoding="utf-8")
    national = yaml.safe_load(files["datasets/2025-12m/toan-quoc.yml"])
    cases = national["cases"]
    national["cases"] = {"enforceable": cases["enforceable"] + 1, "completed": cases["completed"]}
    files["datasets/2025-12m/toan-quoc.yml"] = "# Synthetic test data.\n" + yaml.safe_dump(
        national, allow_unicode=True, sort_keys=False
    )
    content = write_site(tmp_path, files)
    capsys.readouterr()
    assert check_then_build(tmp_path, content, strict=True) == (1, None)
    err = capsys.readouterr().err
    assert "toan-quoc.yml:12:16: warning: cases.enforceable: the national dataset has " in err
    assert "but the 34 units of 2025-12m sum to" in err
    assert main(["--content", str(content), "check"]) == 0  # a warning: it builds


# --- a stage failure that remains names the content file that causes it ---


def test_a_generated_link_to_no_page_of_the_edition_is_refused_by_the_render_stage(
    tmp_path: Path,
) -> None:
    # Generated pages do not go through MkDocs, which checked their links: a link to a
    # page the edition does not have is the generator's bug, refused as it is rendered.
    content = write_site(tmp_path, {"datasets/2017-12m/nam-dinh.yml": NAM_DINH})
    checked, problems = check_content(content)
    assert not problems.errors
    model, _ = compute(checked)
    strings = Strings()
    pages = get_pages(model, "vi", strings)
    renderer = Renderer(model, "vi", strings)
    renderer.page_paths = frozenset(p.path for p in pages) - {"don-vi/nam-dinh/index.md"}
    units = next(page for page in pages if page.path == "don-vi/index.md")
    with pytest.raises(RuntimeError) as refused:
        renderer.render(units)
    assert str(refused.value) == (
        "vi/don-vi/index.md: links to 'don-vi/nam-dinh/index.md', which is not a page of "
        "the edition"
    )


def test_a_page_made_from_many_files_names_the_first_and_counts_the_others(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    (reports / "vi").mkdir(parents=True)
    made_from = [f"content/datasets/2024-12m/{unit}.yml" for unit in "abcdef"]
    record = {page_file("vi", "2024/ca-nam/index.md"): made_from}  # as the render stage keys it
    (reports / SOURCES_MANIFEST).write_text(json.dumps(record), encoding="utf-8")
    message = "Doc file '2024/ca-nam/index.md' contains a link 'x.md', but the target is not found."
    assert _locate(reports / "vi", message) == (
        "content/datasets/2024-12m/a.yml: the vi edition's page 2024/ca-nam/ (generated from "
        "this file and 5 others: content/datasets/2024-12m/b.yml, "
        "content/datasets/2024-12m/c.yml, content/datasets/2024-12m/d.yml and 2 more) "
        "contains a link 'x.md', but the target is not found. (hint: the check passed, so the "
        "fault is the generator's, not the file's: please report it with this message)"
    )
    # A page the record does not know (or no record at all): the written file, as before.
    assert _locate(reports / "vi", message.replace("2024/ca-nam", "2023/ca-nam")) == (
        f"{reports / 'vi' / '2023/ca-nam/index.md'}: contains a link 'x.md', but the target "
        "is not found."
    )


# The generator's sites one by one, as a search: python -m tests.test_check_builds 0 50
if __name__ == "__main__":
    first, last = (int(a) for a in sys.argv[1:3])
    for seed in range(first, last):
        files = synthetic_site(random.Random(seed))
        strict, langs = seed % 2 == 1, ("vi",) if seed % 4 == 2 else ()
        checked, built, _, links = check_and_build_quietly(files, strict, langs)
        print(f"seed={seed} strict={strict} langs={langs} check={checked} build={built} {links}")


def test_every_link_mkdocs_would_refuse_is_a_located_error_and_the_rest_build(
    site: ContentDir, tmp_path: Path
) -> None:
    # MkDocs, strict, refuses a link within the site to anything but a page (a folder, an
    # open-data file, an image an editor cannot add, a path out of the site) and a missing
    # anchor: the check refuses each at its line, with the page meant where there is one.
    site.write("datasets/2017-12m/nam-dinh.yml", NAM_DINH)
    refused = """
        # Giới thiệu

        [a](../2017/ca-nam/)
        [b](../du-lieu/units.csv)
        ![c](hinh.png)
        [d](../../../../etc/passwd)
        [e](/etc/passwd)
        [f](#khong-co)
        [g](../phuong-phap/index.md#ket-qua)
        """
    site.write("pages/vi/gioi-thieu.md", refused)
    result = site.check()
    assert result.code == 1
    assert result.lines == [
        "content/pages/vi/gioi-thieu.md:3:5: links to '../2017/ca-nam/' (2017/ca-nam), which is "
        "not a page of the site (hint: link to a page's Markdown file: did you mean "
        "../2017/ca-nam/index.md?)",
        "content/pages/vi/gioi-thieu.md:4:5: links to '../du-lieu/units.csv' "
        "(du-lieu/units.csv), which is not a page of the site (hint: link to a page's "
        "Markdown file: did you mean ../du-lieu/index.md?)",
        "content/pages/vi/gioi-thieu.md:5:6: links to 'hinh.png' (gioi-thieu/hinh.png), which "
        "is not a page of the site (hint: link to a page's Markdown file (…/index.md); an "
        "editor's page has no files of its own)",
        "content/pages/vi/gioi-thieu.md:6:5: links to '../../../../etc/passwd', which leads "
        "out of the site (hint: link to a page of the site, relative to this page, or to a "
        "web address)",
        "content/pages/vi/gioi-thieu.md:7:5: links to '/etc/passwd' (etc/passwd), which is not "
        "a page of the site (hint: link to a page's Markdown file (…/index.md); an editor's "
        "page has no files of its own)",
        "content/pages/vi/gioi-thieu.md:8:5: links to '#khong-co', but its page has no part "
        "#khong-co (hint: its parts are: #gioi-thieu)",
        "content/pages/vi/gioi-thieu.md:9:5: links to '../phuong-phap/index.md#ket-qua': a part "
        "(#ket-qua) of a generated page (hint: link to the page itself; the parts of generated "
        "pages are not fixed)",
    ]
    site.write(
        "pages/vi/gioi-thieu.md",
        """
        # Giới thiệu

        ## Mục một

        [a](../2017/ca-nam/index.md) [b](../du-lieu/index.md) [c](#muc-mot)
        [d](/phuong-phap/index.md) [e](https://moj.gov.vn/) [f](mailto:a@example.org)
        """,
    )
    assert site.check("--strict").code == 0
    assert _build(site.root / "content", tmp_path) == 0
