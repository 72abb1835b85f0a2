"""Accounts under a manager and customers Google refuses, through the official google-ads client
against the gRPC sandbox (which answers as the Google Ads API documents: a client account is
reachable only with its manager in login-customer-id; a cancelled or not yet enabled customer
answers PERMISSION_DENIED, authorization_error CUSTOMER_NOT_ENABLED)."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import AccountInfo
from connectors.errors import AccountUnavailableError, AuthenticationError
from connectors.sandbox.google_ads import world as google_sandbox

SHORT = (dt.date(2025, 3, 1), dt.date(2025, 3, 3))
CLIENT = "1234567890"
CANCELLED_DIRECT = "5550001111"
CANCELLED_CLIENT = "5550002222"
MANAGER = google_sandbox.MANAGER_ID


@pytest.fixture
def modes(sandbox):
    """The sandbox, with its added customers removed after the test."""
    yield sandbox
    sandbox.reset_answer_modes()


def no_login_config() -> dict[str, str]:
    """Credentials as the admin form allows them: no login_customer_id."""
    config = google_sandbox.config()
    del config["login_customer_id"]
    return config


def stored(world, customer_id: str, manager_id: str | None = None) -> AccountInfo:
    """An account as Spendlens stores it (the manager only when it was stored)."""
    acc = world.account(customer_id)
    return AccountInfo(
        "google_ads", acc.external_id, acc.name, acc.currency, acc.timezone, manager_id
    )


def calls_for(sandbox, customer_id: str, since: int) -> list:
    return [c for c in sandbox.calls[since:] if c.customer_id == customer_id]


def test_listing_without_a_login_customer_id_finds_each_clients_manager(make_connector):
    accounts = make_connector(no_login_config()).list_accounts()
    assert accounts
    assert {a.manager_id for a in accounts} == {MANAGER}


def test_a_sync_of_a_stored_client_sends_its_manager_on_every_call(make_connector, world, sandbox):
    connector = make_connector(no_login_config())
    since = len(sandbox.calls)
    rows = list(connector.fetch_daily(stored(world, CLIENT, MANAGER), *SHORT))
    total = connector.fetch_account_total(stored(world, CLIENT, MANAGER), *SHORT)
    truth = world.total(world.account(CLIENT), *SHORT)
    assert sum(r.spend for r in rows) == total.spend == truth.spend
    calls = calls_for(sandbox, CLIENT, since)
    assert calls and all(c.status == "OK" for c in calls)
    assert {c.login_customer_id for c in calls} == {MANAGER}
    # the stored manager was enough: the hierarchy was not listed again
    assert not [c for c in sandbox.calls[since:] if "customer_client" in c.query]


def test_without_a_manager_the_platform_refuses_the_client(sandbox, world, make_connector):
    """What the sync did before: no login-customer-id, and Google's own refusal."""
    connector = make_connector(no_login_config())
    connector.manager_of = lambda customer_id: None  # as if the hierarchy did not know it
    with pytest.raises(AuthenticationError, match="permission to access customer"):
        list(connector.fetch_daily(stored(world, CLIENT), *SHORT))


def test_a_client_stored_without_its_manager_is_looked_up_in_the_hierarchy_once(
    make_connector, world, sandbox
):
    connector = make_connector(no_login_config())
    since = len(sandbox.calls)
    rows = list(connector.fetch_daily(stored(world, CLIENT), *SHORT))
    rows += list(connector.fetch_daily(stored(world, "2345678901"), *SHORT))
    assert rows
    listings = [c for c in sandbox.calls[since:] if "customer_client" in c.query]
    assert len(listings) == 1
    assert {c.login_customer_id for c in calls_for(sandbox, CLIENT, since)} == {MANAGER}


def test_the_configured_login_customer_id_wins(make_connector, world, sandbox):
    since = len(sandbox.calls)
    list(make_connector().fetch_daily(stored(world, CLIENT, "1112223333"), *SHORT))
    assert {c.login_customer_id for c in calls_for(sandbox, CLIENT, since)} == {MANAGER}


def test_a_lookup_is_needed_only_without_a_login_customer_id(make_connector):
    assert make_connector(no_login_config()).account_lookup_needed() is True
    assert make_connector().account_lookup_needed() is False


def test_a_cancelled_accessible_customer_is_skipped_and_reported(make_connector, modes, world):
    modes.add_customer(CANCELLED_DIRECT, status="CANCELED")
    connector = make_connector(no_login_config())
    accounts = connector.list_accounts()
    expected = [a.external_id for a in world.accounts_of("google_ads")]
    assert [a.external_id for a in accounts] == expected
    assert connector.skipped_customers == [
        f"{CANCELLED_DIRECT}: The customer can't be used because it isn't enabled."
    ]
    refusals = [c for c in modes.calls if c.customer_id == CANCELLED_DIRECT]
    assert refusals and refusals[-1].status == "PERMISSION_DENIED"


def test_the_connection_test_passes_and_names_the_skipped_customer(make_connector, modes, world):
    modes.add_customer(CANCELLED_DIRECT, status="CANCELED")
    check = make_connector(no_login_config()).test_connection()
    assert check.ok is True
    assert check.accounts == len(world.accounts_of("google_ads"))
    assert check.skipped == (
        f"{CANCELLED_DIRECT}: The customer can't be used because it isn't enabled.",
    )
    assert CANCELLED_DIRECT in check.message and "not yet enabled" in check.message


@pytest.mark.parametrize("status", ["CANCELED", "SUSPENDED", "CLOSED"])
def test_a_client_that_is_not_enabled_is_left_out_of_the_listing(make_connector, modes, status):
    modes.add_customer(CANCELLED_CLIENT, status=status, manager_id=MANAGER)
    connector = make_connector()
    assert CANCELLED_CLIENT not in [a.external_id for a in connector.list_accounts()]
    assert connector.skipped_customers == [f"{CANCELLED_CLIENT}: status {status}"]


def test_an_enabled_added_client_is_listed_with_its_manager(make_connector, modes):
    modes.add_customer(CANCELLED_CLIENT, status="ENABLED", manager_id=MANAGER)
    connector = make_connector(no_login_config())
    listed = {a.external_id: a for a in connector.list_accounts()}
    assert listed[CANCELLED_CLIENT].manager_id == MANAGER
    assert connector.skipped_customers == []


def test_a_sync_of_a_cancelled_account_is_refused_as_unavailable_not_as_bad_credentials(
    make_connector, modes, sandbox
):
    modes.add_customer(CANCELLED_CLIENT, status="CANCELED", manager_id=MANAGER)
    account = AccountInfo("google_ads", CANCELLED_CLIENT, "gone", "USD", "UTC", MANAGER)
    since = len(sandbox.calls)
    with pytest.raises(AccountUnavailableError, match="isn't enabled"):
        list(make_connector().fetch_daily(account, *SHORT))
    assert len(calls_for(sandbox, CANCELLED_CLIENT, since)) == 1  # not retried
