"""Input modelling: fit stay distributions and arrival rates from data, as config snippets.

Stays (days) are fitted by maximum likelihood with the location fixed at 0 (``floc=0``) to
three candidate families (exponential, lognormal, gamma); the one with the lowest AIC
(Akaike information criterion, AIC = 2k - 2 log L, k = number of fitted parameters) is
chosen. Arrivals are treated as a Poisson process: the rate has an exact chi-square
interval and the Poisson assumption is checked with the dispersion index of weekly counts
and a KS test of the gaps against the exponential.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from sim.engine.vocab import DAYS_PER_YEAR

FAMILIES = ("exponential", "lognormal", "gamma")
CRITERION = "lowest AIC = 2k - 2 log L (k: 1 for exponential, 2 for lognormal and gamma)"


@dataclass
class FitReport:
    """Fitted stay distributions: one row per candidate in ``table``, the chosen one as ``snippet``.

    ``mean_se_days`` and ``sd_se_days`` are parametric-bootstrap standard errors of the chosen
    family's mean and sd (days). KS p-values are approximate: the parameters were estimated
    from the same data, which makes them conservative (too large).
    """

    n: int
    chosen: str
    snippet: dict[str, Any]
    table: pd.DataFrame
    mean_se_days: float
    sd_se_days: float
    criterion: str = CRITERION


@dataclass
class ArrivalFit:
    """A Poisson rate fitted to arrival days, with its 95% interval and checks of the assumption."""

    n: int
    observation_days: float
    arrivals_per_year: float
    ci_low: float
    ci_high: float
    dispersion_index: float  # variance / mean of counts per full week; 1 for a Poisson process
    dispersion_p: float  # two-sided chi-square test of index = 1
    ks_stat: float  # gaps against an exponential with the fitted rate
    ks_p: float
    per_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    snippet: dict[str, Any] = field(default_factory=dict)
    schedule_snippet: dict[str, Any] = field(default_factory=dict)


def read_stays(csv_path: str | Path) -> np.ndarray:
    """Stays in days from the ``stay_days`` column of a CSV (blank cells skipped)."""
    with Path(csv_path).open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "stay_days" not in rows[0]:
        raise ValueError(f"{csv_path}: need a CSV with a 'stay_days' column")
    return np.array([float(r["stay_days"]) for r in rows if (r["stay_days"] or "").strip()])


def _frozen(kind: str, x: np.ndarray) -> tuple[Any, int]:
    """(frozen scipy distribution fitted by ML with loc=0, number of fitted parameters)."""
    from scipy import stats

    if kind == "exponential":
        return stats.expon(scale=float(x.mean())), 1  # closed-form MLE
    if kind == "lognormal":
        logs = np.log(x)  # closed-form MLE: mean and (biased) sd of the logs
        return stats.lognorm(s=float(logs.std()), scale=float(np.exp(logs.mean()))), 2
    shape, _, scale = stats.gamma.fit(x, floc=0)
    return stats.gamma(shape, scale=scale), 2


def _candidate_row(kind: str, x: np.ndarray) -> dict[str, Any]:
    from scipy import stats

    dist, k = _frozen(kind, x)
    loglik = float(dist.logpdf(x).sum())
    ks = stats.kstest(x, dist.cdf)
    return {"kind": kind, "mean_days": float(dist.mean()), "sd_days": float(dist.std()), "k": k,
            "loglik": loglik, "aic": 2 * k - 2 * loglik, "ks_stat": float(ks.statistic), "ks_p": float(ks.pvalue)}


def dist_snippet(kind: str, mean_days: float, sd_days: float, digits: int = 2) -> dict[str, Any]:
    """A DistCfg-compatible mapping, e.g. ``{kind: lognormal, mean_days: 42.0, sd_days: 30.0}``."""
    snippet: dict[str, Any] = {"kind": kind, "mean_days": round(float(mean_days), digits)}
    if kind != "exponential":
        snippet["sd_days"] = round(float(sd_days), digits)
    return snippet


def _bootstrap_se(kind: str, x: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    """Parametric-bootstrap standard errors of the fitted mean and sd (days)."""
    dist, _ = _frozen(kind, x)
    rng = np.random.default_rng(seed)
    stats_ = np.array([[d.mean(), d.std()] for d in
                       (_frozen(kind, dist.rvs(size=len(x), random_state=rng))[0] for _ in range(n_boot))])
    return float(stats_[:, 0].std(ddof=1)), float(stats_[:, 1].std(ddof=1))


def fit_stays(values_days: Any, n_boot: int = 200, seed: int = 1) -> FitReport:
    """Fit exponential, lognormal and gamma (loc 0) to stays in days; choose by lowest AIC.

    ``values_days`` must be positive (a zero-day stay has zero lognormal/gamma density).
    """
    x = np.asarray(values_days, dtype=float)
    if x.ndim != 1 or len(x) < 3 or not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError("need at least 3 finite stays, all > 0 days")
    table = pd.DataFrame([_candidate_row(k, x) for k in FAMILIES])
    table["delta_aic"] = table["aic"] - table["aic"].min()
    best = table.loc[table["aic"].idxmin()]
    mean_se, sd_se = _bootstrap_se(str(best["kind"]), x, n_boot, seed)
    snippet = dist_snippet(str(best["kind"]), float(best["mean_days"]), float(best["sd_days"]))
    return FitReport(len(x), str(best["kind"]), snippet, table, mean_se, sd_se)


def poisson_interval(n: int, exposure: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) chi-square interval of a Poisson rate: ``n`` events in ``exposure`` time units."""
    from scipy import stats

    alpha = 1.0 - confidence
    lo = float(stats.chi2.ppf(alpha / 2, 2 * n)) / 2 if n > 0 else 0.0
    hi = float(stats.chi2.ppf(1 - alpha / 2, 2 * n + 2)) / 2
    return lo / exposure, hi / exposure


def dispersion_test(days: np.ndarray, observation_days: float, bin_days: float = 7.0) -> tuple[float, float]:
    """(variance/mean of counts per full bin, two-sided p of index = 1); (k-1)*index ~ chi2(k-1)."""
    from scipy import stats

    k = int(observation_days // bin_days)
    if k < 2:
        return float("nan"), float("nan")
    counts = np.bincount((days[days < k * bin_days] // bin_days).astype(int), minlength=k)
    if counts.mean() == 0:
        return float("nan"), float("nan")
    index = float(counts.var(ddof=1) / counts.mean())
    cdf = float(stats.chi2.cdf((k - 1) * index, k - 1))
    return index, min(1.0, 2 * min(cdf, 1 - cdf))


def _per_year(days: np.ndarray, start: date, observation_days: float) -> pd.DataFrame:
    """Arrivals, exposure and rate per calendar year in [0, observation_days)."""
    rows = []
    end = start + timedelta(days=observation_days)
    for year in range(start.year, end.year + 1):
        lo = max((date(year, 1, 1) - start).days, 0)
        hi = min((date(year + 1, 1, 1) - start).days, observation_days)
        if hi <= lo:
            continue
        n = int(((days >= lo) & (days < hi)).sum())
        ci = poisson_interval(n, (hi - lo) / DAYS_PER_YEAR)
        rows.append({"year": year, "from_day": float(lo), "days": float(hi - lo), "n": n,
                     "arrivals_per_year": n / (hi - lo) * DAYS_PER_YEAR, "ci_low": ci[0], "ci_high": ci[1]})
    return pd.DataFrame(rows)


def fit_arrivals(csv_path: str | Path, start_date: str, end_date: Optional[str] = None) -> ArrivalFit:
    """Poisson rate (per year, exact 95% CI) from a CSV of arrivals (``date`` or ``t_days`` column).

    The observation window runs from ``start_date`` to ``end_date``; without ``end_date`` it
    ends at the last arrival (which biases the rate up by about one arrival: give the end
    date of the register when it is known).
    """
    from scipy import stats

    from sim.config.traces import read_trace

    days = np.asarray(read_trace(str(csv_path), start_date, "arrivals_csv"), dtype=float)
    days = days[days >= 0]
    start = date.fromisoformat(start_date)
    t_end = float((date.fromisoformat(end_date) - start).days) if end_date else float(days.max())
    days = days[days < t_end] if end_date else days
    n = len(days)
    if n < 2 or t_end <= 0:
        raise ValueError(f"{csv_path}: need at least 2 arrivals in the observation window")
    rate = n / t_end
    lo, hi = poisson_interval(n, t_end / DAYS_PER_YEAR)
    index, p_disp = dispersion_test(days, t_end)
    ks = stats.kstest(np.diff(days), stats.expon(scale=1.0 / rate).cdf)
    per_year = _per_year(days, start, t_end)
    schedule = [{"from_day": float(r.from_day), "arrivals_per_year": round(float(r.arrivals_per_year), 2)}
                for r in per_year.itertuples()]
    return ArrivalFit(n, t_end, rate * DAYS_PER_YEAR, lo, hi, index, p_disp, float(ks.statistic), float(ks.pvalue),
                      per_year, {"arrivals_per_year": round(rate * DAYS_PER_YEAR, 2)}, {"rate_schedule": schedule})


def _plain(obj: Any) -> Any:
    """Nested dicts/lists with numpy scalars turned into plain Python values."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and math.isfinite(obj):
        return float(obj)
    return obj


def to_yaml(snippet: dict[str, Any]) -> str:
    """YAML text of a snippet for a config file; a flat mapping is written on one line (flow style)."""
    import yaml  # type: ignore[import-untyped]  # PyYAML comes with Hydra

    flat = all(not isinstance(v, (dict, list, tuple)) for v in snippet.values())
    text: str = yaml.safe_dump(_plain(snippet), default_flow_style=True if flat else None, sort_keys=False,
                               width=120)
    return text
