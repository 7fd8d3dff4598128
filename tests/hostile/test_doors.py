"""Closed doors and clear words, class by class (issue: what outside testing found).

Each class gets cases through every way a command chooses config: the single form, the
list form ``[a,b]``, a sweep ``a,b``, ``glob(...)``, ``--config-dir``, ``--config-path``,
``--config-name``, and the Python API. Every case must end in exactly one line naming the
key, the value and what is allowed; the payloads would leave a ``pwned`` file if they ran.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim import ConfigError, load_config
from sim.cli.preflight import check_jobs, hydra_argv
from sim.config.messages import one_line
from sim.config.paths import PROJECT_ROOT

EVIL_CALLBACK = """# @package _global_
name: {name}
hydra:
  callbacks:
    x:
      _target_: os.system
      _args_: ["touch {pwned}"]
"""
BOMB = """# @package _global_
name: {name}
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
"""


def _dir_with(tmp: Path, name: str, text: str, group: str = "scenarios") -> Path:
    folder = tmp / "cfg"
    (folder / group).mkdir(parents=True, exist_ok=True)
    (folder / group / f"{name}.yaml").write_text(text.format(name=name, pwned=tmp / "pwned"))
    return folder


def _refused(argv: list[str]) -> str:
    with pytest.raises(Exception) as err:
        check_jobs(argv)
    line = one_line(err.value)
    assert "\n" not in line and line.isprintable(), line
    return line


@pytest.mark.parametrize("form", ["list", "list_second", "sweep", "config_dir", "searchpath"])
def test_a_code_callback_in_a_scenario_is_refused_in_every_form(form: str, tmp_path: Path) -> None:
    folder = _dir_with(tmp_path, "evil", EVIL_CALLBACK)
    search = f"hydra.searchpath=[file://{PROJECT_ROOT.as_posix()},file://{folder.as_posix()}]"
    argv = {"list": ["scenarios=[evil,baseline]", search],
            "list_second": ["scenarios=[baseline,evil]", search],
            "sweep": ["-m", "scenarios=baseline,evil", search],
            "config_dir": [f"--config-dir={folder}", "scenarios=[baseline,evil]"],
            "searchpath": ["scenarios=evil", search]}[form]
    line = _refused(argv + ["run=ci"])
    assert line.startswith("scenarios='evil' is invalid: ") and "_target_='os.system'" in line
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("form", ["list", "config_dir_region"])
def test_an_anchor_bomb_is_refused_before_parsing_in_every_form(form: str, tmp_path: Path) -> None:
    group = "region" if form == "config_dir_region" else "scenarios"
    folder = _dir_with(tmp_path, "bomb", BOMB.replace("# @package _global_\nname: {name}\n", "")
                       if group == "region" else BOMB, group)
    argv = ([f"--config-dir={folder}", "region=bomb"] if group == "region" else
            ["scenarios=[baseline,bomb]", f"hydra.searchpath=[file://{PROJECT_ROOT.as_posix()},file://{folder}]"])
    line = _refused(argv)
    assert "uses a YAML anchor or alias (&a on line" in line


@pytest.mark.parametrize("target", ["sim.outputs.writers.write_text", "sim.config.paths.os.system", "os.system",
                                    "builtins.exec", "sim.cli.app.SideBySideX", "hydra.utils.instantiate"])
def test_only_the_shipped_targets_may_be_instantiated(target: str) -> None:
    line = _refused(["scenarios=baseline", f"+hydra.callbacks.x._target_={target}"])
    assert line.startswith(f"hydra.callbacks.x._target_='{target}' is invalid: one of sim.cli.app.SideBySide")


@pytest.mark.parametrize("override", ["hydra.job_logging.handlers.console.class=os.system",
                                      "+hydra.job_logging.handlers.h.class=subprocess.Popen",
                                      "hydra.job_logging.handlers.console.stream=ext://os.system"])
def test_logging_may_not_name_code(override: str) -> None:
    line = _refused(["scenarios=baseline", override])
    assert "is invalid: one of " in line and "a config may not name other code" in line


def test_config_dir_values_are_checked_like_any_other(tmp_path: Path) -> None:
    folder = _dir_with(tmp_path, "mine", "# @package _global_\nname: mine\ncrisis_places:\n  dno:\n    capacity: -5\n")
    assert _refused([f"--config-dir={folder}", "scenarios=mine"]) == (
        "crisis_places.dno.capacity=-5 is invalid: a whole number >= 0")
    assert check_jobs([f"--config-dir={folder}", "scenarios=baseline", "run=ci"]) == 1


@pytest.mark.parametrize("argv, start", [
    (["--experimental-rerun", "/tmp/config.pickle"], "--experimental-rerun='/tmp/config.pickle' is invalid: not allowed"),
    (["--shell-completion", "install=bash"], "--shell-completion=True is invalid"),
    (["--config-path", "relative/folder"], "--config-path='relative/folder' is invalid: an absolute path"),
    (["--config-name", "nosuch"], "--config-name='nosuch' is invalid: a config file nosuch.yaml in"),
    (["--config-dir", "/nonexistent/folder"], "--config-dir='/nonexistent/folder' is invalid: an existing folder"),
    (["-m", "--cfg", "job"], "command line='--multirun --cfg' is invalid: only one of"),
    (["--nosuch-option"], "command line='unrecognized arguments: --nosuch-option' is invalid"),
    (["-m", "scenarios=glob(zzz*)"], "scenarios='glob(zzz*)' is invalid: a glob that matches one of baseline,"),
])
def test_options_that_load_code_or_mean_nothing_are_refused(argv: list[str], start: str) -> None:
    assert _refused(argv).startswith(start)


def test_a_glob_of_scenarios_runs_the_files_it_matches() -> None:
    argv = ["-m", "scenarios=glob(dno2*)", "run=ci"]
    assert check_jobs(argv) == 1
    assert hydra_argv(argv) == ["-m", "scenarios=dno20", "run=ci"]
    assert hydra_argv(["scenarios=baseline", "-m", "run=ci"]) == ["-m", "scenarios=baseline", "run=ci"]


@pytest.mark.parametrize("override, line", [
    ("crisis_places=[1,2]", "crisis_places=[1,2] is invalid: a mapping of keys to values, not a list"),
    ("crisis_places.dno=null", "crisis_places.dno=null is invalid: a value (this key cannot be null"),
    ("origin_shares=5", "origin_shares=5 is invalid: a mapping of keys to values"),
    ("region=null", "region=None is invalid: one of the region files: maastricht_heuvelland"),
    ("crisis_places.dno.accepts=5", "crisis_places.dno.accepts=5 is invalid: a list, e.g. [a, b]"),
])
def test_type_errors_name_the_key_and_what_is_allowed(override: str, line: str) -> None:
    assert _refused(["scenarios=baseline", override]).startswith(line)


@pytest.mark.parametrize("key, near", [("scenario", "scenarios"), ("crisis_places.dno.capcity", "capacity"),
                                       ("rgion", "region")])
def test_a_misspelt_key_gets_a_hint(key: str, near: str) -> None:
    assert f"did you mean {near}?" in _refused(["scenarios=baseline", f"{key}=1"])


def test_a_string_of_overrides_is_refused_with_its_fix() -> None:
    with pytest.raises(ConfigError) as err:
        load_config("baseline", "run=ci")  # type: ignore[arg-type]
    assert one_line(err.value) == "overrides='run=ci' is invalid: a list of overrides, e.g. ['run=ci']"


@pytest.mark.parametrize("content, shown", [
    ("root:x:0:0:root:/root:/bin/bash\nx\n", "its first line is not such a header"),
    ("da\x1b[31mte\n2018-01-01\n", "its first line is not such a header"),
    ('"da\nte",x\n2018-01-01,1\n', "its first line is not such a header"),
    ("Datum,Aantal\n2018-01-01,1\n", "found columns: Datum, Aantal"),
    ("date\n2018-01-01\n\x1b]0;pwned\x07\n", "<a value of 10 characters>"),
])
def test_messages_never_echo_other_content_or_control_characters(content: str, shown: str, tmp_path: Path) -> None:
    csv = tmp_path / "trace.csv"
    csv.write_text(content)
    line = _refused(["scenarios=baseline", f"groups.single_adults.arrivals_csv={csv}"])
    assert shown in line
    assert "root:x" not in line and "\x1b" not in line


def test_the_command_line_refuses_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    folder = _dir_with(tmp_path, "evil", EVIL_CALLBACK)
    out = subprocess.run([sys.executable, "-m", "sim", f"--config-dir={folder}", "scenarios=[baseline,evil]",
                          "run=ci", f"hydra.run.dir={tmp_path / 'out'}"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "_target_='os.system'" in out.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("command, args", [("sim.plan", ["--place", "dno"]), ("sim.plan", ["--low", "x"]),
                                           ("sim.sweep", ["/nonexistent/folder"]), ("sim.cluster", ["--workers", "x"])])
def test_command_argument_errors_take_one_line(command: str, args: list[str], tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", command, *args], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and f"python -m {command}: invalid input: " in out.stderr
