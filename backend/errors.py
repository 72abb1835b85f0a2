"""JSON errors for every failure: never an HTML page, never a stack trace."""

from __future__ import annotations

import contextlib
import logging

import kombu.exceptions
import redis
import sqlalchemy.exc
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("spendlens.errors")

#: The database is away (restarting, unreachable, shutting down): worth retrying shortly.
DATABASE_OUTAGES: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.PendingRollbackError,
)
#: Redis (the Celery broker, the slots, the counters) is away.
BROKER_OUTAGES: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
OUTAGES = DATABASE_OUTAGES + BROKER_OUTAGES
#: Seconds a client is asked to wait before trying again during an outage.
OUTAGE_RETRY_AFTER_S = 5


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
        return jsonify(body), exc.status, getattr(exc, "headers", None) or {}

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

    def _database_outage(exc: Exception):
        forget_session()
        log.warning("database unavailable: %s", type(exc).__name__)
        return _unavailable("database_unavailable", "The database is not answering; try again.")

    def _broker_outage(exc: Exception):
        forget_session()
        log.warning("broker unavailable: %s", type(exc).__name__)
        return _unavailable("broker_unavailable", "The task broker is not answering; try again.")

    for kind in DATABASE_OUTAGES:
        app.register_error_handler(kind, _database_outage)
    for kind in BROKER_OUTAGES:
        app.register_error_handler(kind, _broker_outage)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return jsonify(
            {"code": 500, "status": "Internal Server Error", "message": "Internal server error"}
        ), 500


def _unavailable(reason: str, message: str):
    body = {"code": 503, "status": "Service Unavailable", "reason": reason, "message": message}
    return jsonify(body), 503, [("Retry-After", str(OUTAGE_RETRY_AFTER_S))]


def forget_session() -> None:
    """Drop the session after an outage: its connection is broken, the next use gets a new one."""
    from backend.extensions import db

    with contextlib.suppress(Exception):  # the connection is gone; removing the session is enough
        db.session.rollback()
    db.session.remove()


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
