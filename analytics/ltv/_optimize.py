"""Maximum likelihood over log-parameters, shared by the purchase and spend models.

BFGS rather than L-BFGS-B: the problems have 3-4 parameters, and L-BFGS-B's BLAS calls wake
OpenBLAS's thread pool on every iteration, which costs more than the likelihood itself on a busy
machine. Log-parameters are clipped to +-15 so that exp() never overflows during line searches.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

LOG_BOUND = 15.0

WeightedLogLik = Callable[[np.ndarray], tuple[float, np.ndarray]]


def fit_log_parameters(
    weighted_loglik: WeightedLogLik, total_weight: float, start: np.ndarray, penalizer: float = 0.0
) -> np.ndarray:
    """Parameters maximizing the weighted mean log-likelihood minus an L2 penalty on the
    log-parameters. ``weighted_loglik(theta)`` returns the weighted sum of the log-likelihood and
    its gradient with respect to theta."""

    def objective(log_theta: np.ndarray) -> tuple[float, np.ndarray]:
        log_theta = np.clip(log_theta, -LOG_BOUND, LOG_BOUND)
        theta = np.exp(log_theta)
        value, grad = weighted_loglik(theta)
        penalty = penalizer * float(np.sum(log_theta**2))
        gradient = -grad * theta / total_weight + 2.0 * penalizer * log_theta
        return -value / total_weight + penalty, gradient

    result = minimize(
        objective, start, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-9}
    )
    return np.exp(np.clip(result.x, -LOG_BOUND, LOG_BOUND))


def x_levels(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of x and the total weight of each: terms that depend on x alone (the
    gamma functions) are evaluated once per level instead of once per customer."""
    levels, inverse = np.unique(x, return_inverse=True)
    return levels, np.bincount(inverse.ravel(), weights=w, minlength=levels.size)


def wsum(w: np.ndarray, values: np.ndarray) -> float:
    """Weighted sum without BLAS (no thread pool wake-ups for a dot product)."""
    return float(np.einsum("i,i->", w, values))
