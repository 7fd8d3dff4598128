"""One-line messages for bad input, from our own checks and from Hydra/OmegaConf."""

from __future__ import annotations

from sim.validate import ConfigError


def one_line(exc: BaseException) -> str:
    """A single line naming the key, the value and what is allowed."""
    if isinstance(exc, ConfigError):
        return str(exc)
    from hydra.errors import MissingConfigException

    if isinstance(exc, MissingConfigException):
        first = str(exc).splitlines()[0]
        options = ", ".join(line.strip() for line in str(exc).splitlines()[3:] if line.strip())
        return f"{first}" + (f"; available: {options}" if options else "")
    cause = exc.__cause__ or exc
    full_key = getattr(cause, "full_key", None)
    lines = [ln.strip() for ln in str(cause).splitlines() if ln.strip()]
    msg = lines[0] if lines else type(cause).__name__
    if "not in struct" in msg or "not in '" in msg:
        msg += " (unknown key: check its spelling against configs/ and README 'Writing a scenario')"
    outer = str(exc).splitlines()[0] if exc is not cause and str(exc) else ""
    parts = [p for p in (f"key {full_key}" if full_key else "", outer, msg) if p]
    return ": ".join(dict.fromkeys(parts))
