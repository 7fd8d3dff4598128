"""From Hydra's composed config to a checked :class:`~sim.schema.SimConfig`.

The schema is stored in Hydra's ConfigStore as ``schema`` (first entry of the defaults
list), so a mistyped key fails at composition. ``load_config`` uses the compose API and
works from any folder, for notebooks and tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from sim.schema import SimConfig
from sim.validate import ConfigError, validate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "configs"
SCENARIO_DIR = PROJECT_ROOT / "scenarios"

ConfigStore.instance().store(name="schema", node=SimConfig)
if not OmegaConf.has_resolver("sim_root"):
    OmegaConf.register_new_resolver("sim_root", lambda: PROJECT_ROOT.as_posix())


def scenario_names() -> list[str]:
    """Names of the scenario files in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def check_overrides(overrides: Sequence[str]) -> None:
    """Refuse overrides that add keys (``+key``): they would be silently ignored or untyped."""
    for o in overrides:
        if o.startswith("+") and not o.lstrip("+").startswith("hydra"):
            key = o.lstrip("+").split("=", 1)[0]
            raise ConfigError(key, o, "an existing key (key=value); adding keys with '+' is not allowed")


def to_sim_config(dcfg: DictConfig | dict[str, Any]) -> SimConfig:
    """Turn a composed config into a checked SimConfig, or raise ConfigError."""
    node = dcfg if isinstance(dcfg, DictConfig) else OmegaConf.create(dcfg)
    if "hydra" in node:
        node = OmegaConf.masked_copy(node, [str(k) for k in node if k != "hydra"])
    typed = OmegaConf.merge(OmegaConf.structured(SimConfig), node)
    cfg = OmegaConf.to_object(typed)
    assert isinstance(cfg, SimConfig)
    validate(cfg)
    load_traces(cfg)
    return cfg


def load_traces(cfg: SimConfig) -> dict[str, tuple[float, ...]]:
    """Arrival days per group that reads its arrivals from a CSV (checked here, before any run)."""
    from sim.arrivals import read_trace, resolve_path

    out = {}
    for gid, g in cfg.groups.items():
        if g.arrivals_csv:
            path = resolve_path(g.arrivals_csv, PROJECT_ROOT)
            out[gid] = read_trace(str(path), cfg.run.start_date, f"groups.{gid}.arrivals_csv")
    return out


def compose(scenario: str = "baseline", overrides: Optional[Sequence[str]] = None) -> DictConfig:
    """Compose ``configs/config.yaml`` with ``scenarios=<scenario>`` and overrides (no output folder)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    overrides = list(overrides or [])
    check_overrides(overrides)
    if scenario not in scenario_names():
        raise ConfigError("scenarios", scenario, f"one of {', '.join(scenario_names())}")
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose("config", overrides=[f"scenarios={scenario}", *overrides])


def load_config(scenario: str = "baseline", overrides: Optional[Sequence[str]] = None) -> SimConfig:
    """A checked SimConfig for ``scenario`` with Hydra-style ``overrides`` (``["run.n_reps=5"]``)."""
    return to_sim_config(compose(scenario, overrides))
