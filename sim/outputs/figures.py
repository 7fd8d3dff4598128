"""matplotlib for the figures: imported only when a figure is drawn (it costs about a second to load)."""

from __future__ import annotations

import sys
from typing import Any


def pyplot() -> Any:
    """``matplotlib.pyplot``, on the file-only Agg backend unless a notebook has its own inline backend."""
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
