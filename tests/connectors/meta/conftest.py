"""Fixtures for the Meta connector: a sandbox Graph API on a free loopback port, fed by a World
pinned to a fixed day, and connectors pointed at it with a fast retry policy."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import AccountInfo, Endpoints
from connectors.meta import MetaConnector
from connectors.retry import RetryPolicy
from connectors.sandbox.generator import World
from connectors.sandbox.meta import world as meta_sandbox
from connectors.sandbox.meta.server import SandboxServer, serve

TODAY = dt.date(2025, 6, 30)
PAYLOADS = Path(__file__).parent / "payloads"


def load_payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture(scope="session")
def world() -> World:
    return World(seed=7, today=TODAY)


@pytest.fixture(scope="session")
def graph(world: World) -> Iterator[SandboxServer]:
    server = serve(world)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_sandbox(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with no faults, no restatement and an empty request log."""
    yield
    if "graph" in request.fixturenames:
        server: SandboxServer = request.getfixturevalue("graph")
        server.world.faults.clear()
        server.world.revision = 0
        server.reset()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fast_retry(sleeps: list[float]) -> RetryPolicy:
    """Quick backoff that records every wait (and still sleeps, briefly)."""
    import time

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(min(seconds, 0.01))

    return RetryPolicy(base_delay=0.01, max_delay=0.05, jitter=False, sleep=sleep)


@pytest.fixture
def make_connector(graph: SandboxServer, fast_retry: RetryPolicy) -> Callable[..., MetaConnector]:
    def make(config: dict[str, str] | None = None, **kwargs: Any) -> MetaConnector:
        kwargs.setdefault("poll_interval", 0.01)
        return MetaConnector(
            config or meta_sandbox.config(),
            endpoints=Endpoints(**graph.endpoints_kwargs()),
            retry=kwargs.pop("retry", fast_retry),
            **kwargs,
        )

    return make


@pytest.fixture
def connector(make_connector: Callable[..., MetaConnector]) -> MetaConnector:
    return make_connector()


def account_info(world: World, external_id: str) -> AccountInfo:
    acc = world.account(external_id)
    return AccountInfo("meta", acc.external_id, acc.name, acc.currency, acc.timezone)


@pytest.fixture
def us_account(world: World) -> AccountInfo:
    return account_info(world, "act_1001")


@pytest.fixture
def jp_account(world: World) -> AccountInfo:
    return account_info(world, "act_1003")
