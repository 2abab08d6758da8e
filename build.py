#!/usr/bin/env python3
"""Minh Bạch command line: `python build.py` builds the site; `python build.py check` checks."""

import sys

from minhbach.cli import main

if __name__ == "__main__":
    sys.exit(main())
