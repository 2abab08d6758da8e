"""Read YAML with the libyaml C parser, keeping the line and column of every value.

PyYAML's constructors throw positions away, so we compose the node tree (with
marks) and build plain Python values ourselves. On the way we refuse what YAML
would silently get wrong for statistics: duplicate keys (the last would win),
floats (binary; we keep the written digits as `Decimal`), octal-looking integers
("0346" is 230 in YAML 1.1) and tags we do not use.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from minhbach.content.periods import date_problem
from minhbach.problems import Mark, Problems

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in every PyYAML wheel we pin
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_constructor = yaml.constructor.SafeConstructor()

# The implicit tags of plain scalars by first character, wildcard rules included: PyYAML's
# own rules and order, looked up once instead of rebuilt for each of the ~500 scalars of a
# dataset.
_WILDCARD = list(_Loader.yaml_implicit_resolvers.get(None, []))
_IMPLICIT = {
    first: [*resolvers, *_WILDCARD]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


class _Composer(_Loader):
    """The C loader, with a faster resolver for plain scalars: the same tags as PyYAML's."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            if not implicit[0]:
                return _STR
            # A plain scalar's tag depends on its text alone; keys repeat in every dataset.
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = _plain_tag(value)
                if len(_PLAIN_TAGS) < _PLAIN_TAGS_KEPT:
                    _PLAIN_TAGS[value] = tag
            return tag
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


def _plain_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
        if regexp.match(value):
            return str(tag)
    return _STR


_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_KEPT = 10_000


# A parser event: which attributes it has (anchor, tag, value) depends on its class.
_Event = Any

Position = tuple[int, int]  # (line, column), 1-based; made a `Mark` when a message asks for it


@dataclass
class Document:
    """A YAML file's data with the position of every key and value, by path."""

    path: str
    data: Any
    marks: dict[Path_, Position] = field(default_factory=dict)
    key_marks: dict[Path_, Position] = field(default_factory=dict)

    def mark(self, loc: Path_) -> Mark | None:
        """Return the mark of the value at `loc`, or of its nearest parent that has one."""
        marks = self.marks
        loc = tuple(loc)
        while loc:
            if loc in marks:
                return Mark(*marks[loc])
            loc = loc[:-1]
        position = marks.get(())
        return Mark(*position) if position else None

    def key_mark(self, loc: Path_) -> Mark | None:
        """Return the mark of the key naming `loc` (for unknown keys), else of the value."""
        position = self.key_marks.get(tuple(loc))
        return Mark(*position) if position else self.mark(loc)


def _position(event: _Event) -> Position:
    start = event.start_mark
    return (start.line + 1, start.column + 1)


def _mark(event: _Event) -> Mark:
    return Mark(*_position(event))


Describe = Callable[[Path_], str]

# Datasets nest five levels deep (money.change.rate.points.value); twenty leaves room and
# stops a small file of '[[[[...' before libyaml's flow scanner, whose work per token grows
# with the depth, makes it slow (and composing it recursively would overflow the C stack).
MAX_DEPTH = 20

# Longer numbers are no figure (see figures.MAX_FIGURE) and Python refuses to read an
# integer of more than 4300 digits.
MAX_NUMBER_LENGTH = 100


def _plain_path(loc: Path_) -> str:
    return ".".join(str(p) for p in loc)


_NO_KEY: Any = object()  # a key that could not be read: its value is read past, not kept


class _Refused(Exception):
    """A structure the loader will not build at all: it ends the file's reading."""

    def __init__(self, event: _Event, message: str, hint: str) -> None:
        super().__init__(message)
        self.event, self.message, self.hint = event, message, hint


def _refuse_anchor(event: _Event) -> _Refused:
    # An alias is never needed in content, and expanding aliases of aliases turns a
    # kilobyte into gigabytes ("billion laughs"): refused before anything is expanded.
    return _Refused(
        event,
        "YAML anchors and aliases (&name, *name) are not supported",
        "write the values out in full",
    )


class _Builder:
    """Python values and marks straight from the parser's events, depth and aliases checked.

    Building from events, not from a composed node tree, means nothing is composed
    before the checks: an alias or a nesting too deep stops the reading where it starts.
    """

    def __init__(self, path: str, loader: _Composer, describe: Describe) -> None:
        self.doc = Document(path, None)
        self.marks = self.doc.marks  # filled in place, without a property call per node
        self.key_marks = self.doc.key_marks
        self.problems = Problems()  # kept apart: a syntax error later in the file replaces them
        self.describe = describe
        self.next: Callable[[], _Event] = loader.get_event
        self.resolve = loader.resolve

    def error(self, event: _Event, loc: Path_, message: str, hint: str | None = None) -> None:
        where = self.describe(loc) or None
        self.problems.error(self.doc.path, _mark(event), where, message, hint=hint, rule="yaml")

    def build(self, event: _Event, loc: Path_, depth: int) -> Any:
        self.marks[loc] = _position(event)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None:
                raise _refuse_anchor(event)
            return self.build_scalar(event, self.scalar_tag(event), loc)
        if kind is yaml.AliasEvent or event.anchor is not None:
            raise _refuse_anchor(event)
        if depth >= MAX_DEPTH:
            raise _Refused(
                event,
                f"the data is nested more than {MAX_DEPTH} levels deep",
                "content needs a few levels of keys and lists; check the brackets",
            )
        if kind is yaml.MappingStartEvent:
            if event.tag not in (None, "!", _MAP):
                self.error(event, loc, f"unsupported YAML tag {event.tag}")
            return self.build_mapping(loc, depth + 1)
        if event.tag not in (None, "!", _SEQ):
            self.error(event, loc, f"unsupported YAML tag {event.tag}")
        items: list[Any] = []
        item = self.next()
        while type(item) is not yaml.SequenceEndEvent:
            items.append(self.build(item, (*loc, len(items)), depth + 1))
            item = self.next()
        return items

    def scalar_tag(self, event: yaml.ScalarEvent) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            return self.resolve(yaml.ScalarNode, event.value, event.implicit)
        return str(tag)

    def skip(self, event: _Event, depth: int) -> None:
        """Read past a value that is not kept, refusing in it what `build` refuses."""
        kept = self.marks, self.key_marks, self.problems
        self.marks, self.key_marks, self.problems = {}, {}, Problems()
        try:
            self.build(event, (), depth)
        finally:
            self.marks, self.key_marks, self.problems = kept

    def build_mapping(self, loc: Path_, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        key_event = self.next()
        while type(key_event) is not yaml.MappingEndEvent:
            key = self.key(key_event, loc, depth)
            value_event = self.next()
            if key is _NO_KEY:
                self.skip(value_event, depth)
            elif key in result:
                first_line = self.key_marks[(*loc, key)][0]
                self.error(
                    key_event,
                    (*loc, key),
                    f"duplicate key '{key}' (first at line {first_line})",
                    "YAML keeps only the last one; remove or rename one of them",
                )
                self.skip(value_event, depth)
            else:
                self.key_marks[(*loc, key)] = _position(key_event)
                result[key] = self.build(value_event, (*loc, key), depth)
            key_event = self.next()
        return result

    def key(self, event: _Event, loc: Path_, depth: int) -> Any:
        """A mapping key as a plain value, or `_NO_KEY` (reported) if it cannot be one."""
        if type(event) is not yaml.ScalarEvent:
            self.skip(event, depth)
            self.error(event, loc, "a key must be a plain word")
            return _NO_KEY
        if event.anchor is not None:
            raise _refuse_anchor(event)
        tag = self.scalar_tag(event)
        if tag == _STR:  # most keys: a plain word
            return _nfc(event.value)
        if tag == "tag:yaml.org,2002:merge":
            self.error(
                event, loc, "YAML merge keys (<<) are not supported", "write the keys out in full"
            )
            return _NO_KEY
        key = self.build_scalar(event, tag, (*loc, "<key>"))
        return key if isinstance(key, str | int) else _nfc(str(event.value))

    def build_scalar(self, event: yaml.ScalarEvent, tag: str, loc: Path_) -> Any:
        text = event.value
        if tag == _STR:
            return _nfc(text)
        if tag in (_INT, _FLOAT) and len(text) > MAX_NUMBER_LENGTH:
            self.error(
                event,
                loc,
                f"a number {len(text)} characters long is not a figure",
                "check the value; figures are at most a few dozen digits",
            )
            return None
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(yaml.ScalarNode(tag, text))
        if tag == _INT:
            digits = text.lstrip("+-")
            if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
                self.error(
                    event,
                    loc,
                    f"'{text}' has a leading zero, which YAML reads as octal",
                    f'write {int(digits)} or quote it: "{text}"',
                )
                return None
            if ":" in text:
                self.error(
                    event,
                    loc,
                    f"'{text}' is a base-60 number in YAML 1.1",
                    f'quote it if you meant text: "{text}"',
                )
                return None
            if text.isascii() and text.isdigit():
                return int(text)  # what construct_yaml_int makes of plain digits, faster
            return _constructor.construct_yaml_int(yaml.ScalarNode(tag, text))
        if tag == _FLOAT:
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite():
                self.error(event, loc, f"'{text}' is not a finite number")
                return None
            return value
        if tag == _TIMESTAMP:
            try:
                stamp: dt.date = _constructor.construct_yaml_timestamp(yaml.ScalarNode(tag, text))
            except ValueError as exc:
                self.error(
                    event, loc, f"'{text}' is not a valid date ({exc})", "write dates as YYYY-MM-DD"
                )
                return None
            day = stamp.date() if isinstance(stamp, dt.datetime) else stamp
            problem = date_problem(day)
            if problem is not None:
                self.error(event, loc, f"the date {problem}", "check the year")
                return None
            return stamp
        self.error(event, loc, f"unsupported YAML tag {tag}", "remove the '!' tag")
        return text


def load_yaml(
    path: Path,
    problems: Problems,
    display_path: str | None = None,
    describe: Describe = _plain_path,
) -> Document | None:
    """Load one YAML file into a `Document`, reporting syntax problems; None if unreadable."""
    return load_yaml_bytes(path.read_bytes(), problems, display_path or str(path), describe)


def load_yaml_bytes(
    data: bytes, problems: Problems, path: str, describe: Describe = _plain_path
) -> Document | None:
    """Load a YAML file's bytes into a `Document`, reporting problems; None if unreadable."""
    try:
        # Not NFC as a whole, so that columns count the characters as the file has them;
        # the builder puts each text in NFC.
        text = _decode(data)
    except UnicodeDecodeError as exc:
        problems.error(
            path,
            None,
            None,
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint="save the file as UTF-8",
            rule="yaml",
        )
        return None
    return load_yaml_text(text, problems, path, describe)


def decode_text(data: bytes) -> str:
    """A text file's bytes as `Path.read_text(encoding="utf-8")` reads them, in NFC.

    NFC as every text read from YAML is, so that a quote compares equal to its source
    whichever way either was typed.
    """
    return _nfc(_decode(data))


def _decode(data: bytes) -> str:
    # Universal newlines, as `Path.read_text(encoding="utf-8")` reads a file.
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def load_yaml_text(
    text: str, problems: Problems, path: str, describe: Describe = _plain_path
) -> Document | None:
    """Parse YAML text into a `Document`; syntax errors are reported, not raised."""
    loader = _Composer(text)
    try:
        builder = _Builder(path, loader, describe)
        builder.doc.data = _build_document(builder, loader)
    except _Refused as exc:
        problems.error(path, _mark(exc.event), None, exc.message, hint=exc.hint, rule="yaml")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else None
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        problems.error(
            path,
            where,
            None,
            f"YAML syntax error: {what}",
            hint="check indentation and quoting around this line",
            rule="yaml",
        )
        return None
    except yaml.reader.ReaderError as exc:
        problems.error(
            path,
            _text_mark(text, exc.position),
            None,
            f"character {_codepoint(exc.character)} is not allowed in YAML",
            hint="remove it; control characters have no place in content",
            rule="yaml",
        )
        return None
    except yaml.YAMLError as exc:
        problems.error(path, None, None, f"YAML error: {' '.join(str(exc).split())}", rule="yaml")
        return None
    finally:
        loader.dispose()
    problems.extend(builder.problems)
    return builder.doc


def _build_document(builder: _Builder, loader: _Composer) -> Any:
    """The single document of a stream: its data, or None for an empty file."""
    loader.get_event()  # StreamStartEvent
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # DocumentStartEvent
    data = builder.build(loader.get_event(), (), 0)
    loader.get_event()  # DocumentEndEvent
    event = loader.get_event()
    if type(event) is not yaml.StreamEndEvent:
        raise _Refused(
            event,
            "a second YAML document ('---') in the file",
            "one file holds one document: remove the '---' line and what follows, "
            "or move it to a file of its own",
        )
    return data


def _text_mark(text: str, position: int) -> Mark:
    line_start = text.rfind("\n", 0, position) + 1
    return Mark(text.count("\n", 0, position) + 1, position - line_start + 1)


def _codepoint(character: int | str) -> str:
    return f"U+{character if isinstance(character, int) else ord(character):04X}"


def _nfc(text: str) -> str:
    # What macOS copies is often decomposed (NFD): "gần" as a, combining breve, combining
    # grave... Content compares texts with the catalogue's and the sources' words, in NFC.
    return text if text.isascii() else unicodedata.normalize("NFC", text)
