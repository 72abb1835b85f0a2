"""The GAQL the connector sends: its shape, and that the sandbox's strict parser accepts it."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import Breakdown, Level
from connectors.google_ads import queries
from connectors.sandbox.google_ads.gaql import GaqlError, parse
from connectors.sandbox.google_ads.rows import check

START, END = dt.date(2025, 1, 1), dt.date(2025, 1, 7)


def test_campaign_metrics_query_selects_cost_and_conversions_per_day():
    query = queries.metrics_query(Level.CAMPAIGN, None, START, END)
    assert query == (
        "SELECT customer.currency_code, campaign.id, campaign.name, segments.date, "
        "metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, "
        "metrics.conversions_value FROM campaign "
        "WHERE segments.date BETWEEN '2025-01-01' AND '2025-01-07'"
    )


def test_the_ad_level_reads_ad_groups():
    query = parse(queries.metrics_query(Level.AD, None, START, END))
    assert query.resource == "ad_group"
    assert {"ad_group.id", "ad_group.name"} <= set(query.fields)


def test_the_country_breakdown_reads_location_of_presence_in_geographic_view():
    query = parse(queries.metrics_query(Level.CAMPAIGN, Breakdown.COUNTRY, START, END))
    assert query.resource == "geographic_view"
    assert "geographic_view.country_criterion_id" in query.fields
    cond = query.condition("geographic_view.location_type")
    assert cond is not None and cond.value == "LOCATION_OF_PRESENCE"


def test_installs_are_download_all_conversions():
    query = parse(queries.installs_query(Level.CAMPAIGN, Breakdown.DEVICE, START, END))
    assert "metrics.all_conversions" in query.fields
    assert "segments.device" in query.fields
    cond = query.condition("segments.conversion_action_category")
    assert cond is not None and cond.value == "DOWNLOAD"
    assert not any(f.startswith("metrics.cost") for f in query.fields)


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("breakdown", [None, Breakdown.COUNTRY, Breakdown.DEVICE])
def test_every_query_passes_the_sandbox_checks(level, breakdown):
    for text in (
        queries.metrics_query(level, breakdown, START, END),
        queries.installs_query(level, breakdown, START, END),
    ):
        dates = check(parse(text), is_manager=False)
        assert dates is not None and (dates.start, dates.end) == (START, END)


def test_account_totals_and_customer_clients_pass_the_sandbox_checks():
    check(parse(queries.account_total_query(START, END)), is_manager=False)
    check(parse(queries.CUSTOMER_CLIENTS), is_manager=True)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SELECT campaign.id FROM campaign ORDER BY campaign.id", "UNEXPECTED_INPUT"),
        ("SELECT campaign.id FROM campaign LIMIT 10", "UNEXPECTED_INPUT"),
        ("SELECT campaign.id campaign", "EXPECTED_FROM"),
        ("campaign.id FROM campaign", "EXPECTED_SELECT"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name LIKE 'x'", "BAD_OPERATOR"),
        (
            "SELECT campaign.id FROM campaign WHERE segments.date BETWEEN '2025-01-01'",
            "UNEXPECTED_END_OF_QUERY",
        ),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'open", "STRING_NOT_TERMINATED"),
        ("SELECT Campaign FROM campaign", "BAD_FIELD_NAME"),
    ],
)
def test_the_sandbox_parser_refuses_what_it_does_not_understand(text, code):
    with pytest.raises(GaqlError) as err:
        parse(text)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SELECT campaign.id, metrics.clicks FROM campaign", "EXPECTED_FILTERS_ON_DATE_RANGE"),
        ("SELECT campaign.bogus FROM campaign", "UNRECOGNIZED_FIELD"),
        ("SELECT ad_group.id FROM campaign", "PROHIBITED_FIELD_IN_SELECT_CLAUSE"),
        ("SELECT campaign.id FROM keyword_view", "PROHIBITED_RESOURCE_TYPE_IN_FROM_CLAUSE"),
        (
            "SELECT campaign.id, segments.conversion_action_category, metrics.cost_micros "
            "FROM campaign WHERE segments.date BETWEEN '2025-01-01' AND '2025-01-02'",
            "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
        ),
        (
            "SELECT campaign.id FROM campaign WHERE segments.date BETWEEN '2025-01-01' AND "
            "'2025-01-02' AND segments.device = 'MOBILE'",
            "PROHIBITED_FIELD_IN_WHERE_CLAUSE",
        ),
        (
            "SELECT campaign.id FROM campaign WHERE segments.date BETWEEN '2025-1-1' AND "
            "'2025-01-02'",
            "INVALID_DATE_FORMAT",
        ),
    ],
)
def test_the_sandbox_refuses_queries_the_api_would_refuse(text, code):
    with pytest.raises(GaqlError) as err:
        check(parse(text), is_manager=False)
    assert err.value.code == code


def test_the_sandbox_refuses_metrics_on_a_manager():
    with pytest.raises(GaqlError) as err:
        check(parse(queries.account_total_query(START, END)), is_manager=True)
    assert err.value.code == "REQUESTED_METRICS_FOR_MANAGER"
