"""Minh Bạch: a static report-site generator for civil judgment enforcement (THADS) statistics.

The pipeline, one module per stage: `load` (YAML with line marks into typed
`models`), `validate` (schema, identities, cross-period checks), then compute,
render and site (later stages). `catalogue` names every field; `registry` knows
which units exist on which day; `periods` the statistical year.
"""

__version__ = "0.1.0"
