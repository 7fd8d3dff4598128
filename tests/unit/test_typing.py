"""The package is fully type-checked (house style rule 8)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_errors_in_sim():
    out = subprocess.run([sys.executable, "-m", "mypy", "sim"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
