"""Which config files a command will load, found and scanned before Hydra parses any of them.

Every way of choosing config goes through :func:`scan_launch`: the primary config
(``--config-path``/``--config-name``), its defaults list, extra search folders
(``--config-dir``, ``hydra.searchpath``) and every ``group=option`` override in any form
(single, list ``[a,b]``, sweep ``a,b``, ``glob(...)``). Each candidate file on any search
folder is scanned as text (:func:`sim.config.safety.check_config_file`) before Hydra reads
it. After composition, :func:`verify_loaded` checks Hydra's own record of what it loaded
against the files scanned, and every code reference in the composed config against the
allowed list.
"""

from __future__ import annotations

import argparse
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, NoReturn, Optional, Sequence

from sim.config.errors import ConfigError
from sim.config.paths import CONFIG_DIR, PROJECT_ROOT
from sim.config.safety import check_config_file, check_overrides
from sim.config.targets import check_targets

MAX_FILES = 200  # files scanned for one command; a real command loads about 5


@dataclass(frozen=True)
class Launch:
    """How Hydra will be started: the primary config, extra search folders and the overrides."""

    config_dir: Path = CONFIG_DIR
    config_name: str = "config"
    extra_dirs: tuple[Path, ...] = ()
    overrides: tuple[str, ...] = ()
    multirun: bool = False
    hydra_command: bool = False  # --help, --cfg, --info, ...: Hydra prints and runs no job
    scanned: frozenset[Path] = field(default_factory=frozenset)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of argparse's usage block
        raise ConfigError("command line", message, "python -m sim [-m] [key=value ...]; see python -m sim --help")


def parse_argv(argv: Sequence[str]) -> Launch:
    """The launch Hydra's own argument parser reads from ``argv``; options that load code refused."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()
    parser.__class__ = _Parser
    args = parser.parse_intermixed_args(list(argv))  # options may stand anywhere; Hydra gets them first
    if args.experimental_rerun is not None:
        raise ConfigError("--experimental-rerun", args.experimental_rerun,
                          "not allowed: it unpickles a file, which can run any code; run the original command again")
    if args.shell_completion:
        raise ConfigError("--shell-completion", True, "not offered by sim (it installs shell code)")
    config_dir = CONFIG_DIR
    if args.config_path is not None:
        config_dir = Path(args.config_path)
        if not config_dir.is_absolute() or not config_dir.is_dir():
            raise ConfigError("--config-path", args.config_path, "an absolute path of an existing folder")
    name = args.config_name or "config"
    if not (config_dir / f"{name}.yaml").is_file():
        raise ConfigError("--config-name", name, f"a config file {name}.yaml in {config_dir}")
    extra: tuple[Path, ...] = ()
    if args.config_dir is not None:
        extra = (Path(args.config_dir).resolve(),)
        if not extra[0].is_dir():
            raise ConfigError("--config-dir", args.config_dir, "an existing folder")
    modes = [flag for flag, on in (("--run", args.run), ("--multirun", args.multirun), ("--cfg", args.cfg),
                                   ("--info", args.info)) if on]
    if len(modes) > 1:
        raise ConfigError("command line", " ".join(modes), "only one of --run, --multirun, --cfg and --info")
    hydra_command = bool(args.help or args.hydra_help or args.cfg or args.info or args.resolve or args.package)
    return Launch(config_dir, name, extra, tuple(args.overrides), bool(args.multirun), hydra_command)


VALUE_OPTIONS = ("--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn", "--config-dir",
                 "-cd", "--experimental-rerun", "--info", "-i")


def split_argv(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(options with their values, overrides) of a command line, each in its own order."""
    options: list[str] = []
    overrides: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("-"):
            options.append(a)
            nxt = argv[i + 1] if i + 1 < len(argv) else None
            optional = a in ("--info", "-i") and nxt is not None and "=" not in nxt and not nxt.startswith("-")
            if nxt is not None and ((a in VALUE_OPTIONS and a not in ("--info", "-i")) or optional):
                options.append(nxt)
                i += 1
        else:
            overrides.append(a)
        i += 1
    return options, overrides


def _defaults(tree: dict[Any, Any]) -> Iterator[tuple[str, Any]]:
    """(group, option) of a file's defaults list (``override``/``optional`` and ``@package`` dropped)."""
    for entry in tree.get("defaults", None) or []:
        if isinstance(entry, dict):
            for key, option in entry.items():
                group = str(key).split()[-1].split("@")[0]
                yield group, option


def _search_dirs(launch: Launch, primary: dict[Any, Any], parsed: Sequence[Any]) -> list[Path]:
    """Folders Hydra looks in: the primary's, its ``hydra.searchpath``, overrides of it, ``--config-dir``."""
    entries = list(((primary.get("hydra") or {}).get("searchpath")) or [])
    for ov in parsed:
        if ov.key_or_group == "hydra.searchpath" and isinstance(ov.value(), list):
            entries += list(ov.value())
    dirs = [launch.config_dir]
    for e in entries:
        text = str(e).replace("${sim_root:}", PROJECT_ROOT.as_posix())
        if text.startswith("file://"):
            dirs.append(Path(text[len("file://"):]).resolve())
    return list(dict.fromkeys([*dirs, *launch.extra_dirs]))


def _options(value: Any, group: str, dirs: list[Path]) -> list[str]:
    """The options a group override chooses: one, a list, a sweep or a glob over the files present."""
    from hydra.core.override_parser.types import ChoiceSweep, Glob

    if isinstance(value, ChoiceSweep):
        value = value.list
    if isinstance(value, Glob):
        names = sorted({p.stem for d in dirs for p in (d / group).glob("*.yaml")})
        return [n for n in names if any(fnmatch.fnmatch(n, g) for g in value.include)
                and not any(fnmatch.fnmatch(n, g) for g in value.exclude)]
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)]


def expand_globs(launch: Launch) -> Launch:
    """``group=glob(...)`` overrides replaced by the options they match, listed from every search
    folder (Hydra's sweeper does not see folders added by ``hydra.searchpath``, and would run no job)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob
    from hydra.errors import OverrideParseException

    try:
        parsed = OverridesParser.create().parse_overrides(list(launch.overrides))
    except OverrideParseException:
        return launch
    primary = check_config_file(launch.config_dir / f"{launch.config_name}.yaml", "config", launch.config_name)
    dirs = _search_dirs(launch, primary, parsed)
    out = []
    for text, ov in zip(launch.overrides, parsed):
        if isinstance(ov.value(), Glob) and "." not in ov.key_or_group:
            options = _options(ov.value(), ov.key_or_group, dirs)
            if not options:
                found = sorted({p.stem for d in dirs for p in (d / ov.key_or_group).glob("*.yaml")})
                raise ConfigError(ov.key_or_group, text.split("=", 1)[1], f"a glob that matches one of {', '.join(found)}")
            text = f"{ov.key_or_group}={','.join(options)}"
        out.append(text)
    return Launch(launch.config_dir, launch.config_name, launch.extra_dirs, tuple(out), launch.multirun,
                  launch.hydra_command, launch.scanned)


def scan_launch(launch: Launch) -> Launch:
    """Scan every file the launch can load, before Hydra parses any; return it with the files scanned."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    check_overrides(list(launch.overrides))
    try:
        parsed = OverridesParser.create().parse_overrides(list(launch.overrides))
    except OverrideParseException:
        parsed = []  # Hydra reports the syntax error in one line when it composes
    primary_file = launch.config_dir / f"{launch.config_name}.yaml"
    primary = check_config_file(primary_file, "config", launch.config_name)
    dirs = _search_dirs(launch, primary, parsed)
    queue = [(g, o) for g, o in _defaults(primary)]
    queue += [(ov.key_or_group, ov.value()) for ov in parsed if "." not in ov.key_or_group and not ov.is_delete()]
    scanned: set[Path] = {primary_file.resolve()}
    while queue:
        group, value = queue.pop(0)
        for option in _options(value, group, dirs):
            for path in (d / group / f"{option}.yaml" for d in dirs):
                if path.is_file() and path.resolve() not in scanned:
                    tree = check_config_file(path, group, option)
                    scanned.add(path.resolve())
                    queue += [(g if g.startswith("hydra/") or "/" in g else f"{group}/{g}".lstrip("/"), o)
                              for g, o in _defaults(tree)]
                    if len(scanned) > MAX_FILES:
                        raise ConfigError(group, option, f"a command that loads at most {MAX_FILES} config files")
    return Launch(launch.config_dir, launch.config_name, launch.extra_dirs, launch.overrides, launch.multirun,
                  launch.hydra_command, frozenset(scanned))


def verify_loaded(hydra_node: Any, scanned: frozenset[Path]) -> None:
    """After composition: every file Hydra loaded from a folder was scanned, and every code
    reference of the composed config (launcher, sweeper, callbacks, logging) is allowed."""
    from omegaconf import OmegaConf

    check_targets({"hydra": hydra_node})
    runtime = OmegaConf.to_container(hydra_node.runtime, resolve=False)
    assert isinstance(runtime, dict)
    dirs = [Path(s["path"]) for s in runtime.get("config_sources", []) if s.get("schema") == "file"]
    for group, option in (runtime.get("choices") or {}).items():
        for opt in (option if isinstance(option, list) else [option]):
            if opt is None:
                continue
            for d in dirs:
                path = d / group / f"{opt}.yaml"
                if path.is_file() and path.resolve() not in scanned:
                    raise ConfigError(group, opt, f"a config file checked before loading ({path} was loaded unchecked)")


def compose_launch(launch: Launch, overrides: Optional[Sequence[str]] = None) -> Any:
    """Compose one job of ``launch`` with Hydra's compose API (hydra node included), verified."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config.compose import register

    register()
    job = list(launch.overrides if overrides is None else overrides)
    if launch.extra_dirs and not any(o.split("=")[0].lstrip("+~") == "hydra.searchpath" for o in job):
        primary = [f"file://{PROJECT_ROOT.as_posix()}"] if launch.config_dir == CONFIG_DIR else []
        job.append(f"hydra.searchpath=[{','.join(primary + [f'file://{d.as_posix()}' for d in launch.extra_dirs])}]")
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(launch.config_dir), version_base="1.3"):
            dcfg = compose(launch.config_name, overrides=job, return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()
    verify_loaded(dcfg.hydra, launch.scanned)
    return dcfg
