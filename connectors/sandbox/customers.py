"""Sandbox customers and their purchases, drawn from a known process per channel that is not
the model Spendlens fits (no BG/NBD, no Gamma-Gamma).

Customers: `ChannelTruth.customer_share` of each campaign's installs (the World's ad cells)
become customers (the others never open the app, or are not attributed), acquired at a random
time of the install day in the account's time zone. In days since acquisition:

- a customer pays at all with probability `payer_share` times the campaign's `quality`;
- a payer's first purchase is on the acquisition day with probability `day0_share` (later on,
  one day plus an exponential delay of mean `late_first_days`);
- `subscriber_share` of payers subscribe: they pay `subscription_price` at the first purchase and
  every `RENEWAL_DAYS` after, cancelling at a renewal with a hazard that falls from
  `first_churn` towards `floor_churn` (the loyal stay);
- the other payers buy in the app: after the first purchase, again at a rate that starts at
  `repeat_rate` per day (times a personal log-normal factor of mean 1), decays with
  engagement (`engagement_days`) and follows the season (`SEASON_AMPLITUDE`, peaking at
  Christmas); each purchase is a price of `prices`.

Each platform's sandbox package (connectors/sandbox/<name>/world.py) declares its channel's
parameters, and against its costs per install whether it pays back. Amounts are in the account's
currency at `UNITS_PER_USD`, rounded to the currency's minor unit.

Everything is derived from (seed, campaign, day): any process asking for the same days gets the
same customers, ids and purchases, and a later `until` only adds purchases. `ChannelTruth` gives
the expected revenue of a new customer of an average campaign acquired on an average day of the
year (the season averages out) in closed form.
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

from connectors.sandbox.economics import UNITS_PER_USD
from connectors.sandbox.generator import (
    CURRENCY_EXPONENT,
    SandboxAccount,
    SandboxCampaign,
    World,
)
from connectors.sandbox.platforms import ByPlatform

__all__ = ["UNITS_PER_USD", "CHANNELS", "ChannelTruth", "sandbox_customers", "true_ltv_by_channel"]

#: Purchases are drawn over this many days of a customer's life, whatever `until` is.
LIFETIME_DAYS = 1500
RENEWAL_DAYS = 30.0
#: Relative swing of in-app purchasing over the year; the peak is on this day of the year.
SEASON_AMPLITUDE = 0.3
SEASON_PEAK_DAY = 358
#: Spread (sigma of the log) of the personal purchase rate of in-app buyers.
PERSONAL_RATE_SIGMA = 0.8
#: In-app engagement below this share of its start is over (no purchase is drawn after).
_ENGAGEMENT_FLOOR = 1e-3


@dataclass(frozen=True)
class ChannelTruth:
    """The true acquisition share, paying, subscription and in-app process of one channel."""

    platform: str
    customer_share: float
    payer_share: float
    subscriber_share: float
    subscription_price: float
    first_churn: float
    floor_churn: float
    churn_decay: float
    repeat_rate: float
    engagement_days: float
    prices: tuple[tuple[float, float], ...]
    day0_share: float = 0.6
    late_first_days: float = 12.0

    @property
    def mean_price(self) -> float:
        """E[value of one in-app purchase] in USD."""
        return sum(p * w for p, w in self.prices) / sum(w for _, w in self.prices)

    def renewal_churn(self, renewal: int) -> float:
        """The chance that a subscriber cancels at the `renewal`-th renewal (0: the first)."""
        spread = self.first_churn - self.floor_churn
        return self.floor_churn + spread * self.churn_decay**renewal

    def _first_purchase_by(self, days: float) -> float:
        """P(first purchase within `days`) of a payer (a day-0 purchase counts as at 0)."""
        if days <= 0:
            return 0.0
        late = 1.0 - math.exp(-(days - 1.0) / self.late_first_days) if days > 1 else 0.0
        return self.day0_share + (1.0 - self.day0_share) * late

    def _repeats_by(self, days: float) -> float:
        """Expected in-app purchases after the first, within `days`, of an in-app payer."""
        rate, tau, m = self.repeat_rate, self.engagement_days, self.late_first_days

        def after(first: float) -> float:  # repeats by `days` when the first is at `first`
            return rate * tau * (1.0 - math.exp(-(days - first) / tau)) if days > first else 0.0

        day0 = self.day0_share * after(0.0)
        if days <= 1:
            return day0
        span = days - 1.0
        c = 1.0 / tau - 1.0 / m
        reached = 1.0 - math.exp(-span / m)
        decayed = math.exp(-span / tau) * (math.expm1(span * c) / c if c else span) / m
        return day0 + (1.0 - self.day0_share) * rate * tau * (reached - decayed)

    def _subscription_payments_by(self, days: float) -> float:
        """Expected subscription payments within `days` of a subscriber."""
        total, alive, renewal = 0.0, 1.0, 0
        while renewal * RENEWAL_DAYS < min(days, LIFETIME_DAYS) and alive > 1e-9:
            total += alive * self._first_purchase_by(days - renewal * RENEWAL_DAYS)
            alive *= 1.0 - self.renewal_churn(renewal)
            renewal += 1
        return total

    def expected_ltv(self, days: float) -> float:
        """Expected revenue (USD) within `days` of acquisition of a new customer."""
        if days <= 0:
            return 0.0
        subscription = self.subscription_price * self._subscription_payments_by(days)
        in_app = self.mean_price * (self._first_purchase_by(days) + self._repeats_by(days))
        share = self.subscriber_share
        return self.payer_share * (share * subscription + (1.0 - share) * in_app)

    def expected_revenue_between(self, start_day: float, end_day: float) -> float:
        """Expected revenue (USD) of a new customer between `start_day` and `end_day` of life."""
        return self.expected_ltv(end_day) - self.expected_ltv(max(start_day, 0.0))

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


#: The app's in-app prices (USD) and how often each is bought.
PRICES = ((1.99, 3.0), (3.99, 4.0), (5.99, 3.0), (9.99, 2.0), (24.99, 1.0), (59.99, 0.3))

#: Per platform, as its sandbox package declares it (connectors/sandbox/<name>/world.py).
CHANNELS: ByPlatform[ChannelTruth] = ByPlatform("truth")


def true_ltv_by_channel(days: float) -> dict[str, float]:
    """Expected revenue (USD) within `days` of acquisition of a new customer, per platform."""
    return {platform: truth.expected_ltv(days) for platform, truth in CHANNELS.items()}


def season(day: dt.date) -> float:
    """Relative in-app purchasing on a calendar day (mean 1 over a year)."""
    angle = 2.0 * math.pi * (day.timetuple().tm_yday - SEASON_PEAK_DAY) / 365.25
    return 1.0 + SEASON_AMPLITUDE * math.cos(angle)


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
    #: Age in days of the first purchase over the customer's whole life, whatever `until` is
    #: (None: never pays) — the truth the early events are drawn from.
    first_purchase_age: float | None = None


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
    for campaign, day, installs in campaign_day_installs(world, accounts, start, end):
        yield from _campaign_day(world.seed, campaign, day, installs, until, share_scale)


def campaign_day_installs(
    world: World, accounts: Iterable[SandboxAccount], start: dt.date, end: dt.date
) -> Iterator[tuple[SandboxCampaign, dt.date, int]]:
    """(campaign, day, installs) of every reported campaign-day of the accounts."""
    for account in accounts:
        cells = world.ad_cells(account, start, end)
        for (campaign, day), group in itertools.groupby(cells, lambda c: (c.campaign, c.date)):
            yield campaign, day, sum(cell.installs for cell in group)


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
        seconds = int(rng.random() * 86_400)
        acquired = (midnight + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)
        external_id = f"sbx-{campaign.campaign_id}-{day:%Y%m%d}-{number}"
        country = rng.choices(countries, country_weights)[0]
        device = rng.choices(devices, device_weights)[0]
        rest_of_day = (86_400 - seconds) / 86_400
        ages = _purchase_ages(rng, truth, campaign.quality, acquired, rest_of_day)
        purchases = _purchases(external_id, acquired, account.currency, until, ages)
        yield SandboxCustomer(
            external_id,
            acquired,
            account.platform,
            account.external_id,
            campaign.campaign_id,
            country,
            device,
            purchases,
            ages[0][0] if ages else None,
        )


def _purchase_ages(
    rng: random.Random,
    truth: ChannelTruth,
    quality: float,
    acquired: dt.datetime,
    rest_of_day: float,
) -> list[tuple[float, float]]:
    """The customer's whole life (LIFETIME_DAYS): (age in days, USD value) of each purchase."""
    if rng.random() >= truth.payer_share * quality:
        return []
    subscriber = rng.random() < truth.subscriber_share
    if rng.random() < truth.day0_share:
        first = rest_of_day * rng.uniform(0.05, 0.95)  # still on the acquisition day
    else:
        first = 1.0 + rng.expovariate(1.0 / truth.late_first_days)
    if subscriber:
        out, renewal = [], 0
        while first + renewal * RENEWAL_DAYS <= LIFETIME_DAYS:
            out.append((first + renewal * RENEWAL_DAYS, truth.subscription_price))
            if rng.random() < truth.renewal_churn(renewal):
                break
            renewal += 1
        return out
    prices, weights = zip(*truth.prices, strict=True)
    out = [(first, rng.choices(prices, weights)[0])]
    personal = rng.lognormvariate(-(PERSONAL_RATE_SIGMA**2) / 2, PERSONAL_RATE_SIGMA)
    bound = truth.repeat_rate * personal * (1.0 + SEASON_AMPLITUDE)
    age = first
    end = min(LIFETIME_DAYS, first - truth.engagement_days * math.log(_ENGAGEMENT_FLOOR))
    while True:  # thinning: candidates at the highest rate, kept at the day's share of it
        age += rng.expovariate(bound)
        if age > end:
            return out
        engagement = math.exp(-(age - first) / truth.engagement_days)
        day = (acquired + dt.timedelta(days=age)).date()
        if rng.random() * (1.0 + SEASON_AMPLITUDE) < engagement * season(day):
            out.append((age, rng.choices(prices, weights)[0]))


def _purchases(
    customer_id: str,
    acquired: dt.datetime,
    currency: str,
    until: dt.datetime,
    ages: list[tuple[float, float]],
) -> tuple[SandboxPurchase, ...]:
    """The purchases made before `until`, in the account's currency."""
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    out = []
    for age, value_usd in ages:
        occurred = acquired + dt.timedelta(days=age)
        if occurred >= until:
            break
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
