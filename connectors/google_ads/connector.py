"""GoogleAdsConnector: Google Ads API v26 through the official google-ads client (gRPC)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from connectors.base import (
    AccountInfo,
    AccountTotal,
    Breakdown,
    ConnectionCheck,
    Connector,
    Endpoints,
    Level,
    SpendRow,
)
from connectors.errors import (
    AccountUnavailableError,
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
)
from connectors.google_ads import parsing, queries
from connectors.google_ads.auth import TokenSource
from connectors.google_ads.client import AdsApi
from connectors.retry import RetryPolicy

_CUSTOMER_ID = r"\d{3}-?\d{3}-?\d{4}"
T = TypeVar("T")
log = logging.getLogger(__name__)


def _digits(customer_id: str) -> str:
    return customer_id.replace("-", "").strip()


def date_windows(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    """[start, end] cut into consecutive windows of at most `days` days."""
    while start <= end:
        stop = min(end, start + dt.timedelta(days=days - 1))
        yield start, stop
        start = stop + dt.timedelta(days=1)


class GoogleAdsConnector(Connector):
    """Daily cost, clicks, impressions, conversions and app installs per campaign / ad group.

    Each window of `window_days` days is one retryable unit: the metrics report and the installs
    report are streamed whole (all batches) before any row is yielded.

    Accounts are found as Google documents the account hierarchy: the customers the user reaches
    directly (ListAccessibleCustomers), then every client under each of them (`customer_client`,
    sent with that customer as login-customer-id). A client reached through a manager carries it
    as `AccountInfo.manager_id`, and every call about the client sends it as login-customer-id
    (the configured `login_customer_id` wins when set). An account given without its manager is
    looked up in the hierarchy once per connector. Customers the platform refuses
    (CUSTOMER_NOT_ENABLED, or a client whose status is not ENABLED) are skipped and reported in
    `skipped_customers`, not fatal to the listing.
    """

    platform: ClassVar[str] = "google_ads"
    breakdowns: ClassVar[tuple[Breakdown, ...]] = (Breakdown.COUNTRY, Breakdown.DEVICE)
    #: Days of data per GAQL query.
    window_days: ClassVar[int] = 7

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        endpoints: Endpoints | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(config, endpoints=endpoints, retry=retry)
        self._tokens = TokenSource(
            self.endpoints.google_oauth_token_url,
            self.config["client_id"],
            self.config["client_secret"],
            self.config["refresh_token"],
        )
        self._root_cert: bytes | None = None
        if self.endpoints.google_ads_root_cert:
            try:
                self._root_cert = Path(self.endpoints.google_ads_root_cert).read_bytes()
            except OSError as exc:
                raise ConfigurationError(
                    f"google_ads_root_cert: cannot read it ({exc.strerror})"
                ) from None
        self._api: AdsApi | None = None
        #: Customers the last listing skipped, as "id: reason".
        self.skipped_customers: list[str] = []
        self._listed: dict[str, AccountInfo] | None = None

    @classmethod
    def configuration_schema(cls) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "developer_token": {"type": "string", "title": "Developer token"},
                "client_id": {"type": "string", "title": "OAuth client ID"},
                "client_secret": {"type": "string", "title": "OAuth client secret"},
                "refresh_token": {"type": "string", "title": "OAuth refresh token"},
                "login_customer_id": {
                    "type": "string",
                    "title": "Manager account ID (login-customer-id)",
                    "pattern": _CUSTOMER_ID,
                },
                "customer_ids": {
                    "type": "string",
                    "title": "Only these customer IDs (comma-separated; empty: all)",
                    "pattern": rf"\s*{_CUSTOMER_ID}(\s*,\s*{_CUSTOMER_ID})*\s*",
                },
            },
            "required": ["developer_token", "client_id", "client_secret", "refresh_token"],
            "secret": ["developer_token", "client_secret", "refresh_token"],
        }

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def login_customer_id(self) -> str | None:
        value = self.config.get("login_customer_id")
        return _digits(value) if value else None

    def _wanted_ids(self) -> set[str] | None:
        value = self.config.get("customer_ids")
        return {_digits(v) for v in value.split(",") if v.strip()} if value else None

    def _ads(self) -> AdsApi:
        """Service clients for a fresh access token (re-minted shortly before it expires)."""
        token = self._tokens.token()
        if self._api is None or self._api.access_token != token.token:
            if self._api is not None:
                self._api.close()
            self._api = AdsApi(
                token.token,
                self.config["developer_token"],
                self.endpoints.google_ads_endpoint,
                self._root_cert,
            )
        return self._api

    def _call(self, fn: Callable[[AdsApi], T], what: str) -> T:
        """One platform call under the retry policy; a refused token is not reused."""
        try:
            return self.retry.call(lambda: fn(self._ads()), what=what)
        except AuthenticationError:
            self._tokens.forget()
            raise

    def _search(self, customer_id: str, query: str, login: str | None, what: str) -> list[Any]:
        return self._call(lambda api: api.search_stream(customer_id, query, login), what)

    def _login_for(self, account: AccountInfo) -> str | None:
        """The login-customer-id for calls about `account`: the configured one, else the
        account's manager, else the manager the hierarchy shows (None: reached directly)."""
        if self.login_customer_id:
            return self.login_customer_id
        if account.manager_id:
            return _digits(account.manager_id)
        return self.manager_of(account.external_id)

    def manager_of(self, customer_id: str) -> str | None:
        """The manager through which these credentials reach `customer_id` (None: directly or
        not at all); the hierarchy is listed once per connector."""
        if self._listed is None:
            self.list_accounts()
        assert self._listed is not None
        listed = self._listed.get(_digits(customer_id))
        return listed.manager_id if listed else None

    def close(self) -> None:
        """Close the gRPC channels (a new call opens them again)."""
        if self._api is not None:
            self._api.close()
            self._api = None

    # -- the Connector interface ----------------------------------------------------------------

    def test_connection(self) -> ConnectionCheck:
        try:
            accounts = self.list_accounts()
        except ConnectorError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        message = f"Connected: {len(accounts)} ad account(s) reachable."
        if self.skipped_customers:
            message += (
                f" Skipped {len(self.skipped_customers)} customer(s) Google refuses (cancelled or"
                f" not yet enabled): {'; '.join(self.skipped_customers)}."
            )
        return ConnectionCheck(
            ok=True,
            message=message,
            accounts=len(accounts),
            expires_at=self.credentials_expiry(),
            skipped=tuple(self.skipped_customers),
        )

    def accessible_customer_ids(self) -> list[str]:
        names = self._call(
            lambda api: api.accessible_customers(), "google_ads list_accessible_customers"
        )
        return [parsing.customer_id_of(name) for name in names]

    def list_accounts(self) -> list[AccountInfo]:
        """Enabled non-manager accounts of the hierarchy (see the class docstring)."""
        accessible = self.accessible_customer_ids()
        login = self.login_customer_id
        roots = [login] if login else accessible
        wanted = self._wanted_ids()
        seen: dict[str, AccountInfo] = {}
        skipped: dict[str, str] = {}
        for root in roots:
            try:
                rows = self._search(
                    root,
                    queries.CUSTOMER_CLIENTS,
                    login or root,
                    f"google_ads accounts under {root}",
                )
            except AccountUnavailableError as exc:
                skipped[root] = exc.message
                continue
            for account in parsing.parse_customer_clients(rows, root):
                if wanted is not None and account.external_id not in wanted:
                    continue
                if account.status != "active":
                    skipped.setdefault(account.external_id, f"status {account.status.upper()}")
                else:
                    seen.setdefault(account.external_id, account)
        for customer_id in seen:
            skipped.pop(customer_id, None)  # refused one way, reachable another
        self.skipped_customers = [f"{cid}: {reason}" for cid, reason in sorted(skipped.items())]
        if self.skipped_customers:
            log.warning(
                "google_ads: skipped customers Google refuses: %s",
                "; ".join(self.skipped_customers),
            )
        self._listed = seen
        return sorted(seen.values(), key=lambda a: a.external_id)

    def fetch_daily(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level = Level.CAMPAIGN,
        breakdown: Breakdown | None = None,
    ) -> Iterator[SpendRow]:
        if breakdown is not None and breakdown not in self.breakdowns:
            raise ConfigurationError(f"breakdown: {breakdown} is not supported by Google Ads")
        customer = _digits(account.external_id)
        login = self._login_for(account)
        for low, high in date_windows(start, end, self.window_days):
            label = f"{level} {breakdown or 'total'} rows of {customer} {low}..{high}"
            metrics = self._search(
                customer,
                queries.metrics_query(level, breakdown, low, high),
                login,
                f"google_ads {label}",
            )
            installs = self._search(
                customer,
                queries.installs_query(level, breakdown, low, high),
                login,
                f"google_ads installs of {label}",
            )
            parsed = [
                parsing.parse_metrics_row(row, level, breakdown, f"row {i} of {label}")
                for i, row in enumerate(metrics)
            ] + [
                parsing.parse_installs_row(row, level, breakdown, f"row {i} of installs {label}")
                for i, row in enumerate(installs)
            ]
            for row in parsing.merge_rows(parsed):
                yield parsing.to_spend_row(row, customer)

    def fetch_account_total(
        self, account: AccountInfo, start: dt.date, end: dt.date
    ) -> AccountTotal:
        customer = _digits(account.external_id)
        rows = self._search(
            customer,
            queries.account_total_query(start, end),
            self._login_for(account),
            f"google_ads account total of {customer} {start}..{end}",
        )
        return parsing.parse_account_total(rows, account, start, end)

    def account_lookup_needed(self) -> bool:
        """Without a configured login_customer_id, each account's manager comes from the
        hierarchy."""
        return self.login_customer_id is None

    def credentials_expiry(self) -> dt.datetime | None:
        """Google tells only for time-limited refresh tokens (`refresh_token_expires_in`)."""
        token = self._tokens.cached
        return token.refresh_token_expires_at if token else None


__all__ = ["GoogleAdsConnector"]
