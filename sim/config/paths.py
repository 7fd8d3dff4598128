"""Where the project's config files live, and the scenarios a user can name."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG_DIR = PROJECT_ROOT / "configs"
SCENARIO_DIR = PROJECT_ROOT / "scenarios"

def scenario_names() -> list[str]:
    """Names of the scenario files in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
