"""Old against new golden KPIs, for a commit that changes every random number on purpose.

``python tests/regression/within_3se.py OLD.csv NEW.csv`` compares, per case, place and
metric, the mean over replications of the old and the new file:
``z = (mean_new - mean_old) / sqrt(se_old^2 + se_new^2)`` with ``se`` the standard error of
the mean over replications (NaN replications left out). A change of random streams only
(same model, other random numbers) keeps every |z| small; it prints the number of KPIs
compared, the largest |z| and every KPI with |z| > 3, and exits 1 if there is one.
KPIs that are equal and constant in both files give z = 0; the event digest is skipped.

The golden file has only 2-3 replications per case, so its standard errors are rough (an se
from 3 values is often far too small). For a powered comparison, write the golden cases with
more replications under the old and the new code and compare those files:
``python tests/regression/within_3se.py --reps 40 OUT.csv`` (run once in each checkout).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = ["case", "place", "metric"]
SKIP = ("events_sha256",)  # a digest of the record, not a KPI


def _stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard error and count over replications per case, place and metric."""
    k = frame[~frame["metric"].isin(SKIP)]
    g = k.groupby(KEYS, sort=False)["value"]
    return pd.DataFrame({"mean": g.mean(), "se": g.std(ddof=1) / np.sqrt(g.count()), "n": g.count()})


def _z(diff: float, se: float) -> float:
    if math.isnan(diff):
        return math.nan
    if se == 0 or math.isnan(se):
        return 0.0 if diff == 0 else math.inf
    return diff / se


def compare(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI in both frames: mean_old, se_old, mean_new, se_new, z."""
    j = _stats(old).merge(_stats(new), how="inner", left_index=True, right_index=True, suffixes=("_old", "_new"))
    se = np.sqrt(j["se_old"].fillna(0.0) ** 2 + j["se_new"].fillna(0.0) ** 2)
    j["z"] = [_z(d, s) for d, s in zip(j["mean_new"] - j["mean_old"], se)]
    return j.reset_index()


def read(path: Path) -> pd.DataFrame:
    """A golden file with ids kept as text (a place named 'NA' stays 'NA')."""
    frame = pd.read_csv(path, dtype={"case": str, "scenario": str, "place": str, "metric": str},
                        keep_default_na=False, na_values=[""])
    frame["value"] = pd.to_numeric(frame["value"])
    return frame


def many_reps(n_reps: int) -> pd.DataFrame:
    """KPIs of the golden cases with ``n_reps`` replications each (same seeds, more replications)."""
    from sim import load_config, run_experiment
    from tests.regression.golden import CASES

    frames = []
    for scenario, overrides in CASES:
        ov = [o for o in overrides if not o.startswith("run.n_reps=")] + [f"run.n_reps={n_reps}"]
        k = run_experiment(load_config(scenario, ov)).kpis.copy()
        k.insert(0, "case", " ".join([scenario, *overrides]))
        frames.append(k)
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--reps"]:
        many_reps(int(argv[1])).to_csv(argv[2], index=False, float_format="%.17g")
        return 0
    old, new = (read(Path(p)) for p in argv[:2])
    table = compare(old, new)
    defined = table.dropna(subset=["z"])
    worst = defined["z"].abs().max() if len(defined) else 0.0
    out = defined[defined["z"].abs() > 3]
    sys.stdout.write(f"{len(table)} KPIs compared ({len(table) - len(defined)} undefined in both: NaN),"
                     f" max |z| = {worst:.2f}, {len(out)} with |z| > 3\n")
    if len(out):
        sys.stdout.write(out.to_string(index=False) + "\n")
    return 1 if len(out) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
