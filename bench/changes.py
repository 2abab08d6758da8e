"""The edits the benchmark and `--verify` make to a copy of the content or the project.

Each edit is made in place, to the copy's files, keeping everything else of them as
written: a YAML scalar is replaced by its marks, a template gains one line.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import cast

import yaml

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class FigureChange:
    """The figure the one-dataset step changes, and every figure changed with it."""

    dataset: str  # relative to the content folder
    unit: str
    year: int
    months: int
    old: int
    new: int
    edits: list[str] = field(default_factory=list)

    @property
    def page(self) -> Path:
        """The unit page's HTML, relative to the site folder (Vietnamese URLs)."""
        segment = "ca-nam" if self.months == 12 else f"{self.months}-thang"
        return Path(str(self.year), segment, self.unit, "index.html")


class BenchError(Exception):
    """A problem with the benchmark's input; printed as one line."""


def change_one_figure(content: Path) -> FigureChange:
    """Add 1 to one unit dataset's `cases.completed`, and keep every identity of it true.

    The dataset is the first unit (sorted) of the latest pre-2025 period, annual first, that
    gives completed as a whole number: the last period of a year, so no later cumulative
    figure of the same year falls below it. What depends on completed moves with it: carried
    forward, enforceable carried forward, being enforced (if it would no longer fit), the
    rate, the gap to target and the published change. Next year's carry-over, next year's
    change and the national reconciliation then disagree: warnings, not errors.
    """
    national = national_slugs(content)
    for path in sorted(content.glob("datasets/*/*.yml"), key=_preference):
        if path.stem in national:
            continue
        text = path.read_text(encoding="utf-8")
        cases = _child(yaml.compose(text), "cases")
        completed = _number(_child(cases, "completed"))
        if completed is None or completed.tag != INT_TAG:
            continue
        old = int(completed.value)
        edits = FigureEdits(text)
        edits.add(completed, "completed", old + 1)
        for name in ("carried_forward", "enforceable_carried_forward"):
            if (node := _number(_child(cases, name))) is not None and node.tag == INT_TAG:
                edits.add(node, name, int(node.value) - 1)
        enforceable = _number(_child(cases, "enforceable"))
        in_progress = _number(_child(cases, "in_progress"))
        if (
            in_progress is not None
            and in_progress.tag == INT_TAG
            and enforceable is not None
            and old + 1 + int(in_progress.value) > Decimal(enforceable.value)
        ):
            edits.add(in_progress, "in_progress", int(in_progress.value) - 1)
        rate = _number(_child(cases, "rate"))
        rate_moved = Decimal(0)
        if rate is not None and enforceable is not None and Decimal(enforceable.value) > 0:
            new_rate = _like(rate, (old + 1) * Decimal(100) / Decimal(enforceable.value))
            rate_moved = new_rate - Decimal(rate.value)
            edits.add(rate, "rate", new_rate)
        change = _child(cases, "change")
        shifted = [
            (_number(_child(cases, "target_gap")), "target_gap"),
            (_number(_child(_child(change, "rate"), "points")), "change.rate.points"),
        ]
        for node, name in shifted:
            if node is not None and rate_moved:
                edits.add(node, name, _like(node, Decimal(node.value) + rate_moved))
        absolute = _number(_child(_child(change, "completed"), "absolute"))
        percent = _number(_child(_child(change, "completed"), "percent"))
        if absolute is not None and absolute.tag == INT_TAG:
            previous = old - int(absolute.value)
            edits.add(absolute, "change.completed.absolute", int(absolute.value) + 1)
            if percent is not None and previous > 0:
                moved = (int(absolute.value) + 1) * Decimal(100) / previous
                edits.add(percent, "change.completed.percent", _like(percent, moved))
        path.write_text(edits.apply(), encoding="utf-8")
        year, months = _period(path.parent.name)
        return FigureChange(
            dataset=path.relative_to(content).as_posix(),
            unit=path.stem,
            year=year,
            months=months,
            old=old,
            new=old + 1,
            edits=edits.described[1:],
        )
    raise BenchError(f"no unit dataset in {content} gives cases.completed as a whole number")


class FigureEdits:
    """Replacements of scalars in a YAML text, by their marks, so nothing else moves."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int, str]] = []
        self.described: list[str] = []

    def add(self, node: yaml.ScalarNode, name: str, value: int | Decimal | str) -> None:
        """Replace a scalar by a number, or by a YAML text (`str`, written as given)."""
        new = format(value, "f") if isinstance(value, Decimal) else str(value)
        if new == node.value:
            return
        self.spans.append((node.start_mark.index, node.end_mark.index, new))
        self.described.append(f"{name} {node.value} → {new}")

    def apply(self) -> str:
        text = self.text
        for start, end, new in sorted(self.spans, reverse=True):
            text = text[:start] + new + text[end:]
        return text


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return cast(yaml.Node, value_node)
    return None


def _number(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The number of a figure, plain (`3086`) or with its quote (`{value: 3086, quote: …}`)."""
    if isinstance(node, yaml.MappingNode):
        node = _child(node, "value")
    if isinstance(node, yaml.ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG):
        return node
    return None


def _like(node: yaml.ScalarNode, value: Decimal) -> Decimal:
    """Round a value to the decimals of the figure it replaces."""
    exponent = Decimal(node.value).as_tuple().exponent
    assert isinstance(exponent, int), node.value  # a YAML number is finite
    return value.quantize(Decimal(1).scaleb(exponent))


def _period(name: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d+)m", name)
    if match is None:
        raise BenchError(f"datasets/{name}/: not a period folder (YYYY-Nm)")
    return int(match[1]), int(match[2])


def _preference(path: Path) -> tuple[bool, bool, int, int, str]:
    year, months = _period(path.parent.name)
    return (year >= 2025, months != 12, -year, -months, path.name)


def national_slugs(content: Path) -> set[str]:
    units = yaml.safe_load((content / "provinces.yml").read_text(encoding="utf-8"))
    entries = units.get("units", []) if isinstance(units, dict) else units
    return {
        entry["slug"]
        for entry in entries or []
        if isinstance(entry, dict) and entry.get("scheme") == "national"
    } or {"toan-quoc"}


def change_template(template: Path, mark: str) -> None:
    """Add a line (an HTML comment) before a page template's last block ends, or at its end."""
    text = template.read_text(encoding="utf-8")
    end = text.rfind("{% endblock %}")
    if end < 0:
        text += f"\n{mark}\n"
    else:
        text = f"{text[:end]}\n{mark}\n{text[end:]}"
    template.write_text(text, encoding="utf-8")


def period_template(templates: Path) -> Path:
    """The period page's template in `site_templates/pages/` (`period.*.j2`), else the first."""
    found = sorted(templates.glob("*.j2"))
    if not found:
        raise BenchError(f"no page template (*.j2) in {templates}")
    return next((path for path in found if path.name.split(".")[0] == "period"), found[0])


def rename_unit(registry: Path, suffix: str) -> str:
    """Add `suffix` to the Vietnamese name of the registry's first unit that is not the nation;
    the unit's slug."""
    text = registry.read_text(encoding="utf-8")
    units = _child(yaml.compose(text), "units")
    for entry in units.value if isinstance(units, yaml.SequenceNode) else []:
        scheme, slug, name = (_child(entry, key) for key in ("scheme", "slug", "name"))
        if isinstance(name, yaml.MappingNode):
            name = _child(name, "vi")
        if (
            isinstance(scheme, yaml.ScalarNode)
            and scheme.value != "national"
            and isinstance(slug, yaml.ScalarNode)
            and isinstance(name, yaml.ScalarNode)
        ):
            edits = FigureEdits(text)
            edits.add(name, "name", json.dumps(name.value + suffix, ensure_ascii=False))
            registry.write_text(edits.apply(), encoding="utf-8")
            return str(slug.value)
    raise BenchError(f"{registry}: no unit but the nation, or none with a name")


def append_line(path: Path, line: str) -> None:
    """Add one line at the end of a text file (a comment, in a module of the project)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") or not text else "\n") + line + "\n")


def fake_distribution(folder: Path, name: str) -> str:
    """Make `folder`, first on PYTHONPATH, report a higher version of the installed
    distribution `name` (the next major one) than site-packages holds; that version."""
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError as exc:
        raise BenchError(f"{name} is not installed: no version to bump") from exc
    major = re.match(r"\d+", installed)
    version = f"{int(major[0]) + 1 if major else 99}.0"
    fake = folder / f"{name}-{version}.dist-info"
    fake.mkdir(parents=True)
    (fake / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    return version


def damage_entries(database: Path) -> int:
    """Flip a bit in the middle of one entry of each kind of a build cache (the first by
    key), leaving its checksum as it was; how many entries were damaged."""
    with sqlite3.connect(database) as db:
        rows = db.execute("select kind, min(key) from entry group by kind").fetchall()
        for _, key in rows:
            [data] = db.execute("select data from entry where key = ?", (key,)).fetchone()
            damaged = bytearray(data)
            if damaged:
                damaged[len(damaged) // 2] ^= 0x20
            else:  # an empty entry: one byte where none should be
                damaged = bytearray(b"\0")
            db.execute("update entry set data = ? where key = ?", (bytes(damaged), key))
    return len(rows)
