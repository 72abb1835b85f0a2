"""Outgoing mail over SMTP: settings from the configuration, message building, one connection.

Settings: SMTP_HOST, SMTP_PORT, SMTP_USERNAME / SMTP_PASSWORD (login when a username is set),
SMTP_SECURITY ('none', 'starttls': upgrade a plain connection, 'ssl': TLS from the first byte;
certificates are verified), MAIL_FROM. The Message-ID carries the outbox row's idempotency key,
so a message that had to be sent again after a crash is the same message to every mail system
that deduplicates on it, and to anyone reading the headers.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

SECURITY_MODES = ("none", "starttls", "ssl")
TIMEOUT_SECONDS = 30.0


class MailError(Exception):
    """A delivery failed; `permanent` when the server refused the message for good (5xx)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    security: str
    sender: str
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpSettings:
        security = str(config.get("SMTP_SECURITY") or "none").lower()
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {SECURITY_MODES}, not {security!r}")
        return cls(
            host=str(config.get("SMTP_HOST") or "127.0.0.1"),
            port=int(config.get("SMTP_PORT") or 25),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            security=security,
            sender=str(config.get("MAIL_FROM") or "Spendlens <alerts@spendlens.local>"),
        )

    @property
    def sender_domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "spendlens.local"


def message_id(idempotency_key: str, domain: str) -> str:
    return f"<{idempotency_key}@{domain}>"


def build_message(
    settings: SmtpSettings,
    *,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    idempotency_key: str,
) -> EmailMessage:
    """A multipart/alternative message: the plain-text part first, then the HTML part."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(idempotency_key, settings.sender_domain)
    message["X-Spendlens-Idempotency-Key"] = idempotency_key
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class SmtpConnection:
    """One SMTP session (`with SmtpConnection(settings) as smtp: smtp.send(message)`)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        s = self.settings
        try:
            if s.security == "ssl":
                context = ssl.create_default_context()
                self._smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                self._smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    self._smtp.starttls(context=ssl.create_default_context())
            if s.username:
                self._smtp.login(s.username, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise as_mail_error(exc) from exc
        return self

    def send(self, message: EmailMessage) -> None:
        assert self._smtp is not None, "use SmtpConnection as a context manager"
        try:
            refused = self._smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise as_mail_error(exc) from exc
        if refused:
            raise MailError(f"recipients refused: {refused}", permanent=True)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_mail_error(exc: Exception) -> MailError:
    """Connection trouble and 4xx answers are temporary; a 5xx refusal of the recipient or the
    message is permanent. A refused login or sender is the configuration's fault, which an admin
    fixes: temporary, so that no message is lost meanwhile."""
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        return MailError(f"SMTP refused the login or sender: {exc.smtp_code}", permanent=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return MailError(f"recipients refused: {codes}", permanent=all(c >= 500 for c in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        )
        return MailError(f"SMTP {exc.smtp_code}: {detail}", permanent=exc.smtp_code >= 500)
    return MailError(f"{type(exc).__name__}: {exc}", permanent=False)
