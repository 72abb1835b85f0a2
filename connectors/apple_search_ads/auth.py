"""Apple's OAuth for Search Ads: the ES256 client secret and the cached access token.

The client secret is a JWT that the advertiser's private key signs; Apple accepts it for at most
180 days. It is exchanged (form POST, `client_credentials`) for an access token valid one hour.
Neither the key, the secret nor the token is ever logged or put in an error message.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.errors import ConfigurationError

AUDIENCE = "https://appleid.apple.com"
SCOPE = "searchadsorg"
#: Apple accepts client secrets valid for at most 180 days.
CLIENT_SECRET_LIFETIME = dt.timedelta(days=180)
#: Mint a new client secret when the current one has less than this left.
CLIENT_SECRET_RENEW_BEFORE = dt.timedelta(days=1)
#: Fetch a new access token this many seconds before the current one expires.
TOKEN_REFRESH_MARGIN = 300.0


def load_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    """The EC P-256 private key of a PEM text (PKCS#8 or SEC1); ConfigurationError if it is not."""
    text = pem.strip().replace("\\n", "\n")
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        # The key itself is never echoed, not even a part of it.
        raise ConfigurationError(
            "private_key: is not a PEM private key (expected Apple's EC P-256 key, "
            "-----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigurationError("private_key: must be an EC P-256 (prime256v1) private key")
    return key


@dataclass(frozen=True)
class ClientSecret:
    value: str
    expires_at: dt.datetime


def make_client_secret(
    key: ec.EllipticCurvePrivateKey,
    *,
    client_id: str,
    team_id: str,
    key_id: str,
    now: dt.datetime | None = None,
    lifetime: dt.timedelta = CLIENT_SECRET_LIFETIME,
) -> ClientSecret:
    """Sign Apple's client secret: header {alg: ES256, kid}, claims sub, iss, aud, iat, exp."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    expires_at = now + min(lifetime, CLIENT_SECRET_LIFETIME)
    claims = {
        "sub": client_id,
        "iss": team_id,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    value = jwt.encode(claims, key, algorithm="ES256", headers={"kid": key_id, "typ": None})
    return ClientSecret(value=value, expires_at=expires_at)


@dataclass(frozen=True)
class AccessToken:
    value: str
    #: On the `clock` of the TokenCache that stored it.
    expires_at: float


class TokenCache:
    """Holds the access token; says when it has to be fetched again."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        margin: float = TOKEN_REFRESH_MARGIN,
    ) -> None:
        self.clock = clock
        self.margin = margin
        self._token: AccessToken | None = None

    def current(self) -> str | None:
        """The cached token, or None when there is none or it expires within the margin."""
        token = self._token
        if token is None or self.clock() >= token.expires_at - self.margin:
            return None
        return token.value

    def store(self, value: str, expires_in: float) -> None:
        self._token = AccessToken(value=value, expires_at=self.clock() + expires_in)

    def forget(self) -> None:
        self._token = None
