"""Model description after STRESS-DES (Monks et al. 2019), generated from the configs of a report.

Everything scenario-specific is computed from the configs (overrides are a diff of the
scenario's and the reference's ``asdict``), so the description cannot drift from the run.
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version

from sim.analysis.results import Results
from sim.outputs.report_doc import Block, Bullets, Heading, Para, Table
from sim.engine.rng import STREAMS
from sim.engine.vocab import measured_years
from sim.config.schema import SimConfig
from sim.outputs.stress_inputs import components, data, flatten, fmt

# one line per metric (README "Metrics"); the measured window is [warmup_days, horizon_days)
METRICS: dict[str, str] = {
    "arrivals": "clients who came, counted at their first-choice crisis place (follow-up: who asked for it)",
    "admissions": "clients admitted to the place",
    "turned_away": "clients who found all their crisis places full and had no waiting list",
    "p_turned_away": "turned_away / arrivals",
    "p_wait": "share of arrivals that joined the waiting list",
    "mean_wait_admission_days": "mean days from arrival to admission (0 for direct admissions)",
    "left_unsheltered": "left the waiting list, or moved on to an unsheltered destination (the street)",
    "mean_occupancy": "time-average number present, blocked clients included",
    "p_full": "share of time with no free regular place",
    "overflow_days": "place-days above the regular capacity (emergency places in use)",
    "mean_stay_days": "mean days from admission to exit, blocked time included",
    "blocked_days": "crisis place-days held after the stay was over, waiting for a follow-up place",
    "mean_wait_followup_days": "mean days from the end of the crisis stay to leaving the crisis place",
    "cost_eur": "mean_occupancy x measured days x cost per place-day (EUR)",
}
SKIP_IN_DIFF = ("name", "description", "sources")


def overrides(reference: Results, scenario: Results) -> list[list[str]]:
    """[key, reference value, scenario value] for every config leaf that differs (name and text left out)."""
    ref = flatten({k: v for k, v in asdict(reference.cfg).items() if k not in SKIP_IN_DIFF})
    cur = flatten({k: v for k, v in asdict(scenario.cfg).items() if k not in SKIP_IN_DIFF})
    keys = list(ref) + [k for k in cur if k not in ref]
    return [[f"`{k}`", fmt(ref[k]) if k in ref else "(absent)", fmt(cur[k]) if k in cur else "(absent)"]
            for k in keys if ref.get(k, ...) != cur.get(k, ...)]


def objectives(results: list[Results], reference: str | None) -> list[Block]:
    """1 Objectives: purpose, outputs with definitions, experimentation aims."""
    cfg = results[0].cfg
    scen = [[r.cfg.name, r.cfg.description.strip()] for r in results]
    aim = (f"Each scenario is compared with the reference `{reference}` by paired differences per replication "
           "(the same clients in every scenario: common random numbers)." if reference and len(results) > 1
           else "A single scenario; no comparison.")
    return [Heading("1. Objectives"),
            Heading("1.1 Purpose", 3),
            Para(f"Estimate, for the region `{cfg.region}`, how many people in crisis are turned away by the "
                 "crisis places, how long people stay in a crisis bed waiting for a follow-up place (blocked "
                 "bed-days), how full the places are and what they cost, so that planners can compare policies "
                 "before capacities change."),
            Heading("1.2 Model outputs", 3),
            Para(f"Per replication each metric is computed from the event record over the measured window "
                 f"[warm-up, horizon) = [{fmt(cfg.run.warmup_days)}, {fmt(cfg.run.horizon_days)}) days, per place "
                 "and for `all` places; reported as the mean over replications with a 95% Student-t interval "
                 "(cut at 0, and at 1 for shares). Totals are shown per measured year in the tables."),
            Table(["metric", "definition"], [[f"`{m}`", d] for m, d in METRICS.items()]),
            Heading("1.3 Experimentation aims", 3), Table(["scenario", "description"], scen), Para(aim)]


def logic(results: list[Results], reference: str | None) -> list[Block]:
    """2 Logic: overview, base logic, scenario logic (config diffs), algorithms, components."""
    ref = next((r for r in results if r.cfg.name == reference), results[0])
    blocks: list[Block] = [
        Heading("2. Logic"),
        Heading("2.1 Base model overview diagram", 3),
        Para("The flow diagram is in README.md, section 'What the model contains' (Mermaid)."),
        Heading("2.2 Base model logic", 3),
        Bullets(["Each client group arrives by its own process and tries its crisis places in order; a place "
                 "admits while fewer are present than its capacity plus overflow.",
                 "If all are full the group's policy applies: turned away, or a first-come-first-served waiting "
                 "list with patience.",
                 "After the crisis stay a destination is drawn from the group's routing shares; if it is full the "
                 "client keeps the crisis bed (blocked) until a place frees or the maximum wait sends them to the "
                 "fallback.",
                 "A share of leavers returns after a delay as a new visit of the same client."]),
        Heading("2.3 Scenario logic", 3)]
    others = [r for r in results if r is not ref]
    if not others:
        blocks.append(Para(f"One scenario, `{ref.cfg.name}`; its overrides of the region are in its YAML file."))
    for r in others:
        rows = overrides(ref, r)
        blocks += [Para(f"`{r.cfg.name}` differs from `{ref.cfg.name}` in {len(rows)} value(s):"),
                   Table(["key", ref.cfg.name, r.cfg.name], rows) if rows else Para("(no differences)")]
    blocks += [Heading("2.4 Algorithms", 3),
               Para("Durations by inverse-CDF sampling from uniform streams; clients present at day 0 get "
                    "steady-state residual stays (length-biased); every metric is a pure function of the event "
                    "record."),
               *components(ref.cfg)]
    return blocks


def _choices(r: Results) -> list[str]:
    """[scenario, warm-up, reps configured, reps run, precision target] from the run's notes."""
    w = r.notes.get("warmup") or {}
    warm = f"{w.get('method', 'fixed')}: {fmt(w.get('warmup_days', r.cfg.run.warmup_days))} d"
    warm += f" ({w['reason']})" if w.get("reason") else ""
    p = r.notes.get("precision")
    prec = "none" if not p else (f"95% half-width <= {fmt(p['target_half_width'])}"
                                 + (" x mean" if p.get("relative") else "")
                                 + f" (cap {p.get('max_reps')}): " + ("met" if p.get("met") else "NOT met"))
    return [r.cfg.name, warm, str(r.cfg.run.n_reps), str(r.n_reps_run), prec]


def experimentation(results: list[Results], cfg: SimConfig) -> list[Block]:
    """4 Experimentation: initialisation, run length and replications (settings of ``cfg``, the reference)."""
    init = [[i.place, i.group, str(i.count)] for i in cfg.initial_state]
    return [Heading("4. Experimentation"),
            Heading("4.1 Initialisation", 3),
            Para(f"Non-terminating: the system runs on, so a warm-up of {fmt(cfg.run.warmup_days)} days is "
                 "excluded from every metric (per scenario in the table under 4.3). Clients present at day 0 "
                 "(remaining stays drawn from the steady-state residual distribution):"),
            Table(["place", "group", "count"], init) if init else Para("The run starts empty."),
            Heading("4.2 Run length", 3),
            Para(f"{fmt(cfg.run.horizon_days)} days from {cfg.run.start_date}, of which "
                 f"{fmt(cfg.run.horizon_days - cfg.run.warmup_days)} days "
                 f"({measured_years(cfg.run):.1f} years) are measured."),
            Heading("4.3 Estimation approach", 3),
            Para("Independent replications; 95% Student-t intervals over replications. Per scenario:"),
            Table(["scenario", "warm-up", "replications configured", "replications run", "precision target"],
                  [_choices(r) for r in results]),
            Para("Run settings of the reference:"),
            Table(["setting", "value"], [[f"`run.{k}`", fmt(v)] for k, v in asdict(cfg.run).items()])]


def _version(pkg: str) -> str:
    """Installed version of ``pkg``, or 'not installed'."""
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "not installed"


def implementation(results: list[Results]) -> list[Block]:
    """5 Implementation and 6 Code access: software, random streams, execution, system, commit."""
    from sim.outputs.provenance import PACKAGES, git_state

    git = git_state()
    seeds = ", ".join(f"`{r.cfg.name}` {r.cfg.run.seed}" for r in results)
    soft = [["python", platform.python_version()], *[[p, _version(p)] for p in PACKAGES]]
    wall = ", ".join(f"`{r.cfg.name}` {r.wall_seconds:.1f} s" for r in results)
    return [Heading("5. Implementation"),
            Heading("5.1 Software", 3), Table(["software", "version"], soft),
            Heading("5.2 Random sampling", 3),
            Para("NumPy PCG64 generators. In replication `rep` the stream for purpose `s` of group (or place) "
                 "`g` is `SeedSequence(seed, spawn_key=(rep, STREAMS.index(s), *sha256_words(g), visit_kind))`, the "
                 "SHA-256 digest of `g` as eight 32-bit words (ids never share a stream): "
                 "stateless, the same in every process and every scenario, so scenarios see the same clients "
                 f"(common random numbers). Seeds: {seeds}. Streams (append only):"),
            Bullets([f"`{s}`" for s in STREAMS]),
            Heading("5.3 Model execution", 3),
            Para("SimPy discrete-event scheduling, clock in days; events at the same time run in the order they "
                 "were scheduled; places are counters and follow-up queues are first come first served."),
            Heading("5.4 System specification", 3),
            Para(f"{platform.platform()}, {os.cpu_count()} CPUs; wall time {wall}."),
            Heading("6. Code access"), Heading("6.1 Computer model sharing statement", 3),
            Para(f"The `sim` package of this repository, git commit `{git['git_commit']}` "
                 f"(uncommitted changes: {fmt(git['git_dirty'])}); run with `python -m sim`.")]


def stress_blocks(results: list[Results], reference: str | None) -> list[Block]:
    """The whole 'Model description (STRESS-DES)' section."""
    ref = next((r for r in results if r.cfg.name == reference), results[0])
    body = [*objectives(results, reference), *logic(results, reference), *data(ref.cfg, [r.cfg.name for r in results]),
            *experimentation(results, ref.cfg), *implementation(results)]
    for b in body:  # the items sit one level below the section heading
        if isinstance(b, Heading):
            b.level += 1
    return [Heading("Model description (STRESS-DES)"),
            Para("Structured after STRESS-DES (Monks et al. 2019, doi:10.1080/17477778.2018.1442155); generated "
                 "from the configs of this run, not written by hand."), *body]
