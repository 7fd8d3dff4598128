"""The one way text reaches the terminal: tables, answers and paths for the person at the command line.

Everything else (progress, notes, warnings) goes through :mod:`logging`.
"""

from __future__ import annotations

import sys


def show(text: str) -> None:
    """Write ``text`` and a newline to standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def error(text: str) -> None:
    """Write a one-line refusal to standard error (the commands then exit non-zero)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
