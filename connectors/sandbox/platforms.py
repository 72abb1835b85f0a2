"""The sandbox World's facts per platform, each declared by the platform's own sandbox package
(`connectors/sandbox/<name>/world.py`, named by `PlatformSpec.sandbox_world`) as a
`SandboxPlatform`.

The World's tables (accounts, devices, costs per install, customers' value, the credentials the
sandbox accepts) are `ByPlatform` views of one attribute of every registered platform's
declaration, loaded on first use, so a new platform's sandbox plugs into the World without
editing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class SandboxPlatform:
    """One platform's part of the sandbox World."""

    #: Rows of `SandboxAccount` fields: (platform, external id, name, currency, time zone,
    #: manager id[, demo]); `demo=False` leaves the account for an admin to add.
    accounts: tuple[tuple, ...]
    #: The normalized device vocabulary the platform reports (the server maps it to its wire).
    devices: tuple[str, ...]
    #: What its traffic costs (economics.ChannelCosts).
    costs: Any
    #: How its customers pay (customers.ChannelTruth).
    truth: Any
    #: A connector configuration the sandbox accepts.
    config: Callable[[], dict[str, str]]
    #: Ads under each ad group, each with its own id; None: the ad group is the finest level
    #: (its one ad carries the ad group's id).
    ads_per_ad_group: int | None = None
    #: What the connector's ad-level rows carry below the ad group: "ad" (the ad's id and
    #: name), "ad_group" (the ad group's id and name as the ad's) or "" (nothing).
    ad_fields: str = "ad"
    #: False when the platform reports installs but no purchases.
    reports_purchases: bool = True
    #: The attribution label the connector stamps on its rows ("" when none).
    attribution: str = ""


@cache
def declared() -> dict[str, SandboxPlatform]:
    """The registered platforms whose sandbox packages declare their World facts."""
    from connectors.registry import platforms, sandbox_world

    out = {}
    for name in platforms():
        facts = sandbox_world(name)
        if facts is not None:
            out[name] = facts
    return out


def facts_of(platform: str) -> SandboxPlatform:
    """The platform's part of the World (KeyError when its package declares none)."""
    return declared()[platform]


class ByPlatform(Mapping[str, T], Generic[T]):
    """A table keyed by platform, in the registry's order: each declared platform's
    `attribute`."""

    def __init__(self, attribute: str) -> None:
        self._attribute = attribute

    def _table(self) -> dict[str, T]:
        return {name: getattr(facts, self._attribute) for name, facts in declared().items()}

    def __getitem__(self, platform: str) -> T:
        return getattr(facts_of(platform), self._attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(declared())

    def __len__(self) -> int:
        return len(declared())

    def __repr__(self) -> str:
        return f"ByPlatform({self._table()!r})"


def declared_accounts() -> tuple[tuple, ...]:
    return tuple(row for facts in declared().values() for row in facts.accounts)
