"""YAML reading: PyYAML's tags, hostile structure refused at once, text in NFC."""

from __future__ import annotations

import datetime as dt
import functools
import time
import tracemalloc
import unicodedata

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.content.load import validate_document
from minhbach.content.models import TargetsFile
from minhbach.content.yamlfile import _Composer, decode_text, load_yaml_bytes, load_yaml_text
from minhbach.problems import Problems

from .conftest import ContentDir

TRICKY = (
    "~", "null", "Null", "yes", "No", "on", "OFF", "true", "y", "n", "<<", "=", "!", "&a",
    "0", "0346", "0o17", "0x1F", "1_000", "1:20", "+1", "-0", "1.5", ".5", "+1.5e3", ".inf",
    "-.Inf", ".NaN", "2024-01-01", "2024-04-10T09:00:00+07:00", "3379", "97.6", "2024-6m",
)  # fmt: skip
SCALARS = st.text(max_size=12) | st.sampled_from(["", "gần 47", *TRICKY])


@settings(max_examples=2000)
@given(SCALARS, st.sampled_from([(True, False), (False, True), (False, False), (True, True)]))
def test_the_fast_resolver_gives_pyyaml_tags(value: str, implicit: tuple[bool, bool]) -> None:
    ours = _Composer("").resolve(yaml.ScalarNode, value, implicit)
    theirs = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, implicit)
    assert ours == theirs


def test_collections_keep_their_tags() -> None:
    loader = _Composer("")
    assert loader.resolve(yaml.MappingNode, None, (True, False)) == "tag:yaml.org,2002:map"
    assert loader.resolve(yaml.SequenceNode, None, (True, False)) == "tag:yaml.org,2002:seq"


# --- hostile structure: one located error, at once, in little memory ---

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)  # 9^10 "lol"s from 0.4 KB
ALIASES = (
    "YAML anchors and aliases (&name, *name) are not supported (hint: write the values out in full)"
)
TOO_DEEP = "the data is nested more than 20 levels deep (hint: content needs a few levels of keys and lists; check the brackets)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [*x]\n", f"x.yml:1:4: {ALIASES}"),
        (LAUGHS, f"x.yml:1:4: {ALIASES}"),
        ("a: &x 1\nb: *x\n", f"x.yml:1:4: {ALIASES}"),
        ("a: &x 1\n", f"x.yml:1:4: {ALIASES}"),  # an anchor alone is refused too
        ("a: 1\nb: *x\n", f"x.yml:2:4: {ALIASES}"),
        ("a: " + "[" * 900 + "]" * 900 + "\n", f"x.yml:1:23: {TOO_DEEP}"),
        ("a: " + "{a: " * 900 + "1" + "}" * 900 + "\n", f"x.yml:1:80: {TOO_DEEP}"),
        ("a: " + "[" * 200_000, f"x.yml:1:23: {TOO_DEEP}"),  # composed, it overflowed the C stack
        ("".join("  " * i + "a:\n" for i in range(900)), f"x.yml:21:41: {TOO_DEEP}"),
        ("".join("  " * i + "-\n" for i in range(900)), f"x.yml:21:41: {TOO_DEEP}"),
        ("a: 1\n---\nb: 2\n", "x.yml:2:1: a second YAML document ('---') in the file (hint: one file holds one document: remove the '---' line and what follows, or move it to a file of its own)"),
        ("a: b\x00c\n", "x.yml:1:5: character U+0000 is not allowed in YAML (hint: remove it; control characters have no place in content)"),
        ("a: 1\nb: x\x1b\n", "x.yml:2:5: character U+001B is not allowed in YAML (hint: remove it; control characters have no place in content)"),
    ],
    ids=[
        "recursive alias", "alias bomb", "scalar alias", "anchor", "undefined alias",
        "deep flow list", "deep flow map", "very deep flow list", "deep block map",
        "deep block list", "two documents", "NUL", "ESC",
    ],
)  # fmt: skip
def test_hostile_yaml_is_one_located_error(text: str, expected: str) -> None:
    problems = Problems()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        doc = load_yaml_text(text, problems, "x.yml")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc is None
    assert [p.format() for p in problems] == [expected]
    assert elapsed < 0.5
    assert peak < 4_000_000 + 2 * len(text)


def test_datasets_nest_well_within_the_depth_cap() -> None:
    text = (
        "money:\n  change:\n    rate:\n      points:\n        value: [[[[[[[[[[[[[1]]]]]]]]]]]]]\n"
    )
    problems = Problems()
    assert load_yaml_text(text, problems, "x.yml") is not None
    assert list(problems) == []


def test_a_byte_order_mark_and_a_huge_string_are_read() -> None:
    problems = Problems()
    doc = load_yaml_bytes("\ufeffa: 1\n".encode(), problems, "x.yml")
    assert doc is not None and doc.data == {"a": 1}
    doc = load_yaml_text("a: " + "x" * 10_000_000 + "\n", problems, "x.yml")
    assert doc is not None and len(doc.data["a"]) == 10_000_000
    assert list(problems) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1" * 5000, "x.yml:1:4: a: a number 5000 characters long is not a figure (hint: check the value; figures are at most a few dozen digits)"),
        ("0" + "7" * 200, "x.yml:1:4: a: a number 201 characters long is not a figure (hint: check the value; figures are at most a few dozen digits)"),
        ("2107-01-01", "x.yml:1:4: a: the date 2107-01-01 is outside 1945-2099 (hint: check the year)"),
        ("1900-05-01", "x.yml:1:4: a: the date 1900-05-01 is outside 1945-2099 (hint: check the year)"),
        ("9999-12-31T23:59:59-14:00", "x.yml:1:4: a: the date 9999-12-31 is outside 1945-2099 (hint: check the year)"),
        ("2024-04-10T09:00:00+99:00", "x.yml:1:4: a: '2024-04-10T09:00:00+99:00' is not a valid date (offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta(days=4, seconds=10800).) (hint: write dates as YYYY-MM-DD)"),
    ],
    ids=["5000 digits", "201 digits", "2107", "1900", "year 9999", "offset 99 hours"],
)  # fmt: skip
def test_out_of_range_scalars_are_located_errors(value: str, expected: str) -> None:
    problems = Problems()
    doc = load_yaml_text(f"a: {value}\n", problems, "x.yml")
    assert doc is not None and doc.data == {"a": None}
    assert [p.format() for p in problems] == [expected]


def test_dates_and_times_inside_the_bounds_are_kept() -> None:
    problems = Problems()
    doc = load_yaml_text("a: 2099-12-31T23:59:59-12:00\nb: 1945-01-01\n", problems, "x.yml")
    assert doc is not None and list(problems) == []
    assert doc.data["a"].utcoffset() == dt.timedelta(hours=-12)
    assert doc.data["b"] == dt.date(1945, 1, 1)


# --- text is NFC ---


def test_text_and_keys_are_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "gần 50")
    assert nfd != "gần 50"
    text = f'"{unicodedata.normalize("NFD", "khánh")}": {nfd}\nb: "a\\u0302\\u0300n"\n'
    problems = Problems()
    doc = load_yaml_text(text, problems, "x.yml")
    assert doc is not None and list(problems) == []
    assert doc.data == {"khánh": "gần 50", "b": "ần"}
    assert doc.key_marks[("khánh",)] == (1, 1)


def test_decoded_text_is_nfc() -> None:
    assert (
        decode_text(unicodedata.normalize("NFD", "Thi hành\r\nxong").encode()) == "Thi hành\nxong"
    )


def test_nfd_content_is_read_as_nfc(site: ContentDir) -> None:
    # What macOS copies: the qualifier and the quote decomposed, the archived source too.
    nfd = functools.partial(unicodedata.normalize, "NFD")
    site.write("sources/a.txt", nfd("đã thi hành xong gần 50 việc có điều kiện thi hành"))
    site.write(
        "datasets/2024-3m/quang-ninh.yml",
        "unit: quang-ninh\nperiod: 2024-3m\nstatus: final\nsource: {archive: a.txt}\n"
        f'cases:\n  completed: {{value: "{nfd("gần 50")}", quote: "thi hành xong gần 50 việc"}}\n',
    )
    result = site.check()
    assert result.lines == []
    assert result.code == 0


def test_a_message_quoting_content_is_one_line(site: ContentDir) -> None:
    site.write(
        "datasets/2024-3m/quang-ninh.yml",
        'unit: quang-ninh\nperiod: 2024-3m\nstatus: final\n"\\r\\n\\x1b[2J\\u2028": 1\n',
    )
    result = site.check()
    assert result.code == 1
    assert [line.split(" (hint")[0] for line in result.lines] == [
        "content/datasets/2024-3m/quang-ninh.yml:1:1: source (Nguồn): the dataset names no source",
        "content/datasets/2024-3m/quang-ninh.yml:4:1: unknown key '\\r\\n\\x1b[2J\\u2028'",
    ]


def test_a_long_value_is_cut_short_in_a_message() -> None:
    problems = Problems()
    doc = load_yaml_text("targets:\n  - {year: " + "x" * 10_000 + ", unit: a}\n", problems, "t.yml")
    assert doc is not None
    assert validate_document(doc, TargetsFile, problems) is None
    assert [p.format() for p in problems] == [
        f"t.yml:2:12: targets[0].year: expected a whole number, got '{'x' * 59}…"
    ]
