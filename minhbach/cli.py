"""The command line: `python build.py [build|check] [--content DIR] [--strict]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .problems import UserError
from .validate import Content, check_content, display_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Minh Bạch: build the THADS transparency site."
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="content folder to read (default: content)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail on warnings too (CI runs strict)"
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("check", help="check the content and report every problem; write nothing")
    sub.add_parser("build", help="check, then build the site (the default)")
    args = parser.parse_args(argv)
    try:
        if args.command in (None, "build", "check"):
            return run_check(args.content, args.strict, building=args.command != "check")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


def run_check(root: Path, strict: bool, building: bool = False) -> int:
    """Check a content folder, print every problem and a summary; return the exit code."""
    if not root.is_dir():
        raise UserError(f"no content folder at {display_path(root)}")
    content, problems = check_content(root)
    for line in problems.format_lines():
        print(line, file=sys.stderr)
    sys.stderr.flush()
    errors, warnings = len(problems.errors), len(problems.warnings)
    failed = errors > 0 or (strict and warnings > 0)
    print(summary(content, errors, warnings, strict))
    if building and not failed:
        print(
            "site: not built yet: rendering pages is the next stage of Minh Bạch (issue #3); "
            "the content is checked and ready",
            file=sys.stderr,
        )
    return 1 if failed else 0


def summary(content: Content, errors: int, warnings: int, strict: bool) -> str:
    """One line: what was checked and how it went."""

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    verdict = "FAILED" if errors or (strict and warnings) else "ok"
    return (
        f"check {verdict}: {plural(len(content.datasets), 'dataset')}, "
        f"{plural(len(content.units), 'unit')}, {plural(len(content.periods), 'period')}; "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        + (" (strict: warnings fail)" if strict and warnings else "")
    )
