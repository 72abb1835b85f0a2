"""Churn as a model of its own: classifiers of "no purchase in the next H days" beside the BTYD
probability, and the drivers of churn per channel.

Candidates: ``btyd`` (P(no purchase) of the BTYD models), ``hgb`` (gradient-boosted trees) and
``logistic`` (logistic regression on standardized log features), the classifiers trained on the
RFM, tenure, first-purchase, recent-activity (purchases in the last 7 and 30 days) and acquisition
features at origins o = t - H - k * 28 days (k = 0, 1) with the outcome of (o, o + H]. The
backtest (``backtest``) chooses by log-loss, a proper scoring rule.

Drivers (``churn_drivers``): per channel, the permutation importance of each feature for the
classifier's AUC, and plain statements of how much more often customers with a simple trait
churn than the others ("customers from meta without a purchase in their first week churn 2.3x as
often"; the traits are declared in ``churn_traits``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from analytics.ltv.boosting import build_features, category_levels
from analytics.ltv.churn_traits import MIN_RATIO, TRAITS
from analytics.ltv.rfm import (
    PurchasePeriods,
    build_calibration_holdout,
    period_index,
    purchase_periods,
)

HGB = "hgb"
LOGISTIC = "logistic"
BTYD_CHURN = "btyd"
ORIGIN_STEP_DAYS = 28
ORIGINS = 2
MIN_ROWS = 200


@dataclass
class ChurnClassifier:
    """A fitted classifier of no purchase in the next ``horizon_days``."""

    kind: str
    estimator: object
    categories: dict[str, tuple[str, ...]]
    horizon_days: int
    columns: tuple[str, ...]
    n_train: int

    def features(self, summary: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
        features = build_features(summary, customers, self.categories)[list(self.columns)]
        if self.kind == LOGISTIC:
            return np.sign(features).fillna(0.0) * np.log1p(features.abs().fillna(0.0))
        return features

    def predict(self, summary: pd.DataFrame, customers: pd.DataFrame | None) -> np.ndarray:
        """P(no purchase in the next horizon_days) per customer of the summary."""
        with threadpool_limits(1, user_api="openmp"):
            return self.estimator.predict_proba(self.features(summary, customers))[:, 1]


def churn_training_set(
    periods: PurchasePeriods,
    as_of: pd.Timestamp,
    horizon_days: int,
    *,
    origins: int = ORIGINS,
    max_rows: int = 60_000,
    random_state: int = 0,
) -> pd.DataFrame | None:
    """Summaries at origins before ``as_of`` with ``churned`` = no purchase in the horizon."""
    rng = np.random.default_rng(random_state)
    first = periods.first_period()
    pieces = []
    for k in range(origins):
        origin = as_of - pd.Timedelta(days=horizon_days + k * ORIGIN_STEP_DAYS)
        if int(period_index(origin)) - first < 30:
            continue
        sample = periods
        per_origin = max_rows // origins
        if len(periods.ids) > per_origin:
            chosen = np.sort(rng.choice(len(periods.ids), per_origin, False))
            sample = periods.customers_subset(chosen)
        split = build_calibration_holdout(sample, origin, origin + pd.Timedelta(days=horizon_days))
        pieces.append(split.assign(churned=(split["frequency_holdout"] == 0).astype(int)))
    if not pieces:
        return None
    train = pd.concat(pieces)
    if len(train) < MIN_ROWS or train["churned"].nunique() < 2:
        return None
    return train


def fit_churn_classifiers(
    periods: PurchasePeriods,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp,
    horizon_days: int,
    kinds: Sequence[str] = (HGB, LOGISTIC),
) -> dict[str, ChurnClassifier]:
    """Every classifier trained on the origins before ``as_of`` (none without enough data)."""
    train = churn_training_set(periods, as_of, horizon_days)
    if train is None:
        return {}
    churned = train["churned"].to_numpy()
    return {
        kind: fit_churn_classifier(kind, train, customers, churned, horizon_days) for kind in kinds
    }


def fit_churn_classifier(
    kind: str,
    train: pd.DataFrame,
    customers: pd.DataFrame | None,
    churned: np.ndarray,
    horizon_days: int,
) -> ChurnClassifier:
    """One classifier (HGB or LOGISTIC) of ``churned`` from the features of the RFM summaries
    ``train`` and the customers' acquisition attributes."""
    categories = category_levels(customers)
    columns = tuple(build_features(train.head(1), customers, categories).columns)
    if kind == HGB:
        estimator = HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.1,
            max_leaf_nodes=15,
            min_samples_leaf=max(50, len(train) // 1000),
            categorical_features=[c in categories for c in columns],
            random_state=0,
        )
    else:
        estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    classifier = ChurnClassifier(kind, estimator, categories, horizon_days, columns, len(train))
    with threadpool_limits(1, user_api="openmp"):
        estimator.fit(classifier.features(train, customers), np.asarray(churned))
    return classifier


def refit_chosen_classifier(
    transactions: pd.DataFrame | PurchasePeriods,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp,
    horizon_days: int,
    chosen: str,
) -> ChurnClassifier | None:
    """The classifier the churn backtest chose, trained on the origins before ``as_of``; None
    when it chose BTYD or the history is too short for it."""
    if chosen == BTYD_CHURN:
        return None
    periods = transactions
    if not isinstance(periods, PurchasePeriods):
        periods = purchase_periods(transactions, customers)
    return fit_churn_classifiers(periods, customers, as_of, horizon_days, (chosen,)).get(chosen)


def choose_churn_model(churned: np.ndarray, probabilities: dict[str, np.ndarray]) -> dict:
    """Log-loss of every candidate on the same outcomes and the lowest one."""
    losses = {
        kind: float(log_loss(churned, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1]))
        for kind, p in probabilities.items()
    }
    return {"chosen": min(losses, key=losses.get), "log_loss": losses}


def churn_drivers(
    classifier: ChurnClassifier | None,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    churned: np.ndarray,
    platforms: pd.Series,
    *,
    max_rows: int = 5_000,
    top: int = 3,
    label: Callable[[str], str] = str,
) -> dict[str, list[dict]]:
    """Per channel, the traits whose customers churn most more often than the others, each with
    the churn ratio, the two rates, the permutation importance (AUC drop) of its feature and a
    sentence naming the channel by ``label``. ``churned`` are the outcomes of the summary's
    customers."""
    out: dict[str, list[dict]] = {}
    churned = np.asarray(churned, dtype=bool)
    for platform in sorted(platforms.unique()):
        rows = (platforms == platform).to_numpy()
        part, outcome = summary[rows], churned[rows]
        if len(part) < MIN_ROWS or outcome.all() or not outcome.any():
            continue
        importance = _importance(classifier, part, customers, outcome, max_rows)
        drivers = []
        for name, trait in TRAITS.items():
            has = np.asarray(trait.test(part), dtype=bool)
            if has.sum() < 30 or (~has).sum() < 30:
                continue
            rate_with, rate_without = outcome[has].mean(), outcome[~has].mean()
            if rate_without <= 0 or rate_with < rate_without * MIN_RATIO:
                continue
            ratio = rate_with / rate_without
            drivers.append(
                {
                    "trait": name,
                    "feature": trait.feature,
                    "importance": importance.get(trait.feature),
                    "churn_ratio": round(float(ratio), 2),
                    "churn_rate_with": round(float(rate_with), 4),
                    "churn_rate_without": round(float(rate_without), 4),
                    "customers_with": int(has.sum()),
                    "sentence": f"Customers from {label(str(platform))} {trait.fragment} churn "
                    f"{ratio:.1f}× as often as the others.",
                }
            )
        drivers.sort(key=lambda d: (-(d["importance"] or 0.0), -d["churn_ratio"]))
        out[str(platform)] = drivers[:top]
    return out


def _importance(classifier, part, customers, outcome, max_rows) -> dict[str, float]:
    """Permutation importance (mean drop of ROC AUC) of each feature on a sample."""
    if classifier is None:
        return {}
    rng = np.random.default_rng(0)
    rows = np.arange(len(part))
    if rows.size > max_rows:
        rows = np.sort(rng.choice(rows.size, max_rows, False))
    features = classifier.features(part.iloc[rows], customers)
    with threadpool_limits(1, user_api="openmp"):
        result = permutation_importance(
            classifier.estimator,
            features,
            outcome[rows].astype(int),
            scoring="roc_auc",
            n_repeats=3,
            random_state=0,
        )
    return {
        column: round(float(value), 4)
        for column, value in zip(features.columns, result.importances_mean, strict=True)
    }
