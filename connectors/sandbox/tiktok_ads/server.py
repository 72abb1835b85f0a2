"""A local stand-in for the TikTok API for Business (Marketing API v1.3) over HTTP.

`serve(world)` starts it on a background thread. It checks the `Access-Token` header, and answers
oauth2/advertiser/get/, advertiser/info/ and report/integrated/get/ from the shared World, with
TikTok's envelope (HTTP 200 and a return code). Per-advertiser faults come from
`world.faults_of(advertiser_id)`: rate_limit (code 40100 for the first 2 calls of each distinct
request), server_error (code 50000 once per distinct request), slow (0.3 s), malformed (a spend
that is not a number) and expired_token (40105 on every call).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.sandbox.background import BackgroundServer
from connectors.sandbox.generator import World
from connectors.sandbox.tiktok_ads import reports
from connectors.sandbox.tiktok_ads.reports import ApiProblem, envelope
from connectors.sandbox.tiktok_ads.world import APP_ID, APP_SECRET, GOOD_TOKEN

PREFIX = "/open_api/v1.3"
RATE_LIMITED_CALLS = 2
SLOW_SECONDS = 0.3
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeenRequest:
    """A request the sandbox received (the token left out)."""

    path: str
    query: dict[str, list[str]]
    code: int


class TikTokSandboxServer(BackgroundServer):
    """The running server; `.url`, `.endpoints_kwargs()`, `.stop()`, and test hooks."""

    def __init__(self, world: World, host: str, port: int) -> None:
        self.world = world
        self.requests: list[SeenRequest] = []
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        super().__init__(_handler_for(self), host, port, "tiktok-sandbox")

    def endpoints_kwargs(self) -> dict[str, str]:
        return {"tiktok_api_url": self.url}

    def reset(self) -> None:
        """Forget the request log and the per-request fault counters."""
        with self._lock:
            self.requests.clear()
            self._counts.clear()

    def calls(self, path: str | None = None) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def answer(self, raw_path: str, token: str | None) -> dict[str, Any]:
        parts = urlsplit(raw_path)
        path = parts.path.removeprefix(PREFIX)
        query = parse_qs(parts.query)
        try:
            data = self._api(path, parts.query, query, token)
            body = envelope(data)
        except ApiProblem as problem:
            body = envelope(code=problem.code, message=problem.message)
        with self._lock:
            self.requests.append(SeenRequest(path, query, body["code"]))
        return body

    def _api(self, path: str, raw_query: str, query: dict[str, list[str]], token: str | None):
        if token != GOOD_TOKEN:
            raise ApiProblem(40105, "The access token is invalid or has been revoked.")
        if path == "/oauth2/advertiser/get/":
            if query.get("app_id") != [APP_ID] or query.get("secret") != [APP_SECRET]:
                raise ApiProblem(40001, "The app_id or secret is not valid.")
            return reports.advertisers_payload(self.world)
        if path == "/advertiser/info/":
            return reports.advertiser_info_payload(self.world, query)
        if path == "/report/integrated/get/":
            advertiser = (query.get("advertiser_id") or [""])[0]
            faults = self.world.faults_of(advertiser)
            if "expired_token" in faults:
                raise ApiProblem(40105, "The access token is invalid or has been revoked.")
            if "slow" in faults:
                time.sleep(SLOW_SECONDS)
            if (
                "rate_limit" in faults
                and self._count("rate_limit", raw_query) <= RATE_LIMITED_CALLS
            ):
                raise ApiProblem(40100, "Too many requests. Please retry in some time.")
            if "server_error" in faults and self._count("server_error", raw_query) == 1:
                raise ApiProblem(50000, "System error, please try again later.")
            return reports.report_payload(self.world, query, malformed="malformed" in faults)
        raise ApiProblem(40002, f"no such endpoint {path}")

    def _count(self, fault: str, key: str) -> int:
        with self._lock:
            self._counts[(fault, key)] += 1
            return self._counts[(fault, key)]


def _handler_for(server: TikTokSandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            try:
                payload = server.answer(self.path, self.headers.get("Access-Token"))
                status = 200
            except Exception as exc:  # noqa: BLE001 - a sandbox bug must still answer
                log.exception("tiktok sandbox failed on %s", self.path)
                status, payload = 500, {"message": f"sandbox error: {type(exc).__name__}"}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # quiet: tests and the demo do not want an access log on stderr

    return Handler


def serve(world: World, host: str = "127.0.0.1", port: int = 0) -> TikTokSandboxServer:
    """Start the TikTok sandbox on a background thread (port 0: any free port)."""
    return TikTokSandboxServer(world, host, port)
