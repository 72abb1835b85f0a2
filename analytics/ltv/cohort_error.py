"""How far off a cohort's predicted revenue is, by the cohort's size, from a backtest's customers.

The backtest judges small cohorts (one acquisition day of one channel); the pages show larger
ones (a week or a month of a channel, a whole channel), whose error is smaller: customers'
surprises average out. The ratio actual / predicted of a cohort of n customers is

    Σ actual / Σ predicted of n customers  +  a cohort shock  +  the error of the bias

- the first term is drawn from the backtest's own customers at that age (bootstrap: DRAWS
  cohorts of n customers drawn with replacement), so its skew (most small cohorts a little
  under, a few far over) is the data's, and its spread shrinks as 1/sqrt(n) by itself;
- the cohort shock, normal with variance `between`, is what cohorts of any size still differ by
  (a day, a season, a channel's own bias): the backtest cohorts' variance left once each
  cohort's share of customer noise (Σ of its customers' (actual - c x predicted)² over its
  predicted total squared) is taken out (method of moments, at least 0);
- the bias c = Σ actual / Σ predicted of all the backtest's customers is every cohort's centre,
  known only to within `within` / N + `between` / K (N customers, K cohorts, `within` the
  customers' variance of actual - c x predicted over the squared mean prediction): added too.

For each size of SIZES the 80% band of the ratio (its quantiles 0.1 and 0.9) and the median and
80th percentile of |predicted / actual - 1| are kept; `interval_for_size` and
`abs_error_for_size` read them for any size (linear in log(size) between two, normal beyond the
largest, the smallest's below it).
"""

from __future__ import annotations

import math

import numpy as np

#: Cohort sizes (customers) the band is measured at.
SIZES = (10, 30, 100, 300, 1000)
DRAWS = 1000
#: Fewer cohorts than this tell nothing of how cohorts differ.
MIN_COHORTS = 4
_Z90 = 1.2815515655446004  # the standard normal's 0.9 quantile


def fit_size_model(
    customer_actual: np.ndarray,
    customer_predicted: np.ndarray,
    cohort: np.ndarray,
    seed: int = 0,
) -> dict | None:
    """The size model (module docstring) of the backtest's customers (their actual and
    predicted revenue, and the cohort each belongs to); None when fewer than MIN_COHORTS
    cohorts have a predicted revenue above zero."""
    mine = np.asarray(customer_actual, float)
    theirs = np.asarray(customer_predicted, float)
    if not len(mine) or theirs.sum() <= 0:
        return None
    codes = np.unique(np.asarray(cohort), return_inverse=True)[1].ravel()
    predicted = np.bincount(codes, theirs)
    keep = predicted > 0
    if keep.sum() < MIN_COHORTS:
        return None
    center = float(mine.sum() / theirs.sum())
    gap = mine - center * theirs
    within = float(np.var(gap)) / float(np.mean(theirs)) ** 2
    # each cohort's own share of customer noise: Σ gap² over its predicted total squared
    own = np.bincount(codes, gap**2)[keep] / predicted[keep] ** 2
    residual = np.bincount(codes, mine)[keep] / predicted[keep] - center
    between = max(float(np.mean(residual**2 - own)), 0.0)
    center_var = within / len(mine) + between / int(keep.sum())
    rng = np.random.default_rng(seed)
    ladder = []
    for size in SIZES:
        drawn = rng.integers(0, len(mine), (DRAWS, size))
        ratio = mine[drawn].sum(axis=1) / np.maximum(theirs[drawn].sum(axis=1), 1e-12)
        ratio = ratio + rng.normal(0.0, math.sqrt(between + center_var), DRAWS)
        ratio = np.maximum(ratio, 0.0)
        errors = np.minimum(np.abs(1.0 / np.maximum(ratio, 0.1) - 1.0), 10.0)
        ladder.append(
            {
                "customers": size,
                "low": float(np.quantile(ratio, 0.1)),
                "high": float(np.quantile(ratio, 0.9)),
                "error_p50": float(np.quantile(errors, 0.5)),
                "error_p80": float(np.quantile(errors, 0.8)),
            }
        )
    return {
        "center": center,
        "between": between,
        "within": within,
        "center_var": center_var,
        "cohorts": int(keep.sum()),
        "ladder": ladder,
    }


def _normal(model: dict, customers: float) -> dict:
    """The band and errors of a cohort large enough for a normal ratio."""
    sd = math.sqrt(model["between"] + model["center_var"] + model["within"] / customers)
    low = max(model["center"] - _Z90 * sd, 0.0)
    high = model["center"] + _Z90 * sd
    # |1/r - 1| of a normal r: its quantiles at the band's and the centre's ends
    ends = [abs(1.0 / max(r, 0.1) - 1.0) for r in (low, high)]
    return {
        "low": low,
        "high": high,
        "error_p50": abs(1.0 / model["center"] - 1.0) if model["center"] > 0 else 10.0,
        "error_p80": max(ends),
    }


def _at(model: dict, customers: float) -> dict:
    ladder = model["ladder"]
    if customers <= ladder[0]["customers"]:
        return ladder[0]
    if customers >= ladder[-1]["customers"]:
        return _normal(model, customers)
    for lower, upper in zip(ladder, ladder[1:], strict=False):
        if customers <= upper["customers"]:
            t = math.log(customers / lower["customers"]) / math.log(
                upper["customers"] / lower["customers"]
            )
            return {k: (1 - t) * lower[k] + t * upper[k] for k in lower}
    return ladder[-1]


def interval_for_size(model: dict, customers: float) -> tuple[float, float]:
    """(low, high) multipliers of a cohort's prediction holding its actual revenue 8 times in
    10, for a cohort of `customers`."""
    found = _at(model, customers)
    return float(found["low"]), float(found["high"])


def abs_error_for_size(model: dict, customers: float) -> tuple[float, float]:
    """(median, 80th percentile) of |predicted / actual - 1| for a cohort of `customers`."""
    found = _at(model, customers)
    return float(found["error_p50"]), float(found["error_p80"])
