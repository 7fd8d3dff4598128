"""The closed list of code a config may name: nothing a user writes is instantiated, except
the exact targets the project ships.

Hydra instantiates the ``_target_`` of its launcher, its sweeper and each entry of
``hydra.callbacks``, and :func:`logging.config.dictConfig` builds the ``class`` (and ``()``)
of each handler and formatter in ``hydra.job_logging`` and ``hydra.hydra_logging``. Every
one of those in the composed config must be on the lists below, character for character;
sim itself never instantiates config.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from sim.config.errors import ConfigError

# The project's own callback, Hydra's own launcher and sweeper, and the launchers the README documents.
ALLOWED_TARGETS = frozenset({
    "sim.cli.app.SideBySide",
    "hydra._internal.core_plugins.basic_launcher.BasicLauncher",
    "hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
    "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher",
    "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
})
TARGETS_SHOWN = ("sim.cli.app.SideBySide, Hydra's BasicLauncher or BasicSweeper, or the submitit LocalLauncher or"
                 " SlurmLauncher (README 'Reliability')")
# What Hydra's own logging configs build (hydra/job_logging and hydra/hydra_logging: default, disabled, none).
ALLOWED_LOGGING_CLASSES = frozenset({"logging.StreamHandler", "logging.FileHandler", "logging.Formatter",
                                     "logging.NullHandler"})
ALLOWED_STREAMS = frozenset({"ext://sys.stdout", "ext://sys.stderr"})  # logging.config resolves ext:// by import
CODE_KEYS = ("_target_", "class", "()")


def leaves(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every leaf, and of every code key even when its value is a mapping."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if str(k) in CODE_KEYS or not isinstance(v, (dict, list)):
                yield key, v
            else:
                yield from leaves(v, key)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def _plain(node: Any) -> Any:
    if type(node).__module__.startswith("omegaconf"):  # a DictConfig or ListConfig: never resolved here
        from omegaconf import OmegaConf

        return OmegaConf.to_container(node, resolve=False)
    return node


def foreign_code(node: Any) -> Optional[tuple[str, Any]]:
    """(key, value) of the first code reference in ``node`` that is not on the allowed lists."""
    for key, value in leaves(_plain(node)):
        name = key.rpartition(".")[2]
        if name == "_target_" and value not in ALLOWED_TARGETS:
            return key, value
        in_logging = any(part in ("job_logging", "hydra_logging") for part in key.split("."))
        if in_logging and name in ("class", "()") and value not in ALLOWED_LOGGING_CLASSES:
            return key, value
        if in_logging and isinstance(value, str) and value.startswith("ext://") and value not in ALLOWED_STREAMS:
            return key, value
    return None


def check_targets(node: Any) -> None:
    """Refuse any ``_target_`` (anywhere) or logging ``class``/``()`` not on the allowed lists."""
    found = foreign_code(node)
    if found is not None:
        name = found[0].rpartition(".")[2]
        allowed = (TARGETS_SHOWN if name == "_target_" else ", ".join(sorted(ALLOWED_LOGGING_CLASSES))
                   if name in ("class", "()") else ", ".join(sorted(ALLOWED_STREAMS)))
        raise ConfigError(found[0], _shown(found[1]), f"one of {allowed}: a config may not name other code to"
                                                      " import or run")


def _shown(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."
