"""The sandbox Graph API speaks Graph's wire format (checked with plain HTTP, no SDK)."""

from __future__ import annotations

import json

import pytest
import requests

from connectors.sandbox.meta import world as meta_sandbox
from connectors.sandbox.meta.graph import WIRE_DEVICE
from connectors.sandbox.meta.server import SandboxServer

DAY = {"since": "2025-06-01", "until": "2025-06-01"}


def get(graph: SandboxServer, path: str, token: str = meta_sandbox.GOOD_TOKEN, **params):
    return requests.get(
        f"{graph.url}/v26.0/{path}", params={"access_token": token, **params}, timeout=10
    )


def insights(graph: SandboxServer, account: str = "act_1001", **params):
    params.setdefault("fields", "campaign_id,spend")
    params.setdefault("time_range", json.dumps(DAY))
    params.setdefault("time_increment", "1")
    params.setdefault("level", "campaign")
    return get(graph, f"{account}/insights", **params)


def test_serve_reports_its_port_url_and_endpoint_fields(graph):
    assert graph.port > 0
    assert graph.url == f"http://127.0.0.1:{graph.port}"
    assert graph.endpoints_kwargs() == {"meta_graph_url": graph.url}


def test_ad_accounts_are_the_worlds_meta_accounts(graph, world):
    body = get(graph, "me/adaccounts", fields="account_id,currency,timezone_name").json()
    assert [a["id"] for a in body["data"]] == [a.external_id for a in world.accounts_of("meta")]
    assert body["data"][0] == {
        "account_id": "1001",
        "currency": "USD",
        "timezone_name": "America/Los_Angeles",
        "id": "act_1001",
    }


def test_every_answer_carries_usage_headers(graph):
    answer = insights(graph)
    for name in (
        "x-business-use-case-usage",
        "x-ad-account-usage",
        "x-fb-ads-insights-throttle",
        "x-app-usage",
    ):
        json.loads(answer.headers[name])


def test_pages_follow_cursors_and_the_last_page_has_no_next(graph):
    first = insights(graph, limit="3").json()
    assert len(first["data"]) == 3 and "next" in first["paging"]
    assert meta_sandbox.GOOD_TOKEN not in first["paging"]["next"]
    seen = list(first["data"])
    after = first["paging"]["cursors"]["after"]
    while True:
        page = insights(graph, limit="3", after=after).json()
        seen += page["data"]
        if "next" not in page["paging"]:
            break
        after = page["paging"]["cursors"]["after"]
    assert seen == insights(graph, limit="100").json()["data"]


def test_device_breakdown_uses_graphs_impression_device_names(graph):
    rows = insights(graph, breakdowns='["impression_device"]', limit="500").json()["data"]
    assert {r["impression_device"] for r in rows} <= set(WIRE_DEVICE.values())
    assert "android_smartphone" in {r["impression_device"] for r in rows}


def test_numbers_are_strings_as_graph_sends_them(graph):
    row = insights(graph, fields="spend,impressions,clicks").json()["data"][0]
    assert all(isinstance(row[k], str) for k in ("spend", "impressions", "clicks"))


def test_expired_token_answers_oauth_error_190_463(graph):
    answer = insights(graph, token=meta_sandbox.EXPIRED_TOKEN)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 463, "OAuthException")
    assert error["message"] == "Error validating access token: Session has expired"
    assert error["fbtrace_id"]


def test_unknown_token_is_refused(graph):
    assert insights(graph, token="EAAnotatoken").json()["error"]["code"] == 190


def test_an_account_outside_the_world_is_an_unknown_object(graph):
    error = insights(graph, account="act_999").json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)


def test_a_wrong_appsecret_proof_is_refused(graph):
    error = insights(graph, appsecret_proof="00" * 32).json()["error"]
    assert error["code"] == 100 and "appsecret_proof" in error["message"]


def test_rate_limit_fault_answers_twice_with_full_usage_then_succeeds(graph, world):
    world.set_faults("act_1001", {"rate_limit"})
    answers = [insights(graph) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 200]
    assert {a.json()["error"]["code"] for a in answers[:2]} == {80000, 17}
    usage = json.loads(answers[0].headers["x-business-use-case-usage"])
    assert usage["1001"][0]["estimated_time_to_regain_access"] == 1


def test_server_error_fault_answers_500_once_per_request(graph, world):
    world.set_faults("act_1001", {"server_error"})
    first, second = insights(graph), insights(graph)
    assert first.status_code == 500 and first.json()["error"]["is_transient"] is True
    assert second.status_code == 200


def test_malformed_fault_breaks_the_spend_of_the_second_row(graph, world):
    world.set_faults("act_1001", {"malformed"})
    rows = insights(graph, limit="5").json()["data"]
    assert rows[1]["spend"] == "12,34x" and rows[0]["spend"] != "12,34x"


def test_expired_token_fault_refuses_that_account_only(graph, world):
    world.set_faults("act_1001", {"expired_token"})
    assert insights(graph).json()["error"]["code"] == 190
    assert insights(graph, account="act_1002").status_code == 200


def test_async_report_run_completes_after_polling_and_pages_its_results(graph):
    graph.configure_async(polls_before_done=2)
    post = requests.post(
        f"{graph.url}/v26.0/act_1001/insights",
        params={"access_token": meta_sandbox.GOOD_TOKEN},
        data={
            "fields": '["campaign_id","spend"]',
            "level": "campaign",
            "time_range": json.dumps(DAY),
            "time_increment": "1",
        },
        timeout=10,
    )
    run_id = post.json()["report_run_id"]
    statuses = [
        get(graph, f"{run_id}/", fields="async_status").json()["async_status"] for _ in range(3)
    ]
    assert statuses == ["Job Running", "Job Running", "Job Completed"]
    results = get(graph, f"{run_id}/insights", limit="100").json()["data"]
    assert results == insights(graph, limit="100").json()["data"]


@pytest.mark.parametrize(
    ("token", "valid"),
    [(meta_sandbox.GOOD_TOKEN, True), (meta_sandbox.EXPIRED_TOKEN, False)],
)
def test_debug_token_reports_validity_and_expiry(graph, token, valid):
    config = meta_sandbox.config()
    body = get(
        graph, "debug_token", token=f"{config['app_id']}|{config['app_secret']}", input_token=token
    ).json()
    assert body["data"]["is_valid"] is valid
    assert body["data"]["expires_at"] > 0


def test_request_log_keeps_no_tokens(graph):
    insights(graph)
    assert all("access_token" not in r.params for r in graph.requests)


def test_a_bearer_token_in_the_authorization_header_is_accepted(graph, world):
    answer = requests.get(
        f"{graph.url}/v26.0/me/adaccounts",
        headers={"Authorization": f"Bearer {meta_sandbox.GOOD_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert len(answer.json()["data"]) == len(world.accounts_of("meta"))
