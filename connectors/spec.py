"""`PlatformSpec`: what one platform's package declares about it (see connectors/README.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlatformSpec:
    """Everything Spendlens knows of one ad platform, declared once by its connector package
    (`connectors/<platform>/platform.py`) and served by the registry: the backend, the
    configuration, the dashboard (GET /api/platforms) and the sandbox derive from it."""

    #: The platform's name in the database, the API and the configuration (snake_case).
    name: str
    label: str
    #: The colour of the platform's series on every chart (CSS hex).
    colour: str
    #: Days the platform restates after the fact; ingestion re-fetches them on every sync.
    restatement_days: int
    #: Syncs of this platform that may run at once across all workers.
    default_concurrency: int
    #: Endpoint settings (unique across platforms, prefixed with the platform) and the real
    #: platform's address; each is the configuration key SPENDLENS_<SETTING in upper case>.
    endpoints: Mapping[str, str | None]
    #: "module:Class" of the connector, imported only when a connector is needed.
    connector: str
    #: Module of the sandbox server (`serve(world, host)`), None when there is none.
    sandbox_server: str | None = None
    #: "module:attribute" of the platform's part of the sandbox World (`SandboxPlatform`:
    #: accounts, devices, costs, customers, credentials), for platforms that declare it there.
    sandbox_world: str | None = None
    #: What the platform calls the interaction Spendlens stores as a click ("taps" on Apple
    #: Search Ads), so the dashboard can say what the clicks column holds for it.
    clicks_name: str = "clicks"

    def describe(self) -> dict[str, Any]:
        """The facts the dashboard needs (no endpoints, nothing secret)."""
        return {
            "platform": self.name,
            "label": self.label,
            "colour": self.colour,
            "restatement_days": self.restatement_days,
            "default_concurrency": self.default_concurrency,
            "clicks_name": self.clicks_name,
        }
