"""The Apple sandbox server speaks Apple's OAuth and v5 REST formats and injects the faults."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.apple_search_ads.auth import load_private_key, make_client_secret
from connectors.sandbox.apple_search_ads import world as apple_sandbox
from connectors.sandbox.apple_search_ads.reports import MALFORMED_AMOUNT
from tests.connectors.apple_search_ads.support import TODAY

TOKEN = "/auth/oauth2/token"
REPORT = "/api/v5/reports/campaigns"
YESTERDAY = TODAY - dt.timedelta(days=1)


def client_secret(**overrides) -> str:
    fields = {
        "client_id": apple_sandbox.CLIENT_ID,
        "team_id": apple_sandbox.TEAM_ID,
        "key_id": apple_sandbox.KEY_ID,
        "key": load_private_key(apple_sandbox.private_key_pem()),
        **overrides,
    }
    key = fields.pop("key")
    return make_client_secret(key, **fields).value


def ask_token(sandbox, secret: str | None = None, **form) -> requests.Response:
    data = {
        "grant_type": "client_credentials",
        "client_id": apple_sandbox.CLIENT_ID,
        "client_secret": secret or client_secret(),
        "scope": "searchadsorg",
        **form,
    }
    return requests.post(sandbox.url + TOKEN, data=data, timeout=5)


def report_body(start=YESTERDAY, end=YESTERDAY, **overrides):
    body = {
        "startTime": start.isoformat(),
        "endTime": end.isoformat(),
        "granularity": "DAILY",
        "timeZone": "ORTZ",
        "selector": {
            "orderBy": [{"field": "campaignId", "sortOrder": "ASCENDING"}],
            "pagination": {"offset": 0, "limit": 2},
        },
        "returnRowTotals": False,
        "returnRecordsWithNoMetrics": False,
    }
    body.update(overrides)
    return body


@pytest.fixture
def api(sandbox):
    """POST/GET to the sandbox API with a valid token and org 40001."""
    token = ask_token(sandbox).json()["access_token"]

    def call(method, path, body=None, org="40001", **kwargs):
        headers = {"Authorization": f"Bearer {token}"}
        if org:
            headers["X-AP-Context"] = f"orgId={org}"
        return requests.request(
            method, sandbox.url + path, json=body, headers=headers, timeout=5, **kwargs
        )

    return call


def test_a_valid_client_secret_gets_a_bearer_token_for_an_hour(sandbox):
    answer = ask_token(sandbox)

    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"
    assert answer.json()["expires_in"] == 3600
    assert answer.json()["access_token"]


def test_a_secret_signed_with_another_key_is_an_invalid_client(sandbox):
    secret = client_secret(key=ec.generate_private_key(ec.SECP256R1()))

    answer = ask_token(sandbox, secret)

    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_client"})


def test_a_secret_with_another_key_id_is_an_invalid_client(sandbox):
    answer = ask_token(sandbox, client_secret(key_id="another-key"))

    assert answer.json() == {"error": "invalid_client"}


def test_a_secret_for_another_team_is_an_invalid_client(sandbox):
    answer = ask_token(sandbox, client_secret(team_id="SEARCHADS.another-team"))

    assert answer.json() == {"error": "invalid_client"}


def test_an_expired_secret_is_an_invalid_client(sandbox):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)

    answer = ask_token(sandbox, client_secret(now=long_ago))

    assert answer.json() == {"error": "invalid_client"}


def test_a_secret_valid_for_more_than_180_days_is_an_invalid_client(sandbox):
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {
        "sub": apple_sandbox.CLIENT_ID,
        "iss": apple_sandbox.TEAM_ID,
        "aud": "https://appleid.apple.com",
        "iat": now,
        "exp": now + 181 * 86400,
    }
    secret = jwt.encode(
        claims,
        apple_sandbox.private_key_pem(),
        algorithm="ES256",
        headers={"kid": apple_sandbox.KEY_ID},
    )

    assert ask_token(sandbox, secret).json() == {"error": "invalid_client"}


def test_another_scope_is_refused(sandbox):
    answer = ask_token(sandbox, scope="openid")

    assert answer.json() == {"error": "invalid_scope"}


def test_the_api_refuses_a_call_without_a_token_in_apple_error_format(sandbox):
    answer = requests.get(sandbox.url + "/api/v5/acls", timeout=5)

    assert answer.status_code == 401
    assert answer.json() == {
        "data": None,
        "pagination": None,
        "error": {
            "errors": [
                {"messageCode": "UNAUTHORIZED", "message": "Invalid credentials", "field": ""}
            ]
        },
    }


def test_the_acls_list_the_apple_orgs(api, world):
    orgs = api("GET", "/api/v5/acls", org=None).json()["data"]

    assert [(o["orgId"], o["currency"], o["timeZone"]) for o in orgs] == [
        (int(a.external_id), a.currency, a.timezone) for a in world.accounts_of("apple_search_ads")
    ]


def test_a_report_without_org_context_is_refused(api):
    answer = api("POST", REPORT, report_body(), org=None)

    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["field"] == "X-AP-Context"


def test_a_report_for_an_org_out_of_reach_is_forbidden(api):
    assert api("POST", REPORT, report_body(), org="99999").status_code == 403


def test_a_daily_report_over_90_days_is_refused(api):
    answer = api("POST", REPORT, report_body(start=YESTERDAY - dt.timedelta(days=90)))

    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["messageCode"] == "INVALID_DATE_RANGE"


def test_a_page_limit_over_1000_is_refused(api):
    body = report_body()
    body["selector"]["pagination"]["limit"] = 1001

    answer = api("POST", REPORT, body)

    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["field"] == "selector.pagination.limit"


def test_a_report_in_utc_is_refused_as_the_sandbox_serves_org_time_only(api):
    assert api("POST", REPORT, report_body(timeZone="UTC")).status_code == 400


def test_a_report_page_has_apple_rows_and_pagination(api, world):
    payload = api("POST", REPORT, report_body()).json()

    rows = payload["data"]["reportingDataResponse"]["row"]
    spending = {
        c.campaign.campaign_id for c in world.ad_cells(world.account("40001"), YESTERDAY, YESTERDAY)
    }
    assert payload["pagination"] == {
        "totalResults": len(spending),
        "startIndex": 0,
        "itemsPerPage": 2,
    }
    assert [r["metadata"]["campaignId"] for r in rows] == sorted(int(c) for c in spending)[:2]
    entry = rows[0]["granularity"][0]
    assert entry["date"] == YESTERDAY.isoformat()
    assert set(entry) >= {"impressions", "taps", "tapInstalls", "viewInstalls", "totalInstalls"}
    assert entry["localSpend"]["currency"] == "USD"
    assert isinstance(entry["localSpend"]["amount"], str)


def test_an_ad_group_report_lists_the_ad_groups_of_the_campaign(api, world):
    campaign = world.campaigns(world.account("40001"))[0]
    body = report_body()
    body["selector"]["orderBy"] = [{"field": "adGroupId", "sortOrder": "ASCENDING"}]

    rows = api("POST", f"{REPORT}/{campaign.campaign_id}/adgroups", body).json()["data"][
        "reportingDataResponse"
    ]["row"]

    assert [str(r["metadata"]["adGroupId"]) for r in rows] == [a.ad_group_id for a in campaign.ads]


def test_rate_limit_answers_429_with_retry_after_twice_then_succeeds(api, world):
    world.set_faults("40001", {"rate_limit"})

    answers = [api("POST", REPORT, report_body()) for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "1"
    assert answers[0].json()["error"]["errors"][0]["messageCode"] == "TOO_MANY_REQUESTS"


def test_server_error_answers_500_once_per_request(api, world):
    world.set_faults("40001", {"server_error"})

    assert [api("POST", REPORT, report_body()).status_code for _ in range(2)] == [500, 200]


def test_malformed_reports_carry_an_amount_that_is_not_a_number(api, world):
    world.set_faults("40001", {"malformed"})

    rows = api("POST", REPORT, report_body()).json()["data"]["reportingDataResponse"]["row"]

    assert rows[0]["granularity"][0]["localSpend"]["amount"] == MALFORMED_AMOUNT


def test_expired_token_answers_401_on_every_call(api, world):
    world.set_faults("40001", {"expired_token"})

    assert [api("POST", REPORT, report_body()).status_code for _ in range(2)] == [401, 401]


def test_revoked_tokens_are_refused(api, sandbox):
    sandbox.revoke_tokens()

    assert api("GET", "/api/v5/acls", org=None).status_code == 401


def test_endpoints_kwargs_point_both_apple_urls_at_the_server(sandbox):
    assert sandbox.endpoints_kwargs() == {
        "apple_api_url": sandbox.url,
        "apple_token_url": sandbox.url + TOKEN,
    }
