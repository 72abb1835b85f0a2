"""Action lists: the customers of a campaign or an acquisition cohort that a marketer acts on —
those likely to make a first purchase (a retargeting audience), those likely to churn (a
win-back audience) and those suspected of being fake (a dispute with the ad network).

Each list is written row by row from a server-side cursor (`stream_rows`), never built whole in
memory. Likely to pay: P(first purchase within 7 and 30 days) of the customers who have not paid
yet, by the first-purchase model (`analytics.early.first_purchase`) fitted on the recent
history. Likely to churn: the active churn model's probability (`roi_customers`). Suspected: the
stored traffic-quality judgement (`customer_suspicion`) with its reasons in plain words."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
from defusedcsv import csv
from sqlalchemy import text

from analytics.early.features import FeatureTable, event_vocabulary
from analytics.early.first_purchase import HORIZONS, fit_first_purchase, p_column
from analytics.early.traffic import reason_words
from analytics.ltv.columns import OCCURRED_AT
from backend.errors import Invalid
from backend.extensions import db
from backend.services.early.data import DAY, read_early_inputs

KINDS = ("likely_to_pay", "likely_to_churn", "suspected")
#: Default lowest probability for "likely" (of a first purchase within 30 days, or of churn).
DEFAULT_MIN_PROBABILITY = 0.5
#: Days of history the first-purchase model is fitted on for a list (its 30-day horizon needs
#: customers at least that old).
FIT_DAYS = 120
ROWS_PER_FETCH = 2000
IDENTITY = ("customer_id", "platform", "campaign_external_id", "campaign_name", "acquired_at")


@dataclass(frozen=True)
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

    def params(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "platform": self.platform,
            "cmp": self.campaign_id,
            "acc": self.account_id,
            "ext": self.campaign_external_id,
            "min_p": self.min_probability,
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
QUERIES = {
    # not paid yet: no revenue event (the model scores only those)
    "likely_to_pay": f"""SELECT {_IDENTITY_SQL} {_selected()}
        AND r.events = 0 ORDER BY cu.acquired_at""",
    "likely_to_churn": f"""SELECT {_IDENTITY_SQL}, r.churn_probability {_selected()}
        AND r.churn_probability >= :min_p ORDER BY r.churn_probability DESC, cu.acquired_at""",
    "suspected": f"""SELECT {_IDENTITY_SQL}, s.score, s.reasons {_selected(_SUSPECTS)}
        ORDER BY s.score DESC, cu.acquired_at""",
}
COLUMNS = {
    "likely_to_pay": (*IDENTITY, *(f"p_first_purchase_{h}d" for h in HORIZONS)),
    "likely_to_churn": (*IDENTITY, "churn_probability"),
    "suspected": (*IDENTITY, "suspicion", "reasons", "reason_codes"),
}


def check(request: ListRequest) -> None:
    if request.kind not in KINDS:
        raise Invalid(f"the list must be one of {', '.join(KINDS)}", field="kind")
    if request.end < request.start:
        raise Invalid("end must not be before start", field="end")


def first_purchase_probabilities(until: dt.datetime) -> pd.DataFrame:
    """P(first purchase within each horizon) of every customer not paid by `until` (index:
    customer id), by the first-purchase model fitted on the last FIT_DAYS."""
    inputs = read_early_inputs(until, since=until - dt.timedelta(days=FIT_DAYS))
    first_paid = inputs.first_paid()
    values = inputs.horizon_value(HORIZONS)
    earliest = inputs.until - 2 * max(HORIZONS) * DAY
    vocabulary = event_vocabulary(inputs.events[inputs.events[OCCURRED_AT] < earliest])
    table = FeatureTable(inputs.customers, inputs.events, vocabulary)
    model = fit_first_purchase(table, first_paid, values, inputs.until)
    return model.score(table, first_paid, inputs.until)


def row_maker(request: ListRequest, until: dt.datetime | None = None) -> Callable:
    """A function of one query row → the list's row (None: not on the list). Likely to pay
    fits and scores the first-purchase model here, before any row is written."""
    if request.kind == "likely_to_pay":
        scores = first_purchase_probabilities(until or dt.datetime.now(dt.UTC))
        p = {h: scores[p_column(h)].to_dict() for h in HORIZONS}
        longest = max(HORIZONS)

        def likely(row) -> tuple | None:
            chance = p[longest].get(row[0])
            if chance is None or chance < request.min_probability:
                return None
            return (*_identity(row), *(round(float(p[h].get(row[0], 0.0)), 4) for h in HORIZONS))

        return likely
    if request.kind == "likely_to_churn":
        return lambda row: (*_identity(row), round(float(row[6]), 4))
    return lambda row: (
        *_identity(row),
        round(float(row[6]), 3),
        reason_words(row[7]),
        " ".join(row[7]),
    )


def _identity(row) -> tuple:
    _, external_id, platform, campaign, name, acquired = row[:6]
    return (external_id, platform, campaign or "", name or "", acquired.isoformat())


def stream_rows(request: ListRequest, make: Callable) -> Iterator[tuple]:
    """The list's rows, read from a server-side cursor of a connection of their own."""
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=ROWS_PER_FETCH).execute(
            text(QUERIES[request.kind]), request.params()
        )
        for row in result:
            made = make(row)
            if made is not None:
                yield made


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
