"""A safety net for logs: secrets in use during a request never reach a log line.

Code that holds credentials in memory calls `protect(values)`; until the end of the app context
(the request, the task, the command), every log record made anywhere in the process has those
values replaced by "[secret]" — in its message, its arguments and its formatted traceback.
Spendlens never logs credentials on purpose; this catches a library that does (an SDK's debug
line with a token in a URL, an exception message that quotes a key).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from typing import Any

from flask import g, has_app_context

MARKER = "[secret]"
#: Shorter values are not hidden: they would blank out ordinary words of unrelated lines.
MIN_SECRET_LENGTH = 6
_G_KEY = "_spendlens_secrets"


def protect(values: Iterable[Any]) -> None:
    """Hide these values from every log record until the end of the app context."""
    if not has_app_context():
        return
    found = {str(v) for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH}
    # A PEM key also appears line by line in some messages.
    for value in list(found):
        found.update(line for line in value.splitlines() if len(line) >= 16)
    if found:
        secrets: set[str] = g.setdefault(_G_KEY, set())
        secrets.update(found)


def redact(text: str) -> str:
    """`text` with every protected value replaced by the marker."""
    for secret in _active():
        if secret in text:
            text = text.replace(secret, MARKER)
    return text


def _active() -> list[str]:
    if not has_app_context():
        return []
    # Longest first, so that a whole PEM is replaced before its lines.
    return sorted(g.get(_G_KEY, ()), key=len, reverse=True)


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    if not _active():
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string is not ours to fix
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install() -> None:
    """Wrap the process's log record factory once (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_spendlens_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _scrub(current(*args, **kwargs))

    factory._spendlens_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
