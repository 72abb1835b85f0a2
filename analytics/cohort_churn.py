"""Churn of acquisition cohorts as the dashboard shows it, with the one definition the predicted
churn of the cohort table uses: a customer has churned once CHURN_INACTIVITY_DAYS (the churn
model's horizon, "no purchase in the next 90 days") pass without a purchase; the lifetime ends at
the last purchase (day 0, the acquisition day, for a customer who never bought).

Survival (`cohort_survival`): weighted Kaplan-Meier of each cohort's lifetimes over its whole
observed life (`kaplan_meier`: the product-limit estimate with NumPy, equal to lifelines'
KaplanMeierFitter, which the tests hold it to; fitting lifelines cost ~12 ms per cohort, ~2 s for a
year of weekly cohorts of three platforms). A customer whose last purchase is CHURN_INACTIVITY_DAYS
or more before the day seen has churned at that purchase (observed). A customer whose fate is not
settled yet is counted as churned at the last purchase with the churn model's probability as weight
and as going on (censored at its age) with the rest, so that at the cohort's age the curve meets one
minus the predicted churn of the table. The days up to the youngest customer's age minus
CHURN_INACTIVITY_DAYS rest on observed churn alone (``observed``).

Drivers (`cohort_churn_drivers`): within each cohort, how much more churn the model predicts for
the customers with a simple trait (no purchase in the first week, ...) than for the others, in
plain sentences. Input frames come grouped by the database, one row per group of customers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analytics.cohorts import CHURN_INACTIVITY_DAYS, CHURN_SCORED, CHURN_SUM, CUSTOMERS, KEY
from analytics.ltv.churn_traits import MIN_RATIO, TRAITS

#: Columns of a survival input row: the last purchase day since acquisition, the customers' age
#: (days since acquisition on the day seen) and whether their lifetime has ended (SETTLED:
#: inactive for CHURN_INACTIVITY_DAYS).
LAST_DAY = "last_day"
AGE = "age"
SETTLED = "settled"

#: Traits whose churn a cohort compares (`analytics.ltv.churn_traits.TRAITS`, the churn model's
#: drivers), with how a sentence names the customers who have them.
TRAIT_FRAGMENTS = {name: trait.fragment for name, trait in TRAITS.items()}
#: Customers needed on each side of a trait, and the least ratio worth a sentence.
MIN_CUSTOMERS = 20


def _columns(rows: pd.DataFrame, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The columns `names` of a frame as arrays, read once for all its cohorts."""
    return {name: rows[name].to_numpy() for name in names}


def _groups(rows: pd.DataFrame) -> dict:
    """Per KEY, the positions of its rows in order (pandas' grouping, without a frame each)."""
    return rows.groupby(KEY, sort=False).indices if len(rows) else {}


def _lifetimes(
    rows: Mapping[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Durations, observed flags and weights of a cohort's groups of customers (its rows'
    columns), and the row each comes from: settled ones churned at their last purchase;
    unsettled ones split by their predicted churn probability (unscored ones known to have
    lived up to their last purchase only)."""
    last = rows[LAST_DAY].astype(float)
    age = rows[AGE].astype(float)
    settled = rows[SETTLED].astype(bool)
    customers = rows[CUSTOMERS].astype(float)
    scored = np.where(settled, 0.0, rows[CHURN_SCORED].astype(float))
    churn = np.where(settled, 0.0, np.nan_to_num(rows[CHURN_SUM].astype(float)))
    # not scored: known to have lived up to the last purchase (no more after day 0)
    unscored = np.where(settled | (last <= 0), 0.0, customers - scored)
    durations = np.concatenate([last, last, age, last - 0.5])
    observed = np.concatenate(
        [np.ones_like(last), np.ones_like(last), np.zeros_like(age), np.zeros_like(last)]
    ).astype(bool)
    weights = np.concatenate(
        [
            np.where(settled, customers, 0.0),  # churned, seen
            churn,  # churned, predicted
            scored - churn,  # going on, predicted
            unscored,
        ]
    )
    keep = weights > 1e-9
    row = np.tile(np.arange(last.size), 4)
    return durations[keep], observed[keep], weights[keep], row[keep]


def kaplan_meier(
    durations: np.ndarray, observed: np.ndarray, weights: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """The weighted product-limit estimate S(t) at the times `at`: at each distinct duration,
    1 - (weight ended there, observed) / (weight whose duration is that or later), multiplied
    over the durations up to t (censored lifetimes count at risk at their own time); 1 before
    the first."""
    times, index = np.unique(durations, return_inverse=True)
    ended = np.bincount(index, weights=weights * observed, minlength=times.size)
    leaving = np.bincount(index, weights=weights, minlength=times.size)
    return _product_limit(times, ended, leaving, at)


def _product_limit(
    times: np.ndarray, ended: np.ndarray, leaving: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """`kaplan_meier` from the weight ended (observed) and leaving at each distinct time."""
    at_risk = leaving[::-1].cumsum()[::-1]
    hazard = np.divide(ended, at_risk, out=np.zeros_like(ended), where=at_risk > 0)
    survival = np.cumprod(1.0 - hazard)
    position = np.searchsorted(times, at, side="right") - 1
    return np.where(position >= 0, survival[np.maximum(position, 0)], 1.0)


_SURVIVAL_COLUMNS = (LAST_DAY, AGE, SETTLED, CUSTOMERS, CHURN_SCORED, CHURN_SUM)


def survival_curve(rows: pd.DataFrame, days: Sequence[int]) -> list[dict]:
    """One cohort's points {day, p, observed} for the `days` it has lived: p is the share still
    buying on day n (last purchase on day n or later), 1 on day 0."""
    if rows.empty:
        return []
    return _survival_curve(_columns(rows, _SURVIVAL_COLUMNS), days)


def _survival_curve(rows: Mapping[str, np.ndarray], days: Sequence[int]) -> list[dict]:
    """`survival_curve` of a cohort's columns (at least one row)."""
    durations, observed, weights, _ = _lifetimes(rows)
    ages = rows[AGE].astype(float)
    # as pandas: NaN skipped
    grid, at, settled_through = _grid(float(np.nanmax(ages)), float(np.nanmin(ages)), days)
    if durations.size == 0:
        return []
    return _points(grid, kaplan_meier(durations, observed, weights, at), settled_through)


def _grid(
    oldest: float, youngest: float, days: Sequence[int]
) -> tuple[list[int], np.ndarray, float]:
    """The days a cohort's curve is read on (up to its oldest customers' age), the times read
    (P(T >= n) = S(n - 1/2) for lifetimes in whole days), and the last day resting on observed
    churn alone (its youngest customers' age less CHURN_INACTIVITY_DAYS)."""
    grid = sorted({d for d in days if d <= oldest} | {int(oldest)})
    at = np.asarray([max(d - 0.5, 0.0) for d in grid])
    return grid, at, youngest - CHURN_INACTIVITY_DAYS


def _points(grid: list[int], values: np.ndarray, settled_through: float) -> list[dict]:
    return [
        {
            "day": int(day),
            "p": 1.0 if day == 0 else round(value, 4),
            "observed": bool(day <= settled_through),
        }
        for day, value in zip(grid, values.tolist(), strict=True)
    ]


def cohort_survival(rows: pd.DataFrame, days: Sequence[int]) -> dict[str, list[dict]]:
    """`survival_curve` of each cohort (KEY) of the grouped lifetimes, exactly: the lifetimes of
    every cohort are built and their weights summed per cohort and duration at once (in the
    order one cohort's alone sums them); the running sums and products go cohort by cohort."""
    groups = _groups(rows)
    if not groups:
        return {}
    keys = list(groups)
    sizes = np.asarray([len(groups[key]) for key in keys])
    # each cohort's rows together, in their order
    columns = _columns(rows, _SURVIVAL_COLUMNS)
    ordered = {c: v[np.concatenate([groups[key] for key in keys])] for c, v in columns.items()}
    durations, observed, weights, row = _lifetimes(ordered)
    if np.isnan(durations).any():  # np.unique's NaN handling is not that of the bins below
        return {str(k): _survival_curve({c: v[at] for c, v in columns.items()}, days)
                for k, at in groups.items()}  # fmt: skip
    cohort = np.repeat(np.arange(len(keys)), sizes)[row]
    # a bin per cohort and distinct duration, cohorts in order, durations ascending
    order = np.lexsort((durations, cohort))
    sorted_cohort, sorted_duration = cohort[order], durations[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (np.diff(sorted_cohort) != 0) | (np.diff(sorted_duration) != 0)
    bins = np.empty(order.size, dtype=np.int64)
    bins[order] = np.cumsum(first) - 1
    count = int(first.sum())
    ended = np.bincount(bins, weights=weights * observed, minlength=count)
    leaving = np.bincount(bins, weights=weights, minlength=count)
    times, bin_cohort = sorted_duration[first], sorted_cohort[first]
    bounds = np.searchsorted(bin_cohort, np.arange(len(keys) + 1))
    # each cohort's oldest and youngest age, NaN skipped (as np.nanmax and np.nanmin)
    ages, starts = ordered[AGE].astype(float), np.concatenate([[0], np.cumsum(sizes)[:-1]])
    oldest = np.fmax.reduceat(ages, starts).tolist()
    youngest = np.fmin.reduceat(ages, starts).tolist()
    out = {}
    for index, key in enumerate(keys):
        grid, at, settled_through = _grid(oldest[index], youngest[index], days)
        low, high = bounds[index], bounds[index + 1]
        if low == high:
            out[str(key)] = []
            continue
        values = _product_limit(times[low:high], ended[low:high], leaving[low:high], at)
        out[str(key)] = _points(grid, values, settled_through)
    return out


def cohort_churn_drivers(
    rows: pd.DataFrame,
    order: Mapping[str, Sequence[str]] | None = None,
    top: int = 2,
) -> dict[str, list[dict]]:
    """Per cohort (KEY), up to `top` traits whose customers the model predicts to churn notably
    more often than the cohort's other customers: trait, churn_ratio, the two predicted churn
    rates, customers_with and a sentence. `rows` has KEY, CHURN_SCORED, CHURN_SUM and one
    boolean column per trait of TRAIT_FRAGMENTS; `order` (per cohort key) lists the traits by
    the importance the churn model's backtest gave them, first shown first."""
    out: dict[str, list[dict]] = {}
    traits = [t for t in TRAIT_FRAGMENTS if t in rows.columns]
    columns = _columns(rows, [CHURN_SCORED, CHURN_SUM, *traits]) if len(rows) else {}
    for key, at in _groups(rows).items():
        scored = columns[CHURN_SCORED][at].astype(float)
        churn = np.nan_to_num(columns[CHURN_SUM][at].astype(float))
        ranked = list((order or {}).get(str(key), ()))
        drivers = []
        for trait in traits:
            has = columns[trait][at].astype(bool)
            n_with, n_without = scored[has].sum(), scored[~has].sum()
            if n_with < MIN_CUSTOMERS or n_without < MIN_CUSTOMERS:
                continue
            rate_with, rate_without = churn[has].sum() / n_with, churn[~has].sum() / n_without
            if rate_without <= 0 or rate_with < rate_without * MIN_RATIO:
                continue
            ratio = rate_with / rate_without
            drivers.append(
                {
                    "trait": trait,
                    "churn_ratio": round(float(ratio), 2),
                    "churn_rate_with": round(float(rate_with), 4),
                    "churn_rate_without": round(float(rate_without), 4),
                    "customers_with": int(n_with),
                    "sentence": f"Customers {TRAIT_FRAGMENTS[trait]} are predicted to churn "
                    f"{ratio:.1f}× as often as the cohort's others "
                    f"({rate_with:.0%} vs {rate_without:.0%})",
                }
            )
        rank = {t: i for i, t in enumerate(ranked)}
        drivers.sort(key=lambda d: (rank.get(d["trait"], len(rank)), -d["churn_ratio"]))
        out[str(key)] = _distinct(drivers)[:top]
    return out


def _distinct(drivers: list[dict]) -> list[dict]:
    """The drivers less those naming the same customers as an earlier one (in a young cohort,
    "have not bought yet" and "without a purchase in their first week" are often one group)."""
    seen, out = set(), []
    for driver in drivers:
        group = (driver["customers_with"], driver["churn_rate_with"])
        if group not in seen:
            seen.add(group)
            out.append(driver)
    return out
