"""How the sandbox Graph API reports usage and misbehaves on purpose.

Usage headers come with every answer (`x-app-usage`, and for ad-account calls
`x-business-use-case-usage`, `x-ad-account-usage`, `x-fb-ads-insights-throttle`). Rate-limited
answers are Graph's codes 80000 and 17 with full usage and a time to regain access; server errors
are code 2 with HTTP 500; malformed pages carry a spend Graph would never send.

Requests too large for a synchronous answer get the errors Meta's insights error-code table
documents: a timeout (code 100 subcode 1504018, or code 2 subcode 1504038, "Try a smaller date
range, fetch less data, or use async jobs"), or code 1 "Please reduce the amount of data you're
asking for, then retry your request" (HTTP 500) for a page larger than the server takes.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.sandbox.generator import SandboxAccount
from connectors.sandbox.meta.graph import GraphError

#: How many times the same request is refused with the rate_limit fault before it succeeds.
RATE_LIMITED_ANSWERS = 2
#: Seconds each request of an account with the slow fault takes.
SLOW_SECONDS = 0.3
BROKEN_SPEND = "12,34x"


def usage_headers(
    account: SandboxAccount | None, pct: int, regain_minutes: int = 0
) -> dict[str, str]:
    """The usage headers of an answer at `pct` percent of the limits."""
    headers = {
        "x-app-usage": json.dumps(
            {"call_count": pct, "total_cputime": max(pct - 2, 0), "total_time": pct}
        )
    }
    if account is None:
        return headers
    tier = "standard_access"
    business_use_case = {
        "type": "ads_insights",
        "call_count": pct,
        "total_cputime": max(pct - 3, 0),
        "total_time": pct,
        "estimated_time_to_regain_access": regain_minutes,
        "ads_api_access_tier": tier,
    }
    headers["x-business-use-case-usage"] = json.dumps(
        {account.external_id.removeprefix("act_"): [business_use_case]}
    )
    headers["x-ad-account-usage"] = json.dumps(
        {
            "acc_id_util_pct": pct,
            "reset_time_duration": 60 if pct >= 100 else 0,
            "ads_api_access_tier": tier,
        }
    )
    headers["x-fb-ads-insights-throttle"] = json.dumps(
        {"app_id_util_pct": min(pct, 50), "acc_id_util_pct": pct, "ads_api_access_tier": tier}
    )
    return headers


def rate_limited_error(count: int) -> GraphError:
    """The `count`-th refusal of a request: the ad-account limit (80000), then the user's (17)."""
    if count % 2:
        return GraphError(
            "There have been too many calls from this ad-account. Wait a bit and try again. "
            "For more info, please refer to "
            "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            code=80000,
            subcode=2446079,
            is_transient=True,
        )
    return GraphError(
        "(#17) User request limit reached", code=17, subcode=2446079, is_transient=True
    )


def server_error() -> GraphError:
    return GraphError(
        "An unexpected error has occurred. Please retry your request later.",
        code=2,
        status=500,
        is_transient=True,
    )


def break_page(body: dict[str, Any]) -> dict[str, Any]:
    """Break the spend of the second row of a page (or of its only row); rows are copied, so a
    cached page stays intact."""
    rows = body.get("data") or []
    if rows:
        broken = min(1, len(rows) - 1)
        rows[broken] = {**rows[broken], "spend": BROKEN_SPEND}
    return body


#: The insights timeouts of synchronous requests, by code: (subcode, HTTP status).
SYNC_TIMEOUTS = {100: (1504018, 400), 2: (1504038, 500)}


def sync_timeout_error(code: int) -> GraphError:
    """An insights request that timed out (`code` 100 or 2, as Meta documents both)."""
    subcode, status = SYNC_TIMEOUTS[code]
    return GraphError(
        "Your request timed out. Try a smaller date range, fetch less data, or use async jobs.",
        code=code,
        subcode=subcode,
        status=status,
        is_transient=code == 2,
    )


def too_much_data_error() -> GraphError:
    return GraphError(
        "Please reduce the amount of data you're asking for, then retry your request",
        code=1,
        status=500,
    )
