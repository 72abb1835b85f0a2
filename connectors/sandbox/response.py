"""How the sandbox's installs answer spend: each campaign's known response curve, and the budget
plans that move its spend over the history so that the curve can be identified.

A campaign's expected installs on a day follow the adstock (carryover) of its spend through a
Hill curve, times a weekend factor:

    adstock_t = (1 - decay) * sum_k decay**k * spend_{t-k}
    installs_t = peak * hill(adstock_t) * (weekend_response on Saturdays and Sundays)
    hill(a) = a**shape / (half**shape + a**shape)

`peak` is set so that over the spread of spend its budget plans give, installs cost the
campaign's CPI on average: the World's costs per install, and so its economics (connectors/
sandbox/economics.py), hold. Spend moves with budget plans:
the account's level changes every `ACCOUNT_PLAN_DAYS` days and the campaign's every
`CAMPAIGN_PLAN_DAYS`, each drawn from its range (deterministic from seed and ids).

`true_revenue` is the truth the response-curve tests and benchmark compare fits with: a
campaign's steady-state daily revenue (customers' expected revenue within a horizon, USD) at a
sustained daily spend (USD).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Half-saturation spend as a multiple of the campaign's daily budget; Hill shape; daily decay.
HALF_SATURATION = (0.8, 2.5)
HILL_SHAPE = (0.8, 1.25)
ADSTOCK_DECAY = (0.15, 0.6)
WEEKEND_RESPONSE = (0.85, 0.95, 1.05, 1.15)
#: Carryover older than this is dropped (0.6**30 < 1e-6).
CARRYOVER_DAYS = 30
ACCOUNT_PLAN_DAYS = 42
ACCOUNT_PLAN_LEVELS = (0.6, 1.45)
CAMPAIGN_PLAN_DAYS = 28
CAMPAIGN_PLAN_LEVELS = (0.75, 1.3)


@dataclass(frozen=True)
class CampaignResponse:
    """A campaign's true response of installs to spend (money in the account's minor units)."""

    half_minor: float
    shape: float
    decay: float
    weekend_response: float
    #: Expected installs at full saturation (weekday, before the weekend factor).
    peak_installs: float

    def hill(self, adstock_minor: float | np.ndarray) -> float | np.ndarray:
        ratio = np.power(np.maximum(adstock_minor, 0.0) / self.half_minor, self.shape)
        return ratio / (1.0 + ratio)

    def installs(self, adstock_minor: float, day: dt.date) -> float:
        """Expected installs of a day whose adstock is `adstock_minor`."""
        weekend = self.weekend_response if day.weekday() >= 5 else 1.0
        return float(self.peak_installs * self.hill(adstock_minor) * weekend)

    def steady_installs(self, spend_minor: float | np.ndarray) -> float | np.ndarray:
        """Expected daily installs (mean over the week) of a spend held at `spend_minor` a day."""
        week = (5.0 + 2.0 * self.weekend_response) / 7.0
        return self.peak_installs * self.hill(spend_minor) * week


def draw_response(
    seed: int, campaign_id: str, budget_minor: int, cpi_minor: float
) -> CampaignResponse:
    """The campaign's response curve, calibrated to cost `cpi_minor` per install at its budget."""
    rng = random.Random(f"{seed}:{campaign_id}:response")
    half = budget_minor * rng.uniform(*HALF_SATURATION)
    shape = rng.uniform(*HILL_SHAPE)
    decay = rng.uniform(*ADSTOCK_DECAY)
    weekend = rng.choice(WEEKEND_RESPONSE)
    levels = budget_minor * _SPEND_LEVELS
    ratio = (levels / half) ** shape
    peak = levels.mean() / cpi_minor / (ratio / (1.0 + ratio)).mean()
    return CampaignResponse(half, shape, decay, weekend, peak)


def _uniform_points(low: float, high: float, n: int = 7) -> np.ndarray:
    return low + (high - low) * (np.arange(n) + 0.5) / n


#: The spread of a campaign's daily spend around its budget (budget plans, season, wobble): the
#: curve is calibrated so that installs cost the campaign's CPI on average over it.
_SPEND_LEVELS = (
    _uniform_points(*ACCOUNT_PLAN_LEVELS)[:, None, None, None]
    * _uniform_points(*CAMPAIGN_PLAN_LEVELS)[None, :, None, None]
    * _uniform_points(0.75, 1.05)[None, None, :, None]
    * _uniform_points(1.0, 1.15)[None, None, None, :]
).ravel()


def plan_level(seed: int, account_id: str, campaign_id: str, day: dt.date) -> float:
    """The budget-plan multiplier of a campaign's spend on `day` (account's times campaign's)."""
    ordinal = day.toordinal()
    offset = sum(map(ord, account_id)) % ACCOUNT_PLAN_DAYS
    account_block = (ordinal + offset) // ACCOUNT_PLAN_DAYS
    campaign_block = (ordinal + sum(map(ord, campaign_id))) // CAMPAIGN_PLAN_DAYS
    return _level(seed, account_id, account_block, ACCOUNT_PLAN_LEVELS) * _level(
        seed, campaign_id, campaign_block, CAMPAIGN_PLAN_LEVELS
    )


@lru_cache(maxsize=65536)
def _level(seed: int, key: str, block: int, levels: tuple[float, float]) -> float:
    return random.Random(f"{seed}:{key}:plan:{block}").uniform(*levels)


def carryover_weights(decay: float) -> np.ndarray:
    """Weights of today's and the previous days' spend in today's adstock (today first)."""
    return (1.0 - decay) * decay ** np.arange(CARRYOVER_DAYS)


def true_revenue(campaign, spend_usd: float | np.ndarray, horizon_days: float) -> np.ndarray:
    """Steady-state expected daily revenue within `horizon_days` of acquisition (USD) of
    `campaign` at a sustained daily spend of `spend_usd`."""
    from connectors.sandbox.customers import CHANNELS
    from connectors.sandbox.economics import UNITS_PER_USD
    from connectors.sandbox.generator import CURRENCY_EXPONENT

    account = campaign.account
    exponent = CURRENCY_EXPONENT.get(account.currency, 2)
    minor_per_usd = 10**exponent * UNITS_PER_USD[account.currency]
    truth = CHANNELS[account.platform]
    per_install = truth.customer_share * campaign.quality * truth.expected_ltv(horizon_days)
    spend_minor = np.asarray(spend_usd, dtype=float) * minor_per_usd
    return campaign.response.steady_installs(spend_minor) * per_install
