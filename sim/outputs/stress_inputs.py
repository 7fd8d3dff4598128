"""STRESS-DES components (2.5) and data (3) sections, generated from a SimConfig."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

from sim.config.paths import CONFIG_DIR, SCENARIO_DIR
from sim.outputs.report_doc import Block, Bullets, Heading, Para, Table
from sim.config.schema import DistCfg, GroupCfg, SimConfig

INPUT_SECTIONS = ("origin_shares", "sex_shares", "groups", "crisis_places", "followup", "initial_state")
TEXT_KEYS = {"description", "provider"}  # free text, not model inputs


def fmt(v: Any) -> str:
    """A config value as short text (whole floats without decimals, lists and maps as JSON)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as {'a.b[0].c': leaf}; empty containers are leaves."""
    if isinstance(obj, dict) and obj:
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out |= flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(obj, list) and obj:
        return {k: v for i, item in enumerate(obj) for k, v in flatten(item, f"{prefix}[{i}]").items()}
    return {prefix: obj}


def dist_text(d: Optional[DistCfg]) -> str:
    """A distribution in words with its unit, e.g. 'exponential, mean 42 d'."""
    if d is None:
        return "none"
    if d.kind == "empirical":
        return f"empirical of {fmt(d.values_days)} d"
    sd = f", sd {fmt(d.sd_days)} d" if d.sd_days is not None else ""
    return f"{d.kind}, mean {fmt(d.mean_days)} d{sd}"


def arrivals_text(g: GroupCfg) -> str:
    """A group's arrival process in words (per year)."""
    if g.arrivals_csv:
        return f"trace from `{g.arrivals_csv}`"
    text = f"Poisson, {fmt(g.arrivals_per_year)} a year"
    steps = "; ".join(f"{fmt(r.arrivals_per_year)} a year from day {fmt(r.from_day)}" for r in g.rate_schedule)
    return f"{text}; {steps}" if steps else text


def entities(cfg: SimConfig) -> list[Block]:
    """2.5.1 Entities: client groups with their arrival rates and access policy."""
    rows = [[gid, g.description, arrivals_text(g), " then ".join(g.places), g.when_full, dist_text(g.patience),
             f"{fmt(g.reentry_share)} after {dist_text(g.reentry_delay)}" if g.reentry_share else "none"]
            for gid, g in cfg.groups.items()]
    return [Heading("2.5.1 Entities", 4),
            Para("Clients, in groups with their own arrival stream. Each client draws origin, sex, stays, route, "
                 f"patience and re-entry at arrival. Origin shares: {fmt(cfg.origin_shares)}; "
                 f"sex shares: {fmt(cfg.sex_shares)}."),
            Table(["group", "description", "arrivals", "crisis places (in order)", "when full", "patience",
                   "re-entry share"], rows)]


def resources(cfg: SimConfig) -> list[Block]:
    """2.5.3 Resources: crisis places and follow-up places with capacity, overflow and stay."""
    crisis = [[pid, c.provider, fmt(c.capacity),
               "; ".join(f"{p.capacity} from day {fmt(p.from_day)}" for p in c.capacity_schedule) or "-",
               fmt(c.overflow_capacity), "every group" if c.accepts is None else ", ".join(c.accepts), dist_text(c.stay), fmt(c.max_stay_days),
               fmt(c.cost_per_day_eur)] for pid, c in cfg.crisis_places.items()]
    follow = [[fid, f.provider, "unlimited" if f.capacity is None else fmt(f.capacity),
               dist_text(f.stay) if f.stay else "none (leaves the system)", fmt(f.max_wait_days), fmt(f.fallback),
               fmt(f.other_arrivals_per_year), fmt(f.cost_per_day_eur), fmt(f.unsheltered)]
              for fid, f in cfg.followup.items()]
    return [Heading("2.5.3 Resources", 4),
            Para("Crisis places (regular capacity plus overflow places used only when the regular ones are full):"),
            Table(["place", "provider", "capacity", "capacity schedule", "overflow", "accepts", "stay",
                   "max stay days", "cost per day EUR"], crisis),
            Para("Follow-up places (vervolgplekken):"),
            Table(["place", "provider", "capacity", "stay", "max wait days", "fallback", "outside arrivals a year",
                   "cost per day EUR", "unsheltered"], follow)]


def activities(cfg: SimConfig) -> list[Block]:
    """2.5.2 Activities: crisis stays, follow-up stays and the wait for a follow-up place."""
    acts = [f"crisis stay at `{pid}`: {dist_text(c.stay)}" + (f", at most {fmt(c.max_stay_days)} d"
                                                              if c.max_stay_days else "")
            for pid, c in cfg.crisis_places.items()]
    acts += [f"follow-up stay at `{fid}`: {dist_text(f.stay)}" for fid, f in cfg.followup.items() if f.stay]
    acts += ["waiting in the crisis bed for a full follow-up place (blocking after service)"]
    return [Heading("2.5.2 Activities", 4), Bullets(acts)]


def queues(cfg: SimConfig) -> list[Block]:
    """2.5.4 Queues: turn away or waiting list with patience; FCFS follow-up queues with max wait and fallback."""
    items = [f"`{gid}`: " + ("turned away when all its crisis places are full (no waiting list)"
                             if g.when_full == "turn_away" else
                             f"first-come-first-served waiting list, patience {dist_text(g.patience)}; "
                             "who runs out of patience leaves unsheltered") for gid, g in cfg.groups.items()]
    for fid, f in cfg.followup.items():
        if f.capacity is None:
            continue
        limit = (f"after {fmt(f.max_wait_days)} d waiting the client goes to `{f.fallback}`"
                 if f.max_wait_days is not None else "no maximum wait")
        items.append(f"`{fid}` ({f.capacity} places): first-come-first-served queue of blocked clients and "
                     f"outside referrals; {limit}")
    return [Heading("2.5.4 Queues", 4), Bullets(items)]


def entry_exit(cfg: SimConfig) -> list[Block]:
    """2.5.5 Entry and exit points."""
    outside = ", ".join(f"`{f}`" for f, c in cfg.followup.items() if c.other_arrivals_per_year > 0) or "none"
    returns = ", ".join(f"`{g}`" for g, c in cfg.groups.items() if c.reentry_share > 0) or "none"
    leave = ", ".join(f"`{f}`" for f, c in cfg.followup.items() if c.stay is None) or "none"
    return [Heading("2.5.5 Entry and exit points", 4),
            Bullets([f"entries: arrivals of {len(cfg.groups)} groups at the access point; outside referrals to "
                     f"{outside}; {sum(i.count for i in cfg.initial_state)} clients present at day 0; re-entries "
                     f"of {returns}",
                     f"exits: turned away; left the waiting list (renege); moved to a destination without a stay "
                     f"({leave}); end of a follow-up stay"])]


def components(cfg: SimConfig) -> list[Block]:
    """2.5 Components in STRESS-DES order."""
    return [Heading("2.5 Components", 3), *entities(cfg), *activities(cfg), *resources(cfg), *queues(cfg),
            *entry_exit(cfg)]


def input_parameters(cfg: SimConfig) -> Table:
    """3.3 Every capacity, rate, share, stay and cost of the config, with its value."""
    flat = flatten({k: v for k, v in asdict(cfg).items() if k in INPUT_SECTIONS})
    rows = [[f"`{k}`", fmt(v)] for k, v in flat.items()
            if k.rsplit(".", 1)[-1] not in TEXT_KEYS and v not in (None, "", [], {})]
    return Table(["parameter", "value"], rows)


def assumption_notes(path: Path) -> list[tuple[str, str]]:
    """(key path, comment) for every YAML comment that says ASSUMPTION, multi-line comments joined."""
    notes: list[tuple[str, str]] = []
    stack: list[tuple[int, str]] = []
    open_: Optional[tuple[str, list[str], int, bool]] = None  # path, parts, column, started inline
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        key = re.match(r"^(\s*)(?:-\s*)?([A-Za-z_]\w*)\s*:", line)
        col = line.find("#")
        comment_only = line.strip().startswith("#")
        cont = open_ is not None and comment_only and (col == open_[2] or (open_[3] and col > open_[2]))
        if cont and open_ is not None:
            open_[1].append(line[col + 1:].strip())
            continue
        if open_ is not None and "ASSUMPTION" in " ".join(open_[1]):
            notes.append((open_[0], " ".join(open_[1])))
        open_ = None
        if key:
            indent = len(key.group(1))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, key.group(2)))
            if col > 0 and not comment_only:
                open_ = (".".join(k for _, k in stack), [line[col + 1:].strip()], indent + 2, True)
        elif comment_only:
            parents = [k for i, k in stack if i < col]
            open_ = (".".join(parents), [line[col + 1:].strip()], col, False)
        elif col > 0 and line.lstrip().startswith("-"):  # a list item with a comment
            indent = len(line) - len(line.lstrip())
            item = line[:col].strip().lstrip("-").strip()
            where = ".".join(k for i, k in stack if i < indent) + f" {item}"
            open_ = (where, [line[col + 1:].strip()], indent + 2, True)
    return notes


def config_files(region: str, scenarios: list[str]) -> list[Path]:
    """The region YAML and each scenario's YAML (a sweep label 'name[...]' maps to name.yaml), if present."""
    names = dict.fromkeys(s.split("[", 1)[0] for s in scenarios)
    files = [CONFIG_DIR / "region" / f"{region}.yaml", *(SCENARIO_DIR / f"{n}.yaml" for n in names)]
    return [p for p in files if p.is_file()]


def data(cfg: SimConfig, scenarios: list[str]) -> list[Block]:
    """3 Data: sources, pre-processing, input parameters and the assumptions marked in the YAML files."""
    sources = [[str(k), fmt(v)] for k, v in cfg.sources.items()]
    notes = [[f"`{p.parent.name}/{p.name}`", f"`{k}`", text]
             for p in config_files(cfg.region, scenarios) for k, text in assumption_notes(p) if k]
    traces = [f"`{g}` reads its arrivals from `{c.arrivals_csv}`" for g, c in cfg.groups.items() if c.arrivals_csv]
    return [Heading("3. Data"),
            Heading("3.1 Data sources", 3),
            Table(["id", "source"], sources) if sources else Para("No sources listed in the config."),
            Heading("3.2 Pre-processing", 3),
            Para("Figures are taken from the sources by hand into the YAML files; each derivation (e.g. a rate "
                 "from a count over a period, a cost per day from a cost per year) is written in the comment "
                 "next to the number. " + ("; ".join(traces) + "." if traces else "No arrival traces are used.")),
            Heading("3.3 Input parameters", 3),
            Para(f"Every input of the reference configuration (`{cfg.name}`), rates per year, durations in "
                 "days, money in euros per place-day; scenario changes are in 2.3."),
            input_parameters(cfg),
            Heading("3.4 Assumptions", 3),
            Para("Every comment in the config files that marks a number as an ASSUMPTION (numbers with a "
                 "source cite it in their comment instead):"),
            Table(["file", "key", "comment"], notes) if notes else Para("No ASSUMPTION comments found.")]
