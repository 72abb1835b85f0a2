"""Country breakdown: every country Google reports keeps its ISO code (criterion id = 2000 + the
ISO 3166-1 numeric code), not only the markets a hand-written table knew."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from connectors.base import Breakdown
from connectors.google_ads import parsing
from connectors.sandbox.generator import to_decimal

SHORT = (dt.date(2025, 3, 1), dt.date(2025, 3, 7))
#: Country criterion ids from Google's geo targets list, with their ISO 3166-1 alpha-2 codes.
GOOGLE_COUNTRY_TARGETS = {
    2191: "HR", 2203: "CZ", 2300: "GR", 2642: "RO", 2804: "UA", 2566: "NG", 2840: "US",
    2826: "GB", 2276: "DE", 2158: "TW", 2344: "HK", 2410: "KR", 2784: "AE", 2008: "AL",
    2834: "TZ", 2887: "YE", 2894: "ZM", 2070: "BA", 2499: "ME", 2688: "RS", 2807: "MK",
}  # fmt: skip


@pytest.mark.parametrize(("criterion", "iso"), sorted(GOOGLE_COUNTRY_TARGETS.items()))
def test_a_country_criterion_id_becomes_its_iso_code(criterion, iso):
    assert parsing.country_code(criterion) == iso


@pytest.mark.parametrize(
    "criterion",
    [
        21167,  # New York (a state)
        1023191,  # New York (a city)
        2000,  # no ISO numeric 000
        2999,  # unassigned
        9999,
        0,
    ],
)
def test_an_id_that_is_no_country_is_unknown(criterion):
    assert parsing.country_code(criterion) == parsing.UNKNOWN_COUNTRY


def test_every_iso_country_has_its_own_code():
    import pycountry

    codes = {parsing.country_code(2000 + int(c.numeric)) for c in pycountry.countries}
    assert len(codes) == len(pycountry.countries)
    assert parsing.UNKNOWN_COUNTRY not in codes


def world_spend_by_country(world, customer_id: str, labels: dict[str, str]) -> dict[str, Decimal]:
    account = world.account(customer_id)
    minor: dict[str, int] = defaultdict(int)
    for cell in world.cells(account, *SHORT, "country"):
        country = cell.country or ""
        minor[labels.get(country, country)] += cell.spend_minor
    return {c: to_decimal(m, account.currency) for c, m in minor.items()}


def test_countries_outside_the_big_markets_keep_their_spend(connector, world, sandbox):
    labels = {"US": "HR", "GB": "CZ", "DE": "GR", "FR": "RO", "JP": "UA", "AU": "NG"}
    sandbox.relabel_countries(labels)
    try:
        account = {a.external_id: a for a in connector.list_accounts()}["1234567890"]
        rows = list(connector.fetch_daily(account, *SHORT, breakdown=Breakdown.COUNTRY))
    finally:
        sandbox.reset_answer_modes()
    fetched: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        fetched[row.country] += row.spend
    expected = world_spend_by_country(world, "1234567890", labels)
    assert dict(fetched) == expected
    assert parsing.UNKNOWN_COUNTRY not in fetched
    assert set(fetched) & set(labels.values())
