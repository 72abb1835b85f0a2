"""Seeded synthetic customers drawn from the (M)BG/NBD purchase process and Gamma-Gamma spend,
for tests, benchmarks and demo data. Time is in days; time 0 is the acquisition.

Per customer: purchase rate lambda ~ Gamma(r, alpha), dropout probability p ~ Beta(a, b), spend
scale nu ~ Gamma(q, v); purchases form a Poisson(lambda) process, the customer drops out after each
purchase with probability p (MBG/NBD: also at time 0), and each purchase is worth Gamma(p, nu).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ltv.btyd import BTYDParams
from analytics.ltv.columns import (
    ACQUIRED_AT,
    AMOUNT,
    COUNTRY,
    CUSTOMER_ID,
    DEVICE,
    FREQUENCY,
    MONETARY_VALUE,
    OCCURRED_AT,
    PLATFORM,
    RECENCY,
    T,
)
from analytics.ltv.gamma_gamma import GammaGammaParams

COUNTRIES = ("US", "GB", "DE", "FR", "BR", "JP")
OPERATING_SYSTEMS = ("ios", "android")


def simulate_purchase_times(
    purchases: BTYDParams, observed: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Purchase times (since acquisition) within each customer's observed window.

    Returns (owner index, time), sorted by owner then time. The first k of n uniform order
    statistics on [0, w] are w S_i / (S_k + G) with S the cumulative sums of k Exp(1) draws and
    G ~ Gamma(n + 1 - k), so only the purchases actually made are drawn.
    """
    observed = np.asarray(observed, dtype=float)
    n = observed.size
    rate = rng.gamma(purchases.r, 1.0 / purchases.alpha, n)
    dropout = rng.beta(purchases.a, purchases.b, n)
    before_dropout = rng.geometric(dropout) - int(purchases.modified)
    in_window = rng.poisson(rate * observed)
    made = np.minimum(in_window, before_dropout)
    owner = np.repeat(np.arange(n), made)
    padded = np.concatenate([[0.0], np.cumsum(rng.exponential(1.0, owner.size))])
    ends = np.cumsum(made)
    before = padded[ends - made]
    within = padded[1:] - before[owner]
    last = padded[ends] - before
    scale = observed / (last + rng.gamma(in_window + 1 - made, 1.0))
    return owner, within * scale[owner]


def simulate_amounts(
    spend: GammaGammaParams, owner: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Purchase values: Gamma(p, nu_owner) with nu ~ Gamma(q, v) per customer."""
    nu = rng.gamma(spend.q, 1.0 / spend.v, n)
    return rng.gamma(spend.p, 1.0, owner.size) / nu[owner]


def simulate_summary(
    n: int, purchases: BTYDParams, spend: GammaGammaParams, observed_days: float, seed: int
) -> pd.DataFrame:
    """Exact (continuous-time) RFM summary of ``n`` customers all observed ``observed_days``."""
    rng = np.random.default_rng(seed)
    observed = np.full(n, float(observed_days))
    owner, times = simulate_purchase_times(purchases, observed, rng)
    amounts = simulate_amounts(spend, owner, n, rng)
    count = np.bincount(owner, minlength=n).astype(float)
    recency = np.zeros(n)
    recency[owner] = times  # sorted by time within owner: the last write is the last purchase
    total = np.bincount(owner, weights=amounts, minlength=n)
    monetary = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    return pd.DataFrame({FREQUENCY: count, RECENCY: recency, T: observed, MONETARY_VALUE: monetary})


def simulate_customers(
    n: int,
    purchases: BTYDParams,
    spend: GammaGammaParams,
    acquired_from: str | pd.Timestamp,
    acquired_to: str | pd.Timestamp,
    observed_until: str | pd.Timestamp,
    seed: int,
    platform: str = "sandbox",
    id_prefix: str = "",
    day0_share: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers, transactions) of ``n`` customers acquired uniformly on the days from
    ``acquired_from`` to ``acquired_to`` and observed through the end of ``observed_until``;
    ``day0_share`` of them buy on their acquisition day too."""
    rng = np.random.default_rng(seed)
    start, stop = pd.Timestamp(acquired_from), pd.Timestamp(acquired_to)
    end = pd.Timestamp(observed_until) + pd.Timedelta(days=1)
    day = rng.integers(0, (stop - start).days + 1, n)
    acquired = start + pd.to_timedelta(day, unit="D")
    observed = ((end - acquired) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    owner, times = simulate_purchase_times(purchases, observed, rng)
    if day0_share > 0:
        buyers = np.flatnonzero(rng.random(n) < day0_share)
        owner = np.concatenate([buyers, owner])
        times = np.concatenate([rng.random(buyers.size) * 0.5, times])
        order = np.lexsort((times, owner))
        owner, times = owner[order], times[order]
    amounts = simulate_amounts(spend, owner, n, rng)
    ids = np.char.add(id_prefix, np.arange(n).astype(str)) if id_prefix else np.arange(n)
    customers = pd.DataFrame(
        {
            CUSTOMER_ID: ids,
            ACQUIRED_AT: acquired,
            PLATFORM: platform,
            COUNTRY: rng.choice(COUNTRIES, n),
            DEVICE: rng.choice(OPERATING_SYSTEMS, n),
        }
    )
    occurred = acquired.to_numpy()[owner] + (times * 86_400e9).astype("timedelta64[ns]")
    transactions = pd.DataFrame({CUSTOMER_ID: ids[owner], OCCURRED_AT: occurred, AMOUNT: amounts})
    return customers, transactions
