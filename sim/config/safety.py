"""YAML and override safety: what a user writes is plain values, never code.

Every file of a config group a command chooses is read as text and scanned before Hydra
parses it; every override is checked before Hydra composes it.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional, Sequence

import yaml  # type: ignore[import-untyped]  # PyYAML comes with Hydra; its stubs are not installed

from sim.config.errors import ConfigError
from sim.config.targets import CODE_KEYS, check_targets, foreign_code, leaves

PROJECT_GROUPS = ("scenarios", "region", "run")  # plain values only: no code, no Hydra settings
MAX_CONFIG_BYTES = 1_000_000  # real scenario files are a few KB, the region file about 12 KB
MAX_YAML_DEPTH = 20  # the deepest real key (groups.<id>.routes.<place>.<destination>) is 5 levels


def check_overrides(overrides: Sequence[str]) -> None:
    """Refuse what must not reach Hydra: overrides that add keys (``+key``: silently ignored
    or untyped), delete them (``~run``: the schema's defaults would run in their place) or name
    code (see :mod:`sim.config.targets`). The files the overrides choose are scanned by
    :func:`sim.config.choices.scan_launch`."""
    if isinstance(overrides, str):
        raise ConfigError("overrides", overrides, f"a list of overrides, e.g. [{overrides!r}]")
    for o in overrides:
        if o.startswith("+") and not o.lstrip("+").startswith("hydra"):
            key = o.lstrip("+").split("=", 1)[0]
            raise ConfigError(key, o, "an existing key (key=value); adding keys with '+' is not allowed")
        if o.startswith("~") and not o.lstrip("~").startswith("hydra"):
            key = o.lstrip("~").split("=", 1)[0]
            raise ConfigError(key, o, "a value (key=value); deleting a key or config group with '~' is not allowed:"
                                      " sim would silently use its built-in defaults instead")
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except OverrideParseException:
        return  # Hydra reports the syntax error when it composes
    for ov in parsed:
        value = ov.value()
        check_targets({ov.key_or_group: getattr(value, "list", value)})
        if ov.key_or_group in PROJECT_GROUPS and value is None and not ov.is_delete():
            raise ConfigError(ov.key_or_group, None, f"one of the {ov.key_or_group} files: {', '.join(_options_of(ov.key_or_group))}")


def _options_of(group: str) -> list[str]:
    """The file names of a project config group (scenarios/ at the project root, the others in configs/)."""
    from sim.config.paths import CONFIG_DIR, SCENARIO_DIR

    folder = SCENARIO_DIR if group == "scenarios" else CONFIG_DIR / group
    return sorted(p.stem for p in folder.glob("*.yaml"))



def check_config_file(path: Path, group: str, option: str) -> dict[Any, Any]:
    """Read a config group's file as plain text before Hydra parses it, and refuse it if it is
    too large, not UTF-8 (or has a byte-order mark), uses YAML anchors, aliases or tags (a few
    lines of aliases can expand into billions of values), nests too deeply, or names code.
    Files of the project's own groups (``scenarios``, ``region``, ``run``) hold plain values
    only: no Hydra settings, no defaults list, no ``${...}``; a scenario also needs its
    ``# @package _global_`` line and ``name:`` equal to its file name. Returns the parsed mapping."""
    def fail(problem: str) -> NoReturn:
        raise ConfigError(group, option, f"{path} {problem}")

    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        fail(f"has {size} bytes; at most {MAX_CONFIG_BYTES} (real scenario files are a few KB)")
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        fail("starts with a UTF-8 byte-order mark, which hides its first line from Hydra: save it as UTF-8 without BOM")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        fail("is UTF-16 text: save it as UTF-8 (without BOM)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        fail(f"is not UTF-8 text (line {line} has byte 0x{data[exc.start]:02x}): save it as UTF-8")
    if group == "scenarios":
        _check_scenario_header(text, fail, option)
    tree = _load_yaml(text, fail)
    found = (next(((k, v) for k, v in leaves(tree) if k.rpartition(".")[2] in CODE_KEYS), None)
             if group in PROJECT_GROUPS else foreign_code(tree))
    if found is not None:
        fail(f"sets {found[0]}={_shown(found[1])}: a config file may not name code to import or run"
             " (sim never imports code named in a config)")
    if group in PROJECT_GROUPS:
        _check_plain_values(tree, fail, option if group == "scenarios" else None)
    return tree


def _check_scenario_header(text: str, fail: Callable[[str], NoReturn], option: str) -> None:
    from hydra.plugins.config_source import ConfigSource

    if not text.strip():
        fail(f"is empty: a scenario starts with '# @package _global_' and sets name: {option.rpartition('/')[2]}")
    try:
        package = ConfigSource._get_header_dict(text[:512]).get("package")  # exactly as Hydra reads it
    except ValueError as exc:
        fail(f"has a malformed header ({exc})")
    if package != "_global_":
        fail("does not start with '# @package _global_' (a scenario overrides the whole config tree)")


def _load_yaml(text: str, fail: Callable[[str], NoReturn]) -> Any:
    """The YAML mapping in ``text``, parsed as OmegaConf does, after a linear scan of its tokens."""
    from omegaconf._utils import get_yaml_loader

    depth = 0
    try:
        for tok in yaml.scan(text, Loader=yaml.SafeLoader):
            where = f"on line {tok.start_mark.line + 1}"
            if isinstance(tok, (yaml.AnchorToken, yaml.AliasToken)):
                sign = "&" if isinstance(tok, yaml.AnchorToken) else "*"
                fail(f"uses a YAML anchor or alias ({sign}{tok.value} {where}): write the values out in full"
                     " (a few lines of aliases can expand into billions of values)")
            if isinstance(tok, yaml.TagToken):
                fail(f"uses a YAML tag ({''.join(tok.value)} {where}): plain values only")
            if isinstance(tok, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    fail(f"nests deeper than {MAX_YAML_DEPTH} levels ({where}); real configs are about 5 deep")
            elif isinstance(tok, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
        tree = yaml.load(text, Loader=get_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        fail(f"is not valid YAML: {getattr(exc, 'problem', None) or exc}{at}")
    if tree is not None and not isinstance(tree, dict):
        fail(f"holds a {type(tree).__name__}, not a mapping of keys to values")
    return tree or {}


def _shown(value: Any) -> str:
    """``repr(value)``, cut to 60 characters so a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_plain_values(tree: dict[Any, Any], fail: Callable[[str], NoReturn], scenario: Optional[str]) -> None:
    """No Hydra settings, no defaults list, no interpolations; a scenario's name is its file name."""
    for key in ("hydra", "defaults"):
        if key in tree:
            first = next(leaves({key: tree[key]}), (key, tree[key]))  # e.g. hydra: {}
            why = ("Hydra settings (output folder, callbacks, launcher) belong in configs/config.yaml or on the"
                   " command line" if key == "hydra" else "a defaults list pulls in other files")
            fail(f"sets {first[0]}={_shown(first[1])}: not allowed here, {why}")
    for key, value in leaves(tree):
        if "${" in key or (isinstance(value, str) and "${" in value):
            fail(f"sets {key}={_shown(value)}: write values out; interpolations ${{...}} are not allowed here")
    if scenario is not None:
        stem = scenario.rpartition("/")[2]
        if "name" not in tree:
            fail(f"sets no name: a scenario sets name: {stem} (its file name)")
        if str(tree["name"]) != stem:  # the schema makes name a string
            fail(f"sets name={tree['name']!r}: a scenario's name must be its file name, {stem!r}")
