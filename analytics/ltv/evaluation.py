"""Holdout metrics of LTV and churn predictions. Report them together: MAE rewards predicting
zero for the many non-buyers, the Gini only judges the ranking, totals only the sum.

- ``normalized_gini``: Gini of the actual values ordered by prediction divided by the Gini of the
  perfect ordering (1 = perfect ranking, 0 = random, -1 = reversed); tied predictions share their
  actual values, so the result does not depend on the order of the ties;
- ``decile_mape``: customers are split by predicted value into ten equal groups; the mean over the
  groups of |sum predicted - sum actual| / sum actual (groups with no actual revenue are skipped);
- ``total_ratio``: sum predicted / sum actual.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def mean_absolute_error(actual: ArrayLike, predicted: ArrayLike) -> float:
    actual, predicted = _arrays(actual, predicted)
    return float(np.mean(np.abs(actual - predicted)))


def total_ratio(actual: ArrayLike, predicted: ArrayLike) -> float:
    actual, predicted = _arrays(actual, predicted)
    total = actual.sum()
    return float(predicted.sum() / total) if total != 0 else float("nan")


def gini(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Unnormalized Gini: mean cumulative share of actual (ordered by prediction, descending)
    minus the share a random ordering would give."""
    actual, predicted = _arrays(actual, predicted)
    n = actual.size
    order = np.argsort(-predicted, kind="stable")
    ranked_actual, ranked_pred = actual[order], predicted[order]
    _, group, counts = np.unique(-ranked_pred, return_inverse=True, return_counts=True)
    tie_mean = np.bincount(group, weights=ranked_actual) / counts
    cumulative = np.cumsum(tie_mean[group]) / actual.sum()
    return float(cumulative.sum() / n - (n + 1) / (2.0 * n))


def normalized_gini(actual: ArrayLike, predicted: ArrayLike) -> float:
    best = gini(actual, actual)
    return gini(actual, predicted) / best if best != 0 else float("nan")


def decile_mape(actual: ArrayLike, predicted: ArrayLike, groups: int = 10) -> float:
    actual, predicted = _arrays(actual, predicted)
    order = np.argsort(-predicted, kind="stable")
    errors = []
    for part in np.array_split(order, groups):
        total = actual[part].sum()
        if part.size and total > 0:
            errors.append(abs(predicted[part].sum() - total) / total)
    return float(np.mean(errors)) if errors else float("nan")


def spearman(actual: ArrayLike, predicted: ArrayLike) -> float:
    actual, predicted = _arrays(actual, predicted)
    if np.ptp(actual) == 0 or np.ptp(predicted) == 0:
        return float("nan")
    return float(spearmanr(actual, predicted).statistic)


def revenue_metrics(actual: ArrayLike, predicted: ArrayLike) -> dict[str, float]:
    """All LTV holdout metrics of one model, keyed by name."""
    actual, predicted = _arrays(actual, predicted)
    return {
        "mae": mean_absolute_error(actual, predicted),
        "total_actual": float(actual.sum()),
        "total_predicted": float(predicted.sum()),
        "total_ratio": total_ratio(actual, predicted),
        "normalized_gini": normalized_gini(actual, predicted),
        "decile_mape": decile_mape(actual, predicted),
        "spearman": spearman(actual, predicted),
    }


def churn_metrics(churned: ArrayLike, probability: ArrayLike) -> dict[str, float]:
    """ROC AUC, PR AUC (average precision) and Brier score of churn probabilities."""
    churned = np.asarray(churned, dtype=int)
    probability = np.asarray(probability, dtype=float)
    both_classes = 0 < churned.sum() < churned.size
    return {
        "auc": float(roc_auc_score(churned, probability)) if both_classes else float("nan"),
        "pr_auc": float(average_precision_score(churned, probability))
        if both_classes
        else float("nan"),
        "brier": float(brier_score_loss(churned, probability)),
        "churn_rate": float(churned.mean()) if churned.size else float("nan"),
    }


def reliability_table(
    churned: ArrayLike, probability: ArrayLike, bins: int = 10
) -> list[dict[str, float | int]]:
    """Calibration of probabilities: per tenth of the [0, 1] range that holds customers, their
    count, mean predicted probability and observed rate."""
    churned = np.asarray(churned, dtype=float)
    probability = np.asarray(probability, dtype=float)
    slot = np.minimum((probability * bins).astype(int), bins - 1)
    rows = []
    for index in range(bins):
        inside = slot == index
        if inside.any():
            rows.append(
                {
                    "low": index / bins,
                    "high": (index + 1) / bins,
                    "customers": int(inside.sum()),
                    "predicted": float(probability[inside].mean()),
                    "observed": float(churned[inside].mean()),
                }
            )
    return rows


def _arrays(actual: ArrayLike, predicted: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    if actual.shape != predicted.shape:
        raise ValueError("actual and predicted must have the same shape")
    return actual, predicted
