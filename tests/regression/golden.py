"""The golden KPIs: a small fixed set of configs and seeds whose KPIs must not change.

``python tests/regression/golden.py`` rewrites ``golden_kpis.csv``. Do that only in a
commit of its own that says why the numbers changed (see the README, "Validation").
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_kpis.csv"
# Scenarios that between them use every mechanism of the model: capacity schedules, overflow,
# initial state, waiting lists with patience, re-entry, follow-up blocking and outside referrals.
CASES = (
    ("baseline", ["run=ci", "run.seed=11"]),
    ("dno20", ["run=ci", "run.seed=11"]),
    ("dno_cut_midrun", ["run=ci", "run.seed=5", "run.horizon_days=2200", "run.n_reps=2"]),
    ("current_2022", ["run=ci", "run.seed=7"]),
)


def golden_frame() -> pd.DataFrame:
    """KPIs of every case, plus one row per case with a digest of its event record."""
    from sim import load_config, run_experiment

    frames = []
    for scenario, overrides in CASES:
        res = run_experiment(load_config(scenario, overrides))
        k = res.kpis.copy()
        k.insert(0, "case", " ".join([scenario, *overrides]))
        digest = hashlib.sha256(res.events.to_csv(index=False, float_format="%.17g").encode()).hexdigest()
        k.loc[len(k)] = [k["case"].iloc[0], scenario, -1, "all", "events_sha256", float(int(digest[:12], 16))]
        frames.append(k)
    return pd.concat(frames, ignore_index=True)


def golden_text() -> str:
    """The golden frame as CSV text with every float written exactly (17 significant digits)."""
    return golden_frame().to_csv(index=False, float_format="%.17g", lineterminator="\n")


if __name__ == "__main__":
    GOLDEN.write_text(golden_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN}\n")
