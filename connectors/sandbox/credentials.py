"""The credentials the sandbox platforms accept, and ones they refuse.

The Apple key pair is derived from a fixed number so that every process (servers, tests, demo)
agrees on it without files; it is a sandbox key and protects nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.sandbox.generator import SandboxAccount

META_GOOD_TOKEN = "EAAsandboxgoodtoken0000000000000001"
META_EXPIRED_TOKEN = "EAAsandboxexpiredtoken000000000002"

GOOGLE_DEVELOPER_TOKEN = "sandbox-developer-token"
GOOGLE_CLIENT_ID = "sandbox-client.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "sandbox-client-secret"
GOOGLE_REFRESH_TOKEN = "1//sandbox-refresh-token"
GOOGLE_REVOKED_REFRESH_TOKEN = "1//sandbox-revoked-refresh-token"
GOOGLE_MANAGER_ID = "9990001111"

APPLE_CLIENT_ID = "SEARCHADS.sandbox-client-0001"
APPLE_TEAM_ID = "SEARCHADS.sandbox-team-0001"
APPLE_KEY_ID = "sandbox-key-0001"
_APPLE_KEY_NUMBER = 0x5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E_5A9D_E11E


@lru_cache(maxsize=1)
def apple_private_key_pem() -> str:
    key = ec.derive_private_key(_APPLE_KEY_NUMBER, ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@lru_cache(maxsize=1)
def apple_public_key_pem() -> str:
    key = ec.derive_private_key(_APPLE_KEY_NUMBER, ec.SECP256R1())
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def meta_config(token: str = META_GOOD_TOKEN) -> dict[str, str]:
    """A Meta connector configuration the sandbox accepts."""
    return {"access_token": token, "app_id": "100200300", "app_secret": "sandbox-app-secret"}


def google_config(refresh_token: str = GOOGLE_REFRESH_TOKEN) -> dict[str, str]:
    return {
        "developer_token": GOOGLE_DEVELOPER_TOKEN,
        "client_id": GOOGLE_CLIENT_ID,
        "client_secret": GOOGLE_CLIENT_SECRET,
        "refresh_token": refresh_token,
        "login_customer_id": GOOGLE_MANAGER_ID,
    }


def apple_config(private_key: str | None = None) -> dict[str, str]:
    return {
        "client_id": APPLE_CLIENT_ID,
        "team_id": APPLE_TEAM_ID,
        "key_id": APPLE_KEY_ID,
        "private_key": private_key or apple_private_key_pem(),
    }


def sandbox_configs() -> dict[str, dict[str, str]]:
    """Per platform, a configuration the sandbox accepts (then those the platforms' own sandbox
    packages declare)."""
    from connectors.sandbox.platforms import declared

    own = {
        "meta": meta_config(),
        "google_ads": google_config(),
        "apple_search_ads": apple_config(),
    }
    return own | {name: facts.config() for name, facts in declared().items() if name not in own}


def admin_guide(accounts: Iterable[SandboxAccount], private_key_file: str) -> str:
    """What to type into "Add account" for each sandbox platform (the form's labels), and the
    sandbox accounts the demo has not added (`demo=False`). The Apple private key is in
    `private_key_file` (paste its contents)."""
    from connectors.registry import connector_class, platform_label

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
