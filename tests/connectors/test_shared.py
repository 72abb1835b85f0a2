"""The shared connector pieces: retry policy, registry, configuration validation, the sandbox
world's exact splits and restatements."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys

import pytest

from connectors import (
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    Endpoints,
    RateLimitedError,
    RetryPolicy,
    TransientError,
    connector_class,
    platforms,
)
from connectors.base import validate_config
from connectors.registry import PLATFORM_MODULES, platform_spec, platform_specs
from connectors.sandbox.generator import World, split_minor


def policy(**kwargs):
    slept: list[float] = []
    return RetryPolicy(
        base_delay=0.5, max_delay=10, jitter=False, sleep=slept.append, **kwargs
    ), slept


def failing(times: int, error: Exception):
    calls = {"n": 0}

    def call():
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return "ok"

    return call, calls


def test_transient_errors_are_retried_with_exponential_backoff():
    retry, slept = policy(max_attempts=5)
    call, calls = failing(3, TransientError("502"))
    assert retry.call(call) == "ok"
    assert calls["n"] == 4
    assert slept == [0.5, 1.0, 2.0]


def test_a_rate_limit_waits_at_least_its_retry_after():
    retry, slept = policy()
    call, _ = failing(1, RateLimitedError("slow down", retry_after=7))
    assert retry.call(call) == "ok"
    assert slept == [7.0]


def test_retry_after_is_capped_by_the_maximum_delay():
    retry, slept = policy()
    call, _ = failing(1, RateLimitedError("slow down", retry_after=3600))
    retry.call(call)
    assert slept == [10.0]


def test_authentication_errors_are_never_retried():
    retry, slept = policy()
    call, calls = failing(1, AuthenticationError("expired"))
    with pytest.raises(AuthenticationError):
        retry.call(call)
    assert calls["n"] == 1 and slept == []


def test_the_last_error_surfaces_when_attempts_run_out():
    retry, slept = policy(max_attempts=3)
    call, calls = failing(10, TransientError("down"))
    with pytest.raises(TransientError):
        retry.call(call)
    assert calls["n"] == 3 and len(slept) == 2


def test_bad_response_names_field_and_position():
    error = BadResponseError("not a number", field="spend", position="page 2, row 5")
    assert "spend" in str(error) and "page 2, row 5" in str(error)
    assert not error.retryable


def test_registry_lists_each_declared_platform_once_and_refuses_others():
    names = [spec.name for spec in platform_specs()]
    assert list(platforms()) == names and len(set(names)) == len(PLATFORM_MODULES)
    assert {"meta", "google_ads", "apple_search_ads"} <= set(names)
    with pytest.raises(ConfigurationError, match="platform"):
        connector_class("snapchat")


@pytest.mark.parametrize("platform", platforms())
def test_each_platform_declares_its_facts_in_its_own_package(platform):
    spec = platform_spec(platform)
    assert spec.connector.startswith(f"connectors.{platform}.")
    assert spec.label and re.fullmatch(r"#[0-9a-f]{6}", spec.colour)
    assert spec.restatement_days > 0 and spec.default_concurrency > 0
    assert connector_class(platform).platform == platform
    assert all(name.startswith(platform.split("_")[0]) for name in spec.endpoints)
    assert spec.sandbox_server and importlib.util.find_spec(spec.sandbox_server)


def test_platform_labels_and_colours_are_distinct():
    specs = platform_specs()
    assert len({s.label for s in specs}) == len({s.colour for s in specs}) == len(specs)


def test_endpoints_default_to_the_real_platforms_and_refuse_unknown_settings():
    endpoints = Endpoints(apple_api_url="http://127.0.0.1:1")
    assert endpoints.apple_api_url == "http://127.0.0.1:1"
    assert endpoints.meta_graph_url == platform_spec("meta").endpoints["meta_graph_url"]
    with pytest.raises(ConfigurationError, match="unknown settings nowhere_url"):
        Endpoints(nowhere_url="x")


def test_registry_imports_a_platform_sdk_only_when_asked():
    code = (
        "import sys, connectors\n"
        "assert 'facebook_business' not in sys.modules\n"
        "assert 'google.ads.googleads' not in sys.modules\n"
        "connectors.connector_class('meta')\n"
        "assert 'facebook_business' in sys.modules\n"
        "assert 'google.ads.googleads' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("platform", platforms())
def test_each_schema_marks_its_secret_fields(platform):
    schema = connector_class(platform).configuration_schema()
    assert schema["secret"], platform
    assert set(schema["secret"]) <= set(schema["properties"])
    assert set(schema["required"]) <= set(schema["properties"])


def test_config_validation_names_the_field():
    schema = {
        "properties": {"token": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["token"],
    }
    with pytest.raises(ConfigurationError, match="^token"):
        validate_config(schema, {"n": 1})
    with pytest.raises(ConfigurationError, match="^n"):
        validate_config(schema, {"token": "x", "n": "1"})
    with pytest.raises(ConfigurationError, match="^extra"):
        validate_config(schema, {"token": "x", "extra": "y"})


@pytest.mark.parametrize("total", [0, 1, 7, 12345, 999_999_999])
def test_splits_sum_exactly(total):
    assert sum(split_minor(total, [0.3, 0.2, 0.5, 0.01])) == total


def test_breakdowns_and_totals_agree_to_the_minor_unit():
    world = World(today=dt.date(2026, 6, 30))
    account = world.accounts_of("meta")[0]
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 29)
    total = sum(c.spend_minor for c in world.cells(account, start, end))
    for breakdown in ("country", "device"):
        assert sum(c.spend_minor for c in world.cells(account, start, end, breakdown)) == total


def test_the_world_is_deterministic_and_restatement_changes_only_recent_days():
    a, b = World(today=dt.date(2026, 6, 30)), World(today=dt.date(2026, 6, 30))
    account = a.accounts_of("google_ads")[0]
    old = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    recent = (dt.date(2026, 6, 25), dt.date(2026, 6, 29))
    assert a.total(account, *old) == b.total(account, *old)
    before = a.total(account, *recent)
    a.restate()
    assert a.total(account, *old) == b.total(account, *old)
    assert a.total(account, *recent) != before
