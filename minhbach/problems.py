"""Problems found in content: what the user sees when input is wrong.

A *problem* is a user error or warning about the content, located at a file, line
and column, naming the field (with its Vietnamese label) and the rule broken.
Every stage appends problems to one `Problems` collection instead of raising, so
a run reports all of them at once. Anything that raises is a bug in Minh Bạch.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Control characters and line separators that content puts in a message (a key named
# "\r", a quote with a newline) are shown escaped: one problem is one line of output.
_ESCAPED = {
    code: repr(chr(code))[1:-1]
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029)
    if code != 0x09
}


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    #: A warning the dataset acknowledges with a reason (`acknowledged:`): printed, shown on
    #: the page beside its figure, but it does not fail `--strict`.
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True, order=True)
class Mark:
    """A position in a source file, 1-based as editors count."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, ready to print."""

    severity: Severity
    path: str
    mark: Mark | None
    field: str | None
    message: str
    hint: str | None = None
    rule: str = ""
    loc: tuple[str | int, ...] | None = None
    """Where in a dataset the problem is (`("cases", "rate")`), for the pages' notes."""
    reason: str | None = None
    """Why the dataset accepts this warning (an acknowledged warning)."""

    def format(self) -> str:
        where = self.path
        if self.mark is not None:
            where += f":{self.mark.line}:{self.mark.column}"
        what = f"{self.field}: " if self.field else ""
        tag = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        text = f"{where}: {tag}{what}{self.message}"
        if self.severity is Severity.ACKNOWLEDGED:
            text += f" [{self.rule}; reason: {self.reason}]"
        elif self.hint:
            text += f" (hint: {self.hint})"
        return text.translate(_ESCAPED)

    def sort_key(self) -> tuple[str, int, int, str]:
        line, col = (self.mark.line, self.mark.column) if self.mark else (0, 0)
        return (self.path, line, col, self.message)


class UserError(Exception):
    """An error the user can fix; printed as one clean message, exit 1, no traceback."""


@dataclass
class Problems:
    """All problems of a run, in the order found; printed sorted by file and line."""

    items: list[Problem] = field(default_factory=list)
    _keys: set[tuple[object, ...]] = field(default_factory=set, repr=False)

    def add(
        self,
        severity: Severity,
        path: str | Path,
        mark: Mark | None,
        field: str | None,
        message: str,
        *,
        hint: str | None = None,
        rule: str = "",
        loc: tuple[str | int, ...] | None = None,
    ) -> None:
        problem = Problem(severity, str(path), mark, field, message, hint, rule, loc)
        # Two rules may find the same fault (completed > enforceable breaks two
        # identities); the reader needs it once.
        key = (problem.path, problem.mark, problem.field, problem.message)
        if key not in self._keys:
            self._keys.add(key)
            self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems found elsewhere (a file's own checks), each once as `add` does."""
        for problem in problems:
            key = (problem.path, problem.mark, problem.field, problem.message)
            if key not in self._keys:
                self._keys.add(key)
                self.items.append(problem)

    def error(
        self,
        path: str | Path,
        mark: Mark | None,
        field: str | None,
        message: str,
        *,
        hint: str | None = None,
        rule: str = "",
    ) -> None:
        self.add(Severity.ERROR, path, mark, field, message, hint=hint, rule=rule)

    def warning(
        self,
        path: str | Path,
        mark: Mark | None,
        field: str | None,
        message: str,
        *,
        hint: str | None = None,
        rule: str = "",
        loc: tuple[str | int, ...] | None = None,
    ) -> None:
        self.add(Severity.WARNING, path, mark, field, message, hint=hint, rule=rule, loc=loc)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    @property
    def acknowledged(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ACKNOWLEDGED]

    def for_path(self, path: str | Path) -> list[Problem]:
        return [p for p in self.items if p.path == str(path)]

    def format_lines(self, cap_per_file: int = 20) -> list[str]:
        """Format every problem, sorted by file and line, capped per file with 'and N more'."""
        by_path: dict[str, list[Problem]] = defaultdict(list)
        for problem in sorted(self.items, key=Problem.sort_key):
            by_path[problem.path].append(problem)
        lines: list[str] = []
        for path in sorted(by_path):
            problems = by_path[path]
            # Errors before warnings so a cap never hides an error behind a warning.
            problems.sort(key=lambda p: p.severity is not Severity.ERROR)
            shown = sorted(problems[:cap_per_file], key=Problem.sort_key)
            lines.extend(p.format() for p in shown)
            if len(problems) > cap_per_file:
                lines.append(f"{path}: ... and {len(problems) - cap_per_file} more")
        return lines
