"""Loading: the content boundary, YAML with marks, the typed models, the registry, periods,
figures, the catalogue, editors' pages and number formats.
"""
