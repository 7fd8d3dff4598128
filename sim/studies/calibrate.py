"""Calibration: choose unknown inputs so that simulated KPIs match observed figures.

The objective is ``sum_i ((sim mean_i - observed_i) / scale_i)^2`` over the targets, where
the simulated mean comes from :func:`sim.run.experiment.run_experiment`. Every evaluation uses
the same seed and replications (common random numbers), so the objective is a smooth-ish
function of the free parameters and a deterministic optimiser can be used.

The uncertainty of the fit is reported by the delta method: the sensitivity (Jacobian) of
the simulated means to the parameters, J, and the variance of each target, simulation
noise (squared standard error of the mean over replications) plus observation uncertainty
(the target's sd, or its interval's half-width / 1.96), give cov = (J' W J)^-1 with W the
inverse variances. ``uncertainty="seeds"`` instead repeats the fit with other seeds and
reports the spread of the fitted values (costly: one fit per seed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from sim.config.gate import AnyConfig, ensure_checked
from sim.config.schema import SimConfig

Z95 = 1.959963984540054
REPORT_COLUMNS = ["place", "metric", "observed", "target_low", "target_high", "sim_mean", "ci_low", "ci_high",
                  "sim_se", "met"]


@dataclass(frozen=True)
class Target:
    """An observed figure: ``metric`` at ``place`` (names as in ``Results.summary``).

    Give either ``sd`` (observation uncertainty) or an interval ``low``..``high``.
    """

    place: str
    metric: str
    observed: float
    sd: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None

    def __post_init__(self) -> None:
        if (self.sd is None) == (self.low is None or self.high is None):
            raise ValueError(f"{self}: give either sd > 0 or both low and high")
        if (self.sd is not None and self.sd <= 0) or (self.low is not None and self.high is not None
                                                      and not self.low < self.high):
            raise ValueError(f"{self}: need sd > 0 and low < high")

    @property
    def interval(self) -> tuple[float, float]:
        """The target interval: ``low..high``, or observed +/- 1.96 sd."""
        if self.sd is not None:
            return self.observed - Z95 * self.sd, self.observed + Z95 * self.sd
        return float(self.low), float(self.high)  # type: ignore[arg-type]

    @property
    def scale(self) -> float:
        """Observation sd: ``sd``, or the interval's half-width read as a 95% interval."""
        lo, hi = self.interval
        return (hi - lo) / (2 * Z95)


@dataclass(frozen=True)
class FreeParam:
    """A Hydra override key (e.g. ``groups.single_adults.arrivals_per_year``) searched in [low, high]."""

    key: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"{self.key}: need low < high, got {self.low}..{self.high}")


@dataclass
class CalibrationResult:
    """Fitted values, the fit report and the uncertainty of the fitted values."""

    params: dict[str, float]
    overrides: list[str]
    report: pd.DataFrame
    uncertainty: pd.DataFrame  # key, value, se, low, high, method
    objective: float
    n_evaluations: int
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    method: str = ""


def _override(key: str, value: float) -> str:
    return f"{key}={value:.6g}"


def build_config(base: str | AnyConfig, overrides: Sequence[str]) -> SimConfig:
    """A checked config: scenario name through Hydra, or a config (a SimConfig or CheckedConfig,
    checked again if changed) with dotted overrides, checked."""
    from sim.config.compose import load_config, with_overrides

    if isinstance(base, str):
        return load_config(base, list(overrides))
    return with_overrides(ensure_checked(base).cfg, overrides)


def simulate_targets(cfg: AnyConfig, targets: Sequence[Target]) -> pd.DataFrame:
    """Mean, 95% CI and standard error of each target's metric over the replications of ``cfg``."""
    from sim.run.experiment import run_experiment

    res = run_experiment(cfg)
    rows = []
    for t in targets:
        x = res.kpis[(res.kpis.place == t.place) & (res.kpis.metric == t.metric)]["value"].dropna().to_numpy()
        s = res.summary[(res.summary.place == t.place) & (res.summary.metric == t.metric)]
        if len(s) != 1 or len(x) == 0:
            raise KeyError(f"no simulated values for {t.place}.{t.metric}")
        se = float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else 0.0
        rows.append({"sim_mean": float(s["mean"].iloc[0]), "ci_low": float(s["ci_low"].iloc[0]),
                     "ci_high": float(s["ci_high"].iloc[0]), "sim_se": se})
    return pd.DataFrame(rows)


class _Objective:
    """Memoised objective on the unit cube (each parameter scaled to [0, 1])."""

    def __init__(self, base: str | AnyConfig, targets: Sequence[Target], params: Sequence[FreeParam],
                 overrides: Sequence[str]) -> None:
        self.base, self.targets, self.params, self.overrides = base, list(targets), list(params), list(overrides)
        self.cache: dict[tuple[float, ...], pd.DataFrame] = {}
        self.rows: list[dict[str, float]] = []

    def values(self, u: Sequence[float] | np.ndarray) -> np.ndarray:
        return np.array([p.low + float(np.clip(v, 0.0, 1.0)) * (p.high - p.low) for p, v in zip(self.params, u)])

    def sims(self, x: np.ndarray) -> pd.DataFrame:
        key = tuple(round(float(v), 9) for v in x)
        if key not in self.cache:
            extra = [_override(p.key, v) for p, v in zip(self.params, x)]
            self.cache[key] = simulate_targets(build_config(self.base, self.overrides + extra), self.targets)
            loss = self.loss(self.cache[key])
            self.rows.append({**{p.key: v for p, v in zip(self.params, x)}, "objective": loss,
                              **{f"{t.place}.{t.metric}": m for t, m in zip(self.targets, self.cache[key].sim_mean)}})
        return self.cache[key]

    def loss(self, sims: pd.DataFrame) -> float:
        obs = np.array([t.observed for t in self.targets])
        scale = np.array([t.scale for t in self.targets])
        return float((((sims["sim_mean"].to_numpy() - obs) / scale) ** 2).sum())

    def __call__(self, u: Sequence[float]) -> float:
        return self.loss(self.sims(self.values(u)))


def _optimise(obj: _Objective, method: str, max_evaluations: int, xtol: float) -> np.ndarray:
    """The best point found, on the unit cube."""
    from scipy import optimize

    if method == "bounded 1-D":
        if len(obj.params) != 1:
            raise ValueError("method 'bounded 1-D' needs exactly one free parameter")
        r = optimize.minimize_scalar(lambda u: obj([u]), bounds=(0.0, 1.0), method="bounded",
                                     options={"xatol": xtol, "maxiter": max_evaluations})
        return np.array([float(r.x)])
    if method not in ("Nelder-Mead", "Powell"):
        raise ValueError(f"method must be 'bounded 1-D', 'Nelder-Mead' or 'Powell', got {method!r}")
    opts = {"maxfev": max_evaluations, "xatol": xtol, "fatol": 1e-3} if method == "Nelder-Mead" else \
        {"maxfev": max_evaluations, "xtol": xtol, "ftol": 1e-3}
    r = optimize.minimize(obj, x0=np.full(len(obj.params), 0.5), method=method,
                          bounds=[(0.0, 1.0)] * len(obj.params), options=opts)
    return np.asarray(r.x, dtype=float)


def fit_report(targets: Sequence[Target], sims: pd.DataFrame) -> pd.DataFrame:
    """One row per target; ``met``: the target interval overlaps the simulated 95% CI."""
    rows = []
    for t, s in zip(targets, sims.itertuples()):
        lo, hi = t.interval
        met = bool(lo <= s.ci_high and s.ci_low <= hi)
        rows.append((t.place, t.metric, t.observed, lo, hi, s.sim_mean, s.ci_low, s.ci_high, s.sim_se, met))
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def delta_uncertainty(obj: _Objective, x: np.ndarray, step: float = 0.05) -> pd.DataFrame:
    """Standard errors of the fitted values by the delta method (one extra run per parameter).

    The Jacobian is a forward (or, at the upper bound, backward) difference of ``step`` times
    each parameter's range, taken on the same random numbers.
    """
    base = obj.sims(x)
    var = base["sim_se"].to_numpy() ** 2 + np.array([t.scale for t in obj.targets]) ** 2
    jac = np.empty((len(obj.targets), len(obj.params)))
    for j, p in enumerate(obj.params):
        h = step * (p.high - p.low) * (1 if x[j] + step * (p.high - p.low) <= p.high else -1)
        xh = x.copy()
        xh[j] += h
        jac[:, j] = (obj.sims(xh)["sim_mean"].to_numpy() - base["sim_mean"].to_numpy()) / h
    cov = np.linalg.pinv(jac.T @ (jac / var[:, None]))
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return pd.DataFrame({"key": [p.key for p in obj.params], "value": x, "se": se,
                         "low": np.maximum(x - Z95 * se, [p.low for p in obj.params]),
                         "high": np.minimum(x + Z95 * se, [p.high for p in obj.params]), "method": "delta"})


def calibrate(scenario: str | AnyConfig, targets: Sequence[Target], params: Sequence[FreeParam],
              overrides: Sequence[str] = (), method: str = "Nelder-Mead", max_evaluations: int = 40,
              xtol: float = 0.01, uncertainty: str = "delta", seeds: Sequence[int] = (1, 2, 3)) -> CalibrationResult:
    """Fit ``params`` so the simulated means of ``targets`` match, on common random numbers.

    ``scenario`` is a scenario name (composed with ``overrides`` by Hydra) or a SimConfig.
    ``method``: 'bounded 1-D' (scipy minimize_scalar, one parameter), 'Nelder-Mead' or
    'Powell' (scipy minimize with bounds). ``xtol`` is relative to each parameter's range.
    ``uncertainty``: 'delta' (cheap) or 'seeds' (refit with each of ``seeds`` as run.seed).
    """
    if not isinstance(scenario, str):
        scenario = ensure_checked(scenario).cfg  # a config changed after load_config fails here, not mid-search
    obj = _Objective(scenario, targets, params, overrides)
    x = obj.values(_optimise(obj, method, max_evaluations, xtol))
    if uncertainty == "delta":
        unc = delta_uncertainty(obj, x)
    elif uncertainty == "seeds":
        unc = seed_uncertainty(scenario, targets, params, overrides, method, max_evaluations, xtol, seeds)
    else:
        raise ValueError(f"uncertainty must be 'delta' or 'seeds', got {uncertainty!r}")
    fitted = {p.key: float(v) for p, v in zip(params, x)}
    return CalibrationResult(fitted, [_override(k, v) for k, v in fitted.items()], fit_report(targets, obj.sims(x)),
                             unc, obj.loss(obj.sims(x)), len(obj.cache), pd.DataFrame(obj.rows), method)


def seed_uncertainty(scenario: str | AnyConfig, targets: Sequence[Target], params: Sequence[FreeParam],
                     overrides: Sequence[str], method: str, max_evaluations: int, xtol: float,
                     seeds: Sequence[int]) -> pd.DataFrame:
    """Spread of the fitted values over refits with other seeds (``run.seed``): mean, sd, min, max."""
    fits = []
    for s in seeds:
        obj = _Objective(scenario, targets, params, [*overrides, f"run.seed={int(s)}"])
        fits.append(obj.values(_optimise(obj, method, max_evaluations, xtol)))
    arr = np.array(fits)
    sd = arr.std(axis=0, ddof=1) if len(arr) > 1 else np.zeros(len(params))
    return pd.DataFrame({"key": [p.key for p in params], "value": arr.mean(axis=0), "se": sd,
                         "low": arr.min(axis=0), "high": arr.max(axis=0), "method": f"seeds {list(seeds)}"})

