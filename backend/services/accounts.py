"""Ad accounts: add, change, delete, test a connection, re-encrypt credentials under a new key.

Credentials are validated against the platform's schema, encrypted before they reach the
session, shown masked, written to the audit log as "[secret]", and hidden from every log line
(backend.auth.redaction) for as long as the request holds them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import zoneinfo
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.auth import redaction
from backend.crypto import CredentialsUnreadable
from backend.currencies import is_currency
from backend.errors import Conflict, Invalid, ServiceError
from backend.extensions import db
from backend.models import AccountStatus, AdAccount, User
from backend.models.types import utcnow
from backend.services import account_credentials as creds_
from backend.services import audit
from backend.services.connectors import build_connector
from backend.services.rows import find_by_id
from connectors import AccountInfo, ConnectionCheck, ConnectorError, RetryPolicy

log = logging.getLogger("spendlens.accounts")

AUDITED = (
    "platform",
    "external_id",
    "name",
    "currency",
    "timezone",
    "manager_id",
    "status",
    "history_start",
)
#: An admin waits for a test: retry a transient failure once, briefly.
TEST_RETRY = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=2.0)
UNEXPECTED = "Unexpected error while contacting the platform (details are in the server log)"


def list_accounts() -> list[AdAccount]:
    return list(db.session.scalars(select(AdAccount).order_by(AdAccount.id)))


def get_account(account_id: int, *, for_update: bool = False) -> AdAccount:
    return find_by_id(AdAccount, account_id, missing="No such ad account", for_update=for_update)


def describe(account: AdAccount, *, with_credentials: bool) -> dict[str, Any]:
    """The account as the API shows it; credentials masked, and only when asked for."""
    out: dict[str, Any] = {name: getattr(account, name) for name in AUDITED}
    out.update(
        id=account.id,
        credentials_expire_at=account.credentials_expire_at,
        last_error=account.last_error,
        created_at=account.created_at,
        updated_at=account.updated_at,
        has_credentials=bool(account.credentials_encrypted),
    )
    if with_credentials and account.credentials_encrypted:
        stored = creds_.decrypt(account.credentials_encrypted)
        out["credentials_readable"] = stored is not None
        if stored is not None:
            schema = _schema_or_all_secret(account.platform, stored)
            redaction.protect(creds_.secret_values(schema, stored))
            out["credentials"] = creds_.mask(schema, stored)
    return out


def create_account(
    actor: User | None, data: Mapping[str, Any], *, first_sync: bool | None = None
) -> AdAccount:
    """Add an account; its history's sync is queued at once when `first_sync` (default: the
    SYNC_ON_CREATE setting)."""
    platform = data["platform"]
    schema = creds_.configuration_schema(platform)
    credentials = creds_.validate(platform, data["credentials"])
    redaction.protect(creds_.secret_values(schema, credentials))
    external_id = data["external_id"].strip()
    currency, timezone = data.get("currency"), data.get("timezone")
    if not currency or not timezone:
        listed = _discover(platform, credentials, external_id)
        currency, timezone = currency or listed.currency, timezone or listed.timezone
        manager_id = listed.manager_id
    else:
        manager_id = _manager_of(platform, credentials, external_id)
    _check_timezone(timezone)
    if not is_currency(currency.upper()):
        raise Invalid("is not an ISO 4217 currency code", field="currency")
    if _exists(platform, external_id):
        raise Conflict(f"{platform} account {external_id} is already added", field="external_id")
    account = AdAccount(
        platform=platform,
        external_id=external_id,
        name=data["name"].strip(),
        currency=currency.upper(),
        timezone=timezone,
        manager_id=manager_id,
        status=AccountStatus.ACTIVE.value,
        credentials_encrypted=creds_.box().encrypt(credentials),
        credentials_expire_at=_credentials_expiry(platform, credentials),
        history_start=data.get("history_start"),
    )
    db.session.add(account)
    db.session.flush()
    after = {**audit.snapshot(account, AUDITED), "credentials": credentials}
    audit.record(
        actor,
        "ad_account.create",
        "ad_account",
        account.id,
        None,
        after,
        secret_fields=creds_.secret_fields(schema),
    )
    _commit(external_id)
    if first_sync is None:
        first_sync = current_app.config.get("SYNC_ON_CREATE", True)
    if first_sync:
        _queue_first_sync(account)
    return account


def _queue_first_sync(account: AdAccount) -> None:
    """The account's history, queued now rather than at the next scheduled sync. The account
    is saved either way: if the broker cannot take the task, the schedule covers it."""
    from backend.services.ingestion.sync import plan_sync

    try:
        plan_sync(account, "initial")
    except Exception:  # noqa: BLE001 - a broker outage must not undo the saved account
        db.session.rollback()
        log.warning(
            "could not queue the first sync of ad account %s; the next scheduled sync covers it",
            account.id,
            exc_info=True,
        )


def update_account(actor: User | None, account_id: int, changes: Mapping[str, Any]) -> AdAccount:
    """Rename, enable/disable, or replace the credentials (which reactivates an account that
    needed new credentials)."""
    try:
        account = _apply_account_changes(actor, account_id, changes)
    except ServiceError:
        db.session.rollback()
        raise
    _commit(account.external_id)
    return account


def _apply_account_changes(
    actor: User | None, account_id: int, changes: Mapping[str, Any]
) -> AdAccount:
    account = get_account(account_id, for_update=True)
    before: dict[str, Any] = audit.snapshot(account, AUDITED)
    after_extra: dict[str, Any] = {}
    secret_names: tuple[str, ...] = ()
    if "name" in changes:
        account.name = changes["name"].strip()
    if "status" in changes:
        account.status = AccountStatus(changes["status"]).value
    if "credentials" in changes:
        schema = creds_.configuration_schema(account.platform)
        secret_names = creds_.secret_fields(schema)
        stored = creds_.decrypt(account.credentials_encrypted) or {}
        redaction.protect(creds_.secret_values(schema, stored))
        submitted = creds_.keep_masked(schema, changes["credentials"], stored)
        credentials = creds_.validate(account.platform, submitted)
        redaction.protect(creds_.secret_values(schema, credentials))
        if credentials != stored:
            account.credentials_encrypted = creds_.box().encrypt(credentials)
            account.credentials_expire_at = _credentials_expiry(account.platform, credentials)
            account.manager_id = _manager_of(account.platform, credentials, account.external_id)
            before["credentials"], after_extra["credentials"] = stored, credentials
        if account.status == AccountStatus.NEEDS_CREDENTIALS and "status" not in changes:
            account.status = AccountStatus.ACTIVE.value
            account.last_error = None
    after = {**audit.snapshot(account, AUDITED), **after_extra}
    if before != after:
        account.updated_at = utcnow()
        audit.record(
            actor,
            "ad_account.update",
            "ad_account",
            account.id,
            before,
            after,
            secret_fields=secret_names,
        )
    return account


def delete_account(actor: User | None, account_id: int) -> None:
    """Delete the account with its campaigns and metrics."""
    account = get_account(account_id, for_update=True)
    audit.record(
        actor, "ad_account.delete", "ad_account", account.id, audit.snapshot(account, AUDITED), None
    )
    db.session.delete(account)
    db.session.commit()


@dataclasses.dataclass(frozen=True)
class AccountCheck:
    """A connection test, and what it found of the account it is for.

    `field` names what a failure is about: "credentials" (the platform refused them or could
    not be reached) or "external_id" (the credentials work but do not read that account).
    """

    check: ConnectionCheck
    field: str | None = None
    account: AccountInfo | None = None

    def as_dict(self) -> dict[str, Any]:
        found = self.account
        return {
            **dataclasses.asdict(self.check),
            "field": self.field,
            "account": None
            if found is None
            else {
                "external_id": found.external_id,
                "name": found.name,
                "currency": found.currency,
                "timezone": found.timezone,
            },
        }


def test_saved(account_id: int) -> AccountCheck:
    """Test a stored account's credentials, and that they still read the account; records
    their expiry when the platform tells it."""
    account = get_account(account_id)
    credentials = creds_.decrypt(account.credentials_encrypted)
    if credentials is None:
        db.session.rollback()
        return AccountCheck(
            ConnectionCheck(ok=False, message="The account has no readable credentials"),
            field="credentials",
        )
    result = _check_account(account.platform, credentials, account.external_id)
    expires_at = result.check.expires_at
    if expires_at is not None and account.credentials_expire_at != expires_at:
        account.credentials_expire_at = expires_at
    db.session.commit()
    return result


def test_unsaved(platform: str, credentials: Any, external_id: str | None = None) -> AccountCheck:
    """Test credentials before they are saved (422 when they do not fit the schema) and, given
    the account id, that they read that account."""
    credentials = creds_.validate(platform, credentials)
    external_id = (external_id or "").strip()
    if not external_id:
        check = _run_check(platform, credentials)
        return AccountCheck(check, field=None if check.ok else "credentials")
    return _check_account(platform, credentials, external_id)


def _check_account(platform: str, credentials: Mapping[str, Any], external_id: str) -> AccountCheck:
    """The connection test, then whether the account is among those the credentials read."""
    check = _run_check(platform, credentials)
    if not check.ok:
        return AccountCheck(check, field="credentials")
    try:
        listed = _list_accounts(platform, credentials)
    except Invalid as exc:
        return AccountCheck(
            dataclasses.replace(check, ok=False, message=exc.message), field="credentials"
        )
    found = _find(listed, external_id)
    if found is None:
        refused = [
            s for s in check.skipped if _bare_id(s.split(":", 1)[0]) == _bare_id(external_id)
        ]
        message = (
            f"The platform refuses account {refused[0]}"
            if refused
            else _not_listed(external_id, listed)
        )
        return AccountCheck(
            dataclasses.replace(check, ok=False, message=message), field="external_id"
        )
    message = f"{check.message.rstrip('.')}. Account {found.external_id} is readable: {found.name}"
    return AccountCheck(dataclasses.replace(check, message=message), account=found)


def rotate_keys() -> int:
    """Re-encrypt every stored credential under the newest key; returns how many.

    All or nothing: if any credential is unreadable with the configured keys, nothing changes.
    """
    box = creds_.box()
    stmt = (
        select(AdAccount)
        .where(AdAccount.credentials_encrypted.is_not(None))
        .order_by(AdAccount.id)
        .with_for_update()
    )
    accounts = list(db.session.scalars(stmt))
    unreadable: list[int] = []
    for account in accounts:
        try:
            account.credentials_encrypted = box.rotate(account.credentials_encrypted)
        except CredentialsUnreadable:
            unreadable.append(account.id)
    if unreadable:
        db.session.rollback()
        ids = ", ".join(map(str, unreadable))
        raise ServiceError(
            f"no configured key decrypts the credentials of account(s) {ids}; nothing changed"
        )
    audit.record(None, "ad_account.rotate_keys", "ad_account", None, None, {"count": len(accounts)})
    db.session.commit()
    return len(accounts)


def _run_check(platform: str, credentials: Mapping[str, Any]) -> ConnectionCheck:
    schema = creds_.configuration_schema(platform)
    redaction.protect(creds_.secret_values(schema, credentials))
    try:
        check = build_connector(platform, credentials, retry=TEST_RETRY).test_connection()
    except ConnectorError as exc:
        check = ConnectionCheck(ok=False, message=exc.message)
    except Exception:  # noqa: BLE001 - an SDK's surprise must not become a 500 for the admin
        log.exception("testing a %s connection failed unexpectedly", platform)
        check = ConnectionCheck(ok=False, message=UNEXPECTED)
    return dataclasses.replace(check, message=redaction.redact(check.message or ""))


def _credentials_expiry(platform: str, credentials: Mapping[str, Any]) -> dt.datetime | None:
    """When the credentials expire, where the platform tells it (None: never, or it cannot tell:
    no reason to refuse them; the next connection test or sync records it)."""
    try:
        return build_connector(platform, credentials, retry=TEST_RETRY).credentials_expiry()
    except Exception:  # noqa: BLE001 - see the docstring
        log.warning("could not read the expiry of new %s credentials", platform, exc_info=True)
        return None


def _discover(platform: str, credentials: Mapping[str, Any], external_id: str) -> AccountInfo:
    """The account as the platform lists it (for its currency and time zone).

    A failure is reported at the field it is about: the credentials when the platform refuses
    them, the account id when they work but do not read that account.
    """
    listed = _list_accounts(platform, credentials)
    found = _find(listed, external_id)
    if found is None:
        raise Invalid(_not_listed(external_id, listed), field="external_id")
    return found


def _list_accounts(platform: str, credentials: Mapping[str, Any]) -> list[AccountInfo]:
    """The accounts the credentials read; Invalid (at the credentials) when the platform
    cannot tell."""
    try:
        return build_connector(platform, credentials, retry=TEST_RETRY).list_accounts()
    except ConnectorError as exc:
        reason = redaction.redact(exc.message)
        raise Invalid(
            f"The platform could not list the accounts of these credentials: {reason}",
            field="credentials",
        ) from None
    except Exception:  # noqa: BLE001 - an SDK's surprise must not become a 500 for the admin
        log.exception("listing %s accounts failed unexpectedly", platform)
        raise Invalid(UNEXPECTED, field="credentials") from None


def _manager_of(platform: str, credentials: Mapping[str, Any], external_id: str) -> str | None:
    """The manager the account is reached through, when its connector needs one looked up.

    A failure here is no reason to refuse the account: it is saved without a manager and the
    connector looks the manager up in the hierarchy when it syncs.
    """
    if not build_connector(platform, credentials).account_lookup_needed():
        return None
    try:
        listed = _listed_account(platform, credentials, external_id)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        reason = exc.message if isinstance(exc, ConnectorError) else type(exc).__name__
        log.warning(
            "could not look up the manager of %s account %s: %s",
            platform,
            external_id,
            redaction.redact(reason),
        )
        return None
    return listed.manager_id if listed is not None else None


def _listed_account(
    platform: str, credentials: Mapping[str, Any], external_id: str
) -> AccountInfo | None:
    """The account among those the credentials list (None: not among them)."""
    listed = build_connector(platform, credentials, retry=TEST_RETRY).list_accounts()
    return _find(listed, external_id)


def _find(listed: list[AccountInfo], external_id: str) -> AccountInfo | None:
    wanted = _bare_id(external_id)
    return next((info for info in listed if _bare_id(info.external_id) == wanted), None)


#: How many readable accounts a "not listed" message names.
NAMED_ACCOUNTS = 10


def _not_listed(external_id: str, listed: list[AccountInfo]) -> str:
    if not listed:
        return f"These credentials work but read no ad account, so not {external_id}"
    names = ", ".join(info.external_id for info in listed[:NAMED_ACCOUNTS])
    more = f" and {len(listed) - NAMED_ACCOUNTS} more" if len(listed) > NAMED_ACCOUNTS else ""
    return f"These credentials do not read account {external_id}; they read {names}{more}"


def _bare_id(external_id: str) -> str:
    return external_id.strip().removeprefix("act_").replace("-", "")


def _check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid("is not a known IANA time zone", field="timezone") from None


def _exists(platform: str, external_id: str) -> bool:
    stmt = select(AdAccount.id).where(
        AdAccount.platform == platform, AdAccount.external_id == external_id
    )
    return db.session.scalar(stmt) is not None


def _schema_or_all_secret(platform: str, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The platform's schema, or (connector unavailable) one that calls every field secret."""
    try:
        return creds_.configuration_schema(platform)
    except Invalid:
        return {"properties": {}, "secret": list(stored)}


def _commit(external_id: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"account {external_id} is already added", field="external_id") from None
