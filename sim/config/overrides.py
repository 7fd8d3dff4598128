"""Reading Hydra overrides back from a result folder: what each job set and what a multirun swept."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence


def parse_overrides(overrides: Sequence[str]) -> list[tuple[str, Any]]:
    """(key, value) of Hydra overrides; a value Hydra cannot parse stays the text after '='."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        return [(ov.key_or_group, ov.value()) for ov in OverridesParser.create().parse_overrides(list(overrides))]
    except OverrideParseException:
        return [(o.split("=", 1)[0].lstrip("+~"), o.split("=", 1)[-1]) for o in overrides]


def swept_in(multirun_yaml: Path) -> set[str]:
    """Keys of the sweep overrides (``x=1,2``, ``x=range(...)``) on a multirun's command line."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    task = OmegaConf.select(OmegaConf.load(multirun_yaml), "hydra.overrides.task", default=[])
    parsed = OverridesParser.create().parse_overrides([str(t) for t in task])
    return {ov.key_or_group for ov in parsed if ov.is_sweep_override()}
