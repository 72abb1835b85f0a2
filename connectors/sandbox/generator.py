"""A seeded, deterministic world of ad accounts, campaigns and daily spend for the sandbox servers.

Everything is derived from (seed, revision, ids, date) so that any process asking for the same
cell gets the same numbers. The finest grain is one ad on one day; campaign and ad-group rows and
the country / device breakdowns are exact sums of it (money is kept in minor units, split with the
largest-remainder method), so the totals reconcile to the cent on every level.

`revision` models restatement: bumping it changes the numbers of the last `RESTATED_DAYS` days
and removes the campaigns marked `vanishes` from those days.

The economics are those of a small app business: each channel has a typical cost per install and
each platform its accounts, devices and ad structure, declared by its sandbox package
(connectors/sandbox/<name>/world.py); each campaign has its own CPI around the channel's, its own
`quality` (how its customers pay, relative to the channel's average;
connectors/sandbox/customers.py) and its own response curve: installs follow the carryover of its
spend through a saturating curve calibrated to its CPI at its budget, and its spend moves with
budget plans (connectors/sandbox/response.py). Most campaigns run for years, a few were launched
within the last one. Accounts marked `demo=False` exist on the platforms (the sandbox credentials
list them) but the demo does not add them, so that an admin can try adding an account.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from connectors.sandbox.economics import (
    CPI_SPREAD,
    DAILY_BUDGET_USD,
    QUALITY_SPREAD,
    UNITS_PER_USD,
)
from connectors.sandbox.platforms import ByPlatform, declared_accounts, facts_of
from connectors.sandbox.response import (
    CampaignResponse,
    carryover_weights,
    draw_response,
    plan_level,
)

RESTATED_DAYS = 7
#: Minor-unit exponent per currency (ISO 4217).
CURRENCY_EXPONENT = {"USD": 2, "EUR": 2, "GBP": 2, "AUD": 2, "CAD": 2, "JPY": 0}
COUNTRIES = ("US", "GB", "DE", "FR", "JP", "AU", "CA", "BR")
#: Device / OS labels per platform (normalized vocabulary; servers map them to wire names).
DEVICES: ByPlatform[tuple[str, ...]] = ByPlatform("devices")
FAULTS = frozenset({"rate_limit", "server_error", "slow", "malformed", "expired_token"})


@dataclass(frozen=True)
class SandboxAccount:
    platform: str
    external_id: str
    name: str
    currency: str
    timezone: str
    manager_id: str | None = None
    #: Added by the demo seed (False: left for an admin to add).
    demo: bool = True
    #: Days before today its newest campaign was launched (None: none so young): a campaign too
    #: young for revenue history, the case early signals are for.
    launched_days_ago: int | None = None

    def today(self, now: dt.datetime | None = None) -> dt.date:
        now = now or dt.datetime.now(dt.UTC)
        return now.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class SandboxAd:
    ad_id: str
    name: str
    ad_group_id: str
    ad_group_name: str
    weight: float


@dataclass(frozen=True)
class SandboxCampaign:
    account: SandboxAccount
    campaign_id: str
    name: str
    start: dt.date
    end: dt.date | None
    daily_budget_minor: int
    weekend_factor: float
    cpm_minor: int
    ctr: float
    install_rate: float
    purchase_rate: float
    order_value_minor: int
    vanishes: bool
    #: How this campaign's customers pay relative to the channel's average (mean 1 per account,
    #: weighted by the campaign's expected installs).
    quality: float
    countries: tuple[tuple[str, float], ...]
    devices: tuple[tuple[str, float], ...]
    ads: tuple[SandboxAd, ...]
    #: How its installs answer its spend (connectors/sandbox/response.py).
    response: CampaignResponse

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def __hash__(self) -> int:  # cheap: the caches of its days hash it once per lookup
        return hash((self.account.external_id, self.campaign_id, self.start, self.end))


@dataclass(frozen=True)
class Cell:
    """One ad on one day, optionally one country or device slice of it. Money in minor units."""

    campaign: SandboxCampaign
    ad: SandboxAd
    date: dt.date
    spend_minor: int
    impressions: int
    clicks: int
    installs: int
    conversions: int
    value_minor: int
    country: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class Totals:
    spend: Decimal
    impressions: int
    clicks: int
    installs: int
    conversions: int
    conversion_value: Decimal


_THEMES = (
    "Brand",
    "Prospecting",
    "Retargeting",
    "Lookalike",
    "Generic",
    "Competitor",
    "Video",
    "Discovery",
    "Holiday",
    "Evergreen",
)


def _rng(*key: object) -> random.Random:
    return random.Random(":".join(str(k) for k in key))


def split_minor(total: int, shares: Sequence[float]) -> list[int]:
    """Split an integer amount by `shares` so that the parts sum to `total` exactly."""
    return _split_by(total, _fractions(tuple(shares)))


@lru_cache(maxsize=4096)
def _fractions(shares: tuple[float, ...]) -> tuple[float, ...]:
    weight = sum(shares)
    return tuple(s / weight for s in shares)


def _split_by(total: int, fractions: tuple[float, ...]) -> list[int]:
    """The largest-remainder split of `total` by fractions that sum to 1."""
    if total == 0:
        return [0] * len(fractions)
    raw = [total * f for f in fractions]
    parts = [int(r) for r in raw]
    missing = total - sum(parts)
    if missing:
        order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
        for i in order[:missing]:
            parts[i] += 1
    return parts


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-CURRENCY_EXPONENT.get(currency, 2))


@dataclass
class World:
    """The sandbox's data. `today` pins 'now' for deterministic tests (None: real clock)."""

    seed: int = 7
    revision: int = 0
    today: dt.date | None = None
    faults: dict[str, set[str]] = field(default_factory=dict)

    @cached_property
    def accounts(self) -> tuple[SandboxAccount, ...]:
        return tuple(SandboxAccount(*row) for row in declared_accounts())

    @property
    def demo_accounts(self) -> tuple[SandboxAccount, ...]:
        """The accounts the demo seed adds (the others are left for an admin to add)."""
        return tuple(a for a in self.accounts if a.demo)

    def accounts_of(self, platform: str) -> list[SandboxAccount]:
        return [a for a in self.accounts if a.platform == platform]

    def account(self, external_id: str) -> SandboxAccount:
        for acc in self.accounts:
            if acc.external_id == external_id:
                return acc
        raise KeyError(external_id)

    def account_today(self, account: SandboxAccount) -> dt.date:
        return self.today or account.today()

    def campaigns(self, account: SandboxAccount) -> tuple[SandboxCampaign, ...]:
        return _campaigns(self.seed, account, self.account_today(account))

    def restate(self) -> int:
        """Restate the recent past: new numbers for the last days, vanished campaigns."""
        self.revision += 1
        return self.revision

    def set_faults(self, external_id: str, faults: Iterable[str]) -> None:
        unknown = set(faults) - FAULTS
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        self.faults[external_id] = set(faults)

    def faults_of(self, external_id: str) -> set[str]:
        return self.faults.get(external_id, set())

    def _is_restated(self, account: SandboxAccount, day: dt.date) -> bool:
        today = self.account_today(account)
        return self.revision > 0 and today - dt.timedelta(days=RESTATED_DAYS) <= day < today

    def _reported(self, campaign: SandboxCampaign, day: dt.date) -> bool:
        if not campaign.active_on(day) or day >= self.account_today(campaign.account):
            return False
        return not (campaign.vanishes and self._is_restated(campaign.account, day))

    def ad_cells(self, account: SandboxAccount, start: dt.date, end: dt.date) -> Iterator[Cell]:
        """Ad-level cells of every reported campaign-day from start to end inclusive."""
        day = start
        while day <= end:
            rev = self.revision if self._is_restated(account, day) else 0
            for campaign in self.campaigns(account):
                if self._reported(campaign, day):
                    yield from _ad_cells(self.seed, rev, campaign, day)
            day += dt.timedelta(days=1)

    def cells(
        self, account: SandboxAccount, start: dt.date, end: dt.date, breakdown: str | None = None
    ) -> Iterator[Cell]:
        """Ad-level cells, split by country or device when a breakdown is asked for."""
        for cell in self.ad_cells(account, start, end):
            if breakdown is None:
                yield cell
            elif breakdown == "country":
                yield from _split(cell, cell.campaign.countries, "country")
            elif breakdown == "device":
                yield from _split(cell, cell.campaign.devices, "device")
            else:
                raise ValueError(f"unknown breakdown {breakdown!r}")

    def total(self, account: SandboxAccount, start: dt.date, end: dt.date) -> Totals:
        cells = list(self.ad_cells(account, start, end))
        return Totals(
            spend=to_decimal(sum(c.spend_minor for c in cells), account.currency),
            impressions=sum(c.impressions for c in cells),
            clicks=sum(c.clicks for c in cells),
            installs=sum(c.installs for c in cells),
            conversions=sum(c.conversions for c in cells),
            conversion_value=to_decimal(sum(c.value_minor for c in cells), account.currency),
        )


@lru_cache(maxsize=64)
def _campaigns(seed: int, account: SandboxAccount, today: dt.date) -> tuple[SandboxCampaign, ...]:
    rng = _rng(seed, account.external_id, "campaigns")
    drafts = [_draft(seed, account, rng, n, today) for n in range(rng.randint(6, 9))]
    # the install-weighted mean quality of an account is 1: the channel's truth is its average
    # (a launched campaign apart: it leaves the others as they were)
    mean = sum(q * w for _, q, w in drafts) / sum(w for _, _, w in drafts)
    if account.launched_days_ago is not None:
        launch = _rng(seed, account.external_id, "launched campaign")
        drafts.append(_draft(seed, account, launch, len(drafts), today, account.launched_days_ago))
    return tuple(SandboxCampaign(**fields, quality=q / mean) for fields, q, _ in drafts)


def _draft(
    seed: int,
    account: SandboxAccount,
    rng: random.Random,
    n: int,
    today: dt.date,
    launched_days_ago: int | None = None,
) -> tuple[dict, float, float]:
    """The fields of the account's campaign number n, its quality and its expected installs."""
    minor = 10 ** CURRENCY_EXPONENT.get(account.currency, 2) * UNITS_PER_USD[account.currency]
    facts = facts_of(account.platform)
    costs, devices, ads_per_group = facts.costs, facts.devices, facts.ads_per_ad_group
    cid = f"{account.external_id.removeprefix('act_')}{n + 1:03d}"
    theme = _THEMES[(n + rng.randint(0, 9)) % len(_THEMES)]
    if launched_days_ago is None:
        # most campaigns run for years; the last ones were launched within the year
        age = rng.randint(500, 1200) if n < 5 else rng.randint(60, 330)
        start = today - dt.timedelta(days=age)
        end = today - dt.timedelta(days=rng.randint(20, 90)) if n == 5 else None
    else:
        start, end = today - dt.timedelta(days=launched_days_ago), None
    ads = []
    for g in range(2):
        gid = f"{cid}{g + 1}"
        for a in range(ads_per_group or 1):
            ads.append(
                SandboxAd(
                    ad_id=f"{gid}{a + 1}" if ads_per_group else gid,
                    name=f"{theme} {g + 1}.{a + 1}",
                    ad_group_id=gid,
                    ad_group_name=f"{theme} group {g + 1}",
                    weight=rng.uniform(0.5, 1.5),
                )
            )
    countries = rng.sample(COUNTRIES, rng.randint(2, 5))
    budget_usd = rng.uniform(*DAILY_BUDGET_USD)
    cpm_usd = rng.uniform(*costs.cpm)
    ctr = rng.uniform(*costs.ctr)
    cpi_usd = costs.cpi * rng.uniform(*CPI_SPREAD)
    quality = rng.uniform(*QUALITY_SPREAD)
    install_rate = min(0.9, cpm_usd / (1000 * ctr * cpi_usd))
    cpi_minor = cpm_usd * minor / (1000 * ctr * install_rate)
    budget_minor = int(budget_usd * minor)
    fields = dict(
        account=account,
        campaign_id=cid,
        name=f"{account.name} | {theme} {n + 1}",
        start=start,
        end=end,
        daily_budget_minor=budget_minor,
        weekend_factor=rng.choice((0.7, 0.85, 1.15, 1.3)),
        cpm_minor=int(cpm_usd * minor),
        ctr=ctr,
        # installs per click that make the campaign's CPI
        install_rate=install_rate,
        purchase_rate=costs.purchase_rate * quality,
        order_value_minor=int(costs.order_value * rng.uniform(0.7, 1.3) * minor),
        vanishes=n == 2,
        countries=tuple((c, rng.uniform(0.2, 1.0)) for c in countries),
        devices=tuple((d, rng.uniform(0.2, 1.0)) for d in devices),
        ads=tuple(ads),
        response=draw_response(seed, cid, budget_minor, cpi_minor),
    )
    return fields, quality, budget_usd / cpi_usd * _active_days(start, end, today)


def _active_days(start: dt.date, end: dt.date | None, today: dt.date, within: int = 400) -> int:
    """Days a campaign ran in the last `within` days."""
    first = max(start, today - dt.timedelta(days=within))
    last = min(end or today, today)
    return max((last - first).days, 1)


def _draw_count(rng: random.Random, expected: float) -> int:
    """A whole count whose mean is `expected` (small counts are not truncated away)."""
    return int(expected + rng.random())


_SPEND_BLOCK_DAYS = 128


def day_spend(seed: int, rev: int, campaign: SandboxCampaign, day: dt.date) -> int:
    """The campaign's spend on `day` (minor units; 0 when it did not run): its budget by
    weekday, season and budget plan, times a daily wobble (drawn again when restated)."""
    if rev == 0 or not campaign.active_on(day):
        block, index = divmod(day.toordinal(), _SPEND_BLOCK_DAYS)
        return int(_spend_block(seed, campaign, block)[index])
    wobble = _rng(seed, rev, campaign.campaign_id, day.isoformat(), "spend").uniform(0.75, 1.05)
    return int(_planned_spend(seed, campaign, day) * wobble)


def _planned_spend(seed: int, campaign: SandboxCampaign, day: dt.date) -> float:
    weekday = campaign.weekend_factor if day.weekday() >= 5 else 1.0
    season = 1.0 + 0.15 * ((day.timetuple().tm_yday % 91) / 91.0)
    plan = plan_level(seed, campaign.account.external_id, campaign.campaign_id, day)
    return campaign.daily_budget_minor * weekday * season * plan


@lru_cache(maxsize=8192)
def _spend_block(seed: int, campaign: SandboxCampaign, block: int) -> np.ndarray:
    """First-reported spend of the `_SPEND_BLOCK_DAYS` days from ordinal block * that."""
    first = block * _SPEND_BLOCK_DAYS
    days = [dt.date.fromordinal(first + i) for i in range(_SPEND_BLOCK_DAYS)]
    key = zlib.crc32(f"{campaign.account.external_id}:{campaign.campaign_id}".encode())
    wobble = np.random.default_rng((seed, key, block)).uniform(0.75, 1.05, _SPEND_BLOCK_DAYS)
    planned = np.array(
        [_planned_spend(seed, campaign, d) if campaign.active_on(d) else 0.0 for d in days]
    )
    return np.floor(planned * wobble)


def adstock_minor(seed: int, rev: int, campaign: SandboxCampaign, day: dt.date) -> float:
    """The campaign's adstock on `day`: today's spend (revision `rev`) and the carryover of
    the days before (as first reported)."""
    weights = carryover_weights(campaign.response.decay)
    ordinal = day.toordinal()
    block, index = divmod(ordinal, _SPEND_BLOCK_DAYS)
    past = _spend_block(seed, campaign, block)[: index + 1]
    if len(past) < len(weights):
        before = _spend_block(seed, campaign, block - 1)
        past = np.concatenate([before, past])
    recent = past[-len(weights) :][::-1].copy()
    recent[0] = day_spend(seed, rev, campaign, day)
    return float(np.dot(weights, recent))


@lru_cache(maxsize=200_000)
def _ad_cells(seed: int, rev: int, campaign: SandboxCampaign, day: dt.date) -> tuple[Cell, ...]:
    rng = _rng(seed, rev, campaign.campaign_id, day.isoformat())
    spend = day_spend(seed, rev, campaign, day)
    expected = campaign.response.installs(adstock_minor(seed, rev, campaign, day), day)
    parts = split_minor(spend, [ad.weight for ad in campaign.ads])
    total = max(spend, 1)
    cells = []
    for ad, ad_spend in zip(campaign.ads, parts, strict=True):
        impressions = int(ad_spend * 1000 / max(campaign.cpm_minor, 1))
        clicks = _draw_count(rng, impressions * campaign.ctr * rng.uniform(0.8, 1.2))
        installs = _draw_count(rng, expected * ad_spend / total * rng.uniform(0.8, 1.2))
        clicks = max(clicks, installs)
        conversions = _draw_count(rng, installs * campaign.purchase_rate * rng.uniform(0.6, 1.4))
        value = conversions * int(campaign.order_value_minor * rng.uniform(0.7, 1.3))
        cells.append(
            Cell(campaign, ad, day, ad_spend, impressions, clicks, installs, conversions, value)
        )
    return tuple(cells)


def _split(cell: Cell, shares: tuple[tuple[str, float], ...], key: str) -> Iterator[Cell]:
    fractions = _fractions(tuple(s for _, s in shares))
    columns = [
        _split_by(total, fractions)
        for total in (
            cell.spend_minor,
            cell.impressions,
            cell.clicks,
            cell.installs,
            cell.conversions,
            cell.value_minor,
        )
    ]
    for i, (label, _) in enumerate(shares):
        values = [col[i] for col in columns]
        if not any(values):
            continue
        yield Cell(cell.campaign, cell.ad, cell.date, *values, **{key: label})
