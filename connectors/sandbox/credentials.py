"""The credentials the sandbox platforms accept, as each platform's sandbox package declares
them (`SandboxPlatform.config` in connectors/sandbox/<name>/world.py), and the guide that tells
an admin what to type."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.sandbox.generator import SandboxAccount
from connectors.sandbox.platforms import declared


def sandbox_configs() -> dict[str, dict[str, str]]:
    """Per platform, in the registry's order, a connector configuration the sandbox accepts."""
    return {name: facts.config() for name, facts in declared().items()}


def admin_guide(accounts: Iterable[SandboxAccount], private_key_file: str) -> str:
    """What to type into "Add account" for each sandbox platform (the form's labels), and the
    sandbox accounts the demo has not added (`demo=False`). A private key is in
    `private_key_file` (paste its contents)."""
    from connectors.base import connector_class
    from connectors.registry import platform_label

    lines = ["Sandbox ad platforms (Admin → Ad accounts → Add account):"]
    for platform, config in sandbox_configs().items():
        titles = connector_class(platform).configuration_schema()["properties"]
        lines.append(f"  {platform_label(platform)}")
        for field, value in config.items():
            shown = f"the contents of {private_key_file}" if field == "private_key" else value
            lines.append(f"    {titles[field]['title']}: {shown}")
        extra = [a for a in accounts if a.platform == platform and not a.demo]
        for account in extra:
            lines.append(
                f"    not yet added: {account.external_id} ({account.name}, {account.currency},"
                f" {account.timezone})"
            )
    return "\n".join(lines) + "\n"
