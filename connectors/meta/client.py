"""The thin network layer over the `facebook-business` SDK.

One `FacebookAdsApi` instance per connector (never the SDK's global default, and never
`FacebookAdsApi.init`, whose `crash_log=True` default installs a `sys.excepthook`). Every call
goes through the shared `RetryPolicy`, one page or one poll at a time, with SDK and `requests`
errors turned into the shared error types and the usage headers of every answer recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import requests
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.api import Cursor, FacebookAdsApi, FacebookResponse
from facebook_business.exceptions import FacebookError, FacebookRequestError
from facebook_business.session import FacebookSession

from connectors.errors import BadResponseError, ConnectorError, TransientError
from connectors.meta.errors import PLATFORM, RequestTooLargeError, translate
from connectors.meta.usage import Usage, parse_usage
from connectors.retry import RetryPolicy

API_VERSION = "v26.0"
JOB_COMPLETED = "Job Completed"
JOB_GAVE_UP = frozenset({"Job Failed", "Job Skipped"})
#: A report run's status, and (Graph v25+) why it failed.
POLL_FIELDS = (
    "async_status",
    "async_percent_completion",
    "error_code",
    "error_subcode",
    "error_message",
)
#: Seconds before the second poll of a report run; later waits double up to the poll interval.
FIRST_POLL_WAIT = 0.5
#: The smallest page asked for when Graph finds a page too large (Graph's own default limit).
MIN_PAGE_SIZE = 25
T = TypeVar("T")
log = logging.getLogger(__name__)


_SECRET_QUERY = re.compile(r"((?:access|input)_token|appsecret_proof|client_secret)=[^&\s\"]+")


class _RedactSecrets(logging.Filter):
    """Masks token-like query parameters in log records (urllib3 logs every request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_QUERY.sub(r"\1=[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def _redact_urllib3_logs() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
        logger.addFilter(_RedactSecrets())


class _RecordingApi(FacebookAdsApi):
    """A FacebookAdsApi that hands the headers of every successful answer to a callback."""

    def __init__(self, session: FacebookSession, on_headers: Callable[[Mapping], None]) -> None:
        super().__init__(session, api_version=API_VERSION)
        self._on_headers = on_headers

    def call(self, *args: Any, **kwargs: Any) -> FacebookResponse:
        response = super().call(*args, **kwargs)
        self._on_headers(response.headers())
        return response


def _raw(obj: Any) -> dict[str, Any]:
    """The row as Graph sent it: the SDK keeps the answer's dict beside its typed copy (which
    may have converted values and is slow to export)."""
    raw = getattr(obj, "_json", None)
    return raw if isinstance(raw, dict) else obj.export_all_data()


class GraphClient:
    """Calls to one Graph API host with one set of credentials."""

    def __init__(
        self,
        *,
        access_token: str,
        app_id: str,
        app_secret: str,
        graph_url: str,
        retry: RetryPolicy,
        timeout: float = 120.0,
    ) -> None:
        session = FacebookSession(
            app_id=app_id, app_secret=app_secret, access_token=access_token, timeout=timeout
        )
        session.GRAPH = graph_url.rstrip("/")
        # The token goes in a header, not the query string that urllib3 logs at debug level.
        session.requests.params.pop("access_token", None)
        session.requests.headers["Authorization"] = f"Bearer {access_token}"
        _redact_urllib3_logs()
        self.api = _RecordingApi(session, self._record_success)
        self.retry = retry
        self.usage = Usage()
        self._pause: float | None = None
        self._app_id = app_id
        self._app_secret = app_secret
        self._access_token = access_token

    # --- usage and throttling ---

    def _record_success(self, headers: Mapping) -> None:
        self.usage = parse_usage(headers)
        self._pause = self.usage.retry_after() if self.usage.throttled else None

    def _pause_if_throttled(self, what: str) -> None:
        if self._pause:
            wait = min(self._pause, self.retry.max_delay)
            self._pause = None
            log.info("Meta usage at %.0f%%; pausing %.1fs before %s", self.usage.peak, wait, what)
            self.retry.sleep(wait)

    # --- calls ---

    def call(self, fn: Callable[[], T], *, what: str) -> T:
        """Run one SDK call under the retry policy, with errors in the shared types."""
        return self.retry.call(lambda: self._attempt(fn, what), what=f"Meta {what}")

    def _attempt(self, fn: Callable[[], T], what: str) -> T:
        self._pause_if_throttled(what)
        error: ConnectorError
        try:
            return fn()
        except FacebookRequestError as exc:
            self.usage = parse_usage(exc.http_headers())
            error = translate(exc)
        except requests.Timeout:
            error = TransientError(
                f"{what}: the Graph API did not answer in time", platform=PLATFORM
            )
        except requests.RequestException as exc:
            # requests' own message holds the URL with the access token: never pass it on.
            error = TransientError(
                f"{what}: {type(exc).__name__} talking to the Graph API", platform=PLATFORM
            )
        except (FacebookError, ValueError, TypeError, KeyError) as exc:
            error = BadResponseError(
                f"the SDK could not read the answer ({type(exc).__name__})",
                field="(response)",
                position=what,
                platform=PLATFORM,
            )
        # Raised outside the except blocks so the SDK's exception (which carries the request
        # parameters) is not chained to ours.
        raise error

    def pages(
        self, first: Callable[[int], Cursor], *, page_size: int, what: str
    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(page number, rows) of an edge; `first(limit)` asks for the first page. Each page is
        one retried call.

        The SDK's Cursor re-sends the same path with `after=<cursor>` while the answer has
        `paging.next`; `load_next_page` leaves the cursor unchanged when it fails, so retrying
        it asks for the same page again. A page Graph finds too large ("reduce the amount of
        data") is asked again with half the limit, down to `MIN_PAGE_SIZE`; an insights timeout
        is raised at once (a smaller page does not make the query cheaper).
        """
        limit = page_size
        while True:
            try:
                cursor = self.call(lambda n=limit: first(n), what=f"{what}, page 1")
                break
            except RequestTooLargeError as exc:
                limit = self._smaller_page(exc, limit, what)
        page = 1
        while True:
            yield page, [_raw(cursor[i]) for i in range(len(cursor))]
            page += 1
            # A finished cursor answers False without a request; asking it directly avoids a
            # throttling pause before a call that never happens.
            if getattr(cursor, "_finished_iteration", False):
                return
            while True:
                try:
                    more = self.call(cursor.load_next_page, what=f"{what}, page {page}")
                    break
                except RequestTooLargeError as exc:
                    current = int(cursor.params.get("limit") or page_size)
                    cursor.params["limit"] = self._smaller_page(exc, current, what)
            if not more:
                return

    @staticmethod
    def _smaller_page(error: RequestTooLargeError, limit: int, what: str) -> int:
        """Half of `limit` for a page Graph found too large; re-raise when that cannot help."""
        if error.timed_out or limit <= MIN_PAGE_SIZE:
            raise error
        smaller = max(MIN_PAGE_SIZE, limit // 2)
        log.info("Meta %s: too much data in a page of %d rows; asking for %d", what, limit, smaller)
        return smaller

    # --- async report runs ---

    def start_report(
        self, account_id: str, fields: Sequence[str], params: Mapping[str, Any], *, what: str
    ) -> str:
        """POST an async insights job; returns its report_run_id."""
        account = AdAccount(fbid=account_id, api=self.api)
        run = self.call(
            lambda: account.get_insights(fields=list(fields), params=dict(params), is_async=True),
            what=f"{what}, start report",
        )
        run_id = run.get("report_run_id") or run.get("id")
        if not run_id:
            raise BadResponseError(
                "no report_run_id in the answer",
                field="report_run_id",
                position=what,
                platform=PLATFORM,
            )
        return str(run_id)

    def wait_for_report(
        self, run_id: str, *, poll_interval: float, timeout: float, what: str
    ) -> bool:
        """Poll a report run until it completes (True) or fails, is skipped or times out
        (False). Waits start short and double up to `poll_interval`; waiting is counted in
        slept intervals, so a fake sleep also fakes time."""
        run = AdReportRun(fbid=run_id, api=self.api)
        waited = 0.0
        interval = min(FIRST_POLL_WAIT, poll_interval)
        while True:
            node = self.call(
                lambda: run.api_get(fields=list(POLL_FIELDS)),
                what=f"{what}, poll report {run_id}",
            )
            status = node.get("async_status")
            if status == JOB_COMPLETED:
                return True
            if status in JOB_GAVE_UP:
                log.warning(
                    "Meta report %s ended %r (%s): %s (code %s, subcode %s)",
                    run_id,
                    status,
                    what,
                    node.get("error_message") or "no reason given",
                    node.get("error_code"),
                    node.get("error_subcode"),
                )
                return False
            if waited >= timeout:
                log.warning(
                    "Meta report %s still %r after %.0fs (%s)", run_id, status, waited, what
                )
                return False
            self.retry.sleep(interval)
            waited += interval
            interval = min(interval * 2, poll_interval)

    def report_pages(
        self, run_id: str, *, page_size: int, what: str
    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        run = AdReportRun(fbid=run_id, api=self.api)
        return self.pages(
            lambda limit: run.get_insights(params={"limit": limit}),
            page_size=page_size,
            what=f"{what}, report {run_id}",
        )

    # --- tokens ---

    def debug_token(self) -> dict[str, Any]:
        """`GET /debug_token` about our own access token, authenticated as the app."""
        app_token = f"{self._app_id}|{self._app_secret}"
        proof = hmac.new(self._app_secret.encode(), app_token.encode(), hashlib.sha256).hexdigest()
        params = {"input_token": self._access_token, "appsecret_proof": proof}
        headers = {"Authorization": f"Bearer {app_token}"}
        response = self.call(
            lambda: self.api.call("GET", ("debug_token",), params=params, headers=headers),
            what="debug_token",
        )
        body = response.json()
        if not isinstance(body, dict):
            raise BadResponseError(
                "not a JSON object", field="data", position="debug_token", platform=PLATFORM
            )
        return body
