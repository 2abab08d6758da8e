"""YAML reading: the fast scalar resolver gives PyYAML's tags."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from minhbach.yamlfile import _Composer

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
