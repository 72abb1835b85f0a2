"""How the sandbox Graph API reports usage and misbehaves on purpose.

Usage headers come with every answer (`x-app-usage`, and for ad-account calls
`x-business-use-case-usage`, `x-ad-account-usage`, `x-fb-ads-insights-throttle`). Rate-limited
answers are Graph's codes 80000 and 17 with full usage and a time to regain access; server errors
are code 2 with HTTP 500; malformed pages carry a spend Graph would never send.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.sandbox.generator import SandboxAccount
from connectors.sandbox.meta_graph import GraphError

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
