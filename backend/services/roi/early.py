"""Early figures of cohorts too young to have revenue history (younger than
`metrics.EARLY_AGE_DAYS`): expected payers within 7 and 30 days and the early predicted ROAS
(`analytics.metrics`), from the active first-purchase version's outputs, each with its
backtested error at the age its youngest customers had when they were scored
(`analytics.early.backtest`).

The outputs are read per customer of the young days only (at most a week of customers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from concurrent.futures import Future

from analytics import metrics
from analytics.early.backtest import JUDGED_DAYS, accuracy_at_age
from analytics.early.first_purchase import FEATURE_AGES, HORIZONS, p_column
from backend.services.roi import queries

#: Groups everything into one row (the totals of a report).
ALL = queries.Grouping("none", "'all'", "'all'")


@dataclasses.dataclass(frozen=True)
class FirstPurchaseVersion:
    id: int
    scored_as_of: dt.date
    value_per_payer: dict[int, float]
    metrics: dict
    trained_at: dt.datetime | None = None
    training_start: dt.date | None = None

    @classmethod
    def active(cls, models: dict[str, dict]) -> FirstPurchaseVersion | None:
        """The active first-purchase version among `queries.active_models()`, if any."""
        found = models.get("first_purchase")
        params = (found or {}).get("params") or {}
        if not found or not params.get("scored_as_of"):
            return None
        return cls(
            found["id"],
            dt.date.fromisoformat(params["scored_as_of"]),
            {int(h): float(v) for h, v in (params.get("value_per_payer") or {}).items()},
            found.get("metrics") or {},
            found.get("trained_at"),
            found.get("training_start"),
        )

    @property
    def by_age(self) -> dict[str, dict[str, float | None]]:
        """The stored summary per feature age (D1, D3) as the API serves it, a map of numbers:
        only finite numbers and None (no figure) are kept. A version stored by an earlier build
        holds a reason string there (`auc_withheld_<h>`: "too few payers to judge")."""
        stored = self.metrics.get("by_age")
        if not isinstance(stored, dict):
            return {}
        return {
            str(age): {
                str(name): value
                for name, value in figures.items()
                if value is None or _finite_number(value)
            }
            for age, figures in stored.items()
            if isinstance(figures, dict)
        }


def _finite_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def young_range(start: dt.date, end: dt.date, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of start..end whose cohorts are younger than EARLY_AGE_DAYS on `as_of`."""
    first = max(start, as_of - dt.timedelta(days=metrics.EARLY_AGE_DAYS - 1))
    last = min(end, as_of)
    return (first, last) if first <= last else None


def read_expected_payers(
    selection: queries.Selection,
    customer_key: str,
    version: FirstPurchaseVersion,
    reads: queries.Reads,
) -> Future:
    """Per group of the selected customers: customers, those scored by `version`, the sums of
    their probabilities per horizon, the age (days) of the youngest of them at the scoring (a
    group's error is read at the age of its least known customers, `analytics.metrics`), and the
    first day."""
    sums = ", ".join(f"CAST(sum(o.{p_column(h)}) AS float8) AS {p_column(h)}" for h in HORIZONS)
    sql = f"""
        SELECT {customer_key} AS key, count(*) AS customers, count(o.customer_id) AS scored,
               {sums},
               CAST(min(CAST(:scored_as_of AS date) - c.acquisition_date)
                    FILTER (WHERE o.customer_id IS NOT NULL) AS float8) + 0.5 AS scored_age,
               min(c.acquisition_date) AS first_day
        FROM roi_customers c
        LEFT JOIN model_outputs o
               ON o.customer_id = c.customer_id AND o.model_version_id = :first_purchase
        WHERE c.acquisition_date BETWEEN :start AND :end AND c.platform = ANY(:platforms)
        {queries._filters("c", "ad_account_id", "campaign_id")}
        GROUP BY 1
    """
    params = selection.params() | {
        "first_purchase": version.id,
        "scored_as_of": version.scored_as_of,
    }
    return reads.submit(sql, params)


def early_figures(
    fetched: queries.Fetched, spend: dict[str, float | None], version: FirstPurchaseVersion
) -> dict[str, dict]:
    """Per group key: customers, scored, expected payers (7 and 30 days), the early predicted
    ROAS (EARLY_HORIZON_DAYS) on the group's `spend`, and its backtested accuracy."""
    names, rows = fetched
    out = {}
    horizon = metrics.EARLY_HORIZON_DAYS
    for raw in queries._text_keys(rows):
        row = dict(zip(names, raw, strict=True))
        if not row["scored"]:
            continue
        expected = {
            h: metrics.expected_payers(row[p_column(h)], row["scored"], row["customers"])
            for h in HORIZONS
        }
        cost = spend.get(row["key"])
        value = version.value_per_payer.get(horizon)
        out[row["key"]] = {
            "customers": int(row["customers"]),
            "scored": int(row["scored"]),
            "expected_payers_7": _round(expected[7], 1),
            "expected_payers_30": _round(expected[30], 1),
            "value_per_payer": _round(value, 2),
            "spend": _round(cost, 2),
            "predicted_roas": _round(metrics.early_predicted_roas(expected[horizon], value, cost)),
            "horizon_days": horizon,
            "accuracy": accuracy_at_age(version.metrics, horizon, row["scored_age"]),
            "model_version_id": version.id,
            "scored_as_of": version.scored_as_of,
        }
    return out


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def early_by_key(
    selection: queries.Selection,
    grouping: queries.Grouping,
    version: FirstPurchaseVersion | None,
    as_of: dt.date,
    reads: queries.Reads,
    *,
    customer_key: str | None = None,
    spend: dict[str, float | None] | None = None,
) -> dict[str, dict]:
    """The early figures of the selection's young days (`young_range`) per group key; the
    spend of those days is read with `grouping` unless given per key."""
    young = young_range(selection.start, selection.end, as_of)
    if young is None or version is None:
        return {}
    sub = dataclasses.replace(selection, start=young[0], end=young[1])
    payers = read_expected_payers(sub, customer_key or grouping.customer_key, version, reads)
    if spend is None:
        spent = queries.frame(queries.read_spend(sub, grouping, reads).result())
        spend = dict(zip(spent["key"].astype(str), spent["spend"], strict=True))
    figures = early_figures(payers.result(), spend, version)
    for figure in figures.values():
        figure["from"], figure["to"] = young
    return figures


def model_summary(version: FirstPurchaseVersion | None) -> dict | None:
    """What a page says of the first-purchase version its early figures come from: when and on
    which customers it was trained, and its backtest at each feature age (`accuracy`: D1, D3,
    as `accuracy_at_age` reads it beside a cohort) with the report origin it was judged at."""
    if version is None:
        return None
    horizon = metrics.EARLY_HORIZON_DAYS
    report = ((version.metrics.get("horizons") or {}).get(str(horizon))) or {}
    judged = (accuracy_at_age(version.metrics, horizon, age) for age in FEATURE_AGES)
    return {
        "id": version.id,
        "scored_as_of": version.scored_as_of,
        "trained_at": version.trained_at,
        "training_start": version.training_start,
        "horizon_days": horizon,
        "early_age_days": metrics.EARLY_AGE_DAYS,
        "value_per_payer": version.value_per_payer.get(horizon),
        "by_age": version.by_age,
        "backtest_origin": dt.date.fromisoformat(report["origin"])
        if report.get("origin")
        else None,
        "judged_days": JUDGED_DAYS,
        "accuracy": [a for a in judged if a is not None],
    }
