"""Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV").

Each customer's purchase values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers
(``v`` below is gamma). Fitted by maximum likelihood on the repeat customers (x > 0) from their
number of purchases x and average purchase value m; it assumes spend is independent of frequency.

The population mean p v / (q - 1) exists only for q > 1. When the fit gives q <= 1 (a heavy tail
of spenders), or runs to a bound (near-constant purchase values), the model is not used: each
repeat customer's expected value is its own average and a customer without repeat purchases gets
the mean repeat purchase value of the data (``fallback`` says why).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from analytics.ltv._optimize import DegenerateFit, fit_log_parameters, wsum, x_levels


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters."""

    p: float
    q: float
    v: float
    log_likelihood: float = float("nan")
    n_customers: int = 0
    #: Mean repeat purchase value in the data (what a customer without history gets when the
    #: model cannot be used).
    empirical_mean: float = float("nan")
    #: Why the model is not used (q <= 1, a degenerate fit), or None.
    fallback: str | None = None

    def as_dict(self) -> dict[str, float | int | str | None]:
        return asdict(self)

    @property
    def usable(self) -> bool:
        return self.fallback is None and self.q > 1.0

    @property
    def population_mean(self) -> float:
        """Mean purchase value of a customer with no purchase history: p v / (q - 1), or the
        data's mean when the model is not usable."""
        return self.p * self.v / (self.q - 1.0) if self.usable else self.empirical_mean


def log_likelihood(
    params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> np.ndarray:
    """Log-likelihood of each repeat customer's (x, m); customers need x > 0 and m > 0."""
    x, m = np.asarray(frequency, float), np.asarray(monetary_value, float)
    p, q, v = params.p, params.q, params.v
    return (
        _level_terms(np.array([p, q, v]), x)
        + (p * x - 1.0) * np.log(m)
        - (p * x + q) * np.log(x * m + v)
    )


def _level_terms(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    p, q, v = theta
    return gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v) + p * x * np.log(x)


@dataclass(frozen=True)
class _SpendData:
    """Repeat customers' x, x m and weights, with the per-fit constants of the likelihood."""

    x: np.ndarray
    xm: np.ndarray
    w: np.ndarray
    levels: tuple[np.ndarray, np.ndarray]
    wx_log_m: float
    w_log_m: float

    @classmethod
    def of(cls, x: np.ndarray, m: np.ndarray, w: np.ndarray) -> _SpendData:
        log_m = np.log(m)
        return cls(x, x * m, w, x_levels(x, w), wsum(w * x, log_m), wsum(w, log_m))


def _weighted_loglik(theta: np.ndarray, d: _SpendData) -> tuple[float, np.ndarray]:
    """Weighted sum of the log-likelihood and its gradient (3,); gamma functions per level of x."""
    p, q, v = theta
    ux, lw = d.levels
    log_xm_v = np.log(d.xm + v)
    w_log_xm_v = wsum(d.w, log_xm_v)
    wx_log_xm_v = wsum(d.w * d.x, log_xm_v)
    value = wsum(lw, _level_terms(theta, ux)) + p * d.wx_log_m - d.w_log_m
    value -= p * wx_log_xm_v + q * w_log_xm_v
    psi = digamma(p * ux + q)
    inverse = 1.0 / (d.xm + v)
    grad = np.array(
        [
            wsum(lw, ux * (psi - digamma(p * ux) + np.log(ux))) + d.wx_log_m - wx_log_xm_v,
            wsum(lw, psi - digamma(q) + np.log(v)) - w_log_xm_v,
            lw.sum() * q / v - p * wsum(d.w * d.x, inverse) - q * wsum(d.w, inverse),
        ]
    )
    return value, grad


def fit_gamma_gamma(
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    penalizer: float = 0.0,
) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters from the customers with x > 0 and m > 0."""
    x, m = np.asarray(frequency, float), np.asarray(monetary_value, float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    keep = (x > 0) & (m > 0)
    x, m, w = x[keep], m[keep], w[keep]
    if x.size == 0:
        raise ValueError("Gamma-Gamma needs at least one customer with a repeat purchase")
    start = np.log([1.0, 1.0, max(float(np.average(m, weights=w)), 1e-6)])

    data = _SpendData.of(x, m, w)
    mean = float(np.average(m, weights=w))
    try:
        theta = fit_log_parameters(
            lambda th: _weighted_loglik(th, data),
            float(w.sum()),
            start,
            penalizer,
            ("p", "q", "v"),
            "Gamma-Gamma",
        )
    except DegenerateFit as exc:
        return GammaGammaParams(1.0, 2.0, mean, float("nan"), round(w.sum()), mean, str(exc))
    p, q, v = (float(value) for value in theta)
    fallback = None if q > 1.0 else f"Gamma-Gamma q = {q:.3g} <= 1: no finite mean spend"
    ll = _weighted_loglik(theta, data)[0]
    return GammaGammaParams(p, q, v, ll, round(w.sum()), mean, fallback)


def expected_average_value(
    params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> np.ndarray:
    """E[value of a purchase | x, m]: a weighted mean of the population mean and the customer's
    own average, p (v + x m) / (p x + q - 1); customers with x = 0 get the population mean."""
    x = np.asarray(frequency, float)
    m = np.where(x > 0, np.asarray(monetary_value, float), 0.0)
    if not params.usable:
        return np.where(x > 0, m, params.empirical_mean)
    return params.p * (params.v + x * m) / (params.p * x + params.q - 1.0)
