"""Fuzzing `check` with mutated bundled datasets: located errors or a pass, never a traceback.

Each example takes one of the datasets in content/datasets, breaks it the ways editors and
attackers do (its structure, its bytes, its Unicode), and runs the real command line on a
content folder with the real registry, targets, sources and the other datasets. Derandomised
and without a database, so CI runs the same examples every time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from minhbach.machinery.cli import main

from .conftest import CONTENT

DATASETS = {
    path.relative_to(CONTENT).as_posix(): path.read_bytes()
    for path in sorted((CONTENT / "datasets").glob("**/*.yml"))
}
# file.yml:12:3: message, file.yml: message, file.yml: ... and 4 more
LOCATED = re.compile(r"^content/[^\s:]+(:\d+:\d+)?: \S")
TIME_BOUND = 5.0  # seconds for one check of the whole folder
# A few hundred in CI; FUZZ_EXAMPLES=5000 for a deeper search on a quiet machine.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


# --- structure: parse, change one node, write back ---

SCALARS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=30),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(
        [
            "gần 47", "trên 50,5 tỷ", "1.0e+400", "1e-400", "-0", "-0,00", "1,052", "9" * 31,
            "102 tỷ 990 triệu 477 nghìn", "2024-6m", "2200-12m", "khanh-hoa", "../../etc/passwd",
            "/etc/hostname", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "",
        ]
    ),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [loc]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*loc, i))
    return found


def _get(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        data = data[part]
    return data


def _set(data: Any, loc: tuple[Any, ...], value: Any) -> Any:
    if not loc:
        return value
    _get(data, loc[:-1])[loc[-1]] = value
    return data


@st.composite
def structural(draw: st.DrawFn, text: bytes) -> bytes:
    data = yaml.safe_load(text)
    loc = draw(st.sampled_from(_paths(data)))
    node = _get(data, loc)
    kind = draw(st.sampled_from(["delete", "reorder", "swap", "retype", "rename"]))
    if kind == "delete" and loc:
        del _get(data, loc[:-1])[loc[-1]]
    elif kind == "reorder" and isinstance(node, dict):
        keys = draw(st.permutations(list(node)))
        data = _set(data, loc, {key: node[key] for key in keys})
    elif kind == "reorder" and isinstance(node, list):
        data = _set(data, loc, draw(st.permutations(node)))
    elif kind == "swap" and isinstance(node, dict):
        data = _set(data, loc, list(node.values()))
    elif kind == "swap" and isinstance(node, list):
        data = _set(data, loc, {f"k{i}": value for i, value in enumerate(node)})
    elif kind == "rename" and loc and isinstance(_get(data, loc[:-1]), dict):
        parent = _get(data, loc[:-1])
        parent[draw(st.text(max_size=12) | st.integers())] = parent.pop(loc[-1])
    else:
        data = _set(data, loc, draw(VALUES))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


# --- bytes ---


@st.composite
def byte_level(draw: st.DrawFn, text: bytes) -> bytes:
    at = draw(st.integers(min_value=0, max_value=len(text)))
    kind = draw(st.sampled_from(["flip", "insert", "truncate", "cut", "line"]))
    if kind == "flip" and at < len(text):
        return text[:at] + bytes([text[at] ^ draw(st.integers(1, 255))]) + text[at + 1 :]
    if kind == "insert":
        return text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    if kind == "truncate":
        return text[:at]
    if kind == "cut":
        return text[:at] + text[at + draw(st.integers(1, 40)) :]
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i = draw(st.integers(0, len(lines) - 1))
    edit = draw(st.sampled_from(["duplicate", "indent", "dedent", "swap"]))
    if edit == "duplicate":  # a duplicate key, most often
        lines.insert(i, lines[i])
    elif edit == "indent":
        lines[i] = b"  " + lines[i]
    elif edit == "dedent":
        lines[i] = lines[i].lstrip(b" ")
    else:
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


# --- Unicode ---

INSERTS = st.sampled_from(
    [
        "\u0301", "\u0300\u0323\u0302", "\u202e", "\u200f", "\u2028", "\u00a0", "\ufeff",
        "👍🏽", "👨‍👩‍👧", "\x00", "\x1b", "\t", "\r", "𝟘", "ǅ", "İ",
    ]
) | st.text(min_size=1, max_size=4)  # fmt: skip


@st.composite
def unicode_level(draw: st.DrawFn, text: bytes) -> bytes:
    decoded = text.decode("utf-8")
    kind = draw(st.sampled_from(["nfd", "nfkd", "insert", "surrogate"]))
    if kind in ("nfd", "nfkd"):
        return unicodedata.normalize(kind.upper(), decoded).encode("utf-8")
    at = draw(st.integers(min_value=0, max_value=len(decoded)))
    if kind == "insert":
        return (decoded[:at] + draw(INSERTS) + decoded[at:]).encode("utf-8")
    raw = decoded[:at].encode("utf-8")  # a lone surrogate, as bytes no UTF-8 reader accepts
    return raw + b"\xed\xa0\x80" + decoded[at:].encode("utf-8")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    relative = draw(st.sampled_from(sorted(DATASETS)))
    text = DATASETS[relative]
    for _ in range(draw(st.integers(1, 3))):
        strategy = draw(st.sampled_from([structural, byte_level, unicode_level]))
        try:
            text = draw(strategy(text))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            break  # an earlier mutation left nothing this one can read: check that
    return relative, text


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled content; each example writes its dataset and puts it back."""
    root = tmp_path_factory.mktemp("fuzz")
    for path in sorted(CONTENT.glob("**/*")):
        if path.is_file():
            target = root / "content" / path.relative_to(CONTENT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return root


def check(root: Path) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--content", "content", "--cache", ".cache", "check"])
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - started


def test_the_bundled_content_passes(folder: Path) -> None:
    code, out, err, _ = check(folder)
    assert (code, err) == (0, ""), err
    assert out.startswith("check ok:")


@settings(
    max_examples=EXAMPLES,
    deadline=dt.timedelta(seconds=TIME_BOUND),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutated())
def test_a_mutated_dataset_passes_or_gives_located_errors(
    folder: Path, example: tuple[str, bytes]
) -> None:
    relative, text = example
    path = folder / "content" / relative
    path.write_bytes(text)
    try:
        code, out, err, elapsed = check(folder)  # an exception escaping fails the example
    finally:
        path.write_bytes(DATASETS[relative])
    event(f"exit {code}")
    assert code in (0, 1)
    assert "Traceback" not in out + err
    assert out.startswith("check ok:" if code == 0 else "check FAILED:"), out
    for line in err.splitlines():
        assert LOCATED.match(line), f"not a located line: {line!r}"
    if code == 1:
        assert err, "exit 1 without a single problem"
    assert elapsed < TIME_BOUND
