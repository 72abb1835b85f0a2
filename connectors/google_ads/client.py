"""The thin network layer: google-ads service clients on a channel we build, and GAQL streaming.

`GoogleAdsClient.get_service()` always opens its channel with the system's TLS roots. To trust the
sandbox's certificate without touching process-wide state (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH is
read once per process), `service_client()` does what `get_service()` does (google-ads 34) with one
difference: the channel gets `grpc.ssl_channel_credentials(root_certificates=...)` when
`Endpoints.google_ads_root_cert` is set. The library's own interceptors (metadata, logging,
exceptions) are attached as `get_service()` attaches them, so requests and errors look the same.
The same code path serves production (no root certificate: system roots).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import import_module
from typing import Any, TypeVar

import grpc
from google.ads.googleads.client import GoogleAdsClient
from google.ads.googleads.interceptors import (
    ExceptionInterceptor,
    LoggingInterceptor,
    MetadataInterceptor,
)
from google.ads.googleads.util import convert_upper_case_to_snake_case
from google.api_core.gapic_v1.client_info import ClientInfo
from google.oauth2.credentials import Credentials

from connectors.errors import ConnectorError
from connectors.google_ads.errors import API_VERSION, PLATFORM, to_connector_error

log = logging.getLogger(__name__)
#: The channel options google-ads uses (large metadata for GoogleAdsFailure, big messages).
CHANNEL_OPTIONS = [
    ("grpc.max_metadata_size", 16 * 1024 * 1024),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
]
STREAM_TIMEOUT = 600.0
UNARY_TIMEOUT = 60.0
T = TypeVar("T")


def build_ads_client(
    access_token: str, developer_token: str, endpoint: str, login_customer_id: str | None
) -> GoogleAdsClient:
    """A GoogleAdsClient on an already minted token (nothing is refreshed at construction)."""
    return GoogleAdsClient(
        credentials=Credentials(token=access_token),
        developer_token=developer_token,
        endpoint=endpoint,
        login_customer_id=login_customer_id,
        use_proto_plus=True,
        version=API_VERSION,
    )


def service_client(client: GoogleAdsClient, name: str, root_cert: bytes | None) -> Any:
    """`client.get_service(name)`, on a channel that trusts `root_cert` (None: system roots)."""
    module = import_module(
        f"google.ads.googleads.{API_VERSION}.services.services."
        f"{convert_upper_case_to_snake_case(name)}"
    )
    client_class = getattr(module, f"{name}Client")
    transport_class = client_class.get_transport_class("grpc")
    ssl = grpc.ssl_channel_credentials(root_certificates=root_cert) if root_cert else None
    channel = transport_class.create_channel(
        host=client.endpoint,
        credentials=client.credentials,
        ssl_credentials=ssl,
        options=CHANNEL_OPTIONS,
    )
    channel = grpc.intercept_channel(
        channel,
        MetadataInterceptor(
            client.developer_token, client.login_customer_id, client.linked_customer_id
        ),
        LoggingInterceptor(
            logging.getLogger("google.ads.googleads.client"), API_VERSION, client.endpoint
        ),
        ExceptionInterceptor(API_VERSION, use_proto_plus=True),
    )
    transport = transport_class(channel=channel, client_info=ClientInfo())
    return client_class(transport=transport)


def call_platform(fn: Callable[[], T]) -> T:
    """Run one platform call, turning the google-ads stack's exceptions into ours."""
    try:
        return fn()
    except ConnectorError:
        raise
    except Exception as exc:
        mapped = to_connector_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


class AdsApi:
    """Service clients for one access token, per login customer id; `.close()` their channels."""

    def __init__(
        self,
        access_token: str,
        developer_token: str,
        endpoint: str,
        root_cert: bytes | None,
    ) -> None:
        self.access_token = access_token
        self._developer_token = developer_token
        self._endpoint = endpoint
        self._root_cert = root_cert
        self._services: dict[tuple[str | None, str], Any] = {}

    def service(self, name: str, login_customer_id: str | None) -> Any:
        key = (login_customer_id, name)
        if key not in self._services:
            client = build_ads_client(
                self.access_token, self._developer_token, self._endpoint, login_customer_id
            )
            self._services[key] = service_client(client, name, self._root_cert)
        return self._services[key]

    def accessible_customers(self) -> list[str]:
        """Resource names ("customers/123") the user can reach directly."""
        service = self.service("CustomerService", None)
        response = call_platform(lambda: service.list_accessible_customers(timeout=UNARY_TIMEOUT))
        return list(response.resource_names)

    def search_stream(
        self, customer_id: str, query: str, login_customer_id: str | None
    ) -> list[Any]:
        """All GoogleAdsRows of one GAQL query (every batch of the stream), as one unit to retry.

        A stream that breaks part-way is re-run from the start by the caller's retry policy, so
        rows are materialized here and never yielded twice.
        """
        service = self.service("GoogleAdsService", login_customer_id)

        def run() -> list[Any]:
            rows: list[Any] = []
            stream = service.search_stream(
                customer_id=customer_id, query=query, timeout=STREAM_TIMEOUT
            )
            for batch in stream:
                rows.extend(batch.results)
            return rows

        return call_platform(run)

    def close(self) -> None:
        for service in self._services.values():
            try:
                service.transport.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                log.debug("closing a %s channel failed", PLATFORM)
        self._services.clear()
