"""What every HTTP request and response goes through: body size limits, the upload routes' own
limit and media type, a refusal of JSON nested too deep, and the security headers.

- A request body may be at most MAX_REQUEST_MB (JSON and forms); the routes marked
  `@accepts_upload` take multipart/form-data up to MAX_UPLOAD_MB, spooled to disk by the form
  parser and read from there as a stream. Larger bodies are refused with 413 before they are
  read, so a huge body costs the worker no memory.
- JSON nested deeper than MAX_JSON_DEPTH is refused with 400 before anything parses it (the
  standard parser would recurse until RecursionError).
- A body the app did not read (a request refused before it got that far) is read to its end
  and dropped when it is within the limit, so a keep-alive connection goes on cleanly; a body
  over the limit is not read at all and the answer says `Connection: close`.
- Content-Security-Policy (the dashboard's scripts, styles and data from this origin only, no
  framing), X-Content-Type-Options, Referrer-Policy, and HSTS when cookies are Secure (TLS).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

F = TypeVar("F", bound=Callable[..., Any])

MAX_JSON_DEPTH = 64
MB = 1024 * 1024
DRAIN_CHUNK = 64 * 1024

#: Ant Design writes its styles into <style> elements at run time, hence 'unsafe-inline' for
#: styles (not scripts); charts draw on canvas; exports are blob: downloads.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000"

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_REQUEST_MB"]) * MB
    app.before_request(refuse_deep_json)
    app.after_request(settle_unread_body)
    app.after_request(add_security_headers)


def accepts_upload(view: F) -> F:
    """The view takes a file upload: multipart/form-data up to MAX_UPLOAD_MB (else 415/413).

    Goes under the access rule, so a caller who may not upload is refused (401/403) first.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = int(current_app.config["MAX_UPLOAD_MB"]) * MB
        if _has_body() and request.mimetype != "multipart/form-data":
            raise UnsupportedMediaType(
                "Send the file as multipart/form-data in the field 'file' "
                f"(this request is {request.mimetype or 'without a content type'})"
            )
        return view(*args, **kwargs)

    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    responses = apidoc.setdefault("response", {}).setdefault("responses", {})
    for status in (413, 415):
        responses.setdefault(status, []).append("DEFAULT_ERROR")
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def refuse_deep_json() -> None:
    """400 for a JSON body nested deeper than MAX_JSON_DEPTH (counted outside strings)."""
    if not request.is_json or not _has_body():
        return
    body = request.get_data(cache=True)
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", body)):
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise BadRequest(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
        else:
            depth -= 1


def _has_body() -> bool:
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return bool(request.content_length) or chunked


def _body_unread() -> bool:
    """Whether the request came with a body the app has not read to its end."""
    if not _has_body():
        return False
    stream = request.__dict__.get("stream")
    if stream is None:
        return True
    return not getattr(stream, "is_exhausted", False)


def settle_unread_body(response):
    """Drop what is left of a body within the limit; close the connection after a larger one."""
    if not _body_unread():
        return response
    limit = request.max_content_length
    length = request.content_length
    if length is not None and (limit is None or length <= limit):
        try:
            while request.stream.read(DRAIN_CHUNK):
                pass
            return response
        except Exception:  # noqa: BLE001 - the client went away, or sent more than it said
            pass
    response.headers["Connection"] = "close"
    return response


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
