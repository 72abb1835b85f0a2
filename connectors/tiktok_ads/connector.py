"""`TikTokAdsConnector`: advertisers the token reads, daily spend from the synchronous report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

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
from connectors.errors import AuthenticationError, ConnectorError
from connectors.retry import RetryPolicy
from connectors.tiktok_ads import parsing
from connectors.tiktok_ads.client import PLATFORM, TikTokClient

ADVERTISERS_PATH = "/oauth2/advertiser/get/"
ADVERTISER_INFO_PATH = "/advertiser/info/"
REPORT_PATH = "/report/integrated/get/"
#: advertiser/info/ takes at most 100 advertiser ids per call.
INFO_BATCH = 100
INFO_FIELDS = ("advertiser_id", "name", "currency", "timezone", "display_timezone", "status")


class TikTokAdsConnector(Connector):
    """Spend of the TikTok advertisers an access token can read.

    Each report window (at most 30 days, `parsing.MAX_DAYS_PER_REPORT`) is one retryable unit:
    all its pages are read (page / page_size paging, `page_info.total_page`) before any row is
    yielded, and every page request goes through the shared retry policy (40100 and 5xxxx are
    retried; authentication codes are not).
    """

    platform: ClassVar[str] = PLATFORM
    breakdowns: ClassVar[tuple[Breakdown, ...]] = (Breakdown.COUNTRY, Breakdown.DEVICE)

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        endpoints: Endpoints | None = None,
        retry: RetryPolicy | None = None,
        page_size: int = parsing.PAGE_SIZE,
    ) -> None:
        super().__init__(config, endpoints=endpoints, retry=retry)
        self.page_size = page_size
        self.client = TikTokClient(self.config["access_token"], self.endpoints.tiktok_api_url)

    @classmethod
    def configuration_schema(cls) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "app_id": {"type": "string", "title": "App ID", "pattern": r"\d+"},
                "secret": {"type": "string", "title": "App secret"},
                "access_token": {
                    "type": "string",
                    "title": "Access token",
                    "description": "Long-term token of the advertisers' authorization",
                },
            },
            "required": ["app_id", "secret", "access_token"],
            "secret": ["secret", "access_token"],
        }

    def _get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.retry.call(lambda: self.client.get(path, params), what=f"TikTok {path}")

    def test_connection(self) -> ConnectionCheck:
        try:
            accounts = self.list_accounts()
        except AuthenticationError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        except ConnectorError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        return ConnectionCheck(
            ok=True, message=f"{len(accounts)} advertisers", accounts=len(accounts)
        )

    def list_accounts(self) -> list[AccountInfo]:
        """oauth2/advertiser/get/ (the advertisers authorized to this app and token), then
        advertiser/info/ for each one's currency and time zone."""
        data = self._get(
            ADVERTISERS_PATH, {"app_id": self.config["app_id"], "secret": self.config["secret"]}
        )
        ids = parsing.advertiser_ids(data)
        out: list[AccountInfo] = []
        for i in range(0, len(ids), INFO_BATCH):
            batch = ids[i : i + INFO_BATCH]
            info = self._get(
                ADVERTISER_INFO_PATH, {"advertiser_ids": batch, "fields": list(INFO_FIELDS)}
            )
            for n, record in enumerate(info.get("list") or []):
                out.append(parsing.account_info(record, f"{ADVERTISER_INFO_PATH} list[{n}]"))
        return out

    def fetch_daily(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level = Level.CAMPAIGN,
        breakdown: Breakdown | None = None,
    ) -> Iterator[SpendRow]:
        for chunk_start, chunk_end in parsing.date_chunks(start, end):
            rows = self._report(
                lambda page, s=chunk_start, e=chunk_end: parsing.report_params(
                    account.external_id, s, e, level, breakdown, page, self.page_size
                )
            )
            yield from parsing.spend_rows(rows, account, level, breakdown, REPORT_PATH)

    def _report(self, params_of_page: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
        """Every page of one report (page 1 tells `total_page`)."""
        rows: list[dict[str, Any]] = []
        page, pages = 1, 1
        while page <= pages:
            data = self._get(REPORT_PATH, params_of_page(page))
            rows.extend(data.get("list") or [])
            pages = parsing.total_pages(data, f"{REPORT_PATH} page {page}")
            page += 1
        return rows

    def fetch_account_total(
        self, account: AccountInfo, start: dt.date, end: dt.date
    ) -> AccountTotal:
        """The advertiser-level report's sums (AUCTION_ADVERTISER), not the campaigns' rows."""
        spend, impressions, clicks = Decimal(0), 0, 0
        for chunk_start, chunk_end in parsing.date_chunks(start, end):
            rows = self._report(
                lambda page, s=chunk_start, e=chunk_end: parsing.total_params(
                    account.external_id, s, e, page, self.page_size
                )
            )
            for row in rows:
                metrics = row.get("metrics") or {}
                spend += Decimal(str(metrics.get("spend") or 0))
                impressions += int(metrics.get("impressions") or 0)
                clicks += int(metrics.get("clicks") or 0)
        return AccountTotal(
            account.external_id, start, end, account.currency, spend, impressions, clicks
        )
