"""Action lists: the customers of a campaign or an acquisition cohort that a marketer acts on —
those likely to make a first purchase (a retargeting audience), those likely to churn (a
win-back audience) and those suspected of being fake (a dispute with the ad network).

Each list is written row by row from a server-side cursor (`stream_rows`), never built whole in
memory. Likely to pay: P(first purchase within 7 and 30 days) of the customers who have not paid
yet, as the active first-purchase version stored it (`model_outputs`, customers acquired in the
30 days before its scoring date), each row naming that version and date; with no active
first-purchase version the list is refused (NoActiveModel, 422). Likely to churn: the active
churn model's probability (`roi_customer_predictions`). Suspected: the stored traffic-quality
judgement (`customer_suspicion`) with its reasons in plain words."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator

from defusedcsv import csv
from sqlalchemy import text

from analytics.early.first_purchase import HORIZONS, p_column
from analytics.early.traffic import reason_words
from backend.errors import Invalid
from backend.extensions import db
from backend.services.roi.early import FirstPurchaseVersion
from backend.services.roi.queries import active_models

KINDS = ("likely_to_pay", "likely_to_churn", "suspected")
#: Default lowest probability for "likely" (of a first purchase within 30 days, or of churn).
DEFAULT_MIN_PROBABILITY = 0.5
ROWS_PER_FETCH = 2000
IDENTITY = ("customer_id", "platform", "campaign_external_id", "campaign_name", "acquired_at")


@dataclasses.dataclass(frozen=True)
class ListRequest:
    """Which customers: acquired from `start` through `end` (UTC dates), optionally of one
    platform and one campaign (stored id, or account and the platform's campaign id)."""

    kind: str
    start: dt.date
    end: dt.date
    platform: str | None = None
    campaign_id: int | None = None
    account_id: int | None = None
    campaign_external_id: str | None = None
    min_probability: float = DEFAULT_MIN_PROBABILITY
    #: The first-purchase version whose outputs a likely-to-pay list reads (`prepare` sets it).
    first_purchase_version_id: int | None = None

    def params(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "platform": self.platform,
            "cmp": self.campaign_id,
            "acc": self.account_id,
            "ext": self.campaign_external_id,
            "min_p": self.min_probability,
            "first_purchase": self.first_purchase_version_id,
        }


#: The platform's id of the customer's campaign: the stored campaign's, else the one loaded.
_CAMPAIGN_EXTERNAL_ID = "coalesce(cm.external_id, cu.campaign_external_id)"


def _selected(join: str = "") -> str:
    """FROM and WHERE of the customers a request selects (roi_customers r, customers cu, their
    campaign cm), with `join` before the conditions."""
    return f"""
    FROM roi_customers r
    JOIN customers cu ON cu.id = r.customer_id
    LEFT JOIN campaigns cm ON cm.id = r.campaign_id {join}
    WHERE r.acquisition_date BETWEEN :start AND :end
      AND (CAST(:platform AS text) IS NULL OR r.platform = :platform)
      AND (CAST(:cmp AS bigint) IS NULL OR r.campaign_id = :cmp)
      AND (CAST(:acc AS int) IS NULL OR r.ad_account_id = :acc)
      AND (CAST(:ext AS text) IS NULL OR {_CAMPAIGN_EXTERNAL_ID} = :ext)
    """


_IDENTITY_SQL = (
    f"cu.id, cu.external_id, cu.platform, {_CAMPAIGN_EXTERNAL_ID}, cm.name, cu.acquired_at"
)
_SUSPECTS = "JOIN customer_suspicion s ON s.customer_id = r.customer_id AND s.suspect"
_FIRST_PURCHASE = """JOIN model_outputs o ON o.customer_id = r.customer_id
    AND o.model_version_id = :first_purchase"""
_LIKELIEST = p_column(max(HORIZONS))
#: The predictions of the active LTV and churn versions (`roi/sql/prediction_sums.py`).
_PREDICTED = "JOIN roi_customer_predictions p ON p.customer_id = r.customer_id"
QUERIES = {
    # not paid yet: no revenue event to date (the version may have scored them before they paid)
    "likely_to_pay": f"""SELECT {_IDENTITY_SQL},
        {", ".join(f"CAST(o.{p_column(h)} AS float8)" for h in HORIZONS)}
        {_selected(_FIRST_PURCHASE)}
        AND r.events = 0 AND o.{_LIKELIEST} >= :min_p
        ORDER BY o.{_LIKELIEST} DESC, cu.acquired_at""",
    "likely_to_churn": f"""SELECT {_IDENTITY_SQL}, p.churn_probability {_selected(_PREDICTED)}
        AND p.churn_probability >= :min_p ORDER BY p.churn_probability DESC, cu.acquired_at""",
    "suspected": f"""SELECT {_IDENTITY_SQL}, s.score, s.reasons {_selected(_SUSPECTS)}
        ORDER BY s.score DESC, cu.acquired_at""",
}
COLUMNS = {
    "likely_to_pay": (
        *IDENTITY,
        *(f"p_first_purchase_{h}d" for h in HORIZONS),
        "model_version_id",
        "scored_as_of",
    ),
    "likely_to_churn": (*IDENTITY, "churn_probability"),
    "suspected": (*IDENTITY, "suspicion", "reasons", "reason_codes"),
}


class NoActiveModel(Invalid):
    """The list reads a model's stored outputs and no version of that model is active."""


@dataclasses.dataclass(frozen=True)
class PreparedList:
    """What `stream_rows` runs: the request (with the version it reads) and the function of one
    query row → the list's row."""

    request: ListRequest
    make: Callable[[tuple], tuple]


def check(request: ListRequest) -> None:
    if request.kind not in KINDS:
        raise Invalid(f"the list must be one of {', '.join(KINDS)}", field="kind")
    if request.end < request.start:
        raise Invalid("end must not be before start", field="end")


def prepare(request: ListRequest) -> PreparedList:
    """Check the request and find what its list reads, before any row is written: likely to pay
    needs an active first-purchase version, likely to churn an active churn or LTV version
    (NoActiveModel otherwise)."""
    check(request)
    if request.kind == "likely_to_pay":
        version = FirstPurchaseVersion.active(active_models())
        if version is None:
            raise NoActiveModel(
                "No first-purchase model is active: a first-purchase model must be trained "
                "(Predictions, or after the next LTV training) before customers likely to pay "
                "can be listed.",
                field="kind",
            )
        scored = (version.id, version.scored_as_of.isoformat())
        request = dataclasses.replace(request, first_purchase_version_id=version.id)
        return PreparedList(
            request,
            lambda row: (*_identity(row), *(round(p, 4) for p in row[6:]), *scored),
        )
    if request.kind == "likely_to_churn":
        # churn probabilities come from the active churn version, else the LTV version's own
        if not {"churn", "ltv"} & set(active_models()):
            raise NoActiveModel(
                "No churn model is active: an LTV and churn model must be trained (Predictions) "
                "before customers likely to churn can be listed.",
                field="kind",
            )
        return PreparedList(request, lambda row: (*_identity(row), round(float(row[6]), 4)))
    return PreparedList(
        request,
        lambda row: (
            *_identity(row),
            round(float(row[6]), 3),
            reason_words(row[7]),
            " ".join(row[7]),
        ),
    )


def _identity(row) -> tuple:
    _, external_id, platform, campaign, name, acquired = row[:6]
    return (external_id, platform, campaign or "", name or "", acquired.isoformat())


def stream_rows(prepared: PreparedList) -> Iterator[tuple]:
    """The list's rows, read from a server-side cursor of a connection of their own."""
    request = prepared.request
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=ROWS_PER_FETCH).execute(
            text(QUERIES[request.kind]), request.params()
        )
        for row in result:
            yield prepared.make(row)


def csv_chunks(request: ListRequest, rows: Iterator[tuple]) -> Iterator[str]:
    """The header, then the rows as CSV, some hundreds at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS[request.kind])
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % 500 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def json_chunks(request: ListRequest, rows: Iterator[tuple]) -> Iterator[str]:
    """A JSON array of objects keyed by the CSV's columns, written as the rows come."""
    names = COLUMNS[request.kind]
    yield "["
    for count, row in enumerate(rows):
        yield ("," if count else "") + json.dumps(dict(zip(names, row, strict=True)))
    yield "]"


def _drain(buffer: io.StringIO) -> str:
    out = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return out
