"""Compute: the site model derived from the checked content."""
