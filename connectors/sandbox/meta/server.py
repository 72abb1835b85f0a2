"""A local Graph API (v26.0) for the Meta connector, fed by the sandbox `World`.

Speaks the wire format the `facebook-business` SDK expects: `/me/adaccounts`,
`/act_<id>/insights` (GET with cursor paging, POST for async report runs), `/<report_run_id>/`
and `/<report_run_id>/insights`, and `/debug_token`. Every answer carries usage headers; errors
come in Graph's `{"error": {...}}` format. Faults set on the World per account are honoured:
rate_limit, server_error, slow, malformed and expired_token.

Answer modes beside the World (they change no World numbers): `limit_sync` makes synchronous
insights over more than N days time out and pages over a row limit answer "reduce the amount of
data" (Meta's documented errors, see faults.py); `set_attribution_setting` sets the attribution
setting of an account's ad sets, which is what each action's `value` counts (the per-window fields
asked for with `action_attribution_windows` do not depend on it).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from connectors.sandbox.generator import SandboxAccount, World
from connectors.sandbox.meta.faults import (
    RATE_LIMITED_ANSWERS,
    SLOW_SECONDS,
    SYNC_TIMEOUTS,
    break_page,
    rate_limited_error,
    server_error,
    sync_timeout_error,
    too_much_data_error,
    usage_headers,
)
from connectors.sandbox.meta.graph import (
    ACCOUNT_FIELDS,
    ATTRIBUTION_SETTINGS,
    DEFAULT_SETTING,
    GraphError,
    InsightsQuery,
    account_node,
    field_list,
    insight_rows,
    invalid_parameter,
    page_of,
    parse_insights_query,
    unknown_object,
)
from connectors.sandbox.meta.tokens import check_token, debug_token, expired_error

_VERSIONED = re.compile(r"^/(v\d+\.\d+)/(.*?)/?$")
_SECRET_PARAMS = ("access_token", "appsecret_proof", "input_token")


@dataclass
class RecordedRequest:
    """One request the sandbox received (secrets removed)."""

    method: str
    path: str
    params: dict[str, str]
    status: int = 0


@dataclass
class ReportRun:
    """An async insights job."""

    run_id: str
    account: SandboxAccount
    query: InsightsQuery
    polls: int = 0
    status: str = "Job Not Started"


@dataclass
class _State:
    world: World
    base_url: str = ""
    started: float = field(default_factory=time.time)
    log: list[RecordedRequest] = field(default_factory=list)
    seen: Counter = field(default_factory=Counter)
    calls_per_account: Counter = field(default_factory=Counter)
    runs: dict[str, ReportRun] = field(default_factory=dict)
    run_ids: itertools.count = field(default_factory=lambda: itertools.count(6_120_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)
    async_polls_before_done: int = 1
    async_fail_over_days: int | None = None
    async_stall_over_days: int | None = None
    usage_pct: int | None = None
    sync_max_days: int | None = None
    sync_timeout_code: int = 100
    max_page_limit: int | None = None
    attribution_settings: dict[str, str] = field(default_factory=dict)
    row_cache: dict[tuple, list[dict[str, Any]]] = field(default_factory=dict)

    def rows(self, account: SandboxAccount, query: InsightsQuery) -> list[dict[str, Any]]:
        """Insights rows, cached per world state (so paging does not recompute them)."""
        world = self.world
        setting = self.attribution_settings.get(account.external_id, DEFAULT_SETTING)
        key = (
            account.external_id,
            query,
            world.seed,
            world.revision,
            world.account_today(account),
            setting,
        )
        with self.lock:
            cached = self.row_cache.get(key)
        if cached is None:
            cached = insight_rows(world, account, query, setting)
            with self.lock:
                if len(self.row_cache) >= 64:
                    self.row_cache.clear()
                self.row_cache[key] = cached
        return cached


class SandboxServer:
    """A running sandbox Graph API; `url` goes into `Endpoints.meta_graph_url`."""

    def __init__(self, httpd: ThreadingHTTPServer, state: _State) -> None:
        self._httpd = httpd
        self._state = state
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="meta-sandbox", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return self._state.base_url

    @property
    def world(self) -> World:
        return self._state.world

    def endpoints_kwargs(self) -> dict[str, str]:
        return {"meta_graph_url": self.url}

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received since the last `reset()`, oldest first."""
        with self._state.lock:
            return list(self._state.log)

    def calls(self, path_part: str = "") -> list[RecordedRequest]:
        return [r for r in self.requests if path_part in r.path]

    def configure_async(
        self,
        *,
        polls_before_done: int = 1,
        fail_over_days: int | None = None,
        stall_over_days: int | None = None,
    ) -> None:
        """How report runs behave: polls answering "Job Running" before completion; runs
        spanning more days than `fail_over_days` end "Job Failed", more than `stall_over_days`
        never finish."""
        with self._state.lock:
            self._state.async_polls_before_done = polls_before_done
            self._state.async_fail_over_days = fail_over_days
            self._state.async_stall_over_days = stall_over_days

    def limit_sync(
        self,
        *,
        max_days: int | None = None,
        timeout_code: int = 100,
        max_page_limit: int | None = None,
    ) -> None:
        """Synchronous campaign / ad insights over more than `max_days` days time out (code
        100 subcode 1504018, or code 2 subcode 1504038); insights pages asked with a `limit` above
        `max_page_limit` answer code 1 "reduce the amount of data". None: no such limit."""
        if timeout_code not in SYNC_TIMEOUTS:
            raise ValueError(f"timeout_code must be one of {sorted(SYNC_TIMEOUTS)}")
        with self._state.lock:
            self._state.sync_max_days = max_days
            self._state.sync_timeout_code = timeout_code
            self._state.max_page_limit = max_page_limit

    def set_attribution_setting(self, account_id: str, setting: str) -> None:
        """The attribution setting of the account's ad sets: what each action's `value` counts."""
        if setting not in ATTRIBUTION_SETTINGS:
            raise ValueError(f"setting must be one of {sorted(ATTRIBUTION_SETTINGS)}")
        with self._state.lock:
            self._state.attribution_settings[account_id] = setting

    def force_usage(self, pct: int | None) -> None:
        """Report `pct` percent usage on successful ad-account answers (None: the normal, low
        usage)."""
        with self._state.lock:
            self._state.usage_pct = pct

    def reset(self) -> None:
        """Forget logged requests, fault counters, report runs, async, usage, sync limits and
        attribution settings."""
        with self._state.lock:
            self._state.log.clear()
            self._state.seen.clear()
            self._state.runs.clear()
            self._state.usage_pct = None
            self._state.attribution_settings.clear()
        self.configure_async()
        self.limit_sync()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def serve(world: World, host: str = "127.0.0.1", port: int = 0) -> SandboxServer:
    """Start the sandbox Graph API in a background thread."""
    state = _State(world=world)
    httpd = ThreadingHTTPServer((host, port), _Handler)
    httpd.daemon_threads = True
    httpd.state = state  # type: ignore[attr-defined]
    state.base_url = f"http://{host}:{httpd.server_address[1]}"
    return SandboxServer(httpd, state)


# --- request handling -------------------------------------------------------------------------


class _Answer(Exception):
    """Raised to send an error answer with usage headers."""

    def __init__(self, error: GraphError, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.headers = dict(headers or {})


class _Handler(BaseHTTPRequestHandler):
    server_version = "SandboxGraph/26.0"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the request log is kept in memory, never with tokens."""

    @property
    def state(self) -> _State:
        return self.server.state  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params.update(parse_qsl(body, keep_blank_values=True))
        authorization = self.headers.get("Authorization", "")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and credential:
            params["access_token"] = credential.strip()
        record = RecordedRequest(
            method, parts.path, {k: v for k, v in params.items() if k not in _SECRET_PARAMS}
        )
        with self.state.lock:
            self.state.log.append(record)
        fbtrace_id = secrets.token_urlsafe(8)
        try:
            status, body, headers = _route(self.state, method, parts.path, params)
        except _Answer as answer:
            status, body, headers = (
                answer.error.status,
                answer.error.body(fbtrace_id),
                answer.headers,
            )
        except GraphError as error:
            status, body, headers = error.status, error.body(fbtrace_id), {}
        record.status = status
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-fb-trace-id", fbtrace_id)
        for name, value in (headers or usage_headers(None, 1)).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _route(
    state: _State, method: str, path: str, params: dict[str, str]
) -> tuple[int, dict[str, Any], dict[str, str]]:
    match = _VERSIONED.match(path)
    if not match:
        raise unknown_object(path.strip("/") or "/", method.lower())
    version, rest = match.groups()
    if rest == "debug_token" and method == "GET":
        return 200, debug_token(params, state.started), usage_headers(None, 1)
    check_token(params)
    if rest == "me/adaccounts" and method == "GET":
        return 200, _ad_accounts(state, version, rest, params), usage_headers(None, 2)
    if m := re.fullmatch(r"(act_\d+)/insights", rest):
        account = _account(state, m.group(1), method)
        return _account_call(state, account, method, rest, params, version)
    if m := re.fullmatch(r"(\d+)(/insights)?", rest):
        run = state.runs.get(m.group(1))
        if run is None or method != "GET":
            raise unknown_object(m.group(1), method.lower())
        return _account_call(state, run.account, method, rest, params, version, run)
    raise unknown_object(rest.split("/")[0], method.lower())


def _account(state: _State, account_id: str, method: str) -> SandboxAccount:
    try:
        account = state.world.account(account_id)
    except KeyError:
        raise unknown_object(account_id, method.lower()) from None
    if account.platform != "meta":
        raise unknown_object(account_id, method.lower())
    return account


def _ad_accounts(state: _State, version: str, rest: str, params: dict[str, str]) -> dict:
    fields = field_list(params)
    if any(f not in ACCOUNT_FIELDS for f in fields):
        raise invalid_parameter("Tried accessing nonexisting field on node type (AdAccount)")
    nodes = [account_node(a, fields) for a in state.world.accounts_of("meta")]
    return page_of(nodes, params, _next_url(state, version, rest, params), default_limit=25)


def _next_url(state: _State, version: str, rest: str, params: Mapping[str, str]) -> Any:
    public = {k: v for k, v in params.items() if k not in _SECRET_PARAMS and k != "after"}
    return lambda after: (
        f"{state.base_url}/{version}/{rest}?{urlencode({**public, 'after': after})}"
    )


def _account_call(
    state: _State,
    account: SandboxAccount,
    method: str,
    rest: str,
    params: dict[str, str],
    version: str,
    run: ReportRun | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """An ad-account-scoped call: faults first, then the answer."""
    faults = state.world.faults_of(account.external_id)
    key = (
        method,
        rest,
        tuple(sorted((k, v) for k, v in params.items() if k not in _SECRET_PARAMS)),
    )
    with state.lock:
        state.calls_per_account[account.external_id] += 1
        pct = state.usage_pct or 3 + state.calls_per_account[account.external_id] % 17
    if "expired_token" in faults:
        raise _Answer(expired_error(), usage_headers(account, pct))
    if "slow" in faults:
        time.sleep(SLOW_SECONDS)
    if "rate_limit" in faults:
        with state.lock:
            state.seen[("rate_limit", key)] += 1
            count = state.seen[("rate_limit", key)]
        if count <= RATE_LIMITED_ANSWERS:
            raise _Answer(rate_limited_error(count), usage_headers(account, 100, regain_minutes=1))
    if "server_error" in faults:
        with state.lock:
            state.seen[("server_error", key)] += 1
            first = state.seen[("server_error", key)] == 1
        if first:
            raise _Answer(server_error(), usage_headers(account, pct))
    headers = usage_headers(account, pct)
    if method == "GET" and (run is None or rest.endswith("/insights")):
        _check_size(state, run, params, headers)
    if run is not None:
        if rest.endswith("/insights"):
            return 200, _run_results(state, run, rest, params, version), headers
        return 200, _poll(state, run, params), headers
    today = state.world.account_today(account)
    query = parse_insights_query(params, today)
    if method == "POST":
        run_id = str(next(state.run_ids))
        with state.lock:
            state.runs[run_id] = ReportRun(run_id, account, query)
        return 200, {"report_run_id": run_id}, headers
    body = page_of(
        state.rows(account, query),
        params,
        _next_url(state, version, rest, params),
        default_limit=25,
    )
    return 200, break_page(body) if "malformed" in faults else body, headers


def _check_size(
    state: _State, run: ReportRun | None, params: Mapping[str, str], headers: dict[str, str]
) -> None:
    """The answer to an insights page too large for the `limit_sync` limits, if it is."""
    limit = params.get("limit", "")
    if state.max_page_limit is not None and limit.isdigit() and int(limit) > state.max_page_limit:
        raise _Answer(too_much_data_error(), headers)
    # Account-level totals stay cheap on a large account: only campaign / ad rows time out.
    if run is None and state.sync_max_days is not None and params.get("level") != "account":
        time_range = params.get("time_range")
        days = _range_days(time_range) if time_range else 30
        if days > state.sync_max_days:
            raise _Answer(sync_timeout_error(state.sync_timeout_code), headers)


def _range_days(time_range: str) -> int:
    try:
        value = json.loads(time_range)
        since = dt.date.fromisoformat(value["since"])
        until = dt.date.fromisoformat(value["until"])
    except (ValueError, KeyError, TypeError):
        return 0  # the query parser answers the bad parameter
    return (until - since).days + 1


def _poll(state: _State, run: ReportRun, params: Mapping[str, str]) -> dict[str, Any]:
    with state.lock:
        run.polls += 1
        days = run.query.days
        if state.async_stall_over_days is not None and days > state.async_stall_over_days:
            run.status, percent = "Job Running", 50
        elif state.async_fail_over_days is not None and days > state.async_fail_over_days:
            run.status, percent = "Job Failed", 0
        elif run.polls <= state.async_polls_before_done:
            run.status = "Job Running"
            percent = 100 * run.polls // (state.async_polls_before_done + 1)
        else:
            run.status, percent = "Job Completed", 100
    values: dict[str, Any] = {
        "id": run.run_id,
        "account_id": run.account.external_id.removeprefix("act_"),
        "async_status": run.status,
        "async_percent_completion": percent,
        "date_start": run.query.since.isoformat(),
        "date_stop": run.query.until.isoformat(),
    }
    if run.status == "Job Failed":  # the reason Graph v25+ gives (insights error-code table)
        values.update(
            error_code=-2,
            error_subcode=2490547,
            error_message="Generating the report failed. Try again later.",
            error_user_title="Report Failed",
        )
    fields = field_list(params)
    node = {name: values[name] for name in fields if name in values}
    node["id"] = run.run_id
    return node


def _run_results(
    state: _State, run: ReportRun, rest: str, params: dict[str, str], version: str
) -> dict[str, Any]:
    if run.status != "Job Completed":
        raise invalid_parameter(f"Report run {run.run_id} is not complete ({run.status})")
    rows = state.rows(run.account, run.query)
    faults = state.world.faults_of(run.account.external_id)
    body = page_of(rows, params, _next_url(state, version, rest, params), default_limit=25)
    return break_page(body) if "malformed" in faults else body
