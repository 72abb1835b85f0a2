"""Sandbox customers and their purchases, drawn from a known LTV and churn process per channel.

A share of each sandbox campaign's installs (the World's ad cells) become customers, acquired at a
random time of the install day in the account's time zone. Each channel (platform) has its own
true process, in days since acquisition, of the (modified) BG/NBD family with Gamma-Gamma spend:

- purchase rate lambda ~ Gamma(r, rate alpha); dropout probability p ~ Beta(a, b);
- the customer drops out at acquisition with probability p (never buying), and after each
  purchase with probability p; while alive, purchases follow a Poisson(lambda) process;
- each purchase is worth Gamma(shape, rate nu) US dollars, nu ~ Gamma(q, rate v) per customer.

Meta brings many customers of low value, Google Ads medium ones, Apple Search Ads fewer customers
of high value. Amounts are in the account's currency, at `UNITS_PER_USD` (the levels around which
the demo's synthetic exchange rates wander), rounded to the currency's minor unit.

Everything is derived from (seed, campaign, day): any process asking for the same days gets the
same customers, ids and purchases, and a later `until` only adds purchases. `ChannelTruth` gives
the expected revenue of a newly acquired customer exactly (one-dimensional quadrature over p):
E[purchases by t | p] = (1 - p) / p * (1 - (alpha / (alpha + p t))^r).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from connectors.sandbox.generator import (
    CURRENCY_EXPONENT,
    SandboxAccount,
    SandboxCampaign,
    World,
)

#: Units of each currency per US dollar (EUR 0.926 = 1 / 1.08 USD per euro, and so on).
UNITS_PER_USD = {
    "USD": 1.0,
    "EUR": 1 / 1.08,
    "GBP": 0.86 / 1.08,
    "JPY": 158.0 / 1.08,
    "AUD": 1.64 / 1.08,
    "CAD": 1.47 / 1.08,
}
#: Purchases are drawn over this many days of a customer's life, whatever `until` is.
LIFETIME_DAYS = 1500
_QUADRATURE = np.polynomial.legendre.leggauss(400)


@dataclass(frozen=True)
class ChannelTruth:
    """The true acquisition share, purchase, dropout and spend process of one channel."""

    platform: str
    customer_share: float
    r: float
    alpha: float
    a: float
    b: float
    spend_shape: float
    spend_q: float
    spend_v: float

    @property
    def mean_purchase_value(self) -> float:
        """E[value of one purchase] in USD: shape * v / (q - 1)."""
        return self.spend_shape * self.spend_v / (self.spend_q - 1.0)

    def expected_purchases(self, days: float) -> float:
        """Expected purchases of a newly acquired customer within `days` of acquisition."""
        if days <= 0:
            return 0.0
        nodes, weights = _QUADRATURE
        p = (nodes + 1.0) / 2.0
        log_beta = math.lgamma(self.a) + math.lgamma(self.b) - math.lgamma(self.a + self.b)
        density = np.exp((self.a - 1) * np.log(p) + (self.b - 1) * np.log1p(-p) - log_beta)
        bought = (1.0 - p) / p * (1.0 - (self.alpha / (self.alpha + p * days)) ** self.r)
        return float(np.sum(weights / 2.0 * density * bought))

    def expected_ltv(self, days: float) -> float:
        """Expected revenue (USD) of a newly acquired customer within `days` of acquisition."""
        return self.expected_purchases(days) * self.mean_purchase_value

    def expected_revenue_between(self, start_day: float, end_day: float) -> float:
        """Expected revenue (USD) of a new customer between `start_day` and `end_day` of life."""
        return self.expected_ltv(end_day) - self.expected_ltv(max(start_day, 0.0))

    def as_dict(self) -> dict[str, float | str]:
        return dict(self.__dict__)


CHANNELS: dict[str, ChannelTruth] = {
    "meta": ChannelTruth("meta", 0.05, 0.5, 25.0, 2.0, 3.0, 4.0, 5.0, 8.0),
    "google_ads": ChannelTruth("google_ads", 0.04, 0.6, 20.0, 2.0, 4.0, 5.0, 5.0, 12.0),
    "apple_search_ads": ChannelTruth("apple_search_ads", 0.05, 0.8, 20.0, 2.5, 6.0, 6.0, 5.0, 20.0),
}


def true_ltv_by_channel(days: float) -> dict[str, float]:
    """Expected revenue (USD) within `days` of acquisition of a new customer, per platform."""
    return {platform: truth.expected_ltv(days) for platform, truth in CHANNELS.items()}


@dataclass(frozen=True)
class SandboxPurchase:
    event_id: str
    customer_external_id: str
    occurred_at: dt.datetime
    amount: Decimal
    currency: str
    #: The drawn value in USD before conversion and rounding (the truth).
    amount_usd: float


@dataclass(frozen=True)
class SandboxCustomer:
    external_id: str
    acquired_at: dt.datetime
    platform: str
    account_external_id: str
    campaign_external_id: str
    country: str
    device: str
    purchases: tuple[SandboxPurchase, ...]


def sandbox_customers(
    world: World,
    accounts: Iterable[SandboxAccount],
    start: dt.date,
    end: dt.date,
    *,
    until: dt.datetime | None = None,
    share_scale: float = 1.0,
) -> Iterator[SandboxCustomer]:
    """Customers acquired from `start` to `end` (account days) with their purchases before
    `until` (UTC; default the start of the World's today in UTC)."""
    if until is None:
        today = world.today or dt.datetime.now(dt.UTC).date()
        until = dt.datetime.combine(today, dt.time(), dt.UTC)
    for account in accounts:
        cells = world.ad_cells(account, start, end)
        for (campaign, day), group in itertools.groupby(cells, lambda c: (c.campaign, c.date)):
            installs = sum(cell.installs for cell in group)
            yield from _campaign_day(world.seed, campaign, day, installs, until, share_scale)


def _campaign_day(
    seed: int,
    campaign: SandboxCampaign,
    day: dt.date,
    installs: int,
    until: dt.datetime,
    share_scale: float,
) -> Iterator[SandboxCustomer]:
    account = campaign.account
    truth = CHANNELS[account.platform]
    rng = random.Random(f"{seed}:customers:{campaign.campaign_id}:{day.isoformat()}")
    share = truth.customer_share * share_scale
    count = sum(1 for _ in range(installs) if rng.random() < share)
    midnight = dt.datetime.combine(day, dt.time(), ZoneInfo(account.timezone))
    countries, country_weights = zip(*campaign.countries, strict=True)
    devices, device_weights = zip(*campaign.devices, strict=True)
    for number in range(count):
        offset = dt.timedelta(seconds=int(rng.random() * 86_400))
        acquired = (midnight + offset).astimezone(dt.UTC)
        external_id = f"sbx-{campaign.campaign_id}-{day:%Y%m%d}-{number}"
        country = rng.choices(countries, country_weights)[0]
        device = rng.choices(devices, device_weights)[0]
        purchases = _purchases(rng, truth, external_id, acquired, account.currency, until)
        yield SandboxCustomer(
            external_id,
            acquired,
            account.platform,
            account.external_id,
            campaign.campaign_id,
            country,
            device,
            purchases,
        )


def _purchases(
    rng: random.Random,
    truth: ChannelTruth,
    customer_id: str,
    acquired: dt.datetime,
    currency: str,
    until: dt.datetime,
) -> tuple[SandboxPurchase, ...]:
    """The customer's whole life (LIFETIME_DAYS) is drawn, then cut at `until`."""
    rate = rng.gammavariate(truth.r, 1.0 / truth.alpha)
    dropout = rng.betavariate(truth.a, truth.b)
    spend_rate = rng.gammavariate(truth.spend_q, 1.0 / truth.spend_v)
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    out = []
    age = 0.0
    while rng.random() >= dropout:
        age += rng.expovariate(rate)
        if age > LIFETIME_DAYS:
            break
        value_usd = rng.gammavariate(truth.spend_shape, 1.0 / spend_rate)
        occurred = acquired + dt.timedelta(days=age)
        if occurred >= until:
            continue  # keep drawing so that the sequence does not depend on `until`
        native = Decimal(value_usd * UNITS_PER_USD[currency]).quantize(Decimal(1).scaleb(-exponent))
        out.append(
            SandboxPurchase(
                event_id=f"{customer_id}-{len(out)}",
                customer_external_id=customer_id,
                occurred_at=occurred.replace(microsecond=0),
                amount=max(native, Decimal(1).scaleb(-exponent)),
                currency=currency,
                amount_usd=value_usd,
            )
        )
    return tuple(out)
