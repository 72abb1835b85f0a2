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
#: A log-parameter beyond this is "at the bound": the likelihood keeps rising toward 0 or
#: infinity, and the fit describes the optimizer's clip, not the data.
DEGENERATE_LOG = 13.0


#: How far (in log units) a parameter is moved to probe whether the likelihood still rises.
PROBE = 2.0


class DegenerateFit(ValueError):
    """A maximum-likelihood fit that ran to a bound or whose likelihood is not finite."""


WeightedLogLik = Callable[[np.ndarray], tuple[float, np.ndarray]]


def fit_log_parameters(
    weighted_loglik: WeightedLogLik,
    total_weight: float,
    start: np.ndarray,
    penalizer: float = 0.0,
    names: tuple[str, ...] | None = None,
    model: str = "model",
) -> np.ndarray:
    """Parameters maximizing the weighted mean log-likelihood minus an L2 penalty on the
    log-parameters. ``weighted_loglik(theta)`` returns the weighted sum of the log-likelihood and
    its gradient with respect to theta. Raises DegenerateFit, naming the parameters, when the
    optimum lies at a bound or the likelihood there is not finite."""

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
    log_theta = np.clip(result.x, -LOG_BOUND, LOG_BOUND)
    theta = np.exp(log_theta)
    names = names or tuple(f"theta{i}" for i in range(theta.size))
    at_bound = [
        f"{name}={value:.3g}"
        for name, value, log in zip(names, theta, log_theta, strict=True)
        if abs(log) >= DEGENERATE_LOG
    ]
    if at_bound:
        raise DegenerateFit(
            f"the {model} fit is degenerate: parameters at a bound ({', '.join(at_bound)}); "
            "the likelihood grows without limit there, so the fit describes the optimizer's "
            "clip, not the data"
        )
    value = weighted_loglik(theta)[0]
    if not np.isfinite(value):
        raise DegenerateFit(f"the {model} fit is degenerate: its likelihood is not finite")
    rising = _rising_toward_a_bound(weighted_loglik, log_theta, value, names)
    if rising:
        raise DegenerateFit(
            f"the {model} fit is degenerate: the likelihood still rises as {rising}; its "
            "maximum lies at a bound, so the fit describes where the optimizer stopped"
        )
    return theta


def _rising_toward_a_bound(
    weighted_loglik: WeightedLogLik, log_theta: np.ndarray, value: float, names: tuple[str, ...]
) -> str | None:
    """'alpha -> 0' (say) when moving one parameter a factor e^PROBE toward a bound raises the
    likelihood: a finite optimum would not let it."""
    for index, name in enumerate(names):
        for step, bound in ((-PROBE, "0"), (PROBE, "infinity")):
            probe = log_theta.copy()
            probe[index] += step
            if weighted_loglik(np.exp(probe))[0] > value + 1e-9 * abs(value) + 1e-9:
                return f"{name} -> {bound}"
    return None


def x_levels(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of x and the total weight of each: terms that depend on x alone (the
    gamma functions) are evaluated once per level instead of once per customer."""
    levels, inverse = np.unique(x, return_inverse=True)
    return levels, np.bincount(inverse.ravel(), weights=w, minlength=levels.size)


def wsum(w: np.ndarray, values: np.ndarray) -> float:
    """Weighted sum without BLAS (no thread pool wake-ups for a dot product)."""
    return float(np.einsum("i,i->", w, values))
