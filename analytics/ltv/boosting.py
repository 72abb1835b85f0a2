"""Gradient-boosted revenue model: scikit-learn's HistGradientBoostingRegressor with Poisson loss
(non-negative, zero-inflated revenue) predicting a customer's revenue over the next window from
RFM features and acquisition attributes (platform, country, device as native categorical features).

HistGradientBoosting offers no Tweedie loss; Poisson is its loss for non-negative targets. Its
Newton leaf step, sum(y - mu) / sum(mu), overshoots badly on a small leaf of heavy spenders (on a
million customers the default 20-row leaves predicted a holdout total 5.8x the actual), so leaves
are large (``min_samples_leaf`` grows with the data: n / 1000, at least 50) and few (15).

60 trees at a learning rate of 0.1, without early stopping. Early stopping holds out a random
tenth of the rows, so the model depended on the order the customers were read in (on the
sandbox's 8,000 customers the holdout total moved by a tenth with the row order); where it ran
(CDNOW) it stopped after 43-71 trees, and a fixed 60 judges as well there and on the sandbox
while scoring five times faster than the former 300 (every tree is walked for every customer
scored).

Fitting and predicting run on one OpenMP thread: on a machine whose cores are shared (a worker
beside the web server and the database), scikit-learn's thread pool oversubscribes them and a
fit takes several times longer than on one thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from analytics.ltv.attributes import customer_attribute
from analytics.ltv.columns import (
    AGE,
    CATEGORICAL_FEATURES,
    DAYS_SINCE_LAST,
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
    for column, levels in categories.items():
        values = customer_attribute(customers, summary.index, column, as_text=True)
        if values is None:
            features[column] = np.nan
            continue
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
    max_iter: int = 60,
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
        early_stopping=False,
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
    window = float(window_days or model.window_days)
    return predict_revenue_windows(model, summary, customers, [window])[window]


def predict_revenue_windows(
    model: RevenueRegressor,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    windows: Sequence[float],
) -> dict[float, np.ndarray]:
    """``predict_revenue`` over each of ``windows``: the features are built once, and each
    distinct row (many customers share every feature: those who have not bought, of one age and
    channel) is predicted once per window."""
    plain = summary.drop(columns=WINDOW) if WINDOW in summary else summary
    features = build_features(plain, customers, model.categories)
    key = pd.util.hash_pandas_object(features, index=False).to_numpy()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    distinct = features.to_numpy()[first]
    out = {}
    with threadpool_limits(1, user_api="openmp"):
        for window in windows:
            rows = distinct
            if model.windows:  # the window is the last feature
                rows = np.column_stack([distinct, np.full(len(distinct), float(window))])
            out[window] = model.estimator.predict(rows)[inverse.ravel()]
    return out
