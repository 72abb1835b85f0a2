"""Meta's rate-limit usage headers, parsed into one `Usage` (pure; no network).

Graph reports how close an app / ad account is to being throttled in JSON-valued headers:
`x-app-usage`, `x-business-use-case-usage` (per business object, with
`estimated_time_to_regain_access` in minutes), `x-ad-account-usage` (with `reset_time_duration`
in seconds) and `x-fb-ads-insights-throttle`. Percentages are 0-100.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Usage (percent) from which the connector pauses before its next call.
THROTTLE_PCT = 90.0
#: Seconds to wait when usage is high but the platform gave no time to wait.
DEFAULT_WAIT = 60.0


@dataclass(frozen=True)
class Usage:
    """The last usage the platform reported (percentages; times as the headers give them)."""

    app_pct: float = 0.0
    business_pct: float = 0.0
    regain_minutes: float = 0.0
    ad_account_pct: float = 0.0
    reset_seconds: float = 0.0
    insights_app_pct: float = 0.0
    insights_account_pct: float = 0.0

    @property
    def peak(self) -> float:
        """The highest of the reported percentages."""
        return max(
            self.app_pct,
            self.business_pct,
            self.ad_account_pct,
            self.insights_app_pct,
            self.insights_account_pct,
        )

    @property
    def throttled(self) -> bool:
        return self.peak >= THROTTLE_PCT or self.regain_minutes > 0

    def retry_after(self, *, limited: bool = False) -> float | None:
        """Seconds to wait before the next call, or None when there is no reason to wait.

        `limited` says the platform already refused a call (a rate-limit error): then the
        platform's own estimate is used even when the percentages look low.
        """
        if self.regain_minutes > 0:
            return self.regain_minutes * 60.0
        if self.reset_seconds > 0 and (limited or self.throttled):
            return self.reset_seconds
        if self.throttled:
            return DEFAULT_WAIT
        return None


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = None
    for key, value in headers.items():
        if key.lower() == name:
            raw = value
            break
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def parse_usage(headers: Mapping[str, str] | None) -> Usage:
    """Read the usage headers of one response; unknown or unparsable headers count as zero."""
    headers = headers or {}
    app = _json_header(headers, "x-app-usage")
    app_pct = 0.0
    if isinstance(app, dict):
        app_pct = max(_number(app.get(k)) for k in ("call_count", "total_cputime", "total_time"))
    business_pct = regain = 0.0
    buc = _json_header(headers, "x-business-use-case-usage")
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                business_pct = max(
                    business_pct,
                    *(_number(entry.get(k)) for k in ("call_count", "total_cputime", "total_time")),
                )
                regain = max(regain, _number(entry.get("estimated_time_to_regain_access")))
    account = _json_header(headers, "x-ad-account-usage")
    account = account if isinstance(account, dict) else {}
    insights = _json_header(headers, "x-fb-ads-insights-throttle")
    insights = insights if isinstance(insights, dict) else {}
    return Usage(
        app_pct=app_pct,
        business_pct=business_pct,
        regain_minutes=regain,
        ad_account_pct=_number(account.get("acc_id_util_pct")),
        reset_seconds=_number(account.get("reset_time_duration")),
        insights_app_pct=_number(insights.get("app_id_util_pct")),
        insights_account_pct=_number(insights.get("acc_id_util_pct")),
    )
