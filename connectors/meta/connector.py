"""Meta (Facebook) Ads through the official `facebook-business` SDK and the Graph API insights.

Daily rows come from `AdAccount.get_insights(time_increment=1)` at campaign or ad level, split by
country or impression device when asked. Long ranges use async report runs (POST, poll, page the
results); a run that fails, is skipped or times out is split into halves, down to single days.
A short range Graph cannot answer synchronously (an insights timeout, or "reduce the amount of
data" even at the smallest page) is fetched again as an async report run, as Meta advises, so a
large account's restatement window does not fail on every sync.

Installs and purchases are counted in explicit attribution windows (`attribution_windows`,
default 7-day click + 1-day view, Graph's own default): the sum of each action's window fields,
and every row is labelled with those windows. Each action's `value` would follow the ad sets'
own attribution settings, which vary between ad sets and accounts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.user import User

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
from connectors.errors import ConfigurationError, ConnectorError, TransientError
from connectors.meta.client import GraphClient
from connectors.meta.errors import PLATFORM, RequestTooLargeError, platform_message
from connectors.meta.parsing import (
    act_id,
    parse_account,
    parse_insight_row,
    parse_token_expiry,
    parse_total,
)
from connectors.meta.usage import Usage
from connectors.retry import RetryPolicy

log = logging.getLogger(__name__)

ACCOUNT_FIELDS = ("account_id", "name", "currency", "timezone_name", "account_status")
CAMPAIGN_FIELDS = (
    "account_currency",
    "campaign_id",
    "campaign_name",
    "spend",
    "impressions",
    "clicks",
    "actions",
    "action_values",
    "date_start",
    "date_stop",
)
AD_FIELDS = (
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "account_currency",
    "spend",
    "impressions",
    "clicks",
    "actions",
    "action_values",
    "date_start",
    "date_stop",
)
TOTAL_FIELDS = ("account_currency", "spend", "impressions", "clicks")
#: Graph's breakdown names for ours.
BREAKDOWN_PARAM = {Breakdown.COUNTRY: "country", Breakdown.DEVICE: "impression_device"}


class MetaConnector(Connector):
    """Spend from Meta ad accounts the access token can read."""

    platform: ClassVar[str] = "meta"
    breakdowns: ClassVar[tuple[Breakdown, ...]] = (Breakdown.COUNTRY, Breakdown.DEVICE)
    #: The attribution windows installs and purchases are counted in (empty: each action's
    #: `value`, under the ad sets' own attribution settings, labelled "default").
    attribution_windows: tuple[str, ...] = ("7d_click", "1d_view")

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        endpoints: Endpoints | None = None,
        retry: RetryPolicy | None = None,
        page_size: int = 500,
        async_after_days: int = 31,
        poll_interval: float = 5.0,
        async_timeout: float = 900.0,
        attribution_windows: Sequence[str] | None = None,
    ) -> None:
        super().__init__(config, endpoints=endpoints, retry=retry)
        if attribution_windows is not None:
            self.attribution_windows = tuple(attribution_windows)
        self.page_size = page_size
        self.async_after_days = async_after_days
        self.poll_interval = poll_interval
        self.async_timeout = async_timeout
        self._client: GraphClient | None = None

    @classmethod
    def configuration_schema(cls) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "access_token": {"type": "string", "title": "Access token (long-lived)"},
                "app_id": {"type": "string", "title": "App ID", "pattern": r"\d+"},
                "app_secret": {"type": "string", "title": "App secret"},
                "account_ids": {
                    "type": "string",
                    "title": "Ad account IDs (comma-separated; empty: all the token can read)",
                    "pattern": r"\s*((act_)?\d+\s*(,\s*(act_)?\d+\s*)*)?",
                },
            },
            "required": ["access_token", "app_id", "app_secret"],
            "secret": ["access_token", "app_secret"],
        }

    @property
    def client(self) -> GraphClient:
        """The Graph client, made on first use (no I/O at construction)."""
        if self._client is None:
            self._client = GraphClient(
                access_token=self.config["access_token"],
                app_id=self.config["app_id"],
                app_secret=self.config["app_secret"],
                graph_url=self.endpoints.meta_graph_url,
                retry=self.retry,
            )
        return self._client

    @property
    def last_usage(self) -> Usage:
        """The usage headers of the last answer (rate-limit percentages, time to regain)."""
        return self.client.usage

    def _account_filter(self) -> set[str]:
        raw = self.config.get("account_ids") or ""
        return {act_id(part) for part in raw.split(",") if part.strip()}

    # --- connection and accounts ---

    def test_connection(self) -> ConnectionCheck:
        try:
            accounts = self.list_accounts()
        except ConnectorError as exc:
            return ConnectionCheck(
                ok=False, message=platform_message(exc), expires_at=self.credentials_expiry()
            )
        return ConnectionCheck(
            ok=True,
            message=f"Connected to Meta; {len(accounts)} ad account(s) readable",
            accounts=len(accounts),
            expires_at=self.credentials_expiry(),
        )

    def list_accounts(self) -> list[AccountInfo]:
        user = User(fbid="me", api=self.client.api)
        pages = self.client.pages(
            lambda limit: user.get_ad_accounts(
                fields=list(ACCOUNT_FIELDS), params={"limit": limit}
            ),
            page_size=self.page_size,
            what="list ad accounts",
        )
        accounts = [
            parse_account(raw, position=f"page {page}, row {i}")
            for page, rows in pages
            for i, raw in enumerate(rows, 1)
        ]
        wanted = self._account_filter()
        return [a for a in accounts if not wanted or a.external_id in wanted]

    def credentials_expiry(self) -> dt.datetime | None:
        """`expires_at` of the access token from `/debug_token`, as an aware UTC time; None
        when the token never expires or the platform cannot tell (the failure is logged)."""
        try:
            return parse_token_expiry(self.client.debug_token())
        except ConnectorError as exc:
            log.warning("Meta debug_token unavailable: %s", exc.message)
            return None

    # --- insights ---

    def _insights_params(
        self, level: Level, breakdown: Breakdown | None, start: dt.date, end: dt.date
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "level": "ad" if level is Level.AD else "campaign",
            "time_range": {"since": start.isoformat(), "until": end.isoformat()},
            "time_increment": 1,
            "limit": self.page_size,
        }
        if self.attribution_windows:
            params["action_attribution_windows"] = list(self.attribution_windows)
        if breakdown is not None:
            params["breakdowns"] = [BREAKDOWN_PARAM[breakdown]]
        return params

    def fetch_daily(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level = Level.CAMPAIGN,
        breakdown: Breakdown | None = None,
    ) -> Iterator[SpendRow]:
        if start > end:
            raise ConfigurationError(f"start {start} is after end {end}", platform=PLATFORM)
        if breakdown is not None and breakdown not in self.breakdowns:
            raise ConfigurationError(f"breakdown {breakdown} is not supported", platform=PLATFORM)
        level = Level(level)
        fields = AD_FIELDS if level is Level.AD else CAMPAIGN_FIELDS
        pages: Iterable[tuple[str, list[dict[str, Any]]]]
        if (end - start).days + 1 > self.async_after_days:
            pages = self._async_pages(account, start, end, level, breakdown, fields)
        else:
            try:
                pages = self._sync_pages(account, start, end, level, breakdown, fields)
            except RequestTooLargeError as exc:
                log.info(
                    "Meta insights %s %s..%s too large for a synchronous answer (%s); "
                    "using an async report run",
                    account.external_id,
                    start,
                    end,
                    exc.message,
                )
                pages = self._async_pages(account, start, end, level, breakdown, fields)
        for where, rows in pages:
            for i, raw in enumerate(rows, 1):
                yield parse_insight_row(
                    raw,
                    account=account,
                    level=level,
                    breakdown=breakdown,
                    attribution=self.attribution_windows,
                    position=f"{where}, row {i}",
                )

    def _sync_pages(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level,
        breakdown: Breakdown | None,
        fields: tuple[str, ...],
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        """Every page of a synchronous insights request, read before any row is used (so a
        later page that proves too large leaves nothing half-yielded for the async retry)."""
        params = self._insights_params(level, breakdown, start, end)
        ad_account = AdAccount(fbid=act_id(account.external_id), api=self.client.api)
        return [
            (f"page {page}", rows)
            for page, rows in self.client.pages(
                lambda limit: ad_account.get_insights(
                    fields=list(fields), params={**params, "limit": limit}
                ),
                page_size=self.page_size,
                what=f"insights {account.external_id} {start}..{end}",
            )
        ]

    def _async_pages(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level,
        breakdown: Breakdown | None,
        fields: tuple[str, ...],
    ) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Pages of async report runs covering start..end, halving ranges whose run gives up."""
        pending = [(start, end)]
        while pending:
            since, until = pending.pop(0)
            what = f"insights {account.external_id} {since}..{until}"
            params = self._insights_params(level, breakdown, since, until)
            run_id = self.client.start_report(
                act_id(account.external_id), fields, params, what=what
            )
            done = self.client.wait_for_report(
                run_id, poll_interval=self.poll_interval, timeout=self.async_timeout, what=what
            )
            if done:
                for page, rows in self.client.report_pages(
                    run_id, page_size=self.page_size, what=what
                ):
                    yield f"report {run_id} ({since}..{until}) page {page}", rows
                continue
            if since == until:
                raise TransientError(
                    f"async insights report for {account.external_id} on {since} did not complete",
                    platform=PLATFORM,
                )
            middle = since + (until - since) // 2
            log.info(
                "Meta report for %s gave up; splitting into %s..%s and %s..%s",
                what,
                since,
                middle,
                middle + dt.timedelta(days=1),
                until,
            )
            pending[:0] = [(since, middle), (middle + dt.timedelta(days=1), until)]

    def fetch_account_total(
        self, account: AccountInfo, start: dt.date, end: dt.date
    ) -> AccountTotal:
        ad_account = AdAccount(fbid=act_id(account.external_id), api=self.client.api)
        params = {
            "level": "account",
            "time_range": {"since": start.isoformat(), "until": end.isoformat()},
        }
        rows = [
            raw
            for _, page in self.client.pages(
                lambda limit: ad_account.get_insights(
                    fields=list(TOTAL_FIELDS), params={**params, "limit": limit}
                ),
                page_size=self.page_size,
                what=f"account total {account.external_id} {start}..{end}",
            )
            for raw in page
        ]
        return parse_total(rows, account=account, start=start, end=end)
