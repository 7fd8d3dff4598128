"""Peak memory of the project's engine against the plain-SimPy model (the loss place of bench_loss).

Every measurement runs in a fresh child process, so nothing the parent allocated counts.
After its imports the child resets the kernel's peak-RSS mark (``/proc/self/clear_refs``,
Linux; elsewhere ``ru_maxrss`` is used, which may include a peak from the imports) and
reports the peak resident set during the run minus the resident set before it.
``bytes/row`` is that growth per event-record row; a constant ``bytes/row`` across sizes
(and an equal increment between sizes) means memory grows linearly with the record.

    python benchmarks/bench_memory.py [--sizes 250000 500000 1000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MODELS = ("project", "project-run", "plain")
WHAT = {"project": "simulate(): model run, then the DataFrame",
        "project-run": "ShelterModel.run() only: the EventLog lists, no DataFrame",
        "plain": "plain SimPy, records nothing"}


def _status_kib(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None elsewhere."""
    try:
        m = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    except OSError:
        return None
    return int(m.group(1)) if m else None


def _start_peak() -> tuple[int, str]:
    """Reset the peak-RSS mark to the current resident set; (current bytes, method)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset VmHWM to VmRSS (Linux >= 4.0)
        rss = _status_kib("VmRSS")
        if rss is not None and _status_kib("VmHWM") == rss:
            return rss * 1024, "VmHWM reset"
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "ru_maxrss"  # Linux reports KiB


def _peak() -> int:
    hwm = _status_kib("VmHWM")
    return hwm * 1024 if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _log_bytes(log: Any) -> int:
    """Bytes of an EventLog: its list buffers plus the float and int objects only it holds."""
    from sim.engine.events import COLUMNS

    lists = sum(sys.getsizeof(getattr(log, c)) for c in COLUMNS)
    # strings and small ints are shared (interned or cached); times and client ids are not
    objs = {id(x): sys.getsizeof(x) for c in ("t_days", "client_id") for x in getattr(log, c)}
    return lists + sum(objs.values())


def child(model: str, n: int) -> dict[str, Any]:
    """Run one model in this (fresh) process and report its memory growth."""
    from bench_loss import plain_simpy, project_config, simpy_events
    from bench_loss import simulate
    from sim.engine.model import ShelterModel

    cfg = project_config(n)
    gc.collect()
    base, method = _start_peak()
    t0 = time.perf_counter()
    out: dict[str, Any] = {"model": model, "n": n, "base": base, "method": method}
    if model == "project":
        ev = simulate(cfg, 0)
        out.update(seconds=time.perf_counter() - t0, peak_growth=_peak() - base)
        out.update(rows=len(ev), sim_events=None, frame_bytes=int(ev.memory_usage(deep=False).sum()))
    elif model == "project-run":
        m = ShelterModel(cfg, 0)
        log = m.run()
        out.update(seconds=time.perf_counter() - t0, peak_growth=_peak() - base)
        out.update(rows=len(log), sim_events=simpy_events(m.env))
        del m
        out["log_bytes"] = _log_bytes(log)  # after the peak is read: its id table is large
    else:
        _, _, sim_events = plain_simpy(n)
        out.update(seconds=time.perf_counter() - t0, peak_growth=_peak() - base)
        out.update(rows=0, sim_events=sim_events)
    return out


def measure(model: str, n: int) -> dict[str, Any]:
    """``child(model, n)`` in a fresh interpreter; its JSON line back."""
    here = Path(__file__).resolve()
    r = subprocess.run([sys.executable, str(here), "--child", model, str(n)], capture_output=True, text=True,
                       cwd=here.parent.parent, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"memory child {model} {n} failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def mib(b: float) -> str:
    return f"{b / 2**20:8.1f}"


def run(sizes: list[int]) -> None:
    """Peak memory at 10^6 clients (largest size) and the scaling of the project's engine."""
    big = max(sizes)
    print(f"== peak memory, loss place, each run in a fresh child process (peak resident set during the run "
          f"minus the resident set before it); load average {os.getloadavg()[0]:.1f} ==")
    print(f"{'model':12s}{'clients':>10s}{'rows':>11s}{'SimPy ev':>11s}{'peak MiB':>9s}{'B/row':>8s}"
          f"{'B/SimPy ev':>11s}{'seconds':>8s}  what")
    res = {(m, n): measure(m, n) for n in sorted(sizes) for m in MODELS if m != "project-run" or n == big}
    for (m, n), r in res.items():
        per_row = f"{r['peak_growth'] / r['rows']:8.0f}" if r["rows"] else f"{'-':>8s}"
        per_ev = f"{r['peak_growth'] / r['sim_events']:11.1f}" if r["sim_events"] else f"{'-':>11s}"
        sev = f"{r['sim_events']:11,}" if r["sim_events"] else f"{'-':>11s}"
        print(f"{m:12s}{n:10,}{r['rows']:11,}{sev}{mib(r['peak_growth'])}{per_row}{per_ev}{r['seconds']:8.1f}  "
              f"{WHAT[m]}")
    print(f"peak measured by: {', '.join(sorted({r['method'] for r in res.values()}))}")
    p, pr = res[("project", big)], res[("project-run", big)]
    log_b, frame_b = pr["log_bytes"] / pr["rows"], p["frame_bytes"] / p["rows"]
    print(f"what the record needs per row at {big:,} clients: EventLog {log_b:.0f} B (9 list slots + a float "
          f"per row + an int per client), DataFrame {frame_b:.0f} B; both alive while simulate() builds the "
          f"frame: {log_b + frame_b:.0f} B. Measured peak: run only {pr['peak_growth'] / pr['rows']:.0f} B/row, "
          f"simulate() {p['peak_growth'] / p['rows']:.0f} B/row "
          f"({p['peak_growth'] / p['rows'] / (log_b + frame_b):.2f}x log+frame).")
    proj = sorted((n, r) for (m, n), r in res.items() if m == "project")
    steps = [f"{(b['peak_growth'] - a['peak_growth']) / (b['rows'] - a['rows']):.0f}"
             for (_, a), (_, b) in zip(proj, proj[1:])]
    print("scaling of simulate(): B/row " + ", ".join(f"{r['peak_growth'] / r['rows']:.0f} at {n:,}" for n, r in proj)
          + f"; increment between sizes {', '.join(steps)} B/row (linear if these agree)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000], help="clients per run")
    ap.add_argument("--child", nargs=2, metavar=("MODEL", "N"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], int(a.child[1]))))
    else:
        run(a.sizes)


if __name__ == "__main__":
    main()
