"""The architecture is the tree: imports point one way, and the library loads no Hydra."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports")
    assert exe is not None, "import-linter is part of the test extras: bash tests/setup.sh"
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept() -> None:
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "Contracts: 5 kept, 0 broken." in out.stdout


def test_a_wrong_arrow_breaks_a_contract(tmp_path: Path) -> None:
    """Power check: the same contracts on a copy of sim/ whose engine imports the config rules fail."""
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    model = tmp_path / "sim" / "engine" / "model.py"
    model.write_text(model.read_text() + "\nfrom sim.config.rules import validate  # a wrong arrow\n")
    out = subprocess.run([shutil.which("lint-imports") or "lint-imports", "--no-cache"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode != 0
    assert "sim.engine.model -> sim.config.rules" in out.stdout


def _loaded_after(code: str) -> list[str]:
    probe = textwrap.dedent(f"""
        import json, sys
        {code}
        print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in
                                ('hydra', 'omegaconf', 'pandas', 'matplotlib', 'yaml'))))
    """)
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [m.split(".")[0] for m in json.loads(out.stdout)]


def test_import_sim_loads_no_hydra() -> None:
    assert _loaded_after("import sim") == []


def test_the_engine_needs_neither_hydra_nor_pandas() -> None:
    assert _loaded_after("import sim.engine.model") == []


def test_the_simulation_api_loads_no_hydra() -> None:
    loaded = set(_loaded_after("from sim import simulate, run_replication, run_experiment, save, ConfigError, Results"))
    assert not loaded & {"hydra", "omegaconf"}, loaded
    assert "pandas" in loaded  # the probe sees real imports: results are DataFrames


def test_load_config_imports_hydra_only_when_it_composes() -> None:
    assert "hydra" in _loaded_after("from sim import load_config; load_config('baseline', ['run=ci'])")
