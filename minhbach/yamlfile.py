"""Read YAML with the libyaml C parser, keeping the line and column of every value.

PyYAML's constructors throw positions away, so we compose the node tree (with
marks) and build plain Python values ourselves. On the way we refuse what YAML
would silently get wrong for statistics: duplicate keys (the last would win),
floats (binary; we keep the written digits as `Decimal`), octal-looking integers
("0346" is 230 in YAML 1.1) and tags we do not use.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .problems import Mark, Problems

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


Position = tuple[int, int]  # (line, column), 1-based; made a `Mark` when a message asks for it


class Document:
    """A YAML file's data with the position of every key and value, by path."""

    def __init__(
        self,
        path: str,
        data: Any,
        marks: dict[Path_, Position] | None = None,
        key_marks: dict[Path_, Position] | None = None,
    ) -> None:
        self.path = path
        self._data = data
        self._marks = {} if marks is None else marks
        self._key_marks = {} if key_marks is None else key_marks
        self._packed: bytes | None = None

    # A document comes back from the check cache packed, and is unpacked when first read:
    # its data and positions are rarely needed once the checks have run, and thousands of
    # them are read per run.

    @property
    def data(self) -> Any:
        self._unpack()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._unpack()
        self._data = value

    @property
    def marks(self) -> dict[Path_, Position]:
        self._unpack()
        return self._marks

    @property
    def key_marks(self) -> dict[Path_, Position]:
        self._unpack()
        return self._key_marks

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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.path, self.data, self.marks, self.key_marks) == (
            other.path,
            other.data,
            other.marks,
            other.key_marks,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return (
            f"Document(path={self.path!r}, data={self.data!r}, marks={self.marks!r}, "
            f"key_marks={self.key_marks!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        packed = self._packed
        if packed is None:
            state = (self._data, self._marks, self._key_marks)
            packed = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        return _packed_document, (self.path, packed)

    def _unpack(self) -> None:
        if self._packed is not None:
            self._data, self._marks, self._key_marks = pickle.loads(self._packed)
            self._packed = None


def _packed_document(path: str, packed: bytes) -> Document:
    """A document from `Document.__reduce__`, unpacked when first read."""
    document = Document(path, None)
    document._packed = packed
    return document


def _position(node: yaml.Node) -> Position:
    start = node.start_mark
    return (start.line + 1, start.column + 1)


def _mark(node: yaml.Node) -> Mark:
    return Mark(*_position(node))


Describe = Callable[[Path_], str]


def _plain_path(loc: Path_) -> str:
    return ".".join(str(p) for p in loc)


class _Builder:
    def __init__(self, path: str, problems: Problems, describe: Describe) -> None:
        self.doc = Document(path, None)
        self.marks = self.doc.marks  # filled in place, without a property call per node
        self.key_marks = self.doc.key_marks
        self.problems = problems
        self.describe = describe

    def error(self, node: yaml.Node, loc: Path_, message: str, hint: str | None = None) -> None:
        where = self.describe(loc) or None
        self.problems.error(self.doc.path, _mark(node), where, message, hint=hint, rule="yaml")

    def build(self, node: yaml.Node, loc: Path_) -> Any:
        self.marks[loc] = _position(node)
        if isinstance(node, yaml.ScalarNode):
            return self.build_scalar(node, loc)
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.error(node, loc, f"unsupported YAML tag {node.tag}")
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        raise AssertionError(f"unexpected YAML node {node!r}")

    def build_mapping(self, node: yaml.MappingNode, loc: Path_) -> dict[Any, Any]:
        if node.tag != _MAP:
            self.error(node, loc, f"unsupported YAML tag {node.tag}")
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error(
                    key_node,
                    loc,
                    "YAML merge keys (<<) are not supported",
                    "write the keys out in full",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, loc, "a key must be a plain word")
                continue
            if key_node.tag == _STR:  # most keys: a plain word
                key = key_node.value
            else:
                key = self.build_scalar(key_node, (*loc, "<key>"))
                if not isinstance(key, str | int):
                    key = str(key_node.value)
            if key in result:
                first_line = self.key_marks[(*loc, key)][0]
                self.error(
                    key_node,
                    (*loc, key),
                    f"duplicate key '{key}' (first at line {first_line})",
                    "YAML keeps only the last one; remove or rename one of them",
                )
                continue
            self.key_marks[(*loc, key)] = _position(key_node)
            result[key] = self.build(value_node, (*loc, key))
        return result

    def build_scalar(self, node: yaml.ScalarNode, loc: Path_) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(node)
        if tag == _INT:
            digits = text.lstrip("+-")
            if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
                self.error(
                    node,
                    loc,
                    f"'{text}' has a leading zero, which YAML reads as octal",
                    f'write {int(digits)} or quote it: "{text}"',
                )
                return None
            if ":" in text:
                self.error(
                    node,
                    loc,
                    f"'{text}' is a base-60 number in YAML 1.1",
                    f'quote it if you meant text: "{text}"',
                )
                return None
            if text.isascii() and text.isdigit():
                return int(text)  # what construct_yaml_int makes of plain digits, faster
            return _constructor.construct_yaml_int(node)
        if tag == _FLOAT:
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite():
                self.error(node, loc, f"'{text}' is not a finite number")
                return None
            return value
        if tag == _TIMESTAMP:
            try:
                stamp: dt.date = _constructor.construct_yaml_timestamp(node)
            except ValueError as exc:
                self.error(
                    node, loc, f"'{text}' is not a valid date ({exc})", "write dates as YYYY-MM-DD"
                )
                return None
            return stamp
        self.error(node, loc, f"unsupported YAML tag {tag}", "remove the '!' tag")
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
        text = decode_text(data)
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
    """A text file's bytes as `Path.read_text(encoding="utf-8")` reads them (universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def load_yaml_text(
    text: str, problems: Problems, path: str, describe: Describe = _plain_path
) -> Document | None:
    """Parse YAML text into a `Document`; syntax errors are reported, not raised."""
    try:
        node = yaml.compose(text, Loader=_Composer)
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
    except yaml.YAMLError as exc:
        problems.error(path, None, None, f"YAML error: {exc}", rule="yaml")
        return None
    builder = _Builder(path, problems, describe)
    if node is None:
        builder.doc.data = None
    else:
        builder.doc.data = builder.build(node, ())
    return builder.doc
