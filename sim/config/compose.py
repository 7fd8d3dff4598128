"""From Hydra's composed config to a checked :class:`~sim.config.schema.SimConfig`.

The schema is stored in Hydra's ConfigStore as ``schema`` (first entry of the defaults
list), so a mistyped key fails at composition. ``load_config`` uses the compose API and
works from any folder, for notebooks and tests. This module and :mod:`sim.cli` are the only
places that import Hydra, and they do so only when a config is composed: ``import sim``
loads neither Hydra nor OmegaConf.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

from sim.config.errors import ConfigError
from sim.config.gate import CheckedConfig, check
from sim.config.paths import PROJECT_ROOT, scenario_names
from sim.config.schema import SimConfig
from sim.config.targets import check_targets

if TYPE_CHECKING:
    from omegaconf import DictConfig

_registered = False


def register() -> None:
    """Store the schema in Hydra's ConfigStore and add the ``sim_root`` resolver (once per process)."""
    global _registered
    if _registered:
        return
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    ConfigStore.instance().store(name="schema", node=SimConfig)
    if not OmegaConf.has_resolver("sim_root"):
        OmegaConf.register_new_resolver("sim_root", lambda: PROJECT_ROOT.as_posix())
    _registered = True


def structured(dcfg: "DictConfig | dict[str, Any]") -> SimConfig:
    """The SimConfig typed from a composed config or a plain mapping (e.g. a run.json's
    ``config``), with the schema's types and defaults; no value rules are applied here."""
    from omegaconf import DictConfig, OmegaConf

    node = dcfg if isinstance(dcfg, DictConfig) else OmegaConf.create(dcfg)
    check_targets(node)
    if "hydra" in node:
        node = OmegaConf.masked_copy(node, [str(k) for k in node if k != "hydra"])
    typed = OmegaConf.merge(OmegaConf.structured(SimConfig), node)
    cfg = OmegaConf.to_object(typed)
    assert isinstance(cfg, SimConfig)
    return cfg


def to_checked(dcfg: "DictConfig | dict[str, Any]", cwd: Optional[Path] = None) -> CheckedConfig:
    """A composed config through the gate: typed, value-checked, traces read, memory estimated.

    ``cwd``: the folder relative ``arrivals_csv`` paths are read from (default: the current one).
    """
    return check(structured(dcfg), cwd=cwd)


def to_sim_config(dcfg: "DictConfig | dict[str, Any]") -> SimConfig:
    """Turn a composed config into a checked SimConfig, or raise ConfigError."""
    return to_checked(dcfg).cfg


def compose(scenario: str = "baseline", overrides: Optional[Sequence[str]] = None) -> "DictConfig":
    """Compose ``configs/config.yaml`` with ``scenarios=<scenario>`` and overrides (no output folder),
    after the same file scan as the command line (:func:`sim.config.choices.scan_launch`)."""
    from sim.config.choices import Launch, compose_launch, scan_launch

    if isinstance(overrides, str):
        raise ConfigError("overrides", overrides, f"a list of overrides, e.g. [{overrides!r}]")
    if not isinstance(scenario, str) or scenario not in scenario_names():
        raise ConfigError("scenarios", scenario, f"one of {', '.join(scenario_names())}")
    job = [f"scenarios={scenario}", *(overrides or [])]
    return compose_launch(scan_launch(Launch(overrides=tuple(job))))


def load_checked(scenario: str = "baseline", overrides: Optional[Sequence[str]] = None) -> CheckedConfig:
    """Compose and check once: the config with its traces and memory estimate."""
    return to_checked(compose(scenario, overrides))


def load_config(scenario: str = "baseline", overrides: Optional[Sequence[str]] = None) -> SimConfig:
    """A checked SimConfig for ``scenario`` with Hydra-style ``overrides`` (``["run.n_reps=5"]``)."""
    return load_checked(scenario, overrides).cfg


def with_overrides(cfg: SimConfig, overrides: Sequence[str]) -> SimConfig:
    """``cfg`` with dotted ``key=value`` overrides applied, checked (a new config)."""
    from omegaconf import OmegaConf

    node = OmegaConf.merge(OmegaConf.structured(cfg), OmegaConf.from_dotlist(list(overrides)))
    return to_sim_config(node)  # type: ignore[arg-type]
