"""The site: MkDocs over reports/ for each edition, and publishing in one step."""
