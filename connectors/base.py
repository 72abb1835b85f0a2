"""The connector interface and the shapes every connector returns.

A connector turns one platform's API into `SpendRow`s. It holds credentials (a dict validated
against `configuration_schema()`), the endpoints to talk to, and the shared retry policy.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from connectors.errors import ConfigurationError
from connectors.registry import endpoint_defaults, load, platform_spec
from connectors.retry import RetryPolicy

#: The value of an id or breakdown key at a level that does not exist for a row (never NULL,
#: so that the natural key of the fact tables stays unique).
NO_ID = "-"


class Level(StrEnum):
    """Granularity of a fetch: campaign totals, or the finest level the platform has."""

    CAMPAIGN = "campaign"
    AD = "ad"


class Breakdown(StrEnum):
    COUNTRY = "country"
    DEVICE = "device"


@dataclass(frozen=True, slots=True)
class SpendRow:
    """One day of one campaign (or ad) of one account, in the account's currency and time zone."""

    platform: str
    account_id: str
    date: dt.date
    currency: str
    campaign_id: str
    campaign_name: str
    spend: Decimal
    impressions: int = 0
    clicks: int = 0
    installs: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)
    ad_group_id: str = NO_ID
    ad_group_name: str = ""
    ad_id: str = NO_ID
    ad_name: str = ""
    country: str = NO_ID
    device: str = NO_ID
    attribution: str = ""

    @property
    def level(self) -> Level:
        return Level.CAMPAIGN if self.ad_group_id == NO_ID and self.ad_id == NO_ID else Level.AD


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An ad account as the platform describes it."""

    platform: str
    external_id: str
    name: str
    currency: str
    timezone: str
    manager_id: str | None = None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class AccountTotal:
    """Account-level totals for a window, used to reconcile stored campaign rows."""

    account_id: str
    start: dt.date
    end: dt.date
    currency: str
    spend: Decimal
    impressions: int
    clicks: int


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    message: str
    accounts: int = 0
    expires_at: dt.datetime | None = None
    #: Accounts the credentials reach but the platform refuses (cancelled, not yet enabled),
    #: each as "id: the platform's reason"; they are left out of `accounts`.
    skipped: tuple[str, ...] = ()


class Endpoints:
    """Where each platform lives, by endpoint setting (`PlatformSpec.endpoints`). Unset settings
    are the real platforms; the sandbox overrides them. Read as attributes
    (`endpoints.meta_graph_url`)."""

    def __init__(self, **overrides: str | None) -> None:
        defaults = endpoint_defaults()
        unknown = sorted(set(overrides) - set(defaults))
        if unknown:
            raise ConfigurationError(f"endpoints: unknown settings {', '.join(unknown)}")
        given = {name: value for name, value in overrides.items() if value is not None}
        self._values: dict[str, str | None] = {**defaults, **given}

    def __getattr__(self, name: str) -> str | None:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, str | None]:
        return dict(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Endpoints) and other._values == self._values

    def __repr__(self) -> str:
        return f"Endpoints({self._values!r})"


def validate_config(schema: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """Check `config` against a connector's JSON schema (required keys, types); return a copy.

    Raises ConfigurationError naming the first offending field.
    """
    props: Mapping[str, Any] = schema.get("properties", {})
    out: dict[str, Any] = {}
    for name in schema.get("required", []):
        value = config.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ConfigurationError(f"{name}: is required")
    for name, value in config.items():
        if name not in props:
            raise ConfigurationError(f"{name}: unknown field")
        kind = props[name].get("type", "string")
        if kind == "string" and not isinstance(value, str):
            raise ConfigurationError(f"{name}: must be a string")
        if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
            raise ConfigurationError(f"{name}: must be an integer")
        if kind == "boolean" and not isinstance(value, bool):
            raise ConfigurationError(f"{name}: must be true or false")
        pattern = props[name].get("pattern")
        if pattern and isinstance(value, str):
            import re

            if not re.fullmatch(pattern, value):
                raise ConfigurationError(f"{name}: does not match {pattern}")
        out[name] = value
    return out


class Connector(ABC):
    """Base class of a platform connector (cf. Redash's BaseQueryRunner)."""

    platform: ClassVar[str]
    breakdowns: ClassVar[tuple[Breakdown, ...]] = ()

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        endpoints: Endpoints | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.config = validate_config(self.configuration_schema(), config)
        self.endpoints = endpoints or Endpoints()
        self.retry = retry or RetryPolicy()

    @classmethod
    @abstractmethod
    def configuration_schema(cls) -> dict[str, Any]:
        """JSON schema of the configuration; `secret` lists the fields never shown again."""

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return tuple(cls.configuration_schema().get("secret", ()))

    @abstractmethod
    def test_connection(self) -> ConnectionCheck:
        """Authenticate and make one cheap call; never raises for a platform-side refusal."""

    @abstractmethod
    def list_accounts(self) -> list[AccountInfo]:
        """The ad accounts these credentials can read."""

    @abstractmethod
    def fetch_daily(
        self,
        account: AccountInfo,
        start: dt.date,
        end: dt.date,
        level: Level = Level.CAMPAIGN,
        breakdown: Breakdown | None = None,
    ) -> Iterator[SpendRow]:
        """Daily rows from `start` to `end` inclusive, dates in the account's time zone."""

    @abstractmethod
    def fetch_account_total(
        self, account: AccountInfo, start: dt.date, end: dt.date
    ) -> AccountTotal:
        """The platform's own account-level total for the window (for reconciliation)."""

    def credentials_expiry(self) -> dt.datetime | None:
        """When the credentials stop working, if the platform tells it."""
        return None

    def account_lookup_needed(self) -> bool:
        """True when an account added by id must be looked up in `list_accounts()` for what the
        admin does not type (Google Ads: the manager it is reached through)."""
        return False


def connector_class(platform: str) -> type[Connector]:
    """The platform's connector class (`PlatformSpec.connector`), imported with its SDK."""
    return load(platform_spec(platform).connector)


def get_connector(
    platform: str,
    config: Mapping[str, Any],
    *,
    endpoints: Endpoints | None = None,
    retry: RetryPolicy | None = None,
) -> Connector:
    return connector_class(platform)(config, endpoints=endpoints, retry=retry)
