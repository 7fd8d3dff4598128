"""sim: discrete-event simulation of crisis-shelter flow (crisisopvang -> vervolgplek).

Public API: ``load_config``, ``run_replication``, ``run_experiment``, ``simulate``, ``save``,
``ConfigError`` (and ``Results``, ``scenario_names``). Names are imported when first used, so
``import sim`` is quick and loads neither Hydra nor OmegaConf; ``load_config`` loads Hydra
when it composes a config.

The package is layered; each sub-package holds one concern and imports only the ones below it::

    sim.cli       python -m sim, the Hydra app, pre-flight; planner, sweep and cluster commands
    sim.studies   sweeps, capacity planner, calibration, input modelling
    sim.outputs   the only writer: result folders, tables, figures, report, model description
    sim.run       replications -> Results, executors
    sim.analysis  KPIs from the event record, series, comparison, warm-up, precision, theory
    sim.config    schema, value rules, YAML safety, traces, memory estimate, compose, the gate
    sim.engine    the SimPy model, places, event record, random streams, vocabulary
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.analysis.results import Results
    from sim.config.compose import load_config
    from sim.config.errors import ConfigError
    from sim.config.paths import scenario_names
    from sim.outputs.writers import save
    from sim.run.experiment import run_experiment, run_replication, simulate

_PUBLIC = {
    "ConfigError": "sim.config.errors",
    "Results": "sim.analysis.results",
    "load_config": "sim.config.compose",
    "run_experiment": "sim.run.experiment",
    "run_replication": "sim.run.experiment",
    "save": "sim.outputs.writers",
    "scenario_names": "sim.config.paths",
    "simulate": "sim.run.experiment",
}
__all__ = ["ConfigError", "Results", "load_config", "run_experiment", "run_replication", "save", "scenario_names",
           "simulate"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
