"""Fixtures: the Google Ads sandbox (gRPC over TLS + token endpoint) on a pinned World."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.ads.googleads.v26.services.types.google_ads_service import (
    GoogleAdsRow,
    SearchGoogleAdsStreamResponse,
)

from connectors.base import Endpoints
from connectors.google_ads import GoogleAdsConnector
from connectors.retry import RetryPolicy
from connectors.sandbox.generator import World
from connectors.sandbox.google_ads import world as google_sandbox
from connectors.sandbox.google_ads.server import SandboxServer, serve

TODAY = dt.date(2025, 3, 15)
PAYLOADS = Path(__file__).parent / "payloads"
#: Small batches, so that every report comes back in several SearchStream responses.
BATCH_SIZE = 7


@pytest.fixture(scope="session")
def world() -> World:
    return World(today=TODAY)


@pytest.fixture(scope="session")
def sandbox(world: World) -> Iterator[SandboxServer]:
    server = serve(world, batch_size=BATCH_SIZE)
    yield server
    server.stop()


@pytest.fixture
def set_faults(world: World, sandbox: SandboxServer) -> Iterator[Callable[..., None]]:
    """Set faults on an account, with fresh counters; all faults are lifted after the test."""

    def set_(account_id: str, *faults: str) -> None:
        sandbox.reset_fault_counters()
        world.set_faults(account_id, set(faults))

    yield set_
    world.faults.clear()


@pytest.fixture
def endpoints(sandbox: SandboxServer) -> Endpoints:
    return Endpoints(**sandbox.endpoints_kwargs())


@pytest.fixture
def fast_retry() -> RetryPolicy:
    return RetryPolicy(base_delay=0.01, max_delay=0.05)


@pytest.fixture
def make_connector(
    endpoints: Endpoints, fast_retry: RetryPolicy
) -> Iterator[Callable[..., GoogleAdsConnector]]:
    made: list[GoogleAdsConnector] = []

    def make(
        config: dict[str, str] | None = None, retry: RetryPolicy | None = None
    ) -> GoogleAdsConnector:
        connector = GoogleAdsConnector(
            config or google_sandbox.config(), endpoints=endpoints, retry=retry or fast_retry
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def connector(make_connector: Callable[..., GoogleAdsConnector]) -> GoogleAdsConnector:
    return make_connector()


def load_recorded(name: str) -> tuple[dict[str, Any], list[GoogleAdsRow]]:
    """A recorded SearchStream answer: its header (customer, query) and all its rows."""
    data = json.loads((PAYLOADS / f"{name}.json").read_text())
    rows = []
    for response in data["responses"]:
        rows.extend(SearchGoogleAdsStreamResponse.from_json(json.dumps(response)).results)
    return data, rows


@pytest.fixture
def recorded() -> Callable[[str], tuple[dict[str, Any], list[GoogleAdsRow]]]:
    return load_recorded
