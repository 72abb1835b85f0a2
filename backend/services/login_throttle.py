"""Login throttling in Redis: per client address, per account and per known browser, with a delay
that doubles with every failure past a free allowance (429 with Retry-After while it runs).

Every password check is charged to its buckets *before* the password is verified (one atomic
script checks every bucket's delay and charges them all), so parallel guesses are counted too,
and a refused attempt costs no password hash. A success forgives what it was charged: the
account's bucket is emptied and the address's charge refunded.

An attacker who knows an email can keep that account's bucket throttled from many addresses;
they must not lock its owner out. A browser that has signed in to the account before carries a
signed device cookie, and its logins to that account are charged to that browser's own bucket
instead of the account's and the address's (the OWASP "device cookie" scheme). Only a browser
that never signed in to the account waits out an attack on it (or an admin resets the password,
which empties the account's bucket).

Unknown emails are throttled exactly like known ones, so a 429 tells nothing about accounts.
When Redis cannot be reached, logins are not throttled (logged), rather than all refused.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass

import redis
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from backend import telemetry
from backend.errors import ServiceError

log = logging.getLogger("spendlens.auth")

DEVICE_COOKIE = "spendlens_device"
DEVICE_COOKIE_PATH = "/api/auth"
DEVICE_COOKIE_DAYS = 365
#: A bucket is forgotten this long after its last charged attempt.
FORGET_AFTER_S = 3600


@dataclass(frozen=True)
class Policy:
    """Failures allowed without delay, then `base_s` doubling with each failure up to `cap_s`."""

    free: int
    base_s: float
    cap_s: float

    def delay_after(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return min(self.base_s * 2 ** (failures - self.free - 1), self.cap_s)


ADDRESS = Policy(free=20, base_s=1, cap_s=900)
ACCOUNT = Policy(free=5, base_s=1, cap_s=900)
DEVICE = Policy(free=10, base_s=1, cap_s=900)

# The scripts read the clock of the Redis server: scripts run one at a time, so an attempt that
# runs later never sees an earlier time than one that ran before it (the web workers' clocks
# and threads would not guarantee that).
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS: the buckets; ARGV: forget_after, then (free, base, cap) per bucket.
# Answers "<seconds to wait> <index of the bucket that waits longest>" without charging anything,
# or "0 0" having charged them all.
_CHARGE = (
    _NOW
    + """
local wait, longest = 0, 0
for i, key in ipairs(KEYS) do
  local next_at = tonumber(redis.call('HGET', key, 'next_at') or '0')
  if next_at - now > wait then wait, longest = next_at - now, i end
end
if wait > 0 then return tostring(wait) .. ' ' .. longest end
for i, key in ipairs(KEYS) do
  local free = tonumber(ARGV[3 * i - 1])
  local base = tonumber(ARGV[3 * i])
  local cap = tonumber(ARGV[3 * i + 1])
  local n = redis.call('HINCRBY', key, 'failures', 1)
  local delay = 0
  if n > free then delay = math.min(base * 2 ^ (n - free - 1), cap) end
  redis.call('HSET', key, 'next_at', tostring(now + delay))
  redis.call('EXPIRE', key, ARGV[1])
end
return '0 0'
"""
)

# KEYS[1]: the bucket; ARGV: free, base, cap. One failure fewer, its delay recomputed.
_REFUND = (
    _NOW
    + """
local n = tonumber(redis.call('HINCRBY', KEYS[1], 'failures', -1))
if n <= 0 then redis.call('DEL', KEYS[1]) return 0 end
local free, base, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local delay = 0
if n > free then delay = math.min(base * 2 ^ (n - free - 1), cap) end
redis.call('HSET', KEYS[1], 'next_at', tostring(now + delay))
return n
"""
)


class TooManyAttempts(ServiceError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many login attempts: try again in {retry_after} seconds")
        self.headers = {"Retry-After": str(retry_after)}


@dataclass(frozen=True)
class Attempt:
    """What one password check was charged to: buckets its success empties, and the address's
    bucket, refunded one charge."""

    address_bucket: tuple[str, Policy] | None
    cleared: tuple[str, ...]


def account_digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _key(kind: str, value: str) -> str:
    prefix = current_app.config.get("LOGIN_THROTTLE_PREFIX", "spendlens:login")
    return f"{prefix}:{kind}:{value}"


def _redis() -> redis.Redis:
    client = current_app.extensions.get("spendlens_login_redis")
    if client is None:
        url = current_app.config.get("REDIS_URL")
        if not url:
            raise redis.ConnectionError("REDIS_URL is not set")
        client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        current_app.extensions["spendlens_login_redis"] = client
    return client


def charge(email: str, address: str | None, device_id: str | None = None) -> Attempt:
    """Charge an attempt at `email`'s password; TooManyAttempts (429) while a bucket waits.

    `device_id` is the id of this browser's device cookie when it is valid for this email;
    `address` None (a signed-in password change) charges the account alone.
    """
    account_key = _key("account", account_digest(email))
    address_bucket = None
    if device_id is not None:
        cleared: tuple[tuple[str, Policy], ...] = ((_key("device", device_id), DEVICE),)
    else:
        cleared = ((account_key, ACCOUNT),)
        if address is not None:
            address_bucket = (_key("address", address), ADDRESS)
    buckets = cleared + ((address_bucket,) if address_bucket else ())
    args: list[float | int] = [FORGET_AFTER_S]
    for _, policy in buckets:
        args += [policy.free, policy.base_s, policy.cap_s]
    try:
        answer = _redis().eval(_CHARGE, len(buckets), *(k for k, _ in buckets), *args)
    except redis.RedisError as exc:
        log.warning("login throttling is off for this attempt: Redis answered %s", exc)
        return Attempt(None, ())
    wait, longest = answer.split()
    if float(wait) > 0:
        telemetry.LOGIN_THROTTLES.inc(scope=_scope(buckets[int(longest) - 1][1]))
        raise TooManyAttempts(max(1, math.ceil(float(wait))))
    return Attempt(address_bucket, tuple(key for key, _ in cleared))


def forgive(attempt: Attempt) -> None:
    """The password was right: empty the account's bucket (the device's, for a known browser:
    its owner signing in does not end an attack on the account), refund the address's charge
    (not empty it: one's own account must not wipe out guesses at others)."""
    try:
        client = _redis()
        if attempt.cleared:
            client.delete(*attempt.cleared)
        if attempt.address_bucket is not None:
            key, policy = attempt.address_bucket
            client.eval(_REFUND, 1, key, policy.free, policy.base_s, policy.cap_s)
    except redis.RedisError as exc:
        log.warning("could not clear login throttling after a success: %s", exc)


def clear_account(email: str) -> None:
    """Lift the account's throttle (an admin reset its password)."""
    try:
        _redis().delete(_key("account", account_digest(email)))
    except redis.RedisError as exc:
        log.warning("could not clear the login throttling of an account: %s", exc)


def _scope(policy: Policy) -> str:
    """The metric's name for the kind of bucket that refused an attempt."""
    if policy is ADDRESS:
        return "ip"
    return "device" if policy is DEVICE else "account"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="spendlens-login-device")


def new_device_cookie(email: str) -> str:
    """The value of the device cookie given to a browser that just signed in as `email`."""
    return _serializer().dumps({"a": account_digest(email), "d": secrets.token_urlsafe(16)})


def device_id_for(cookie: str | None, email: str) -> str | None:
    """The device id of a valid device cookie made for `email`, else None."""
    if not cookie or len(cookie) > 512:
        return None
    try:
        data = _serializer().loads(cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_digest(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None
