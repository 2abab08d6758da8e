"""The page templates read only the names they are given (`render.pages.PAGE_CONTEXTS`)."""

from __future__ import annotations

import jinja2
import pytest
from jinja2 import meta, nodes

from minhbach.check.validate import check_content
from minhbach.compute.model import compute
from minhbach.render.pages import PAGE_CONTEXTS, PAGE_NAMES, Renderer, Strings, get_pages
from tests.conftest import REPO


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    content, problems = check_content(REPO / "tests" / "fixtures" / "mini")
    assert not problems.errors
    model, _ = compute(content)
    return Renderer(model, "vi", Strings())


def undeclared(env: jinja2.Environment, name: str, given: set[str]) -> dict[str, set[str]]:
    """Each template `name` renders (itself, what it includes), with the names it reads
    that are neither given, nor a global, nor set by it or by a template including it."""
    found: dict[str, set[str]] = {}

    def visit(template: str, allowed: set[str]) -> None:
        source = env.loader.get_source(env, template)[0]  # type: ignore[union-attr]
        tree = env.parse(source)
        stored = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        for imported in tree.find_all(nodes.FromImport):
            stored |= {name if isinstance(name, str) else name[1] for name in imported.names}
        # A partial's optional values, read as `x if x is defined else …`.
        stored |= {
            test.node.name
            for test in tree.find_all(nodes.Test)
            if test.name == "defined" and isinstance(test.node, nodes.Name)
        }
        # Less what it sets itself (Jinja's analysis counts a name set in a branch and read
        # in a test of that branch as undeclared).
        missing = meta.find_undeclared_variables(tree) - allowed - stored - env.globals.keys()
        if missing:
            found[template] = missing
        for included in meta.find_referenced_templates(tree):
            if included is not None and not included.endswith("macros.j2"):
                visit(included, allowed | stored)

    visit(name, given)
    return found


def test_every_page_type_has_its_template(renderer: Renderer) -> None:
    pages = get_pages(renderer.model, "vi", Strings())
    assert (
        {page.template for page in pages}
        == set(PAGE_CONTEXTS)
        == {path.name for path in (REPO / "site_templates" / "pages").glob("*.j2")}
    )


@pytest.mark.parametrize("template", sorted(PAGE_CONTEXTS))
def test_a_page_template_reads_only_the_names_it_is_given(
    renderer: Renderer, template: str
) -> None:
    given = set(PAGE_CONTEXTS[template]) | set(PAGE_NAMES)
    assert undeclared(renderer.env, f"pages/{template}", given) == {}


def test_a_name_no_page_is_given_is_found(renderer: Renderer) -> None:
    env = renderer.env
    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader(
                {
                    "pages/x.html.j2": '{% include "partials/y.html.j2" %}{{ view.period }}',
                    "partials/y.html.j2": "{% for row in rows %}{{ row }}{{ secret }}{% endfor %}",
                }
            ),
            env.loader,  # type: ignore[list-item]
        ]
    )
    probe = env.overlay(loader=loader)
    assert undeclared(probe, "pages/x.html.j2", {"view", "rows"}) == {
        "partials/y.html.j2": {"secret"}
    }
