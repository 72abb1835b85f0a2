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
from scipy.special import digamma, expit, gammaln, hyp2f1

from analytics.ltv._optimize import fit_log_parameters


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


def unique_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the given columns, the inverse index and the count of each row."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    uniq, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return [uniq[:, i] for i in range(uniq.shape[1])], inverse.ravel(), counts


def _repeat_mask(x: np.ndarray, modified: bool) -> np.ndarray:
    return np.ones_like(x, dtype=bool) if modified else x > 0


def _dropout_log_term(a: float, b: float, r: float, alpha: float, x, t_x, modified: bool):
    """log of a/(b+x-1+s) (alpha+t_x)^-(r+x): the 'dropped out after the last purchase' term."""
    has = _repeat_mask(x, modified)
    denom = np.where(has, b + x - 1.0 + float(modified), 1.0)
    term = np.log(a) - np.log(denom) - (r + x) * np.log(alpha + t_x)
    return np.where(has, term, -np.inf), denom, has


def log_likelihood(
    params: BTYDParams | np.ndarray, frequency, recency, T, modified: bool | None = None
) -> np.ndarray:
    """Log-likelihood of each customer's (x, t_x, T) under the model."""
    r, alpha, a, b, modified = _unpack(params, modified)
    ll, _ = _loglik_and_grad(np.array([r, alpha, a, b]), *_arrays(frequency, recency, T), modified)
    return ll


def _loglik_and_grad(theta: np.ndarray, x, t_x, T, modified: bool, want_grad: bool = False):
    r, alpha, a, b = theta
    s = float(modified)
    rx = r + x
    log_aT, log_at = np.log(alpha + T), np.log(alpha + t_x)
    a1 = gammaln(rx) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(b + x + s) - gammaln(a + b + x + s) - gammaln(b) + gammaln(a + b)
    a3 = -rx * log_aT
    a4, denom, has = _dropout_log_term(a, b, r, alpha, x, t_x, modified)
    l3 = np.logaddexp(a3, a4)
    ll = a1 + a2 + l3
    if not want_grad:
        return ll, None
    w4 = np.exp(a4 - l3)
    w3 = 1.0 - w4
    psi_abx = digamma(a + b + x + s)
    w4_b = np.where(has, w4, 0.0) / denom
    grad = np.column_stack(
        [
            digamma(rx) - digamma(r) + np.log(alpha) - w3 * log_aT - w4 * log_at,
            r / alpha - rx * (w3 / (alpha + T) + w4 / (alpha + t_x)),
            digamma(a + b) - psi_abx + w4 / a,
            digamma(b + x + s) - psi_abx - digamma(b) + digamma(a + b) - w4_b,
        ]
    )
    return ll, grad


def fit_btyd(
    frequency,
    recency,
    T,
    *,
    modified: bool = False,
    weights=None,
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

    theta = fit_log_parameters(
        lambda th: _loglik_and_grad(th, x, t_x, big_t, modified, want_grad=True),
        w,
        start,
        penalizer,
    )
    r, alpha, a, b = theta
    ll = _loglik_and_grad(theta, x, t_x, big_t, modified)[0]
    return BTYDParams(
        float(r),
        float(alpha),
        float(a),
        float(b),
        modified,
        float(np.einsum("i,i->", w, ll)),
        int(round(w.sum())),
    )


def _collapse(x, t_x, T, w):
    (ux, ut, uT), inverse, _ = unique_rows(x, t_x, T)
    uw = np.bincount(inverse, weights=w, minlength=ux.size)
    return (ux, ut, uT, uw), inverse, uw


def _initial_guess(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
    rate = max(float(np.einsum("i,i->", w, x)) / max(float(np.einsum("i,i->", w, T)), 1e-9), 1e-6)
    return np.array([1.0, 1.0 / rate, 1.0, 1.0])


def expected_purchases(params: BTYDParams, t, frequency, recency, T) -> np.ndarray:
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


def probability_alive(params: BTYDParams, frequency, recency, T) -> np.ndarray:
    """P(the customer is still active at T | x, t_x, T)."""
    x, t_x, big_t = _arrays(frequency, recency, T)
    r, alpha = params.r, params.alpha
    log_ratio, _, has = _dropout_log_term(params.a, params.b, r, alpha, x, t_x, params.modified)
    log_ratio = np.where(has, log_ratio + (r + x) * np.log(alpha + big_t), -np.inf)
    return expit(-log_ratio)


def probability_no_purchase(params: BTYDParams, horizon, frequency, recency, T) -> np.ndarray:
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
