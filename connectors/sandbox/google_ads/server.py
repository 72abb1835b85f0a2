"""The Google Ads sandbox: a gRPC server speaking Google Ads API v26, and its OAuth token endpoint.

The gRPC server has no generated servicer: generic handlers for
`google.ads.googleads.v26.services.GoogleAdsService` (SearchStream, Search) and
`...CustomerService` (ListAccessibleCustomers) (de)serialize with the google-ads package's own
proto-plus types, so the official client talks to it unchanged. It serves TLS with a self-signed
certificate for `localhost`, generated at start; the client trusts it through
`Endpoints.google_ads_root_cert`.

Requests must carry `authorization: Bearer <token issued by the token endpoint>` and
`developer-token`; a client account is reachable only with its manager's id in
`login-customer-id` (the sandbox user has direct access to the manager only). Failures carry a
`GoogleAdsFailure` in the `google.ads.googleads.v26.errors.googleadsfailure-bin` trailer, as the
real API does, so the client raises `GoogleAdsException` (or, for RESOURCE_EXHAUSTED, the
api-core `ResourceExhausted`).

Answer modes beside the World (they change no numbers): `add_customer` adds a customer Google
refuses (status CANCELED, SUSPENDED, CLOSED or not yet ENABLED), directly accessible or a client of
a manager; every call about it answers PERMISSION_DENIED with authorization_error
CUSTOMER_NOT_ENABLED, as the real API does, and a manager's `customer_client` rows list it with its
status. `relabel_countries` reports a World country as another country's geo target constant.

Faults per client account (World.set_faults): rate_limit → RESOURCE_EXHAUSTED with a retry delay
for the first 2 calls of each distinct query; server_error → UNAVAILABLE once per distinct query;
slow → 0.3 s per call; malformed → the first row lacks `segments.date` (or, for a query without
dates, has a negative cost); expired_token → UNAUTHENTICATED, OAUTH_TOKEN_EXPIRED.

The token endpoint (`POST /token`, like https://oauth2.googleapis.com/token) runs beside it in a
thread; it and the certificate live in auth.py.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.ads.googleads.v26.services.types import customer_service, google_ads_service

from connectors.sandbox.generator import World
from connectors.sandbox.google_ads import world as google_sandbox
from connectors.sandbox.google_ads.auth import TokenIssuer, make_self_signed_cert, token_http_server
from connectors.sandbox.google_ads.gaql import GaqlError, parse
from connectors.sandbox.google_ads.rows import (
    MANAGERS,
    PLATFORM,
    ExtraCustomer,
    check,
    customer_client_rows,
    metric_rows,
)

API_VERSION = "v26"
FAILURE_KEY = f"google.ads.googleads.{API_VERSION}.errors.googleadsfailure-bin"
RETRY_DELAY_SECONDS = 1
_SERVICES = f"google.ads.googleads.{API_VERSION}.services"


class _Abort(Exception):
    """A failure to answer with: gRPC status, message and the GoogleAdsFailure errors."""

    def __init__(self, code: grpc.StatusCode, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors


def _auth_abort(kind: str, reason: str, message: str) -> _Abort:
    code = (
        grpc.StatusCode.UNAUTHENTICATED
        if kind == "authentication_error"
        else grpc.StatusCode.PERMISSION_DENIED
    )
    return _Abort(code, message, [{"error_code": {kind: reason}, "message": message}])


@dataclass(frozen=True)
class RecordedCall:
    """One gRPC call the sandbox answered (tests count these)."""

    method: str
    customer_id: str
    query: str
    status: str
    rows: int = 0
    batches: int = 0
    login_customer_id: str | None = None


class GoogleAdsSandbox:
    """The gRPC services' state: issued tokens, fault counters and the call log."""

    def __init__(self, world: World, batch_size: int) -> None:
        self.world = world
        self.batch_size = batch_size
        self.tokens = TokenIssuer()
        self.calls: list[RecordedCall] = []
        self.extra_customers: dict[str, ExtraCustomer] = {}
        self.country_labels: dict[str, str] = {}
        self._attempts: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()

    def reset_fault_counters(self) -> None:
        """Forget which queries already had their rate limits / server errors."""
        with self._lock:
            self._attempts.clear()

    def accessible_customer_ids(self) -> list[str]:
        """What ListAccessibleCustomers answers: the managers and the directly added customers."""
        direct = [c.customer_id for c in self.extra_customers.values() if c.manager_id is None]
        return sorted({*MANAGERS, *direct})

    # -- gRPC ---------------------------------------------------------------------------------

    def _authenticate(self, metadata: dict[str, str]) -> None:
        header = metadata.get("authorization", "")
        if not header.startswith("Bearer "):
            raise _auth_abort(
                "authentication_error",
                "AUTHENTICATION_ERROR",
                "Authentication of the request failed: no OAuth access token was sent.",
            )
        state = self.tokens.state_of(header.removeprefix("Bearer "))
        if state == "unknown":
            raise _auth_abort(
                "authentication_error",
                "OAUTH_TOKEN_INVALID",
                "Oauth token in the header is not valid.",
            )
        if state == "expired":
            raise _auth_abort(
                "authentication_error",
                "OAUTH_TOKEN_EXPIRED",
                "The OAuth token in the header has expired.",
            )
        if metadata.get("developer-token") != google_sandbox.DEVELOPER_TOKEN:
            raise _auth_abort(
                "authentication_error",
                "DEVELOPER_TOKEN_INVALID",
                "The developer token is not valid.",
            )

    def _authorize(self, customer_id: str, login_customer_id: str | None) -> None:
        extra = self.extra_customers.get(customer_id)
        if extra is not None:
            if extra.manager_id is None:
                allowed = login_customer_id in (None, customer_id)
            else:
                allowed = login_customer_id == extra.manager_id
            if allowed:
                if extra.status != "ENABLED":
                    raise _auth_abort(
                        "authorization_error",
                        "CUSTOMER_NOT_ENABLED",
                        "The customer can't be used because it isn't enabled.",
                    )
                return
        elif customer_id in MANAGERS:
            if login_customer_id in (None, customer_id):
                return
        else:
            try:
                account = self.world.account(customer_id)
            except KeyError:
                account = None
            if (
                account is not None
                and account.platform == PLATFORM
                and login_customer_id == account.manager_id
            ):
                return
        raise _auth_abort(
            "authorization_error",
            "USER_PERMISSION_DENIED",
            "User doesn't have permission to access customer. Note: If you're accessing a "
            "client customer, the manager's customer id must be set in the "
            "'login-customer-id' header.",
        )

    def _faults(self, customer_id: str, query: str) -> None:
        faults = self.world.faults_of(customer_id)
        if "slow" in faults:
            time.sleep(0.3)
        if "expired_token" in faults:
            raise _auth_abort(
                "authentication_error",
                "OAUTH_TOKEN_EXPIRED",
                "The OAuth token in the header has expired.",
            )
        for fault in ("rate_limit", "server_error"):
            if fault not in faults:
                continue
            with self._lock:
                self._attempts[(fault, customer_id, query)] += 1
                attempt = self._attempts[(fault, customer_id, query)]
            if fault == "rate_limit" and attempt <= 2:
                message = f"Too many requests. Retry in {RETRY_DELAY_SECONDS} seconds."
                raise _Abort(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    message,
                    [
                        {
                            "error_code": {"quota_error": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                            "message": message,
                            "details": {
                                "quota_error_details": {
                                    "rate_scope": "DEVELOPER",
                                    "rate_name": "Requests per developer per minute",
                                    "retry_delay": {"seconds": RETRY_DELAY_SECONDS},
                                }
                            },
                        }
                    ],
                )
            if fault == "server_error" and attempt == 1:
                message = "The service is currently unavailable."
                raise _Abort(
                    grpc.StatusCode.UNAVAILABLE,
                    message,
                    [
                        {
                            "error_code": {"internal_error": "TRANSIENT_ERROR"},
                            "message": "The request failed due to a transient error. Retry it.",
                        }
                    ],
                )

    def _rows(self, customer_id: str, text: str) -> list[dict[str, Any]]:
        try:
            query = parse(text)
            dates = check(query, is_manager=customer_id in MANAGERS)
            if query.resource == "customer_client":
                extra = tuple(self.extra_customers.values())
                return customer_client_rows(self.world, customer_id, query, extra)
            assert dates is not None
            account = self.world.account(customer_id)
            rows = metric_rows(self.world, account, query, dates, self.country_labels)
        except GaqlError as exc:
            raise _Abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                "Request contains an invalid argument.",
                [{"error_code": {"query_error": exc.code}, "message": exc.message}],
            ) from None
        if rows and "malformed" in self.world.faults_of(customer_id):
            if "segments.date" in query.fields:
                del rows[0]["segments"]["date"]
            elif "metrics.cost_micros" in query.fields:
                rows[0]["metrics"]["cost_micros"] = -1_230_000
        return rows

    def _record(self, call: RecordedCall) -> None:
        with self._lock:
            self.calls.append(call)

    def _run(
        self,
        method: str,
        context: grpc.ServicerContext,
        customer_id: str,
        query: str,
        answer: Any,
    ) -> Any:
        """Check credentials and faults, then compute `answer()`; abort with a failure."""
        request_id = secrets.token_hex(11)
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        login = metadata.get("login-customer-id")
        try:
            self._authenticate(metadata)
            if customer_id:
                self._authorize(customer_id, login)
                self._faults(customer_id, query)
            result = answer()
        except _Abort as abort:
            self._record(RecordedCall(method, customer_id, query, abort.code.name, 0, 0, login))
            failure = GoogleAdsFailure({"errors": abort.errors, "request_id": request_id})
            context.set_trailing_metadata(
                (
                    (FAILURE_KEY, GoogleAdsFailure.serialize(failure)),
                    ("request-id", request_id),
                )
            )
            context.abort(abort.code, abort.message)
        context.set_trailing_metadata((("request-id", request_id),))
        return result, request_id, login

    def search_stream(
        self,
        request: google_ads_service.SearchGoogleAdsStreamRequest,
        context: grpc.ServicerContext,
    ) -> Iterator[google_ads_service.SearchGoogleAdsStreamResponse]:
        rows, request_id, login = self._run(
            "SearchStream",
            context,
            request.customer_id,
            request.query,
            lambda: self._rows(request.customer_id, request.query),
        )
        size = max(1, self.batch_size)
        batches = range(0, max(len(rows), 1), size)
        self._record(
            RecordedCall(
                "SearchStream",
                request.customer_id,
                request.query,
                "OK",
                len(rows),
                len(batches),
                login,
            )
        )
        for start in batches:
            yield google_ads_service.SearchGoogleAdsStreamResponse(
                results=rows[start : start + size], request_id=request_id
            )

    def search(
        self, request: google_ads_service.SearchGoogleAdsRequest, context: grpc.ServicerContext
    ) -> google_ads_service.SearchGoogleAdsResponse:
        """Unpaged Search (the API's page size is fixed at 10,000 rows; the sandbox sends all)."""
        rows, _, login = self._run(
            "Search",
            context,
            request.customer_id,
            request.query,
            lambda: self._rows(request.customer_id, request.query),
        )
        self._record(
            RecordedCall("Search", request.customer_id, request.query, "OK", len(rows), 1, login)
        )
        return google_ads_service.SearchGoogleAdsResponse(
            results=rows, total_results_count=len(rows)
        )

    def list_accessible_customers(
        self,
        request: customer_service.ListAccessibleCustomersRequest,
        context: grpc.ServicerContext,
    ) -> customer_service.ListAccessibleCustomersResponse:
        names, _, _ = self._run(
            "ListAccessibleCustomers",
            context,
            "",
            "",
            lambda: [f"customers/{cid}" for cid in self.accessible_customer_ids()],
        )
        self._record(RecordedCall("ListAccessibleCustomers", "", "", "OK", len(names), 1))
        return customer_service.ListAccessibleCustomersResponse(resource_names=names)

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        ads, customers = google_ads_service, customer_service
        return [
            grpc.method_handlers_generic_handler(
                f"{_SERVICES}.GoogleAdsService",
                {
                    "SearchStream": grpc.unary_stream_rpc_method_handler(
                        self.search_stream,
                        request_deserializer=ads.SearchGoogleAdsStreamRequest.deserialize,
                        response_serializer=ads.SearchGoogleAdsStreamResponse.serialize,
                    ),
                    "Search": grpc.unary_unary_rpc_method_handler(
                        self.search,
                        request_deserializer=ads.SearchGoogleAdsRequest.deserialize,
                        response_serializer=ads.SearchGoogleAdsResponse.serialize,
                    ),
                },
            ),
            grpc.method_handlers_generic_handler(
                f"{_SERVICES}.CustomerService",
                {
                    "ListAccessibleCustomers": grpc.unary_unary_rpc_method_handler(
                        self.list_accessible_customers,
                        request_deserializer=customers.ListAccessibleCustomersRequest.deserialize,
                        response_serializer=customers.ListAccessibleCustomersResponse.serialize,
                    ),
                },
            ),
        ]


class SandboxServer:
    """The running sandbox: gRPC on `.port` (TLS, `.url`), the token endpoint on `.token_port`."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        batch_size: int = 1000,
        token_port: int = 0,
        advertised_host: str = "localhost",
    ) -> None:
        self.sandbox = GoogleAdsSandbox(world, batch_size)
        self.advertised_host = advertised_host
        self._dir = Path(tempfile.mkdtemp(prefix="google-ads-sandbox-"))
        self.root_cert_path, cert_pem, key_pem = make_self_signed_cert(self._dir, advertised_host)
        self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self._grpc.add_generic_rpc_handlers(self.sandbox.handlers())
        creds = grpc.ssl_server_credentials([(key_pem, cert_pem)])
        self.port = self._grpc.add_secure_port(f"{host}:{port}", creds)
        self._grpc.start()
        self._http = token_http_server(self.sandbox.tokens, host, token_port)
        self.token_port = self._http.server_address[1]
        self._thread = threading.Thread(
            target=self._http.serve_forever, name="google-oauth-sandbox", daemon=True
        )
        self._thread.start()
        self.host = host

    @property
    def url(self) -> str:
        """The gRPC endpoint, by the name the certificate is for (`advertised_host`)."""
        return f"{self.advertised_host}:{self.port}"

    @property
    def token_url(self) -> str:
        host = self.advertised_host if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.token_port}/token"

    @property
    def calls(self) -> list[RecordedCall]:
        return self.sandbox.calls

    @property
    def batch_size(self) -> int:
        return self.sandbox.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.sandbox.batch_size = value

    @property
    def token_requests(self) -> int:
        """How many times the token endpoint was asked for a token."""
        return self.sandbox.tokens.requests

    def expire_access_tokens(self) -> None:
        self.sandbox.tokens.expire_all()

    def reset_fault_counters(self) -> None:
        self.sandbox.reset_fault_counters()

    def add_customer(
        self,
        customer_id: str,
        *,
        status: str = "CANCELED",
        manager_id: str | None = None,
        name: str | None = None,
    ) -> None:
        """Add a customer with no spend (see the module docstring); `manager_id` None makes
        it directly accessible to the sandbox user."""
        self.sandbox.extra_customers[customer_id] = ExtraCustomer(
            customer_id, name or f"Customer {customer_id}", status=status, manager_id=manager_id
        )

    def relabel_countries(self, labels: dict[str, str]) -> None:
        """Report each World country of `labels` as the country it maps to (alpha-2 codes)."""
        self.sandbox.country_labels = dict(labels)

    def reset_answer_modes(self) -> None:
        """Remove added customers and country relabelling."""
        self.sandbox.extra_customers.clear()
        self.sandbox.country_labels = {}

    def endpoints_kwargs(self) -> dict[str, str]:
        return {
            "google_ads_endpoint": self.url,
            "google_ads_root_cert": str(self.root_cert_path),
            "google_oauth_token_url": self.token_url,
        }

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._grpc.stop(grace=None).wait()
        shutil.rmtree(self._dir, ignore_errors=True)


def serve(
    world: World,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    batch_size: int = 1000,
    token_port: int = 0,
    advertised_host: str = "localhost",
) -> SandboxServer:
    """Start the Google Ads gRPC sandbox and its token endpoint in background threads.

    `advertised_host` is the name clients use (and the certificate is issued for); bind `host`
    to 0.0.0.0 and advertise the service name when the clients run in other containers.
    """
    return SandboxServer(
        world,
        host,
        port,
        batch_size=batch_size,
        token_port=token_port,
        advertised_host=advertised_host,
    )
