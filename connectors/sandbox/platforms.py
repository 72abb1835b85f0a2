"""The sandbox World's facts per platform, for platforms that declare them in their own sandbox
package (`PlatformSpec.sandbox_world` → a `SandboxPlatform`).

The World's tables (accounts, devices, costs per install, customers' value, the credentials the
sandbox accepts) are `ByPlatform` mappings: the rows written in the table, then those every
registered platform's sandbox package declares, loaded on first use. A new platform's sandbox
therefore plugs into the World without editing these tables.
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


class ByPlatform(Mapping[str, T], Generic[T]):
    """A table keyed by platform: its own rows, then the declared platforms' `attribute`."""

    def __init__(self, own: Mapping[str, T], attribute: str) -> None:
        self._own = dict(own)
        self._attribute = attribute
        self._all: dict[str, T] | None = None

    def _table(self) -> dict[str, T]:
        if self._all is None:
            extra = {
                name: getattr(facts, self._attribute)
                for name, facts in declared().items()
                if name not in self._own
            }
            self._all = {**self._own, **extra}
        return self._all

    def __getitem__(self, platform: str) -> T:
        return self._table()[platform]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return f"ByPlatform({self._table()!r})"


def declared_accounts() -> tuple[tuple, ...]:
    return tuple(row for facts in declared().values() for row in facts.accounts)
