"""Sandbox in-app events and fraudulent installs: the known truth of the early-signal models.

Genuine customers (connectors/sandbox/customers.py) keep their purchases; their in-app events are
drawn afterwards, from a stream of their own, given whether and when they first pay
(`SandboxCustomer.first_purchase_age`), so the World's spend and revenue stay what they were.
Over their first `EARLY_DAYS` days:

- a customer opens the app at all with probability `opens` (by intent: `PAYER` or `NON_PAYER`),
  the first event `first_event_median_s` seconds after the install (log-normal, spread 1.0);
- sessions arrive at `sessions_per_day` (times a personal log-normal factor) decaying with
  `session_decay_days`; each has a `session_start`, a `level_up` with `level_up`, a `store_view`
  with `store_view`; the first session a `tutorial_complete` with `tutorial`;
- a payer puts an item in the cart (`add_to_cart`) moments before the first purchase.

So the chance to pay, given the early events, rises with sessions, the tutorial and store views
(Bayes' rule on these rates); the first purchase itself is the customers module's.

Fraud: `FRAUD_CAMPAIGN_SHARE` of the campaigns (drawn per seed and campaign) buy fake installs
from `fraud_start` on: every day a burst of extra attributed customers, `FRAUD_RATIO` of the
genuine ones, all acquired within `BURST_MINUTES`, each with one `session_start` a uniform
2–4 seconds after the install and nothing later; `REFUND_SHARE` of them buy once and are refunded
(a negative payment) a day or two later. Fake customers add no net revenue and no spend.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from connectors.sandbox.customers import (
    CHANNELS,
    SandboxCustomer,
    SandboxPurchase,
    campaign_day_installs,
)
from connectors.sandbox.economics import UNITS_PER_USD
from connectors.sandbox.generator import CURRENCY_EXPONENT, SandboxAccount, SandboxCampaign, World

EARLY_DAYS = 14.0
FRAUD_CAMPAIGN_SHARE = 0.25
FRAUD_RATIO = (0.5, 1.2)
BURST_MINUTES = 15
REFUND_SHARE = 0.15
FAKE_FIRST_EVENT_S = (2.0, 4.0)


@dataclass(frozen=True)
class Intent:
    """Early behaviour of a genuine customer who will pay (`PAYER`) or never will."""

    opens: float
    first_event_median_s: float
    sessions_per_day: float
    session_decay_days: float
    tutorial: float
    level_up: float
    store_view: float


PAYER = Intent(0.98, 150.0, 2.5, 10.0, 0.85, 0.5, 0.3)
NON_PAYER = Intent(0.85, 300.0, 1.2, 3.0, 0.5, 0.3, 0.06)


@dataclass(frozen=True)
class SandboxEvent:
    event_id: str
    customer_external_id: str
    occurred_at: dt.datetime
    name: str
    value: float | None = None


def customer_events(seed: int, customer: SandboxCustomer, until: dt.datetime) -> list[SandboxEvent]:
    """The genuine customer's in-app events before `until`, in time order."""
    rng = random.Random(f"{seed}:events:{customer.external_id}")
    first_purchase = customer.first_purchase_age
    intent = PAYER if first_purchase is not None else NON_PAYER
    if rng.random() >= intent.opens:
        return []
    first = rng.lognormvariate(math.log(intent.first_event_median_s), 1.0) / 86_400
    rate = intent.sessions_per_day * rng.lognormvariate(-0.125, 0.5)
    ages: list[tuple[float, str]] = []
    age, session = first, 0
    while age < EARLY_DAYS:
        ages.append((age, "session_start"))
        if session == 0 and rng.random() < intent.tutorial:
            ages.append((age + rng.uniform(1, 5) / 1440, "tutorial_complete"))
        if rng.random() < intent.level_up:
            ages.append((age + rng.uniform(2, 20) / 1440, "level_up"))
        if rng.random() < intent.store_view:
            ages.append((age + rng.uniform(1, 10) / 1440, "store_view"))
        session += 1
        while True:  # thinning: the next session at the decayed rate
            age += rng.expovariate(rate)
            if age >= EARLY_DAYS or rng.random() < math.exp(-age / intent.session_decay_days):
                break
    if first_purchase is not None:
        ages.append((max(first_purchase - rng.uniform(0.0005, 0.01), first), "add_to_cart"))
    ages.sort()
    out = []
    for number, (event_age, name) in enumerate(ages):
        occurred = (customer.acquired_at + dt.timedelta(days=event_age)).replace(microsecond=0)
        if occurred < until:
            out.append(
                SandboxEvent(
                    f"{customer.external_id}-v{number}", customer.external_id, occurred, name
                )
            )
    return out


def fraud_start(seed: int, campaign: SandboxCampaign, today: dt.date) -> dt.date | None:
    """The first day of the campaign's fake installs (None: a clean campaign)."""
    rng = random.Random(f"{seed}:fraud:{campaign.campaign_id}")
    if rng.random() >= FRAUD_CAMPAIGN_SHARE:
        return None
    return max(campaign.start, today - dt.timedelta(days=rng.randint(30, 120)))


def fraudulent_campaigns(world: World, accounts: Iterable[SandboxAccount]) -> dict[str, dt.date]:
    """Campaign id → first day of fake installs, of the campaigns that buy them."""
    out = {}
    for account in accounts:
        for campaign in world.campaigns(account):
            start = fraud_start(world.seed, campaign, world.account_today(account))
            if start is not None:
                out[campaign.campaign_id] = start
    return out


@dataclass(frozen=True)
class FakeCustomer:
    customer: SandboxCustomer
    events: tuple[SandboxEvent, ...]


def fake_customers(
    world: World,
    accounts: Iterable[SandboxAccount],
    start: dt.date,
    end: dt.date,
    *,
    until: dt.datetime,
    share_scale: float = 1.0,
) -> Iterator[FakeCustomer]:
    """The fake customers of the fraudulent campaigns, acquired from `start` to `end`."""
    for campaign, day, installs in campaign_day_installs(world, accounts, start, end):
        begins = fraud_start(world.seed, campaign, world.account_today(campaign.account))
        if begins is not None and day >= begins:
            yield from _burst(world.seed, campaign, day, installs, until, share_scale)


def _burst(
    seed: int,
    campaign: SandboxCampaign,
    day: dt.date,
    installs: int,
    until: dt.datetime,
    share_scale: float,
) -> Iterator[FakeCustomer]:
    account = campaign.account
    rng = random.Random(f"{seed}:fraud:{campaign.campaign_id}:{day.isoformat()}")
    genuine = installs * CHANNELS[account.platform].customer_share * share_scale
    count = int(genuine * rng.uniform(*FRAUD_RATIO) + rng.random())
    midnight = dt.datetime.combine(day, dt.time(), ZoneInfo(account.timezone))
    burst = midnight + dt.timedelta(seconds=rng.randint(0, 86_400 - BURST_MINUTES * 60))
    country = campaign.countries[0][0]
    device = campaign.devices[0][0]
    for number in range(count):
        acquired = burst + dt.timedelta(seconds=rng.uniform(0, BURST_MINUTES * 60))
        acquired = acquired.astimezone(dt.UTC).replace(microsecond=0)
        external_id = f"sbx-{campaign.campaign_id}-{day:%Y%m%d}-f{number}"
        first = acquired + dt.timedelta(seconds=rng.uniform(*FAKE_FIRST_EVENT_S))
        first = first.replace(microsecond=0)
        events = (
            (SandboxEvent(f"{external_id}-v0", external_id, first, "session_start"),)
            if first < until
            else ()
        )
        purchases: tuple[SandboxPurchase, ...] = ()
        if rng.random() < REFUND_SHARE:
            purchases = _refunded(rng, external_id, acquired, account.currency, until)
        customer = SandboxCustomer(
            external_id,
            acquired,
            account.platform,
            account.external_id,
            campaign.campaign_id,
            country,
            device,
            purchases,
        )
        yield FakeCustomer(customer, events)


def _refunded(
    rng: random.Random, customer_id: str, acquired: dt.datetime, currency: str, until: dt.datetime
) -> tuple[SandboxPurchase, ...]:
    """A purchase within the hour and its refund one or two days later."""
    usd = rng.choice((4.99, 9.99, 19.99))
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    native = Decimal(usd * UNITS_PER_USD[currency]).quantize(Decimal(1).scaleb(-exponent))
    bought = acquired + dt.timedelta(minutes=rng.uniform(1, 60))
    refunded = bought + dt.timedelta(days=rng.uniform(1, 2))
    out = []
    for number, (when, amount) in enumerate(((bought, native), (refunded, -native))):
        if when < until:
            out.append(
                SandboxPurchase(
                    f"{customer_id}-{number}",
                    customer_id,
                    when.replace(microsecond=0),
                    amount,
                    currency,
                    usd if amount > 0 else -usd,
                )
            )
    return tuple(out)
