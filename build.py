#!/usr/bin/env python3
"""Minh Bạch command line: `python build.py` builds the site; `python build.py check` checks."""

import os
import sys

from minhbach.machinery.cli import main

if __name__ == "__main__":
    code = main()
    # Exit without tearing down the interpreter: freeing the site model object by object
    # took about 5 s after a build of the national reference collection. Every file is
    # written and closed and every worker pool joined by now; only the streams remain.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
