"""What a page read of the model while it was rendered, recorded as it was rendered.

A page's entry in the render cache (`rendercache`) is valid while everything it read is
unchanged. What it read is recorded here, as Lektor records a page's dependencies while
it builds, not declared per page type: a template reaches the model only through the
names of its context, Jinja's attribute and item lookups and its calls, and this
environment sees each of them. Every model object that passes through one of them (as a
name's value, the object or result of a lookup, an argument or result of a call) is
noted by its name (`name`); `rendercache.Sources` tells what each name's content is now.

The model objects named are those whose content comes from datasets: a unit's page in a
period, a period, a unit's history, and the whole model (a page that read it depends on
everything, and is not cached). What a page reads of the registry, the targets, the
releases and the list of published pages is in every key (`Sources.of`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.runtime import Context

from minhbach.compute.model import PeriodView, SiteModel, UnitHistory, UnitPeriod

#: What a page that read the whole model depends on: everything.
EVERYTHING = "everything"

#: The model objects a page's reads are made of, and the name of each.
NAMES: dict[type[Any], Callable[[Any], str]] = {
    UnitPeriod: lambda page: f"unit:{page.period.key}/{page.unit.id}",
    PeriodView: lambda view: f"period:{view.period.key}",
    UnitHistory: lambda history: f"history:{history.slug}",
    SiteModel: lambda model: EVERYTHING,
}


def name(value: Any) -> str:
    """The name of a model object a page can read (one of `NAMES`' types)."""
    return NAMES[type(value)](value)


class Reads:
    """The model objects one page's rendering has seen so far."""

    def __init__(self) -> None:
        # By identity: the objects live as long as the model, so ids are not reused.
        self.seen: dict[int, Any] = {}

    def add(self, value: Any) -> None:
        if type(value) in NAMES:
            self.seen[id(value)] = value

    def names(self) -> frozenset[str]:
        return frozenset(name(value) for value in self.seen.values())


class RecordingContext(Context):
    """A template's context that notes the model objects its names and calls pass on."""

    environment: RecordingEnvironment

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if type(value) in NAMES:
            self.environment.reads.seen[id(value)] = value
        return value

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        seen = __self.environment.reads.seen
        for value in (*args, *kwargs.values()):
            if type(value) in NAMES:
                seen[id(value)] = value
        result = super().call(__obj, *args, **kwargs)
        if type(result) in NAMES:
            seen[id(result)] = result
        return result


class RecordingEnvironment(jinja2.Environment):
    """A Jinja environment whose lookups note the model objects they pass (`reads`).

    `reads` is the current page's: the renderer gives each page a new one. A lookup on a
    model object notes the object, not what it found: what a model object holds is part
    of its content (`rendercache.Sources`); a lookup on anything else notes what it found.
    """

    context_class = RecordingContext

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.reads = Reads()

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        if type(obj) in NAMES:
            self.reads.seen[id(obj)] = obj
        elif type(value) in NAMES:
            self.reads.seen[id(value)] = value
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if type(obj) in NAMES:
            self.reads.seen[id(obj)] = obj
        elif type(value) in NAMES:
            self.reads.seen[id(value)] = value
        return value
