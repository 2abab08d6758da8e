"""Stage 1, load: YAML files into typed models, with every schema problem located.

`load_model` reads one file, validates it against a pydantic model and turns
each pydantic error into a `Problem` at the line and column of the offending
key or value, labelled from the catalogue, with a "did you mean" hint for
unknown keys.
"""

from __future__ import annotations

import copy
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from minhbach.content.catalogue import Catalogue, did_you_mean, get_catalogue
from minhbach.content.yamlfile import Document, load_yaml
from minhbach.problems import Problems

M = TypeVar("M", bound=BaseModel)

_TYPE_MESSAGES = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "bool_type": "expected true or false",
    "date_type": "expected a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "expected a date without a time",
    "datetime_type": "expected a date and time (YYYY-MM-DD HH:MM:SS+07:00)",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "dict_type": "expected a mapping of keys to values",
    "list_type": "expected a list (lines starting with '- ')",
}


def load_model(
    path: Path, model: type[M], problems: Problems, shown: str, catalogue: Catalogue | None = None
) -> tuple[Document, M] | None:
    """Load `path` as `model`; report every problem and return None if it does not fit."""
    doc = load_yaml(path, problems, shown)
    if doc is None:
        return None
    return validate_document(doc, model, problems, catalogue)


def validate_document(
    doc: Document, model: type[M], problems: Problems, catalogue: Catalogue | None = None
) -> tuple[Document, M] | None:
    catalogue = catalogue or get_catalogue()
    if not isinstance(doc.data, dict):
        problems.error(
            doc.path,
            doc.mark(()),
            None,
            "the file must be a mapping of keys to values",
            rule="schema",
        )
        return None
    try:
        return doc, model.model_validate(doc.data)
    except ValidationError as exc:
        report_validation_error(exc, doc, model, problems, catalogue)
        return None


def validate_pruned(doc: Document, model: type[M]) -> M | None:
    """Validate the document with every failing value removed, to check the rest of it.

    After a schema error we still want the domain problems of the other fields
    reported in the same run. Returns None when a required key is missing or
    pruning does not converge; the result must never be published.
    """
    data = copy.deepcopy(doc.data)
    for _ in range(5):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                if error["type"] == "missing" or not _prune(data, tuple(error["loc"])):
                    return None
    return None


def _prune(data: Any, loc: tuple[Any, ...]) -> bool:
    for depth in range(len(loc), 0, -1):
        parent: Any = data
        try:
            for part in loc[: depth - 1]:
                parent = parent[part]
            if isinstance(parent, dict) and loc[depth - 1] in parent:
                del parent[loc[depth - 1]]
                return True
            if isinstance(parent, list) and isinstance(loc[depth - 1], int):
                parent[loc[depth - 1]] = None
                return True
        except (KeyError, IndexError, TypeError):
            continue
    return False


def report_validation_error(
    exc: ValidationError,
    doc: Document,
    model: type[BaseModel],
    problems: Problems,
    catalogue: Catalogue,
) -> None:
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        hint: str | None = None
        mark, field = doc.mark(loc), catalogue.describe(loc) or None
        if kind == "extra_forbidden":
            allowed = allowed_keys(model, loc[:-1])
            mark, field = doc.key_mark(loc), catalogue.describe(loc[:-1]) or None
            message = f"unknown key '{loc[-1]}'"
            hint = did_you_mean(str(loc[-1]), allowed) if allowed else None
        elif kind == "missing":
            mark = doc.mark(loc[:-1])
            message = "required key is missing"
            hint = f"add '{loc[-1]}:'"
        elif kind == "figure":
            message = error["msg"]
            hint = (error.get("ctx") or {}).get("hint") or None
        elif kind == "literal_error":
            expected = (error.get("ctx") or {}).get("expected", "")
            message = f"'{error['input']}' is not allowed; expected {expected}"
        else:
            message = _TYPE_MESSAGES.get(kind) or error["msg"]
            if kind in _TYPE_MESSAGES and error.get("input") is not None:
                message += f", got {_show(error['input'])}"
        problems.error(doc.path, mark, field, message, hint=hint, rule="schema")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:60] + "…"  # a 10 MB value gives a short message


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` inside `model` accepts (for 'did you mean')."""
    current: Any = model
    for part in loc:
        current = _unwrap(current, part)
        if current is None:
            return []
    current = _unwrap_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any, part: Any) -> Any:
    annotation = _unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(part, int):
        return typing.get_args(annotation)[0] if origin is list else None
    if origin is dict:
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return field.annotation if field else None
    return None


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation
