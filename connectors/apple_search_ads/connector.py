"""Apple Search Ads connector: orgs from the ACLs, daily campaign and ad-group reports.

Reports are asked for in the org's own time zone (`timeZone: ORTZ`), so dates are the account's
dates; DAILY reports cover at most 90 days, so longer windows are fetched in chunks. The ad level
is Apple's ad group (the finest grain Apple reports spend at for every campaign type).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from connectors.apple_search_ads.client import AppleSearchAdsClient
from connectors.apple_search_ads.parsing import (
    PLATFORM,
    ReportPage,
    next_offset,
    parse_acls,
    parse_campaign_page,
    parse_report_page,
    report_campaigns,
    report_totals,
    spend_rows,
)
from connectors.apple_search_ads.queries import MAX_PAGE_LIMIT, date_chunks, report_request
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
from connectors.errors import ConfigurationError, ConnectorError
from connectors.retry import RetryPolicy

ACLS_PATH = "/api/v5/acls"
CAMPAIGNS_PATH = "/api/v5/campaigns"
CAMPAIGN_REPORT_PATH = "/api/v5/reports/campaigns"


def ad_group_report_path(campaign_id: str) -> str:
    return f"/api/v5/reports/campaigns/{campaign_id}/adgroups"


class AppleSearchAdsConnector(Connector):
    platform = PLATFORM
    breakdowns = (Breakdown.COUNTRY, Breakdown.DEVICE)

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        endpoints: Endpoints | None = None,
        retry: RetryPolicy | None = None,
        page_limit: int = MAX_PAGE_LIMIT,
    ) -> None:
        super().__init__(config, endpoints=endpoints, retry=retry)
        if not 1 <= page_limit <= MAX_PAGE_LIMIT:
            raise ConfigurationError(f"page_limit: must be 1..{MAX_PAGE_LIMIT}")
        self.page_limit = page_limit
        self.client = AppleSearchAdsClient(
            client_id=self.config["client_id"],
            team_id=self.config["team_id"],
            key_id=self.config["key_id"],
            private_key=self.config["private_key"],
            api_url=self.endpoints.apple_api_url,
            token_url=self.endpoints.apple_token_url,
            retry=self.retry,
        )

    @classmethod
    def configuration_schema(cls) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "client_id": {"type": "string", "title": "Client ID (SEARCHADS.…)"},
                "team_id": {"type": "string", "title": "Team ID (SEARCHADS.…)"},
                "key_id": {"type": "string", "title": "Key ID"},
                "private_key": {
                    "type": "string",
                    "title": "Private key (PEM, EC P-256)",
                    "format": "textarea",
                },
                "org_id": {
                    "type": "string",
                    "title": "Organization ID (optional: limit to one org)",
                    "pattern": r"[0-9]+",
                },
            },
            "order": ["client_id", "team_id", "key_id", "private_key", "org_id"],
            "required": ["client_id", "team_id", "key_id", "private_key"],
            "secret": ["private_key"],
        }

    def credentials_expiry(self) -> dt.datetime | None:
        """The expiry of the signed client secret (Apple accepts at most 180 days)."""
        return self.client.client_secret().expires_at

    def test_connection(self) -> ConnectionCheck:
        expires_at = self.credentials_expiry()
        try:
            accounts = self.list_accounts()
        except ConnectorError as exc:
            return ConnectionCheck(ok=False, message=exc.message, expires_at=expires_at)
        org_id = self.config.get("org_id")
        if org_id and not accounts:
            return ConnectionCheck(
                ok=False,
                message=f"org {org_id} is not among the orgs these credentials can read",
                expires_at=expires_at,
            )
        return ConnectionCheck(
            ok=True,
            message=f"Connected to Apple Search Ads: {len(accounts)} org(s)",
            accounts=len(accounts),
            expires_at=expires_at,
        )

    def list_accounts(self) -> list[AccountInfo]:
        accounts = parse_acls(self.client.get(ACLS_PATH))
        org_id = self.config.get("org_id")
        return [a for a in accounts if a.external_id == org_id] if org_id else accounts

    def list_campaigns(self, account: AccountInfo) -> list[tuple[str, str]]:
        """(id, name) of every campaign of the org (`GET /api/v5/campaigns`, paged)."""
        campaigns: list[tuple[str, str]] = []
        offset: int | None = 0
        while offset is not None:
            where = f"GET {CAMPAIGNS_PATH} offset {offset}"
            payload = self.client.get(
                CAMPAIGNS_PATH,
                org_id=account.external_id,
                params={"offset": offset, "limit": self.page_limit},
            )
            found, page = parse_campaign_page(payload, where)
            campaigns.extend(found)
            offset = next_offset(page, offset, where)
        return campaigns

    def fetch_daily(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level = Level.CAMPAIGN,
        breakdown: Breakdown | None = None,
    ) -> Iterator[SpendRow]:
        level = Level(level)
        breakdown = Breakdown(breakdown) if breakdown is not None else None
        for window in date_chunks(start, end):
            if level is Level.CAMPAIGN:
                yield from self._daily_rows(
                    account, CAMPAIGN_REPORT_PATH, window, level, breakdown, "campaignId"
                )
                continue
            campaigns = self._campaigns_with_metrics(account, window)
            names = dict(campaigns)
            for campaign_id, _ in campaigns:
                yield from self._daily_rows(
                    account,
                    ad_group_report_path(campaign_id),
                    window,
                    level,
                    breakdown,
                    "adGroupId",
                    names,
                )

    def fetch_account_total(
        self, account: AccountInfo, start: dt.date, end: dt.date
    ) -> AccountTotal:
        spend, impressions, taps, currency = Decimal(0), 0, 0, account.currency
        for window in date_chunks(start, end):

            def body(offset: int, window: tuple[dt.date, dt.date] = window) -> dict[str, Any]:
                return report_request(
                    *window, offset=offset, limit=self.page_limit, daily=False, grand_totals=True
                )

            for where, page in self._pages(account, CAMPAIGN_REPORT_PATH, body):
                s, i, t, currency = report_totals(page, account, where)
                spend, impressions, taps = spend + s, impressions + i, taps + t
                if page.grand_totals is not None:
                    break  # the grand total covers every page of the window
        return AccountTotal(
            account_id=account.external_id,
            start=start,
            end=end,
            currency=currency,
            spend=spend,
            impressions=impressions,
            clicks=taps,
        )

    # -- helpers -------------------------------------------------------------------------------

    def _pages(
        self, account: AccountInfo, path: str, body: Callable[[int], dict[str, Any]]
    ) -> Iterator[tuple[str, ReportPage]]:
        """Each page of a report, by offset, until `offset + itemsPerPage >= totalResults`."""
        offset: int | None = 0
        while offset is not None:
            where = f"POST {path} offset {offset}"
            payload = self.client.post(path, body(offset), org_id=account.external_id)
            page = parse_report_page(payload, where)
            yield where, page
            offset = next_offset(page, offset, where)

    def _daily_rows(
        self,
        account: AccountInfo,
        path: str,
        window: tuple[dt.date, dt.date],
        level: Level,
        breakdown: Breakdown | None,
        order_by: str,
        campaign_names: Mapping[str, str] | None = None,
    ) -> Iterator[SpendRow]:
        def body(offset: int) -> dict[str, Any]:
            return report_request(
                *window,
                offset=offset,
                limit=self.page_limit,
                order_by=order_by,
                breakdown=breakdown,
            )

        for where, page in self._pages(account, path, body):
            yield from spend_rows(
                page.rows,
                account,
                window=window,
                level=level,
                breakdown=breakdown,
                campaign_names=campaign_names,
                where=where,
            )

    def _campaigns_with_metrics(
        self, account: AccountInfo, window: tuple[dt.date, dt.date]
    ) -> list[tuple[str, str]]:
        """(id, name) of the campaigns with metrics in the window (campaign totals report)."""

        def body(offset: int) -> dict[str, Any]:
            return report_request(*window, offset=offset, limit=self.page_limit, daily=False)

        campaigns: list[tuple[str, str]] = []
        for where, page in self._pages(account, CAMPAIGN_REPORT_PATH, body):
            campaigns.extend(report_campaigns(page.rows, where))
        return campaigns
