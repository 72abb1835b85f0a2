"""BG/NBD and modified BG/NBD (MBG/NBD) purchase models ("buy 'til you die").

Maximum-likelihood fit (BFGS on log-parameters, analytic gradient, vectorized over customers),
conditional expected purchases in the next ``t`` periods, P(alive), and the probability of no
purchase within a horizon. Inputs are the RFM summary arrays: ``frequency`` (x, repeat purchases),
``recency`` (t_x) and ``T``, all in the same time unit; the parameters are in that unit too.

BG/NBD (Fader, Hardie & Lee 2005) lets a customer drop out only after a repeat purchase, so it
gives P(alive) = 1 to everyone without one. MBG/NBD (Batislam, Denizel & Filiztekin 2007) also
allows dropout right after the first purchase (``modified=True``), which makes P(alive) usable as a
churn signal. One code path serves both: MBG/NBD is BG/NBD with ``b + x`` shifted by one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, expit, gammaln, hyp2f1

from analytics.ltv._optimize import fit_log_parameters, wsum, x_levels


@dataclass(frozen=True)
class BTYDParams:
    """Fitted BG/NBD (``modified=False``) or MBG/NBD (``modified=True``) parameters."""

    r: float
    alpha: float
    a: float
    b: float
    modified: bool = False
    log_likelihood: float = float("nan")
    n_customers: int = 0

    def as_dict(self) -> dict[str, float | bool | int]:
        return asdict(self)


def unique_rows(*columns: ArrayLike) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the given columns, the inverse index and the count of each row.

    Each column is coded by its distinct values and the codes are combined into one integer key,
    which sorts far faster than ``np.unique(axis=0)`` on a million rows."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    values = []
    capacity = 1
    for column in columns:
        levels, codes = np.unique(np.asarray(column, dtype=float), return_inverse=True)
        capacity *= max(levels.size, 1)
        if capacity >= 2**62:
            raise ValueError("too many distinct rows to code in one integer key")
        key = key * levels.size + codes.ravel()
        values.append((levels, codes.ravel()))
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    return [codes_levels[0][codes_levels[1][first]] for codes_levels in values], inverse, counts


def _repeat_mask(x: np.ndarray, modified: bool) -> np.ndarray:
    return np.ones_like(x, dtype=bool) if modified else x > 0


def _dropout_log_term(a: float, b: float, r: float, alpha: float, x, t_x, modified: bool):
    """log of a/(b+x-1+s) (alpha+t_x)^-(r+x): the 'dropped out after the last purchase' term."""
    has = _repeat_mask(x, modified)
    denom = np.where(has, b + x - 1.0 + float(modified), 1.0)
    term = np.log(a) - np.log(denom) - (r + x) * np.log(alpha + t_x)
    return np.where(has, term, -np.inf), denom, has


def log_likelihood(
    params: BTYDParams | np.ndarray,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    modified: bool | None = None,
) -> np.ndarray:
    """Log-likelihood of each customer's (x, t_x, T) under the model."""
    r, alpha, a, b, modified = _unpack(params, modified)
    theta = np.array([r, alpha, a, b])
    x, t_x, big_t = _arrays(frequency, recency, T)
    return _row_terms(theta, x, t_x, big_t, modified)[0] + _level_terms(theta, x, modified)


def _level_terms(theta: np.ndarray, x: np.ndarray, modified: bool) -> np.ndarray:
    r, alpha, a, b = theta
    s = float(modified)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    return a1 + gammaln(b + x + s) - gammaln(a + b + x + s) - gammaln(b) + gammaln(a + b)


def _row_terms(theta: np.ndarray, x, t_x, T, modified: bool):
    r, alpha, a, b = theta
    log_aT, log_at = np.log(alpha + T), np.log(alpha + t_x)
    a4, denom, has = _dropout_log_term(a, b, r, alpha, x, t_x, modified)
    l3 = np.logaddexp(-(r + x) * log_aT, a4)
    return l3, np.exp(a4 - l3), log_aT, log_at, denom, has


def _weighted_loglik(theta: np.ndarray, x, t_x, T, w, modified: bool, levels=None):
    """Weighted sum of the log-likelihood over customers and its gradient (4,). The terms that
    depend on x alone are evaluated once per distinct x (``levels`` = values, total weights)."""
    r, alpha, a, b = theta
    s = float(modified)
    ux, lw = levels if levels is not None else x_levels(x, w)
    l3, w4, log_aT, log_at, denom, has = _row_terms(theta, x, t_x, T, modified)
    value = wsum(lw, _level_terms(theta, ux, modified)) + wsum(w, l3)
    ww4 = w * w4
    ww3 = w - ww4
    rx = r + x
    psi_abx = digamma(a + b + ux + s)
    grad = np.array(
        [
            wsum(lw, digamma(r + ux) - digamma(r) + np.log(alpha))
            - wsum(ww3, log_aT)
            - wsum(ww4, log_at),
            lw.sum() * r / alpha - wsum(ww3, rx / (alpha + T)) - wsum(ww4, rx / (alpha + t_x)),
            wsum(lw, digamma(a + b) - psi_abx) + ww4.sum() / a,
            wsum(lw, digamma(b + ux + s) - psi_abx - digamma(b) + digamma(a + b))
            - wsum(np.where(has, ww4, 0.0), 1.0 / denom),
        ]
    )
    return value, grad


def fit_btyd(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    modified: bool = False,
    weights: ArrayLike | None = None,
    penalizer: float = 0.0,
    initial: tuple[float, float, float, float] | None = None,
) -> BTYDParams:
    """Maximum-likelihood BG/NBD (or MBG/NBD with ``modified=True``) parameters.

    Identical (x, t_x, T) rows are collapsed into weights first, so large data sets with integer
    periods fit fast. ``penalizer`` adds an L2 penalty on the log-parameters (0 = plain MLE).
    """
    x, t_x, big_t = _arrays(frequency, recency, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    (x, t_x, big_t, w), _, _ = _collapse(x, t_x, big_t, w)
    start = np.log(initial if initial is not None else _initial_guess(x, big_t, w))

    levels = x_levels(x, w)
    theta = fit_log_parameters(
        lambda th: _weighted_loglik(th, x, t_x, big_t, w, modified, levels),
        float(w.sum()),
        start,
        penalizer,
        ("r", "alpha", "a", "b"),
        "MBG/NBD" if modified else "BG/NBD",
    )
    r, alpha, a, b = theta
    ll = _weighted_loglik(theta, x, t_x, big_t, w, modified, levels)[0]
    return BTYDParams(float(r), float(alpha), float(a), float(b), modified, ll, round(w.sum()))


def _collapse(x, t_x, T, w):
    (ux, ut, uT), inverse, _ = unique_rows(x, t_x, T)
    uw = np.bincount(inverse, weights=w, minlength=ux.size)
    return (ux, ut, uT, uw), inverse, uw


def _initial_guess(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
    rate = max(wsum(w, x) / max(wsum(w, T), 1e-9), 1e-6)
    return np.array([1.0, 1.0 / rate, 1.0, 1.0])


def expected_purchases(
    params: BTYDParams, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Expected number of purchases in the next ``t`` periods, given each customer's history."""
    x, t_x, big_t = _arrays(frequency, recency, T)
    r, alpha, a, b, s = params.r, params.alpha, params.a, params.b, float(params.modified)
    t = np.asarray(t, dtype=float)
    rx = r + x
    lead = (a + b + x - 1.0 + s) / (a - 1.0)
    z = t / (alpha + big_t + t)
    hyp = hyp2f1(rx, b + x + s, a + b + x - 1.0 + s, z)
    bracket = 1.0 - np.exp(rx * (np.log(alpha + big_t) - np.log(alpha + big_t + t))) * hyp
    return lead * bracket * probability_alive(params, x, t_x, big_t)


def probability_alive(
    params: BTYDParams, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """P(the customer is still active at T | x, t_x, T)."""
    x, t_x, big_t = _arrays(frequency, recency, T)
    r, alpha = params.r, params.alpha
    log_ratio, _, has = _dropout_log_term(params.a, params.b, r, alpha, x, t_x, params.modified)
    log_ratio = np.where(has, log_ratio + (r + x) * np.log(alpha + big_t), -np.inf)
    return expit(-log_ratio)


def probability_no_purchase(
    params: BTYDParams,
    horizon: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    """P(no purchase in (T, T + horizon]): dropped out already, or alive with no purchase.

    Alive customers cannot drop out without buying, and their purchase rate given the history is
    Gamma(r + x, alpha + T), so P(no purchase | alive) = ((alpha + T) / (alpha + T + h))^(r + x).
    """
    x, t_x, big_t = _arrays(frequency, recency, T)
    alive = probability_alive(params, x, t_x, big_t)
    r, alpha = params.r, params.alpha
    quiet = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + horizon)))
    return 1.0 - alive + alive * quiet


def _arrays(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.asarray(v, dtype=float) for v in (frequency, recency, T))


def _unpack(params: BTYDParams | np.ndarray, modified: bool | None):
    if isinstance(params, BTYDParams):
        return params.r, params.alpha, params.a, params.b, params.modified
    r, alpha, a, b = np.asarray(params, dtype=float)
    return r, alpha, a, b, bool(modified)
