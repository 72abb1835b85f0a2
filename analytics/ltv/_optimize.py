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

Gradient = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def fit_log_parameters(
    loglik_and_grad: Gradient, weights: np.ndarray, start: np.ndarray, penalizer: float = 0.0
) -> np.ndarray:
    """Parameters maximizing the weighted mean log-likelihood (minus an L2 penalty on the
    log-parameters). ``loglik_and_grad(theta)`` returns per-row log-likelihoods (n,) and their
    gradients with respect to theta (n, k)."""
    total = float(weights.sum())

    def objective(log_theta: np.ndarray) -> tuple[float, np.ndarray]:
        log_theta = np.clip(log_theta, -LOG_BOUND, LOG_BOUND)
        theta = np.exp(log_theta)
        ll, grad = loglik_and_grad(theta)
        value = -np.einsum("i,i->", weights, ll) / total + penalizer * np.sum(log_theta**2)
        gradient = -np.einsum("i,ij->j", weights, grad) * theta / total
        return float(value), gradient + 2.0 * penalizer * log_theta

    result = minimize(
        objective, start, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-9}
    )
    return np.exp(np.clip(result.x, -LOG_BOUND, LOG_BOUND))
