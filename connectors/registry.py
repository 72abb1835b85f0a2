"""The platforms Spendlens knows, each declared by its own package (connectors/<name>/platform.py).

Adding a platform is a new package and one line in `PLATFORM_MODULES` (connectors/README.md).
The registry reads declarations only (it sits below connectors/base.py, which builds a platform's
connector from them); connectors are imported lazily, so a process pays only for the SDKs it uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from typing import Any

from connectors.errors import ConfigurationError
from connectors.spec import PlatformSpec

#: One line per platform: the module that declares its `PLATFORM` (a PlatformSpec).
PLATFORM_MODULES: tuple[str, ...] = (
    "connectors.meta.platform",
    "connectors.google_ads.platform",
    "connectors.apple_search_ads.platform",
    "connectors.tiktok_ads.platform",
)


@cache
def _specs() -> dict[str, PlatformSpec]:
    specs: dict[str, PlatformSpec] = {}
    for module_name in PLATFORM_MODULES:
        spec: PlatformSpec = importlib.import_module(module_name).PLATFORM
        if spec.name in specs:
            raise ConfigurationError(f"platform: {spec.name!r} is declared twice")
        specs[spec.name] = spec
    return specs


def platforms() -> tuple[str, ...]:
    """The platforms' names, in the registry's order."""
    return tuple(_specs())


def platform_specs() -> tuple[PlatformSpec, ...]:
    return tuple(_specs().values())


def platform_spec(platform: str) -> PlatformSpec:
    try:
        return _specs()[platform]
    except KeyError:
        raise ConfigurationError(
            f"platform: unknown platform {platform!r}; known: {', '.join(_specs())}"
        ) from None


def platform_label(platform: str) -> str:
    """The platform's label; an unknown name is shown as it is."""
    spec = _specs().get(platform)
    return spec.label if spec else platform


@cache
def endpoint_defaults() -> dict[str, str | None]:
    """Every platform's endpoint settings with the real platforms' addresses."""
    out: dict[str, str | None] = {}
    for spec in _specs().values():
        clash = set(out) & set(spec.endpoints)
        if clash:
            raise ConfigurationError(f"endpoints: {sorted(clash)} declared by two platforms")
        out.update(spec.endpoints)
    return out


def load(target: str) -> Any:
    """The object a "module:attribute" declaration names, importing its module."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def sandbox_world(platform: str) -> Any | None:
    """The platform's part of the sandbox World, if its package declares one there."""
    target = platform_spec(platform).sandbox_world
    return load(target) if target else None


def lazy_exports(names: Mapping[str, str]) -> Any:
    """A module `__getattr__` for a platform package: `names` maps each exported name to the
    module that defines it, imported (with its vendor SDK) only when the name is asked for."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        raise AttributeError(name)

    return __getattr__
