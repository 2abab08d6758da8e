"""The check cache: each dataset file's own checks, skipped when nothing they read changed.

Checking one dataset file (YAML with marks, schema, the per-file rules) reads the file,
the unit registry and targets, the archived sources it quotes, the catalogue and the
code. `check_content(root, cache_dir=...)` keeps, per dataset file, what those checks
found (its problems and the typed dataset) under a key hashing all of them but the
sources, which are listed in the entry with their hashes and compared on use. A hit
gives exactly what the checks would find. The checks across the periods of a unit read
only the unit's datasets: what they found is kept under the keys of the unit's files.

The entries are kept in the build's store (`cache.Store`), whose key holds the code
and library versions: a damaged entry is a miss, never a wrong result.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from minhbach.check.checked import CheckedDataset
from minhbach.content.figures import Figure
from minhbach.content.models import Dataset
from minhbach.content.yamlfile import Document
from minhbach.machinery.cache import Store, key
from minhbach.problems import Problem

KIND = "check"


@dataclass(frozen=True)
class FileCheck:
    """What the checks of one dataset file found: its problems, and the dataset if it passed."""

    problems: tuple[Problem, ...]
    checked: CheckedDataset | None
    sources: tuple[tuple[str, str], ...]  # archived sources read: name, `source_state`


@dataclass(frozen=True)
class CrossCheck:
    """What the checks across the datasets of one unit found."""

    problems: tuple[Problem, ...]


class CheckCache:
    """Check results in the build's store, valid for `context`.

    An entry holds a dataset file's own checks (`get`), or the checks across the datasets
    of a unit (`get_across`), keyed by the keys of their files.
    """

    def __init__(self, store: Store, context: str, source_state: Callable[[str], str]) -> None:
        self.store = store
        self.context = context
        self._read_source_state = source_state
        store.preload(KIND)
        self.hits = 0
        self.misses = 0
        self._source_states: dict[str, str] = {}

    def key(self, shown: str, data: bytes) -> bytes:
        """The key of a dataset file's entry: its path and bytes, and the context."""
        digest = hashlib.sha256(self.context.encode())
        digest.update(shown.encode() + b"\0")
        digest.update(data)
        return digest.digest()

    def across_key(self, file_keys: list[bytes]) -> bytes:
        """The key of the checks across a unit's datasets: the keys of their files, in order."""
        digest = hashlib.sha256(b"across\0" + self.context.encode())
        for file_key in file_keys:
            digest.update(file_key)
        return digest.digest()

    def get(self, key: bytes) -> FileCheck | None:
        """The result stored under `key`, if intact and its sources unchanged; else None."""
        result = self._load(key)
        if not isinstance(result, FileCheck) or any(
            self.source_state(name) != state for name, state in result.sources
        ):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def get_across(self, key: bytes) -> CrossCheck | None:
        """The checks across a unit's datasets stored under `key`, if intact; else None."""
        result = self._load(key)
        return result if isinstance(result, CrossCheck) else None

    def _load(self, key: bytes) -> object:
        return self.store.get_object(KIND, key.hex())

    def put(self, key: bytes, pickled: bytes) -> None:
        """Keep a file's result, pickled by `dumps`."""
        self.store.put(KIND, key.hex(), pickled)

    def source_state(self, name: str) -> str:
        """An archived source as the checks read it, through the content boundary: its
        sha256, or why it is refused (a symlink now is a miss, never the old result)."""
        if name not in self._source_states:
            self._source_states[name] = self._read_source_state(name)
        return self._source_states[name]


def dumps(result: FileCheck | CrossCheck) -> bytes:
    """A file's result pickled for the pack (and for passing between processes)."""
    stream = io.BytesIO()
    _Pickler(stream).dump(result)
    return stream.getvalue()


class _Pickler(pickle.Pickler):
    """The check cache's pickler: the one place of the build's pickling shortcuts.

    It stands in for pickle's own reduction of three kinds of objects, the only ones a
    check result holds by the thousand; what it writes unpickles to equal objects
    (tests/test_checkcache.py compares every dataset of the bundled content and of a
    fuzzed one, read back, with the dataset as checked; docs/performance.md has the
    measurements):

    - a figure (`Figure`) without the fields left at their defaults, and one Decimal per
      repeated step: a dataset holds ~200 figures, most with only a value and a step;
    - a pydantic model (the content models) as its instance dictionary, restored in one
      call (`_restore`) rather than by pydantic's `__setstate__`, which runs Python code
      per model (~50 per dataset);
    - a checked dataset with its document and dataset pickled apart, read when first
      used (`UnreadDataset`): a one-dataset rebuild uses a few hundred of thousands.
    """

    def __init__(self, stream: io.BytesIO) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        # Not a bound method: the pickler would be in a reference cycle with its table.
        decimals: dict[str, Decimal] = {}
        self.dispatch_table = {
            Figure: functools.partial(_reduce_figure, decimals),
            CheckedDataset: _reduce_checked,
        }

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            state = (obj.__dict__, obj.__pydantic_fields_set__)
            return _restore, (type(obj), *state, obj.__pydantic_extra__, obj.__pydantic_private__)
        return NotImplemented


def _restore(
    cls: type[BaseModel],
    values: dict[str, Any],
    fields_set: set[str],
    extra: dict[str, Any] | None,
    private: dict[str, Any] | None,
) -> BaseModel:
    """A pydantic model unpickled as `_Pickler` wrote it."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", extra)
    object.__setattr__(model, "__pydantic_private__", private)
    return model


class UnreadDataset(CheckedDataset):
    """A checked dataset from the check cache or a checking process, its dataset and its
    document each unpickled on first use: a one-dataset rebuild reads a few hundred of
    the reference's 2,531 datasets (unpickling them all took 0.8 s), and a build reads
    few documents (the positions of a warning after the check): unpickled, a document
    takes more memory than its dataset. Made by `checkcache`, equal to the dataset as
    checked."""

    @property
    def doc(self) -> Document:
        return self._read("doc")  # type: ignore[no-any-return]

    @property
    def dataset(self) -> Dataset:
        return self._read("dataset")  # type: ignore[no-any-return]

    def _read(self, name: str) -> Any:
        fields = self.__dict__
        if name not in fields:
            fields[name] = pickle.loads(fields.pop(f"_{name}"))
        return fields[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckedDataset):
            return NotImplemented
        return all(
            getattr(self, f.name) == getattr(other, f.name) for f in dataclasses.fields(other)
        )

    __hash__ = CheckedDataset.__hash__


def _reduce_checked(checked: CheckedDataset) -> tuple[Any, ...]:
    """A checked dataset with its document and its dataset pickled apart, each read when
    used (`UnreadDataset`)."""
    fields = (checked.src_path, checked.period, checked.unit_id, checked.targets)
    return _unread, (*fields, checked.summary, _pickled(checked.doc), _pickled(checked.dataset))


def _pickled(obj: Any) -> bytes:
    stream = io.BytesIO()
    _Pickler(stream).dump(obj)
    return stream.getvalue()


def _unread(
    src_path: str,
    period: Any,
    unit_id: str,
    targets: Any,
    summary: Any,
    doc: bytes,
    dataset: bytes,
) -> CheckedDataset:
    unread = object.__new__(UnreadDataset)
    unread.__dict__.update(
        src_path=src_path,
        period=period,
        unit_id=unit_id,
        targets=targets,
        summary=summary,
        _doc=doc,
        _dataset=dataset,
    )
    return unread


def _reduce_figure(decimals: dict[str, Decimal], figure: Figure) -> tuple[Any, ...]:
    # Field by field from lists made once (about 450,000 figures on the reference).
    fields = figure.__dict__
    state = {}
    for name, default in _DECIMAL_FIELDS:
        value = fields[name]
        if type(value) is Decimal:
            # str() keeps the exponent: 1000 and 1E+3, 1 and 1.0 stay apart, as in pickle.
            text = str(value)
            if text == default:
                continue
            value = decimals.setdefault(text, value)
        state[name] = value
    for name in _NONE_FIELDS:
        value = fields[name]
        if value is not None:
            state[name] = value
    for name in _OTHER_FIELDS:
        state[name] = fields[name]
    return copyreg.__newobj__, (Figure,), state  # type: ignore[attr-defined]


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Figure)}
# Fields that hold a Decimal (with the text of their default, if any), fields whose
# default is None, and the others: every field of Figure is in one of the three.
_DECIMAL_FIELDS = tuple(
    (f.name, str(f.default) if type(f.default) is Decimal else None)
    for f in dataclasses.fields(Figure)
    if f.type in ("Decimal", Decimal)
)
_NONE_FIELDS = tuple(name for name, default in _DEFAULTS.items() if default is None)
_OTHER_FIELDS = tuple(
    name for name in _DEFAULTS if name not in _NONE_FIELDS and name not in dict(_DECIMAL_FIELDS)
)


def context_key(*parts: Any) -> str:
    """Hash of `parts` (reprs of what the checks read besides the file)."""
    return key(*map(repr, parts))
