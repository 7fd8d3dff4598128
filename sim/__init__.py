"""sim: discrete-event simulation of crisis-shelter flow (crisisopvang -> vervolgplek).

Public API: ``load_config``, ``run_replication``, ``run_experiment``, ``save``.
"""

from sim.config import load_config, scenario_names
from sim.experiment import Results, run_experiment, run_replication, simulate
from sim.io import save
from sim.validate import ConfigError

__all__ = ["ConfigError", "Results", "load_config", "run_experiment", "run_replication", "save", "scenario_names",
           "simulate"]
__version__ = "0.1.0"
