"""Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV").

Each customer's purchase values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers
(``v`` below is gamma). Fitted by maximum likelihood on the repeat customers (x > 0) from their
number of purchases x and average purchase value m; it assumes spend is independent of frequency.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import digamma, gammaln

from analytics.ltv._optimize import fit_log_parameters


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters."""

    p: float
    q: float
    v: float
    log_likelihood: float = float("nan")
    n_customers: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    @property
    def population_mean(self) -> float:
        """Mean purchase value of a customer with no purchase history: p v / (q - 1)."""
        return self.p * self.v / (self.q - 1.0) if self.q > 1.0 else float("inf")


def log_likelihood(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """Log-likelihood of each repeat customer's (x, m); customers need x > 0 and m > 0."""
    x, m = np.asarray(frequency, float), np.asarray(monetary_value, float)
    return _loglik_and_grad(np.array([params.p, params.q, params.v]), x, m)[0]


def _loglik_and_grad(theta: np.ndarray, x, m, want_grad: bool = False):
    p, q, v = theta
    px = p * x
    log_xm_v = np.log(x * m + v)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_xm_v
    )
    if not want_grad:
        return ll, None
    psi = digamma(px + q)
    grad = np.column_stack(
        [
            x * (psi - digamma(px) + np.log(m) + np.log(x) - log_xm_v),
            psi - digamma(q) + np.log(v) - log_xm_v,
            q / v - (px + q) / (x * m + v),
        ]
    )
    return ll, grad


def fit_gamma_gamma(
    frequency, monetary_value, *, weights=None, penalizer: float = 0.0
) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters from the customers with x > 0 and m > 0."""
    x, m = np.asarray(frequency, float), np.asarray(monetary_value, float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    keep = (x > 0) & (m > 0)
    x, m, w = x[keep], m[keep], w[keep]
    if x.size == 0:
        raise ValueError("Gamma-Gamma needs at least one customer with a repeat purchase")
    start = np.log([1.0, 1.0, max(float(np.average(m, weights=w)), 1e-6)])

    theta = fit_log_parameters(
        lambda th: _loglik_and_grad(th, x, m, want_grad=True), w, start, penalizer
    )
    p, q, v = (float(value) for value in theta)
    ll = _loglik_and_grad(theta, x, m)[0]
    return GammaGammaParams(p, q, v, float(np.einsum("i,i->", w, ll)), int(round(w.sum())))


def expected_average_value(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """E[value of a purchase | x, m]: a weighted mean of the population mean and the customer's
    own average, p (v + x m) / (p x + q - 1); customers with x = 0 get the population mean."""
    x = np.asarray(frequency, float)
    m = np.where(x > 0, np.asarray(monetary_value, float), 0.0)
    return params.p * (params.v + x * m) / (params.p * x + params.q - 1.0)
