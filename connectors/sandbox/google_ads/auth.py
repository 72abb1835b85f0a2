"""The credentials side of the Google Ads sandbox: the OAuth token endpoint and the TLS certificate.

`TokenIssuer` plays https://oauth2.googleapis.com/token: a form POST with
`grant_type=refresh_token`, the sandbox client id/secret (in the form or as HTTP basic auth) and
the sandbox refresh token gets `{access_token, expires_in: 3599, scope, token_type: "Bearer"}`;
the revoked refresh token gets `400 {"error": "invalid_grant", "error_description": "Token has
been expired or revoked."}`, an unknown one `invalid_grant` / "Bad Request", a wrong client
`401 invalid_client`. The gRPC server asks it whether a bearer token is valid, unknown or expired.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.sandbox.google_ads import world as google_sandbox

ACCESS_TOKEN_SECONDS = 3599


class TokenIssuer:
    """Issues access tokens for the sandbox refresh token and remembers when each expires."""

    def __init__(self) -> None:
        self.requests = 0
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The token endpoint's answer (HTTP status, JSON body) to a form."""
        with self._lock:
            self.requests += 1
        if form.get("grant_type") != "refresh_token":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": f"Invalid grant_type: {form.get('grant_type', '')}",
            }
        if (
            form.get("client_id") != google_sandbox.CLIENT_ID
            or form.get("client_secret") != google_sandbox.CLIENT_SECRET
        ):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        refresh = form.get("refresh_token")
        if refresh == google_sandbox.REVOKED_REFRESH_TOKEN:
            return 400, {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
        if refresh != google_sandbox.REFRESH_TOKEN:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        token = "ya29.sandbox-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + ACCESS_TOKEN_SECONDS
        return 200, {
            "access_token": token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": "https://www.googleapis.com/auth/adwords",
            "token_type": "Bearer",
        }

    def state_of(self, token: str) -> str:
        """ "valid", "expired" or "unknown"."""
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if time.monotonic() < expiry else "expired"

    def expire_all(self) -> None:
        """Make every access token issued so far expired (as an hour passing would)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)


def _token_handler(issuer: TokenIssuer) -> type[BaseHTTPRequestHandler]:
    class TokenHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.split("?")[0] != "/token":
                self._send(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(body).items()}
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):  # client credentials may come as HTTP basic auth
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                form.setdefault("client_id", urllib.parse.unquote(user))
                form.setdefault("client_secret", urllib.parse.unquote(password))
            self._send(*issuer.issue(form))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep the sandbox quiet

    return TokenHandler


def token_http_server(
    issuer: TokenIssuer, host: str = "127.0.0.1", port: int = 0
) -> ThreadingHTTPServer:
    """An HTTP server (not started) answering `POST /token` (port 0: a free port)."""
    server = ThreadingHTTPServer((host, port), _token_handler(issuer))
    server.daemon_threads = True
    return server


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def make_self_signed_cert(directory: Path, host: str = "localhost") -> tuple[Path, bytes, bytes]:
    """A certificate for `host`, localhost and 127.0.0.1 and its key: (PEM path, cert, key)."""
    names = list(dict.fromkeys([host, "localhost", "127.0.0.1"]))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([_san(n) for n in names]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = directory / "google-ads-sandbox.pem"
    path.write_bytes(cert_pem)
    return path, cert_pem, key_pem
