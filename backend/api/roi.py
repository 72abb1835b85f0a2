"""/api/roi, /api/roi/export.csv, /api/overview, /api/cohorts: channel ROI, the overview and
acquisition cohorts, for every signed-in role. Money is in the reporting currency (`currency`);
a null figure is unknown (no exchange rate, an incomplete cohort, nothing to divide by), never a
disguised zero."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import NamedTuple

import orjson
from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.dumping import compiled_dump
from backend.api.strings import Text
from backend.auth import signed_in
from backend.auth.access import cached_identity
from backend.memory import release_freed_memory
from backend.services.roi import cache as roi_cache
from backend.services.roi import cohorts, overview
from backend.services.roi import report as roi
from connectors import platforms

blp = Blueprint("roi", __name__, url_prefix="/api", description="ROI, overview and cohorts")

Money = fields.Float  # rounded to cents (unit costs to 4 decimals); null when unknown
SUSPECT_SHARE = (
    "Suspect customers ÷ customers: those whose behaviour after the install (no activity, "
    "opening the app seconds after installing, a burst of installs, a refunded purchase) "
    "makes them likely fake (GET /api/traffic-quality/reasons)"
)


class ReportRangeSchema(Schema):
    start = fields.Date(required=True, metadata={"description": "First acquisition/spend date"})
    end = fields.Date(required=True, metadata={"description": "Last date (inclusive)"})

    @validates_schema
    def _range(self, data: dict, **_: object) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("must not be before start", field_name="end")
        if (data["end"] - data["start"]).days + 1 > roi.MAX_RANGE_DAYS:
            raise ValidationError(
                f"the range must not exceed {roi.MAX_RANGE_DAYS} days", field_name="end"
            )


class RoiQuerySchema(ReportRangeSchema):
    group_by = Text(load_default="platform", validate=validate.OneOf(roi.GROUP_BY))
    platform = Text(validate=validate.OneOf(platforms()))
    account_id = fields.Integer(strict=False, validate=validate.Range(1, 2**31 - 1))
    campaign_id = fields.Integer(strict=False, validate=validate.Range(1, 2**63 - 1))
    horizon = fields.Integer(
        load_default=365,
        validate=validate.OneOf(roi.HORIZONS),
        metadata={"description": "Days of predicted LTV (30, 90 or 365)"},
    )


class SizedAccuracySchema(Schema):
    customers = fields.Integer(metadata={"description": "The row's customers"})
    error_p50 = fields.Float(
        allow_none=True,
        metadata={"description": "Median |predicted / actual - 1| of a cohort of that size"},
    )
    error_p80 = fields.Float(allow_none=True)
    low_ratio = fields.Float(
        allow_none=True,
        metadata={"description": "Actual ÷ predicted at 1 in 10 (the interval's low end)"},
    )
    high_ratio = fields.Float(
        allow_none=True,
        metadata={"description": "Actual ÷ predicted at 9 in 10 (the interval's high end)"},
    )


class AccuracySchema(Schema):
    horizon_days = fields.Integer(
        required=True,
        metadata={
            "description": "LTV horizon (days from acquisition) judged: the one asked for, or "
            "the longest shorter one the history allowed the backtest to judge"
        },
    )
    age_bucket = Text(
        required=True,
        metadata={
            "description": "Cohort age at prediction time the backtest judged: D1 (acquired that "
            "day), D3 (days 2-3 of life), D7, D14, D30, D90 (days 31-90), D365 (days 91-365)"
        },
    )
    error_p50 = fields.Float(
        allow_none=True,
        metadata={
            "description": "Median |predicted / actual - 1| of cohort totals (acquisition day x "
            "channel) at that age in the backtest: 0.18 = 'backtested error +-18%'"
        },
    )
    error_p80 = fields.Float(
        allow_none=True, metadata={"description": "80th percentile of that error"}
    )
    bias = fields.Float(
        allow_none=True,
        metadata={"description": "Predicted / actual - 1 of the total at that age"},
    )
    normalized_gini = fields.Float(
        allow_none=True, metadata={"description": "Ranking of customers at that age"}
    )
    cohorts = fields.Integer(metadata={"description": "Cohorts behind the error percentiles"})
    customers = fields.Integer(metadata={"description": "Customers judged at that age"})
    cohort_customers = fields.Float(
        allow_none=True,
        metadata={"description": "Customers of the backtest's median cohort at that age"},
    )
    sized = fields.Nested(
        SizedAccuracySchema,
        allow_none=True,
        metadata={"description": "The error of a cohort of the row's customers"},
    )


class IntervalSchema(Schema):
    low = fields.Float(required=True)
    high = fields.Float(required=True)


class ComparedSchema(Schema):
    horizon_days = fields.Integer(metadata={"description": "The horizon both were judged at"})
    cohort_customers = fields.Integer(
        allow_none=True,
        metadata={"description": "Customers per weekly cohort of the first-purchase backtest"},
    )
    ltv_age_bucket = Text(allow_none=True)
    ltv_error_pct = fields.Float(
        allow_none=True,
        metadata={"description": "The LTV version's median error per cohort of that size, %"},
    )
    early_age_bucket = Text(allow_none=True)
    early_error_pct = fields.Float(
        allow_none=True,
        metadata={"description": "The first-purchase version's mean error per weekly cohort, %"},
    )


class PredictionSchema(Schema):
    """The one predicted ROAS a row shows (backend.services.predictions.shown_roas)."""

    roas = fields.Float(allow_none=True)
    horizon_days = fields.Integer(metadata={"description": "Days of revenue it predicts"})
    source = Text(metadata={"description": "ltv (the LTV model) or early (early signals)"})
    age_bucket = Text(
        allow_none=True, metadata={"description": "The age its backtested error is read at"}
    )
    error_pct = fields.Float(
        allow_none=True,
        metadata={"description": "Its backtested error at that age, %; null when not judged"},
    )
    interval = fields.Nested(IntervalSchema, allow_none=True)
    compared = fields.Nested(
        ComparedSchema,
        allow_none=True,
        metadata={
            "description": "For a row with both: the two versions' stored backtests on "
            "horizon_days revenue at the row's age, the smaller error chose the source"
        },
    )


class ChurnAgeAccuracySchema(Schema):
    age_bucket = Text(
        metadata={"description": "Cohort age at prediction time: D1, D3, D7, D14, D30, D90, D365"}
    )
    auc = fields.Float(
        allow_none=True, metadata={"description": "null when all or none of them churned"}
    )
    pr_auc = fields.Float(allow_none=True)
    brier = fields.Float(allow_none=True)
    predicted_rate = fields.Float(allow_none=True, metadata={"description": "Mean predicted"})
    observed_rate = fields.Float(allow_none=True, metadata={"description": "Share that churned"})
    customers = fields.Integer(metadata={"description": "Customers of that age judged"})


class ChurnAccuracySchema(Schema):
    horizon_days = fields.Integer(
        allow_none=True, metadata={"description": "Churn = no purchase within these days"}
    )
    auc = fields.Float(allow_none=True, metadata={"description": "Backtested ROC AUC"})
    pr_auc = fields.Float(allow_none=True)
    brier = fields.Float(allow_none=True)
    model = Text(allow_none=True, metadata={"description": "Churn model the backtest chose"})
    predicted_rate = fields.Float(
        allow_none=True,
        metadata={"description": "Mean predicted churn of the customers the backtest judged"},
    )
    observed_rate = fields.Float(
        allow_none=True, metadata={"description": "The share of them that did churn"}
    )
    customers = fields.Integer(allow_none=True, metadata={"description": "Customers judged"})
    by_age = fields.List(
        fields.Nested(ChurnAgeAccuracySchema),
        metadata={"description": "The same backtest among the customers of each cohort age"},
    )
    at_age = fields.Nested(
        ChurnAgeAccuracySchema,
        allow_none=True,
        metadata={"description": "The backtest at the customers' age (age_days), when judged"},
    )


class EarlyAccuracySchema(Schema):
    age_bucket = Text(
        required=True,
        metadata={"description": "D1 or D3: the feature age the cohort was scored at"},
    )
    horizon_days = fields.Integer(required=True)
    expected_payers_err_pct = fields.Float(
        allow_none=True,
        metadata={"description": "Backtested mean error of expected payers per weekly cohort, %"},
    )
    predicted_roas_err_pct = fields.Float(
        allow_none=True,
        metadata={
            "description": "Backtested mean error of the early predicted revenue (hence ROAS, "
            "the spend being known) per weekly cohort, %"
        },
    )
    auc = fields.Float(allow_none=True)
    brier = fields.Float(allow_none=True)
    weeks = fields.Integer(metadata={"description": "Weekly cohorts the backtest judged"})
    customers = fields.Integer(
        metadata={"description": "Customers judged (not yet paid at that age) over those weeks"}
    )


class EarlySchema(Schema):
    """Early figures of customers too young to have revenue history (analytics.metrics)."""

    start = fields.Date(data_key="from", attribute="from")
    end = fields.Date(data_key="to", attribute="to")
    customers = fields.Integer()
    scored = fields.Integer(metadata={"description": "Customers the first-purchase model scored"})
    expected_payers_7 = fields.Float(allow_none=True)
    expected_payers_30 = fields.Float(allow_none=True)
    value_per_payer = Money(allow_none=True)
    spend = Money(allow_none=True)
    predicted_roas = fields.Float(
        allow_none=True,
        metadata={
            "description": "Early predicted ROAS at horizon_days: expected payers × value per "
            "payer ÷ spend"
        },
    )
    horizon_days = fields.Integer()
    accuracy = fields.Nested(EarlyAccuracySchema, allow_none=True)
    model_version_id = fields.Integer()
    scored_as_of = fields.Date()


class FirstPurchaseModelSchema(Schema):
    id = fields.Integer(required=True)
    scored_as_of = fields.Date()
    horizon_days = fields.Integer()
    early_age_days = fields.Integer(
        metadata={"description": "Cohorts younger than this get early figures"}
    )
    value_per_payer = fields.Float(allow_none=True)
    by_age = fields.Dict(
        keys=Text(),
        values=fields.Dict(keys=Text(), values=fields.Float(allow_none=True)),
        metadata={"description": "Per feature age (D1, D3): AUC, Brier and errors by horizon"},
    )
    trained_at = fields.DateTime(allow_none=True)
    training_start = fields.Date(
        allow_none=True, metadata={"description": "First acquisition day of its customers"}
    )
    backtest_origin = fields.Date(
        allow_none=True,
        metadata={
            "description": "Report origin of the horizon_days backtest: fitted on the data up to "
            "it, judged on the customers acquired in the judged_days before it"
        },
    )
    judged_days = fields.Integer(allow_none=True)
    accuracy = fields.List(
        fields.Nested(EarlyAccuracySchema),
        metadata={"description": "The backtest at each feature age (D1, D3), at horizon_days"},
    )


class RoiMetricsSchema(Schema):
    spend = Money(allow_none=True)
    impressions = fields.Integer()
    clicks = fields.Integer()
    installs = fields.Integer()
    cpi = Money(allow_none=True)
    customers = fields.Integer(metadata={"description": "New customers acquired in the range"})
    cac = Money(allow_none=True)
    revenue = Money(allow_none=True, metadata={"description": "To date, of those customers"})
    revenue_d7 = Money(allow_none=True, metadata={"description": "null while incomplete"})
    revenue_d30 = Money(allow_none=True, metadata={"description": "null while incomplete"})
    d7_complete = fields.Boolean()
    d30_complete = fields.Boolean()
    roas = fields.Float(allow_none=True)
    predicted_ltv = Money(allow_none=True, metadata={"description": "Per customer, at horizon"})
    predicted_roas = fields.Float(allow_none=True)
    ltv_cac = fields.Float(
        allow_none=True,
        metadata={"description": "margin_rate × predicted LTV at ltv_horizon per customer ÷ CAC"},
    )
    payback_days = fields.Integer(allow_none=True)
    churn_rate = fields.Float(allow_none=True)
    suspects = fields.Integer(
        metadata={"description": "Of those customers, the ones traffic quality judged suspect"}
    )
    suspect_share = fields.Float(allow_none=True, metadata={"description": SUSPECT_SHARE})
    cac_excluding_suspects = Money(
        allow_none=True,
        metadata={"description": "Spend (all of it) ÷ customers that are not suspect"},
    )
    roas_excluding_suspects = fields.Float(
        allow_none=True,
        metadata={
            "description": "Revenue of the customers that are not suspect ÷ spend (all of it)"
        },
    )
    accuracy = fields.Nested(
        AccuracySchema,
        allow_none=True,
        metadata={
            "description": "How far to trust predicted_ltv, predicted_roas and ltv_cac: the "
            "active LTV version's backtest at `horizon` for customers as old as the middle of "
            "the range; null when not judged"
        },
    )
    predicted_roas_interval = fields.Nested(
        IntervalSchema,
        allow_none=True,
        metadata={"description": "predicted_roas x (1 -+ accuracy.error_p80), at least roas"},
    )
    ltv_cac_accuracy = fields.Nested(
        AccuracySchema,
        allow_none=True,
        metadata={"description": "The backtest of LTV at ltv_horizon (LTV:CAC's), at that age"},
    )
    payback_accuracy = fields.Nested(
        AccuracySchema,
        allow_none=True,
        metadata={
            "description": "The backtest of the revenue predicted through the payback day (the "
            "horizon when not paid back within it); null when the payback is observed"
        },
    )
    early = fields.Nested(
        EarlySchema,
        allow_none=True,
        metadata={
            "description": "Expected payers and early predicted ROAS of the customers acquired "
            "in the range's days younger than early_age_days, with their backtested error"
        },
    )
    prediction = fields.Nested(
        PredictionSchema,
        allow_none=True,
        metadata={
            "description": "The one predicted ROAS the page shows, with its horizon, source and "
            "backtested error: the LTV model's or, where its backtest is the better at the "
            "row's age, the early one"
        },
    )


class RoiRowSchema(RoiMetricsSchema):
    key = Text(required=True)
    label = Text(required=True)
    platform = Text()
    account_id = fields.Integer()
    campaign_id = fields.Integer()


class RoiReportSchema(Schema):
    currency = Text(required=True)
    group_by = Text(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    as_of = fields.Date(metadata={"description": "The day revenue to date and cohort ages run to"})
    horizon = fields.Integer(metadata={"description": "Days of predicted LTV and ROAS"})
    ltv_horizon = fields.Integer(metadata={"description": "Days of the LTV in LTV:CAC"})
    margin_rate = fields.Float(
        metadata={"description": "Share of revenue that is margin (payback, LTV:CAC)"}
    )
    rows = fields.List(fields.Nested(RoiRowSchema), required=True)
    totals = fields.Nested(RoiMetricsSchema, required=True)
    note = Text(allow_none=True, metadata={"description": "Why figures are missing, if any"})
    churn_accuracy = fields.Nested(
        ChurnAccuracySchema,
        allow_none=True,
        metadata={"description": "The active churn version's backtest (churn_rate's model)"},
    )
    age_days = fields.Integer(
        metadata={
            "description": "Days from the middle of the range to as_of: the customers' age the "
            "accuracy of the predictions is read at"
        }
    )
    early_range = fields.List(
        fields.Date(),
        allow_none=True,
        metadata={"description": "[first, last] day of the range whose cohorts are early"},
    )
    first_purchase_model = fields.Nested(FirstPurchaseModelSchema, allow_none=True)


class OverviewKpiSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    spend = Money(allow_none=True)
    revenue = Money(allow_none=True)
    roas = fields.Float(allow_none=True)
    predicted_roas = fields.Float(allow_none=True)
    installs = fields.Integer()
    cpi = Money(allow_none=True)
    customers = fields.Integer()
    cac = Money(allow_none=True)
    suspects = fields.Integer()
    suspect_share = fields.Float(allow_none=True, metadata={"description": SUSPECT_SHARE})
    cac_excluding_suspects = Money(allow_none=True)
    roas_excluding_suspects = fields.Float(allow_none=True)
    accuracy = fields.Nested(
        AccuracySchema,
        allow_none=True,
        metadata={"description": "How far to trust predicted_roas (the ROI report's totals)"},
    )
    predicted_roas_interval = fields.Nested(IntervalSchema, allow_none=True)
    age_days = fields.Integer(
        metadata={"description": "The customers' age (middle of the range) accuracy is read at"}
    )
    early = fields.Nested(
        EarlySchema,
        allow_none=True,
        metadata={
            "description": "Expected payers and early predicted ROAS of the customers acquired "
            "in the range's days younger than early_age_days, with their backtested error"
        },
    )
    prediction = fields.Nested(
        PredictionSchema,
        allow_none=True,
        metadata={
            "description": "The one predicted ROAS the overview shows (the ROI report's totals' "
            "prediction), with its horizon, source and backtested error"
        },
    )


class OverviewSeriesPointSchema(Schema):
    date = fields.Date(required=True)
    platform = Text(required=True)
    spend = Money(allow_none=True)
    revenue = Money(allow_none=True, metadata={"description": "Of the customers acquired that day"})
    revenue_at_age = Money(
        allow_none=True,
        metadata={
            "description": "Of those customers, through their first `comparable.days` days; "
            "null while they are younger"
        },
    )


class OverviewFreshnessSchema(Schema):
    account_id = fields.Integer(required=True)
    name = Text(required=True)
    platform = Text(required=True)
    status = Text()
    last_success_at = fields.DateTime(allow_none=True)
    freshness_hours = fields.Float(allow_none=True)
    data_through = fields.Date(allow_none=True)
    last_error = Text(allow_none=True)


class ComparableFiguresSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    spend = Money(allow_none=True)
    revenue = Money(allow_none=True, metadata={"description": "Through each customer's first days"})
    roas = fields.Float(allow_none=True)


class ComparableSchema(Schema):
    days = fields.Integer(required=True, metadata={"description": "The age compared at"})
    through = fields.Date(
        allow_none=True,
        metadata={"description": "Last day of the range whose cohorts are that old"},
    )
    current = fields.Nested(ComparableFiguresSchema, allow_none=True)
    previous = fields.Nested(
        ComparableFiguresSchema,
        allow_none=True,
        metadata={"description": "The same days of the preceding range, at the same age"},
    )


class OverviewSchema(Schema):
    currency = Text(required=True)
    start = fields.Date()
    end = fields.Date()
    as_of = fields.Date(metadata={"description": "The day cohort ages are counted to"})
    current = fields.Nested(OverviewKpiSchema, required=True)
    previous = fields.Nested(OverviewKpiSchema, required=True)
    comparable = fields.Nested(
        ComparableSchema,
        required=True,
        metadata={"description": "Revenue and ROAS of both ranges at the same cohort age"},
    )
    series = fields.List(fields.Nested(OverviewSeriesPointSchema), required=True)
    open_alerts = fields.Integer(allow_none=True)
    freshness = fields.List(fields.Nested(OverviewFreshnessSchema), required=True)


class CohortQuerySchema(ReportRangeSchema):
    cohort = Text(load_default="week", validate=validate.OneOf(cohorts.GRAINS))
    platform = Text(validate=validate.OneOf(platforms()))


class CohortCurvePointSchema(Schema):
    day = fields.Integer(required=True, metadata={"description": "The first n days"})
    revenue = Money(allow_none=True, metadata={"description": "Actual cumulative revenue"})
    predicted = Money(allow_none=True, metadata={"description": "Projected from the last day"})


class CohortSurvivalPointSchema(Schema):
    day = fields.Integer(required=True, metadata={"description": "Days since acquisition"})
    p = fields.Float(
        required=True,
        metadata={
            "description": "Kaplan-Meier share of the cohort still buying on that day (its last "
            "purchase on that day or later); churn = 90 days without a purchase"
        },
    )
    observed = fields.Boolean(
        metadata={
            "description": "From observed churn alone; false where customers whose 90 days have "
            "not passed count with their predicted churn probability"
        }
    )


class ChurnDriverSchema(Schema):
    trait = Text(required=True, metadata={"description": "e.g. no_first_week_purchase"})
    feature = Text(metadata={"description": "The model feature the trait is read from"})
    importance = fields.Float(
        allow_none=True,
        metadata={"description": "Permutation importance of that feature (drop of ROC AUC)"},
    )
    churn_ratio = fields.Float(
        required=True, metadata={"description": "Churn rate with the trait / without it"}
    )
    churn_rate_with = fields.Float()
    churn_rate_without = fields.Float()
    customers_with = fields.Integer()
    sentence = Text(
        required=True,
        metadata={
            "description": "One plain sentence for marketers, e.g. 'Customers from meta without "
            "a purchase in their first week churn 2.3x as often as the others'"
        },
    )


class CohortSchema(Schema):
    cohort = Text(required=True, metadata={"description": "First day of the period"})
    platform = Text(allow_none=True)
    customers = fields.Integer()
    spend = Money(allow_none=True)
    curve = fields.List(fields.Nested(CohortCurvePointSchema))
    roas_actual = fields.Float(allow_none=True)
    roas_predicted = fields.Float(allow_none=True)
    payback_days = fields.Integer(allow_none=True)
    churn_rate = fields.Float(allow_none=True)
    suspects = fields.Integer(metadata={"description": "Customers judged suspect traffic"})
    suspect_share = fields.Float(allow_none=True, metadata={"description": SUSPECT_SHARE})
    churn_accuracy = fields.Nested(
        ChurnAgeAccuracySchema,
        allow_none=True,
        metadata={
            "description": "How far to trust churn_rate: the active churn version's backtest "
            "among customers of this cohort's age; null when that age was not judged"
        },
    )
    survival = fields.List(fields.Nested(CohortSurvivalPointSchema))
    churn_drivers = fields.List(
        fields.Nested(ChurnDriverSchema),
        metadata={
            "description": "Traits whose customers of this cohort the model predicts to churn "
            "notably more often than the cohort's others, the channel's strongest first"
        },
    )
    payback_accuracy = fields.Nested(
        AccuracySchema,
        allow_none=True,
        metadata={"description": "As the ROI report's: null when the payback is observed"},
    )
    age_days = fields.Integer(
        metadata={"description": "Days from the middle of the cohort's period to today"}
    )
    accuracy = fields.Nested(
        AccuracySchema,
        allow_none=True,
        metadata={
            "description": "How far to trust roas_predicted, its predicted LTV and LTV:CAC: the "
            "active LTV version's backtest of LTV_365 at this cohort's age; null when the "
            "backtest could not judge that age (too little history, or nothing left to predict)"
        },
    )
    roas_predicted_interval = fields.Nested(
        IntervalSchema,
        allow_none=True,
        metadata={
            "description": "roas_predicted x (1 -+ accuracy.error_p80), never below roas_actual"
        },
    )
    early = fields.Nested(
        EarlySchema,
        allow_none=True,
        metadata={
            "description": "For a cohort younger than early_age_days: expected payers and the "
            "early predicted ROAS, with their backtested error at the cohort's age"
        },
    )
    prediction = fields.Nested(
        PredictionSchema,
        allow_none=True,
        metadata={
            "description": "The one predicted ROAS the page shows, with its horizon, source and "
            "backtested error: the LTV model's or, where its backtest is the better at the "
            "row's age, the early one"
        },
    )


class AgeAccuracySchema(AccuracySchema):
    origin = fields.Date(
        allow_none=True,
        metadata={"description": "The backtest's report origin: fitted on the data up to it"},
    )


class CohortModelSchema(Schema):
    id = fields.Integer(required=True)
    kind = Text(required=True)
    algorithm = Text()
    trained_at = fields.DateTime(allow_none=True)
    training_start = fields.Date(
        allow_none=True, metadata={"description": "First acquisition day of its customers"}
    )
    scored_as_of = fields.Date(allow_none=True, metadata={"description": "Data through this day"})
    horizon_days = fields.Integer(metadata={"description": "Horizon of the page's predictions"})
    by_age = fields.List(
        fields.Nested(AgeAccuracySchema),
        metadata={
            "description": "Per cohort age at prediction (D1 ... D365, youngest first), the "
            "backtested error of the longest horizon judged up to horizon_days"
        },
    )
    churn_version_id = fields.Integer(allow_none=True)
    metrics = fields.Dict(keys=Text(), values=fields.Float())


class CohortReportSchema(Schema):
    currency = Text(required=True)
    cohort_grain = Text()
    model = fields.Nested(CohortModelSchema, allow_none=True)
    churn_accuracy = fields.Nested(
        ChurnAccuracySchema,
        allow_none=True,
        metadata={"description": "The active churn version's backtest (churn_rate's model)"},
    )
    churn_drivers = fields.Dict(
        keys=Text(),
        values=fields.List(fields.Nested(ChurnDriverSchema)),
        metadata={
            "description": "Per channel (platform), the traits whose customers churn most more "
            "often, from the active churn version's backtest, strongest first"
        },
    )
    first_purchase_model = fields.Nested(FirstPurchaseModelSchema, allow_none=True)
    cohorts = fields.List(fields.Nested(CohortSchema), required=True)


def _request(query: dict) -> roi.RoiRequest:
    return roi.RoiRequest(**query)


#: Keys that are not text as the json module writes them (e.g. 7 -> "7"); NumPy numbers as
#: numbers (the json module wrote a NumPy float as a float).
_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _dumps(report: dict) -> bytes:
    """An answer's JSON in UTF-8 (compact): dates and times as ISO 8601 text, as marshmallow's
    Date and DateTime fields write them. orjson, not the json module: encoding a whole-range
    cohort answer (1.3 MB) took ~58 ms with it, ~5 ms with orjson; the values are the same."""
    return orjson.dumps(report, option=_JSON_OPTIONS)


class Answer(NamedTuple):
    """An answer's JSON, whether the answer cache had it, and its entity tag (None: not cached,
    the cache is off)."""

    body: bytes
    cached: bool
    etag: str | None


#: The browser keeps an answer and asks whether it is still current (If-None-Match) each time.
CACHE_CONTROL = "private, no-cache"


def _json(answer: Answer) -> Response:
    """A JSON answer, saying whether the answer cache had it (X-Spendlens-Cache: hit | miss),
    with its ETag; 304 without a body when the caller's copy (If-None-Match) is that one."""
    response_class = current_app.response_class
    if answer.etag is not None and answer.etag in request.if_none_match:
        response = response_class(status=304)
    else:
        response = response_class(answer.body, mimetype="application/json")
    response.headers["X-Spendlens-Cache"] = "hit" if answer.cached else "miss"
    if answer.etag is not None:
        response.set_etag(answer.etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _answer(kind: str, query: dict, compute, first: dt.date, whole: bool = True) -> Answer:
    """`compute()`'s JSON, through the answer cache when it is on (SPENDLENS_ROI_CACHE); the
    answer reads the days from `first` to the request's end.

    Its entity tag is its cache key, which names the data version of this request's snapshot:
    when the answer is the `whole` response, a caller whose copy has that tag gets 304 without
    the cache being read at all (the copy is the answer kept under that key, or one computed as
    fresh)."""
    compute = _releasing_memory(compute)
    if not current_app.config.get("ROI_CACHE"):
        return Answer(compute(), False, None)
    key = roi_cache.current_key(kind, query, (first, query["end"]))
    etag = key.rsplit(":", 1)[1]
    if whole and etag in request.if_none_match:
        return Answer(b"", True, etag)
    return Answer(*roi_cache.answer_at(key, compute), etag)


def _releasing_memory(compute: Callable[[], bytes]) -> Callable[[], bytes]:
    """`compute`, then the memory its rows and frames took handed back to the system: a cold
    answer over a long range at 1M customers freed ~50 MB that the worker kept otherwise."""

    def computed() -> bytes:
        try:
            return compute()
        finally:
            release_freed_memory()

    return computed


@blp.route("/roi", methods=["GET"])
@cached_identity
@signed_in
@blp.arguments(RoiQuerySchema, location="query")
@blp.response(200, RoiReportSchema)
def get_roi(query: dict):
    """Spend, installs, customers, revenue, actual and predicted ROAS, LTV:CAC, payback and
    churn per platform, account, campaign, country, device or weekday.

    `hour` answers no rows and a `note`: the platforms report daily figures. The report is
    serialized directly: its values are already JSON types (None for unknown, rounded floats),
    and dumping hundreds of rows through marshmallow would cost more than the query;
    RoiReportSchema documents it and a test checks the two agree.
    """
    as_of = roi.today()
    return _json(
        _answer(
            "roi",
            {**query, "as_of": as_of},
            lambda: _dumps(roi.roi_report(_request(query), as_of, concurrent=True)),
            query["start"],
        )
    )


@blp.route("/roi/export.csv", methods=["GET"])
@signed_in
@blp.arguments(RoiQuerySchema, location="query")
@blp.response(200, content_type="text/csv", description="The ROI table, then a total line")
def export_roi(query: dict):
    """The same table as CSV."""
    request = _request(query)
    name = f"roi_{request.group_by}_{request.start}_{request.end}.csv"
    return Response(
        roi.roi_csv(request, concurrent=True),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_OVERVIEW_STATUS = ("open_alerts", "freshness")
_overview_figures = OverviewSchema(exclude=_OVERVIEW_STATUS)
_dump_overview_figures = compiled_dump(_overview_figures)


@blp.route("/overview", methods=["GET"])
@cached_identity
@signed_in
@blp.arguments(ReportRangeSchema, location="query")
@blp.response(200, OverviewSchema)
def get_overview(query: dict):
    """Headline figures against the preceding range of equal length, spend and revenue per day
    and platform, open alerts and data freshness (these two read on every request)."""
    as_of = roi.today()
    figures = _answer(
        "overview",
        {**query, "as_of": as_of},
        lambda: _dumps(
            _dump_overview_figures(
                overview.overview_figures(query["start"], query["end"], as_of, concurrent=True)
            )
        ),
        overview.previous_range(query["start"], query["end"])[0],
        whole=False,
    )
    # already JSON types but dates (as the figures: dumped directly, a test checks the schema)
    status = _dumps(overview.overview_status())
    if figures.etag is None:
        return _json(figures._replace(body=_merged(figures.body, status)))
    # the status is read on every request: the tag is the figures' and the status's digest
    etag = figures.etag + "-" + hashlib.sha256(status).hexdigest()[:16]
    return _json(Answer(_merged(figures.body, status), figures.cached, etag))


def _merged(figures: bytes, status: bytes) -> bytes:
    """Both are JSON objects: the figures' members, then the status's."""
    return figures[:-1] + b"," + status[1:]


#: The cohorts' curves and survival points, most of a cohort answer's values, are dumped as
#: `cohorts.cohort_report` builds them (already JSON types: ints, rounded floats or None, bools;
#: a test checks they are what their schemas document); the rest through the schema's compiled
#: dump (`dumping.compiled_dump`). Through marshmallow they cost more than the report's queries.
_COHORT_POINTS = ("curve", "survival")
_cohorts = CohortReportSchema(exclude=[f"cohorts.{name}" for name in _COHORT_POINTS])
_dump_cohorts_but_points = compiled_dump(_cohorts)
_COHORT_FIELDS = tuple(CohortSchema().fields)


def _dump_cohorts(report: dict) -> dict:
    """CohortReportSchema's dump of a cohort report (fields in its order)."""
    dumped = _dump_cohorts_but_points(report)
    dumped["cohorts"] = [
        {
            name: row[name] if name in _COHORT_POINTS else fields_[name]
            for name in _COHORT_FIELDS
            if name in fields_ or (name in _COHORT_POINTS and name in row)
        }
        for row, fields_ in zip(report["cohorts"], dumped["cohorts"], strict=True)
    ]
    return dumped


@blp.route("/cohorts", methods=["GET"])
@cached_identity
@signed_in
@blp.arguments(CohortQuerySchema, location="query")
@blp.response(200, CohortReportSchema)
def get_cohorts(query: dict):
    """Acquisition cohorts per day, week or month and platform: revenue curves (actual, then
    projected), actual and predicted ROAS, payback, churn and survival."""
    as_of = roi.today()

    def compute() -> bytes:
        report = cohorts.cohort_report(
            query["start"], query["end"], query["cohort"], query.get("platform"), as_of, True
        )
        return _dumps(_dump_cohorts(report))

    return _json(_answer("cohorts", {**query, "as_of": as_of}, compute, query["start"]))
