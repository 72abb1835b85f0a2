"""A local stand-in for Apple's OAuth token endpoint and the Search Ads v5 REST API.

`serve(world)` starts it on a background thread. It verifies the ES256 client secret against the
sandbox public key, issues bearer tokens, and answers `/api/v5/acls`, `/api/v5/campaigns` and the
campaign / ad-group reports from the shared World, read on every request. Per-org faults come from
`world.faults_of(org_id)`: rate_limit (429 with Retry-After for the first 2 calls of each distinct
request), server_error (500 once per distinct request), slow (0.3 s), malformed (a
`localSpend.amount` that is not a number) and expired_token (401 on every call).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from connectors.sandbox.apple_search_ads import reports
from connectors.sandbox.apple_search_ads import world as apple_sandbox
from connectors.sandbox.apple_search_ads.reports import ApiProblem, error_body
from connectors.sandbox.background import BackgroundServer
from connectors.sandbox.generator import SandboxAccount, World

TOKEN_PATH = "/auth/oauth2/token"
AUDIENCE = "https://appleid.apple.com"
MAX_SECRET_LIFETIME = dt.timedelta(days=180)
RATE_LIMITED_CALLS = 2
RETRY_AFTER_SECONDS = 1
SLOW_SECONDS = 0.3
log = logging.getLogger(__name__)
_ADGROUP_REPORT = re.compile(r"/api/v5/reports/campaigns/(\d+)/adgroups")


@dataclass(frozen=True)
class SeenRequest:
    """A request the sandbox received (secrets left out)."""

    method: str
    path: str
    org_id: str | None
    body: Any
    status: int
    #: The client's (host, port): the same for requests sent on one kept-alive connection.
    peer: tuple[str, int] | None = None


Answer = tuple[int, dict[str, str], Any]


class AppleSandboxServer(BackgroundServer):
    """The running server; `.url`, `.endpoints_kwargs()`, `.stop()`, and test hooks."""

    def __init__(self, world: World, host: str, port: int, token_lifetime: int = 3600) -> None:
        self.world = world
        #: Seconds the issued access tokens are valid (lower it to exercise expiry).
        self.token_lifetime = token_lifetime
        self.requests: list[SeenRequest] = []
        self._tokens: dict[str, float] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        super().__init__(_handler_for(self), host, port, "apple-sandbox")

    def endpoints_kwargs(self) -> dict[str, str]:
        return {"apple_api_url": self.url, "apple_token_url": self.url + TOKEN_PATH}

    # -- test hooks ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the request log and the per-request fault counters."""
        with self._lock:
            self.requests.clear()
            self._counts.clear()

    def revoke_tokens(self) -> None:
        """Invalidate every access token issued so far (as if Apple revoked them)."""
        with self._lock:
            self._tokens.clear()

    def calls(self, path: str | None = None, method: str | None = None) -> list[SeenRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (path is None or r.path == path) and (method is None or r.method == method)
            ]

    # -- request handling ----------------------------------------------------------------------

    def answer(
        self,
        method: str,
        target: str,
        headers: Any,
        raw_body: bytes,
        peer: tuple[str, int] | None = None,
    ) -> Answer:
        url = urlsplit(target)
        path = url.path
        org_id = _org_context(headers.get("X-AP-Context"))
        body: Any = None
        if method == "POST" and path == TOKEN_PATH:
            status, extra, payload = self._token(raw_body)
        else:
            try:
                body = json.loads(raw_body) if raw_body else None
                status, extra, payload = self._api(method, path, url.query, headers, org_id, body)
            except json.JSONDecodeError:
                status, extra, payload = (
                    400,
                    {},
                    error_body("INVALID_JSON_REQUEST", "the body is not JSON"),
                )
            except ApiProblem as problem:
                status, extra, payload = problem.status, {}, problem.body()
        with self._lock:
            self.requests.append(SeenRequest(method, path, org_id, body, status, peer))
        return status, extra, payload

    def _token(self, raw_body: bytes) -> Answer:
        form = {k: v[0] for k, v in parse_qs(raw_body.decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {}, {"error": "unsupported_grant_type"}
        if form.get("scope") != "searchadsorg":
            return 400, {}, {"error": "invalid_scope"}
        if form.get("client_id") != apple_sandbox.CLIENT_ID or not _valid_client_secret(
            form.get("client_secret", "")
        ):
            return 400, {}, {"error": "invalid_client"}
        token = "sandbox-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.time() + self.token_lifetime
        return (
            200,
            {},
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime},
        )

    def _api(
        self, method: str, path: str, query: str, headers: Any, org_id: str | None, body: Any
    ) -> Answer:
        if not self._token_valid(headers.get("Authorization", "")):
            return _unauthorized()
        if method == "GET" and path == "/api/v5/acls":
            return 200, {}, reports.acls_payload(self.world)
        account = self._account(org_id)
        faults = self.world.faults_of(account.external_id)
        if "expired_token" in faults:
            return _unauthorized()
        if "slow" in faults:
            time.sleep(SLOW_SECONDS)
        key = f"{method} {path} {org_id} {query} {json.dumps(body, sort_keys=True)}"
        if "rate_limit" in faults and self._count("rate_limit", key) <= RATE_LIMITED_CALLS:
            return (
                429,
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
                error_body("TOO_MANY_REQUESTS", "Too many requests. Try again later."),
            )
        if "server_error" in faults and self._count("server_error", key) == 1:
            return 500, {}, error_body("INTERNAL_ERROR", "Internal server error")
        malformed = "malformed" in faults
        if method == "GET" and path == "/api/v5/campaigns":
            params = parse_qs(query)
            offset = _int_param(params, "offset", 0)
            limit = _int_param(params, "limit", reports.DEFAULT_LIMIT)
            return 200, {}, reports.campaigns_payload(self.world, account, offset, limit)
        if method == "POST" and path == "/api/v5/reports/campaigns":
            report = reports.parse_report_query(body, id_fields=("campaignId",))
            return 200, {}, reports.report_payload(self.world, account, report, malformed=malformed)
        match = _ADGROUP_REPORT.fullmatch(path)
        if method == "POST" and match:
            campaign_id = match.group(1)
            if campaign_id not in {c.campaign_id for c in self.world.campaigns(account)}:
                raise ApiProblem(
                    404, "NOT_FOUND", f"campaign {campaign_id} not found", "campaignId"
                )
            report = reports.parse_report_query(body, id_fields=("adGroupId", "campaignId"))
            return (
                200,
                {},
                reports.report_payload(
                    self.world, account, report, campaign_id=campaign_id, malformed=malformed
                ),
            )
        raise ApiProblem(404, "NOT_FOUND", f"no resource {method} {path}")

    def _token_valid(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            expiry = self._tokens.get(token)
        return scheme == "Bearer" and expiry is not None and time.time() < expiry

    def _account(self, org_id: str | None) -> SandboxAccount:
        if org_id is None:
            raise ApiProblem(
                400,
                "INVALID_INPUT",
                "the X-AP-Context header (orgId=…) is required",
                "X-AP-Context",
            )
        for account in self.world.accounts_of(reports.PLATFORM):
            if account.external_id == org_id:
                return account
        raise ApiProblem(403, "FORBIDDEN", f"no access to org {org_id}", "X-AP-Context")

    def _count(self, fault: str, key: str) -> int:
        with self._lock:
            self._counts[(fault, key)] += 1
            return self._counts[(fault, key)]


def _valid_client_secret(secret: str) -> bool:
    """Apple's checks: ES256 signature, kid, sub = client id, iss = team id, aud, exp ≤ 180 d."""
    try:
        header = jwt.get_unverified_header(secret)
        claims = jwt.decode(
            secret,
            apple_sandbox.public_key_pem(),
            algorithms=["ES256"],
            audience=AUDIENCE,
            issuer=apple_sandbox.TEAM_ID,
            options={"require": ["sub", "iss", "aud", "iat", "exp"]},
        )
    except jwt.PyJWTError:
        return False
    lifetime = dt.timedelta(seconds=int(claims["exp"]) - int(claims["iat"]))
    return (
        header.get("alg") == "ES256"
        and header.get("kid") == apple_sandbox.KEY_ID
        and claims.get("sub") == apple_sandbox.CLIENT_ID
        and lifetime <= MAX_SECRET_LIFETIME
    )


def _unauthorized() -> Answer:
    return 401, {}, error_body("UNAUTHORIZED", "Invalid credentials")


def _org_context(value: str | None) -> str | None:
    match = re.fullmatch(r"\s*orgId=(\d+)\s*", value or "")
    return match.group(1) if match else None


def _int_param(params: dict[str, list[str]], name: str, default: int) -> int:
    values = params.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        raise ApiProblem(400, "INVALID_INPUT", f"{name} must be an integer", name) from None


def _handler_for(server: AppleSandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._respond("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._respond("POST")

        def _respond(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                status, extra, payload = server.answer(
                    method, self.path, self.headers, raw, self.client_address[:2]
                )
            except Exception as exc:  # noqa: BLE001 - a sandbox bug must still answer
                log.exception("apple sandbox failed on %s %s", method, self.path)
                status, extra = 500, {}
                payload = error_body("INTERNAL_ERROR", f"sandbox error: {type(exc).__name__}")
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # quiet: tests and the demo do not want an access log on stderr

    return Handler


def serve(
    world: World, host: str = "127.0.0.1", port: int = 0, *, token_lifetime: int = 3600
) -> AppleSandboxServer:
    """Start the Apple sandbox on a background thread (port 0: any free port)."""
    return AppleSandboxServer(world, host, port, token_lifetime=token_lifetime)
