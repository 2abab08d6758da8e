"""Render: pages, charts and open data into reports/."""
