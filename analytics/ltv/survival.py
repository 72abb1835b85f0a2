"""Kaplan-Meier survival curves (with right censoring), per acquisition cohort, and the daily
survival vector a payback calculation multiplies margins by.

A customer's lifetime runs from acquisition to the last purchase; it is observed (an event) once
the customer has been inactive for ``inactivity_days``, and censored at T otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analytics.ltv.columns import RECENCY, T

TIME = "time"
AT_RISK = "at_risk"
EVENTS = "events"
CENSORED = "censored"
SURVIVAL = "survival"
COHORT = "cohort"
DURATION = "duration"
OBSERVED = "observed"


def kaplan_meier(durations: ArrayLike, observed: ArrayLike) -> pd.DataFrame:
    """Kaplan-Meier estimate: one row per distinct time (plus time 0) with the number at risk
    just before it, events, censorings and S(t) = prod(1 - events / at_risk)."""
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    times, inverse = np.unique(durations, return_inverse=True)
    events = np.bincount(inverse, weights=observed, minlength=times.size)
    removed = np.bincount(inverse, minlength=times.size)
    at_risk = durations.size - np.concatenate([[0], np.cumsum(removed)[:-1]])
    survival = np.cumprod(1.0 - events / at_risk)
    curve = pd.DataFrame(
        {
            TIME: times,
            AT_RISK: at_risk,
            EVENTS: events.astype(int),
            CENSORED: (removed - events).astype(int),
            SURVIVAL: survival,
        }
    )
    if times.size == 0 or times[0] > 0:
        start = pd.DataFrame({TIME: [0.0], AT_RISK: [durations.size], EVENTS: [0], CENSORED: [0]})
        curve = pd.concat([start.assign(**{SURVIVAL: 1.0}), curve], ignore_index=True)
    return curve


def lifetimes_from_summary(summary: pd.DataFrame, inactivity_days: float) -> pd.DataFrame:
    """Duration (acquisition to last purchase) and whether the end was observed: inactive for at
    least ``inactivity_days`` by T. Needs an acquisition-born summary in days."""
    inactive = (summary[T] - summary[RECENCY]).to_numpy() >= inactivity_days
    duration = np.where(inactive, summary[RECENCY].to_numpy(), summary[T].to_numpy())
    return pd.DataFrame({DURATION: duration, OBSERVED: inactive}, index=summary.index)


def kaplan_meier_by_cohort(lifetimes: pd.DataFrame, cohorts: pd.Series) -> pd.DataFrame:
    """Kaplan-Meier curve of each cohort, stacked with a ``cohort`` column."""
    cohorts = cohorts.reindex(lifetimes.index)
    curves = [
        kaplan_meier(group[DURATION], group[OBSERVED]).assign(**{COHORT: cohort})
        for cohort, group in lifetimes.groupby(cohorts.to_numpy(), sort=True)
    ]
    columns = [COHORT, TIME, AT_RISK, EVENTS, CENSORED, SURVIVAL]
    if not curves:
        return pd.DataFrame(columns=columns)
    return pd.concat(curves, ignore_index=True)[columns]


def survival_on_grid(curve: pd.DataFrame, days: int) -> np.ndarray:
    """S(t) for t = 0, 1, ..., days from one curve; NaN past the last time the cohort was
    followed (an unobserved day is unknown, never zero)."""
    grid = np.arange(days + 1, dtype=float)
    times = curve[TIME].to_numpy(dtype=float)
    position = np.searchsorted(times, grid, side="right") - 1
    values = np.where(position >= 0, curve[SURVIVAL].to_numpy()[np.maximum(position, 0)], 1.0)
    return np.where(grid > times.max(initial=0.0), np.nan, values)
