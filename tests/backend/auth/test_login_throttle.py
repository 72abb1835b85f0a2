"""Login throttling in Redis: per address, per account and per known browser, with a doubling
delay, 429 and Retry-After; an attacker cannot lock the owner out of their account."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from backend.services import login_throttle
from backend.services.login_throttle import ACCOUNT, ADDRESS, DEVICE, Policy
from tests.conftest import PASSWORD

WRONG = "not the password at all"
#: The delays' first step in these tests: long enough that none runs out between two requests
#: of a test on a slow machine (the tests that need a delay over move it in Redis).
BASE_S = 30


@pytest.fixture(autouse=True)
def slow_steps(monkeypatch) -> None:
    for name in ("ADDRESS", "ACCOUNT", "DEVICE"):
        policy = getattr(login_throttle, name)
        monkeypatch.setattr(login_throttle, name, Policy(policy.free, BASE_S, policy.cap_s))


def _login(client, email, password=PASSWORD, address="198.51.100.7"):
    return client.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _fail_until_throttled(client, email, address="198.51.100.7", limit=50):
    """Wrong passwords until a 429; the statuses seen."""
    statuses = []
    for _ in range(limit):
        response = _login(client, email, WRONG, address)
        statuses.append(response.status_code)
        if response.status_code == 429:
            client.last_refusal = response
            return statuses
    raise AssertionError(f"never throttled: {statuses}")


def _wait_out(app, kind: str) -> None:
    """Move every bucket of `kind` to the moment its delay runs out (as if one had waited)."""
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    for key in client.scan_iter(match=f"{app.config['LOGIN_THROTTLE_PREFIX']}:{kind}:*"):
        client.hset(key, "next_at", str(time.time() - 0.001))
    client.close()


def test_the_delay_doubles_past_the_free_attempts_up_to_its_cap():
    policy = Policy(free=5, base_s=1, cap_s=900)
    delays = [policy.delay_after(n) for n in range(1, 18)]
    assert delays[:5] == [0, 0, 0, 0, 0]
    assert delays[5:12] == [1, 2, 4, 8, 16, 32, 64]
    assert max(delays) == 900


def test_wrong_passwords_at_an_account_answer_429_with_retry_after(client, make_user):
    user = make_user()
    statuses = _fail_until_throttled(client, user.email)
    assert statuses == [401] * (ACCOUNT.free + 1) + [429]
    refused = _login(client, user.email, WRONG)
    assert refused.status_code == 429
    assert refused.is_json and "Too many login attempts" in refused.json["message"]
    assert int(refused.headers["Retry-After"]) == BASE_S


def test_while_throttled_even_the_right_password_waits(app, client, make_user):
    user = make_user()
    _fail_until_throttled(client, user.email)
    assert _login(app.test_client(), user.email).status_code == 429


def test_each_failure_past_the_allowance_doubles_retry_after(app, client, make_user):
    user = make_user()
    _fail_until_throttled(client, user.email)
    waits = []
    for _ in range(4):
        _wait_out(app, "account")
        assert _login(client, user.email, WRONG).status_code == 401
        waits.append(int(_login(client, user.email, WRONG).headers["Retry-After"]))
    assert waits == [2 * BASE_S, 4 * BASE_S, 8 * BASE_S, 16 * BASE_S]


def test_when_the_delay_has_run_out_the_right_password_works(app, client, make_user):
    user = make_user()
    _fail_until_throttled(client, user.email)
    _wait_out(app, "account")
    assert _login(app.test_client(), user.email).status_code == 200


def test_a_success_forgives_the_accounts_failures(app, client, make_user):
    user = make_user()
    for _ in range(ACCOUNT.free):
        assert _login(client, user.email, WRONG).status_code == 401
    assert _login(app.test_client(), user.email).status_code == 200
    statuses = _fail_until_throttled(client, user.email)
    assert len(statuses) == ACCOUNT.free + 2


def test_unknown_emails_are_throttled_exactly_like_accounts(app, make_user):
    user = make_user()
    known, unknown = app.test_client(), app.test_client()
    assert _fail_until_throttled(known, user.email, "198.51.100.1") == _fail_until_throttled(
        unknown, "nobody@example.com", "198.51.100.2"
    )
    a, b = known.last_refusal, unknown.last_refusal
    assert (a.json, a.headers["Retry-After"]) == (b.json, b.headers["Retry-After"])


def test_one_address_guessing_many_accounts_is_throttled(client, make_user):
    statuses = []
    for n in range(ADDRESS.free + 2):
        statuses.append(_login(client, f"guess-{n}@example.com", WRONG).status_code)
    assert statuses == [401] * (ADDRESS.free + 1) + [429]
    user = make_user()
    assert _login(client, user.email).status_code == 429
    assert _login(client, user.email, address="203.0.113.9").status_code == 200


def test_successful_logins_do_not_use_up_the_addresss_allowance(app, make_user):
    user = make_user()
    for _ in range(ADDRESS.free + 5):
        assert _login(app.test_client(), user.email).status_code == 200


def test_an_attack_does_not_lock_out_a_browser_that_signed_in_before(app, make_user):
    owner = make_user()
    usual_browser = app.test_client()
    signed_in = _login(usual_browser, owner.email, address="192.0.2.10")
    assert signed_in.status_code == 200
    logout = usual_browser.post(
        "/api/auth/logout", headers={"X-CSRF-Token": signed_in.json["csrf_token"]}
    )
    assert logout.status_code == 204
    attacker = app.test_client()
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        _fail_until_throttled(attacker, owner.email, address=address)
    assert _login(app.test_client(), owner.email, address="192.0.2.10").status_code == 429
    assert _login(usual_browser, owner.email, address="192.0.2.10").status_code == 200
    # and the owner signing in does not end the throttle the attacker is under
    assert _login(attacker, owner.email, WRONG, address="203.0.113.4").status_code == 429


def test_the_device_cookie_is_httponly_strict_and_only_sent_to_auth(app, make_user):
    user = make_user()
    browser = app.test_client()
    response = _login(browser, user.email)
    cookies = response.headers.getlist("Set-Cookie")
    device = next(c for c in cookies if c.startswith(login_throttle.DEVICE_COOKIE + "="))
    assert "HttpOnly" in device
    assert "SameSite=Strict" in device
    assert "Path=/api/auth" in device


def test_a_browser_known_to_one_account_guesses_another_like_a_stranger(app, make_user):
    mine, theirs = make_user(), make_user()
    browser = app.test_client()
    assert _login(browser, mine.email).status_code == 200
    statuses = _fail_until_throttled(browser, theirs.email)
    assert len(statuses) == ACCOUNT.free + 2


def test_a_known_browser_has_its_own_allowance(app, make_user):
    user = make_user()
    browser = app.test_client()
    assert _login(browser, user.email).status_code == 200
    statuses = _fail_until_throttled(browser, user.email)
    assert len(statuses) == DEVICE.free + 2


def test_a_forged_device_cookie_counts_for_nothing(app, make_user):
    user = make_user()
    attacker = app.test_client()
    attacker.set_cookie(
        login_throttle.DEVICE_COOKIE, "eyJhIjoiMCIsImQiOiIxIn0.forged", path="/api/auth"
    )
    statuses = _fail_until_throttled(attacker, user.email)
    assert len(statuses) == ACCOUNT.free + 2


def test_parallel_guesses_are_all_counted(app, make_user):
    email = make_user().email
    statuses: list[int] = []
    start = threading.Barrier(20)

    def guess() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(_login(client, email, WRONG).status_code)

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 6 + [429] * 14


def test_wrong_current_passwords_at_a_password_change_are_throttled(marketer):
    statuses = []
    for _ in range(ACCOUNT.free + 2):
        response = marketer.post(
            "/api/auth/password",
            json={"current_password": WRONG, "new_password": "a brand new password"},
        )
        statuses.append(response.status_code)
    assert statuses == [422] * (ACCOUNT.free + 1) + [429]


def test_without_redis_logins_still_work_unthrottled(app, client, make_user, monkeypatch, caplog):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = redis.Redis(port=closed_port, socket_connect_timeout=0.5)
    monkeypatch.setitem(app.extensions, "spendlens_login_redis", unreachable)
    user = make_user()
    for _ in range(ACCOUNT.free + 3):
        assert _login(client, user.email, WRONG).status_code == 401
    assert _login(client, user.email).status_code == 200
    assert "login throttling is off" in caplog.text


@pytest.mark.parametrize("policy", [ADDRESS, ACCOUNT, DEVICE])
def test_no_bucket_waits_longer_than_fifteen_minutes(policy):
    assert policy.delay_after(1000) == 900


def _counted(counter) -> dict[tuple[str, ...], float]:
    return dict(counter.samples())


def test_refusals_and_throttles_are_counted_in_the_metrics(app, client, make_user):
    from backend import telemetry

    user = make_user()
    failures = _counted(telemetry.LOGIN_FAILURES).get((), 0)
    throttles = _counted(telemetry.LOGIN_THROTTLES)
    statuses = _fail_until_throttled(client, user.email)
    assert _counted(telemetry.LOGIN_FAILURES)[()] == failures + statuses.count(401)
    after = _counted(telemetry.LOGIN_THROTTLES)
    assert after[("account",)] == throttles.get(("account",), 0) + 1
    assert after.get(("ip",), 0) == throttles.get(("ip",), 0)
