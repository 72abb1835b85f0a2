"""Gradient-boosted revenue model: scikit-learn's HistGradientBoostingRegressor with Poisson loss
(non-negative, zero-inflated revenue) predicting a customer's revenue over the next window from
RFM features and acquisition attributes (platform, country, device as native categorical features).

HistGradientBoosting offers no Tweedie loss; Poisson is its loss for non-negative targets. Its
Newton leaf step, sum(y - mu) / sum(mu), overshoots badly on a small leaf of heavy spenders (on a
million customers the default 20-row leaves predicted a holdout total 5.8x the actual), so leaves
are large (``min_samples_leaf`` grows with the data: n / 1000, at least 50) and few (15).

Fitting and predicting run on one OpenMP thread: on a machine whose cores are shared (a worker
beside the web server and the database), scikit-learn's thread pool oversubscribes them and a
fit takes several times longer than on one thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from analytics.ltv.columns import (
    AGE,
    CATEGORICAL_FEATURES,
    CUSTOMER_ID,
    FIRST_AMOUNT,
    FIRST_PURCHASE_AGE,
    FREQUENCY,
    MONETARY_VALUE,
    PAID,
    PURCHASES_LAST_7,
    PURCHASES_LAST_30,
    RECENCY,
    REVENUE,
    REVENUE_LAST_30,
    T,
)

DAYS_SINCE_LAST = "days_since_last"
PURCHASE_RATE = "purchase_rate"
#: The window (days) the revenue is predicted over: one model serves several horizons.
WINDOW = "window_days"
SUMMARY_FEATURES = (
    FREQUENCY,
    RECENCY,
    T,
    MONETARY_VALUE,
    REVENUE,
    AGE,
    FIRST_PURCHASE_AGE,
    FIRST_AMOUNT,
    PURCHASES_LAST_7,
    PURCHASES_LAST_30,
    REVENUE_LAST_30,
)
NUMERIC_FEATURES = (*SUMMARY_FEATURES, PAID, DAYS_SINCE_LAST, PURCHASE_RATE)
MAX_CATEGORIES = 50


@dataclass
class RevenueRegressor:
    """A fitted regressor of revenue over the next ``window_days``, with its category codes."""

    estimator: HistGradientBoostingRegressor
    categories: dict[str, tuple[str, ...]]
    window_days: float
    n_train: int
    #: The windows it learned (one model for several horizons, ``window_days`` a feature), or
    #: empty for a model of ``window_days`` alone.
    windows: tuple[int, ...] = ()


def category_levels(customers: pd.DataFrame | None) -> dict[str, tuple[str, ...]]:
    """The most frequent levels of each categorical attribute (rarer ones become missing)."""
    levels: dict[str, tuple[str, ...]] = {}
    for column in CATEGORICAL_FEATURES:
        if customers is not None and column in customers:
            counts = customers[column].astype(str).value_counts()
            levels[column] = tuple(counts.index[:MAX_CATEGORIES])
        else:
            levels[column] = ()
    return levels


def build_features(
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    categories: dict[str, tuple[str, ...]],
) -> pd.DataFrame:
    """Feature matrix aligned with ``summary``'s index: RFM, age, first purchase and recent
    activity numerics (NaN where the summary lacks them), the window when the summary has a
    ``window_days`` column, plus coded categoricals."""
    features = pd.DataFrame(
        {c: summary[c].astype(float) if c in summary else np.nan for c in SUMMARY_FEATURES},
        index=summary.index,
    )
    features[PAID] = summary[PAID].astype(float) if PAID in summary else 1.0
    features[DAYS_SINCE_LAST] = summary[T] - summary[RECENCY]
    features[PURCHASE_RATE] = summary[FREQUENCY] / (summary[T] + 1.0)
    attributes = customers.set_index(CUSTOMER_ID) if customers is not None else None
    for column, levels in categories.items():
        if attributes is None or column not in attributes:
            features[column] = np.nan
            continue
        values = attributes[column].astype(str).reindex(summary.index)
        codes = pd.Categorical(values, categories=list(levels)).codes.astype(float)
        features[column] = np.where(codes < 0, np.nan, codes)
    if WINDOW in summary:
        features[WINDOW] = summary[WINDOW].astype(float)
    return features


def fit_revenue_regressor(
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    target: pd.Series | np.ndarray,
    window_days: float,
    *,
    max_iter: int = 300,
    learning_rate: float = 0.1,
    max_leaf_nodes: int = 15,
    min_samples_leaf: int | None = None,
    max_train_rows: int | None = 250_000,
    random_state: int = 0,
) -> RevenueRegressor:
    """Fit revenue in the window after the summary's end from the summary's features, on a
    seeded uniform sample of at most ``max_train_rows`` customers (None: all of them)."""
    target = np.asarray(target, dtype=float)
    if max_train_rows is not None and len(summary) > max_train_rows:
        rows = np.random.default_rng(random_state).choice(len(summary), max_train_rows, False)
        summary, target = summary.iloc[np.sort(rows)], target[np.sort(rows)]
    categories = category_levels(customers)
    features = build_features(summary, customers, categories)
    estimator = HistGradientBoostingRegressor(
        loss="poisson",
        max_iter=max_iter,
        learning_rate=learning_rate,
        max_leaf_nodes=max_leaf_nodes,
        min_samples_leaf=min_samples_leaf or max(50, len(features) // 1000),
        categorical_features=[column in categories for column in features.columns],
        random_state=random_state,
    )
    with threadpool_limits(1, user_api="openmp"):
        estimator.fit(features.to_numpy(), target)
    return RevenueRegressor(estimator, categories, float(window_days), len(features))


def predict_revenue(
    model: RevenueRegressor,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    window_days: float | None = None,
) -> np.ndarray:
    """Predicted revenue over ``window_days`` (one the model learned; default its own window)
    after the summary's end, per customer."""
    if model.windows:
        window = float(window_days or model.window_days)
        summary = summary.assign(**{WINDOW: window})
    features = build_features(summary, customers, model.categories)
    # many customers share every feature (those who have not bought, of one age and channel):
    # each distinct row is predicted once
    key = pd.util.hash_pandas_object(features, index=False).to_numpy()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    with threadpool_limits(1, user_api="openmp"):
        return model.estimator.predict(features.to_numpy()[first])[inverse.ravel()]
