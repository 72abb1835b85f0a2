"""Start the sandbox platforms together on one shared World, and say where they are."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from connectors.registry import endpoint_defaults, platform_specs
from connectors.sandbox.generator import World

log = logging.getLogger(__name__)

#: Platform → the module of its sandbox server (`serve(world, host)`), as its spec declares.
SERVER_MODULES = {
    spec.name: spec.sandbox_server for spec in platform_specs() if spec.sandbox_server
}

#: Endpoints setting → the Spendlens configuration key (without the SPENDLENS_ prefix).
CONFIG_KEYS = {name: name.upper() for name in endpoint_defaults()}


@dataclass
class Sandbox:
    world: World
    servers: dict[str, Any] = field(default_factory=dict)

    def endpoints_kwargs(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for server in self.servers.values():
            out.update({k: v for k, v in server.endpoints_kwargs().items() if v is not None})
        return out

    def config(self) -> dict[str, str]:
        """The Spendlens configuration keys that point the connectors at these servers."""
        return {CONFIG_KEYS[k]: v for k, v in self.endpoints_kwargs().items()}

    def environment(self) -> dict[str, str]:
        return {f"SPENDLENS_{k}": v for k, v in self.config().items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_sandbox(
    world: World | None = None,
    host: str = "127.0.0.1",
    platforms: tuple[str, ...] = tuple(SERVER_MODULES),
) -> Sandbox:
    """Start a server per platform whose module exists; skip (with a log line) the others."""
    sandbox = Sandbox(world or World())
    for platform in platforms:
        try:
            module = importlib.import_module(SERVER_MODULES[platform])
        except ModuleNotFoundError as exc:
            if exc.name != SERVER_MODULES[platform]:
                raise
            log.warning("no sandbox server for %s yet", platform)
            continue
        sandbox.servers[platform] = module.serve(sandbox.world, host=host)
    return sandbox
