"""One-line messages for bad input, from our own checks and from Hydra/OmegaConf."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from difflib import get_close_matches

from sim.config.errors import ConfigError

GRAMMAR_URL = "https://hydra.cc/docs/advanced/override_grammar/basic"


def one_line(exc: BaseException) -> str:
    """A single line naming the key, the value and what is allowed (and the job, in a multirun).

    Control characters from the input (newlines, ANSI escapes) are shown escaped, never passed
    to the terminal, so the message is always exactly one printable line.
    """
    notes = "".join(f" ({' '.join(note.split())})" for note in getattr(exc, "__notes__", []))
    return printable(_message(exc) + notes)


def printable(text: str) -> str:
    """``text`` with every control or unprintable character written as its escape (``\\n``, ``\\x1b``)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _message(exc: BaseException) -> str:
    if isinstance(exc, ConfigError):
        return str(exc)
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(exc, MissingConfigException):
        return _missing_config(exc)
    if isinstance(exc, OverrideParseException):
        why = "; ".join(ln.strip() for ln in exc.message.splitlines() if ln.strip() and not ln.startswith("See "))
        return f"{exc.override!r} is invalid: {why} (allowed: a Hydra override key=value, see {GRAMMAR_URL})"
    return _composition(exc)


def _missing_config(exc: BaseException) -> str:
    """``scenarios='nosuch' is invalid: one of ...`` for an unknown config group option."""
    group, _, name = (getattr(exc, "missing_cfg_file", None) or "").rpartition("/")
    options = getattr(exc, "options", None)
    if group and options:
        return f"{group.replace('/', '.')}={name!r} is invalid: one of {', '.join(options)}"
    return str(exc).splitlines()[0]


# What OmegaConf says, and what to tell the user instead: (start of OmegaConf's message, what is allowed).
_PLAIN = (
    ("Cannot merge DictConfig with ListConfig", "a mapping of keys to values, not a list"),
    ("Cannot merge ListConfig with DictConfig", "a list, not a mapping"),
    ("Cannot assign", "a mapping of keys to values"),
    ("Invalid type assigned", "a mapping of keys to values (see README 'Writing a scenario')"),
    ("Invalid value assigned", "a list, e.g. [a, b]"),
    ("Unexpected type", "a value of the type the schema gives this key (see README 'Writing a scenario')"),
)


def _plain_words(cause: BaseException, full_key: object, msg: str) -> str | None:
    """``key=value is invalid: allowed`` for OmegaConf's type errors, or None."""
    import re

    m = re.search(r"Error merging override (\S+?)=(.*?): ", str(cause) + ": ") or re.search(
        r"Error merging override (\S+?)=(.*)$", str(cause))
    key = str(full_key) if full_key else (m.group(1) if m else None)
    value = m.group(2) if m else getattr(cause, "value", None)
    if key is None:
        return None
    if "is not Optional" in msg:
        return f"{key}={value!s} is invalid: a value (this key cannot be null; leave it out to keep the default)"
    for start, allowed in _PLAIN:
        if start in msg:
            return f"{key}={value!s} is invalid: {allowed}"
    return None


def _composition(exc: BaseException) -> str:
    """An OmegaConf error (typo, wrong type), raised directly or wrapped by Hydra."""
    from omegaconf.errors import OmegaConfBaseException

    # Hydra chains a bad key inside a config file only implicitly (__context__, not __cause__)
    context = exc.__context__ if isinstance(exc.__context__, OmegaConfBaseException) else None
    cause = exc.__cause__ or context or exc
    full_key = getattr(cause, "full_key", None)
    lines = [ln.strip() for ln in str(cause).splitlines() if ln.strip()]
    msg = lines[0] if lines else type(cause).__name__
    if "Config group override must be a string or a list" in msg:
        return "a config group (scenarios, region, run) cannot be null: name one of its files"
    plain = _plain_words(exc, full_key, msg)
    if plain is not None:
        return plain
    if "not in struct" in msg or "not in '" in msg:
        msg += _unknown_key_hint(cause)
    outer = str(exc).splitlines()[0].rstrip(":") if exc is not cause and str(exc) else ""
    parts = [p for p in (f"key {full_key}" if full_key else "", outer, msg) if p]
    return ": ".join(dict.fromkeys(parts))


def _unknown_key_hint(cause: BaseException) -> str:
    """The keys allowed where an unknown key was met."""
    object_type, parent = getattr(cause, "object_type", None), getattr(cause, "parent_node", None)
    if isinstance(object_type, type) and is_dataclass(object_type):
        allowed = [f.name for f in fields(object_type)]
        key = str(getattr(cause, "key", "") or "")
        groups = ["scenarios", "region", "run"] if object_type.__name__ == "SimConfig" else []
        near = get_close_matches(key, groups + allowed, n=1, cutoff=0.75) if key else []
        hint = f"; did you mean {near[0]}?" if near else ""
        return f" (unknown key{hint}; allowed: {', '.join(allowed)})"
    if parent is not None and hasattr(parent, "keys"):  # a mapping (routes, shares, places): struct on the CLI
        keys = ", ".join(str(k) for k in parent.keys())
        return f" (unknown key; the command line can only change existing keys: {keys}; add others in a scenario file)"
    return " (unknown key: check its spelling against configs/ and README 'Writing a scenario')"
