"""JSON errors for every failure: never an HTML page, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("spendlens.errors")


class ServiceError(Exception):
    """A domain error raised by a service; `status` is the HTTP code the API answers with."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422


class Forbidden(ServiceError):
    status = 403


def register(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        body = {"code": exc.status, "status": _reason(exc.status), "message": exc.message}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return jsonify(body), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        body = {"code": exc.code, "status": exc.name, "message": exc.description}
        if isinstance(data.get("message"), str):
            body["message"] = data["message"]
        if data.get("errors"):
            body["errors"] = data["errors"]
        elif data.get("messages"):  # webargs (flask-smorest's 422): errors nested by location
            body["errors"] = _flatten_locations(data["messages"])
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        headers += list((data.get("headers") or {}).items())
        return jsonify(body), exc.code, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return jsonify(
            {"code": 500, "status": "Internal Server Error", "message": "Internal server error"}
        ), 500


def _flatten_locations(messages: dict) -> dict:
    """webargs nests errors by location ('json', 'query'); the client wants the fields."""
    out: dict = {}
    for location, location_errors in messages.items():
        if isinstance(location_errors, dict):
            out.update(location_errors)
        else:
            out[location] = location_errors
    return out


def _reason(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase
