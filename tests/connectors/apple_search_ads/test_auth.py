"""The ES256 client secret, the private key check, the token cache and the configuration."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.apple_search_ads import AppleSearchAdsConnector
from connectors.apple_search_ads.auth import TokenCache, load_private_key, make_client_secret
from connectors.errors import ConfigurationError
from connectors.registry import platform_spec
from connectors.sandbox.apple_search_ads import world as apple_sandbox

NOW = dt.datetime(2025, 3, 15, 12, 0, tzinfo=dt.UTC)


def sandbox_secret(**kwargs):
    return make_client_secret(
        load_private_key(apple_sandbox.private_key_pem()),
        client_id=apple_sandbox.CLIENT_ID,
        team_id=apple_sandbox.TEAM_ID,
        key_id=apple_sandbox.KEY_ID,
        now=NOW,
        **kwargs,
    )


def test_client_secret_header_is_es256_with_the_key_id():
    header = jwt.get_unverified_header(sandbox_secret().value)

    assert header == {"alg": "ES256", "kid": apple_sandbox.KEY_ID}


def test_client_secret_claims_verify_with_the_public_key():
    secret = sandbox_secret()

    claims = jwt.decode(
        secret.value,
        apple_sandbox.public_key_pem(),
        algorithms=["ES256"],
        audience="https://appleid.apple.com",
        options={"verify_exp": False},
    )

    assert claims["sub"] == apple_sandbox.CLIENT_ID
    assert claims["iss"] == apple_sandbox.TEAM_ID
    assert claims["aud"] == "https://appleid.apple.com"
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["exp"] == int((NOW + dt.timedelta(days=180)).timestamp())
    assert secret.expires_at == NOW + dt.timedelta(days=180)


def test_client_secret_lifetime_is_capped_at_180_days():
    secret = sandbox_secret(lifetime=dt.timedelta(days=365))

    assert secret.expires_at == NOW + dt.timedelta(days=180)


def test_malformed_private_key_is_a_configuration_error_naming_private_key():
    key = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----"

    with pytest.raises(ConfigurationError) as err:
        AppleSearchAdsConnector(apple_sandbox.config(private_key=key))

    assert err.value.message.startswith("private_key:")
    assert "c2VjcmV0LWJ1dC1icm9rZW4" not in str(err.value)


def test_private_key_on_another_curve_is_a_configuration_error():
    other = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    with pytest.raises(ConfigurationError, match="^private_key: .*P-256"):
        AppleSearchAdsConnector(apple_sandbox.config(private_key=other.decode()))


def test_sec1_private_key_as_apple_downloads_it_is_accepted():
    key = load_private_key(apple_sandbox.private_key_pem()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )

    connector = AppleSearchAdsConnector(apple_sandbox.config(private_key=key.decode()))

    assert connector.credentials_expiry() is not None


def test_private_key_pasted_with_escaped_newlines_is_accepted():
    pasted = apple_sandbox.private_key_pem().strip().replace("\n", "\\n")

    assert isinstance(load_private_key(pasted), ec.EllipticCurvePrivateKey)


def test_credentials_expiry_is_the_client_secret_expiry():
    connector = AppleSearchAdsConnector(apple_sandbox.config())

    expiry = connector.credentials_expiry()
    secret = connector.client.client_secret()

    assert expiry == secret.expires_at
    assert jwt.decode(secret.value, options={"verify_signature": False})["exp"] == int(
        expiry.timestamp()
    )
    now = dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=179) < expiry - now <= dt.timedelta(days=180)


def test_token_cache_gives_the_token_until_five_minutes_before_expiry():
    now = [1000.0]
    cache = TokenCache(clock=lambda: now[0])
    cache.store("token-1", 3600)

    now[0] += 3600 - 301
    assert cache.current() == "token-1"
    now[0] += 2
    assert cache.current() is None


def test_forgotten_token_is_gone():
    cache = TokenCache()
    cache.store("token-1", 3600)

    cache.forget()

    assert cache.current() is None


def test_configuration_schema_marks_the_private_key_secret():
    schema = AppleSearchAdsConnector.configuration_schema()

    assert AppleSearchAdsConnector.secret_fields() == ("private_key",)
    assert set(schema["required"]) == {"client_id", "team_id", "key_id", "private_key"}
    assert "org_id" in schema["properties"] and "org_id" not in schema["required"]


def test_missing_key_id_is_a_configuration_error():
    config = apple_sandbox.config()
    del config["key_id"]

    with pytest.raises(ConfigurationError, match="^key_id: is required"):
        AppleSearchAdsConnector(config)


def test_connector_declares_platform_restatement_and_breakdowns():
    assert AppleSearchAdsConnector.platform == "apple_search_ads"
    assert platform_spec("apple_search_ads").restatement_days == 30
    assert {b.value for b in AppleSearchAdsConnector.breakdowns} == {"country", "device"}


def test_registry_finds_the_connector():
    from connectors.base import connector_class

    assert connector_class("apple_search_ads") is AppleSearchAdsConnector
