"""/api/models: LTV and churn model versions with their holdout metrics and drift (every role);
training, importing external outputs and activating a version (admin).

The URL and the OpenAPI tag keep the name "models" (they are the public contract, and in a URL
nothing else is called a model); in the code the ML side is "predictions" and "models" is the ORM.
"""

from __future__ import annotations

import io

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from backend.api.strings import Text
from backend.auth import current_actor, roles_allowed, signed_in
from backend.errors import Invalid
from backend.http_guards import accepts_upload
from backend.models import ModelKind, Role
from backend.services.customers.problems import LoadRejected
from backend.services.predictions import first_purchase, imports, training, versions

blp = Blueprint(
    "models", __name__, url_prefix="/api/models", description="LTV, churn and first-purchase models"
)


class ModelVersionSchema(Schema):
    id = fields.Integer(required=True)
    kind = Text(required=True, metadata={"description": "'ltv', 'churn' or 'first_purchase'"})
    algorithm = Text(required=True)
    status = Text(required=True, metadata={"description": "'training', 'ready' or 'failed'"})
    is_active = fields.Boolean(required=True)
    activation_requested_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When the version was last asked to become active (or made active "
            "by a training or an import); a requested version that is not yet active is being "
            "activated, unless a later request of its kind overtook it"
        },
    )
    trained_at = fields.DateTime(allow_none=True)
    training_start = fields.Date(allow_none=True)
    training_end = fields.Date(allow_none=True)
    holdout_start = fields.Date(allow_none=True)
    holdout_end = fields.Date(allow_none=True)
    params = fields.Dict(keys=Text())
    metrics = fields.Dict(
        keys=Text(),
        metadata={
            "description": "Backtest metrics (rolling origins; never those of the data the "
            "version was fitted on). LTV: at the top level the deployed procedure's on the "
            "holdout_days window judged at training_end (mae, total_actual, total_predicted, "
            "total_ratio, total_error, normalized_gini, decile_mape, spearman), every "
            "candidate's under candidates, per-platform totals under by_platform, churn (auc, "
            "pr_auc, brier, reliability) under churn, and under backtest: chosen and "
            "calibration per horizon, selection (the earlier origins), horizons (30/90/365 "
            "where history allows), by_age[<horizon>][D1|D3|D7|D14|D30|D90|D365] (LTV from "
            "acquisition predicted at that cohort age: total_error, cohort_abs_error_p50/p80, "
            "normalized_gini, decile_mape, spearman, mae), refused (degenerate fits). Churn: "
            "the churn backtest. error for a failed run"
        },
    )
    source = Text(required=True, metadata={"description": "'spendlens' or 'import:<name>'"})
    created_at = fields.DateTime()


class VersionsQuery(Schema):
    kind = Text(validate=validate.OneOf([k.value for k in ModelKind]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class TrainSchema(Schema):
    as_of = fields.Date(
        allow_none=True, load_default=None, metadata={"description": "Data through; yesterday"}
    )
    holdout_days = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=7, max=365)
    )


class DriftSchema(Schema):
    cohort_date = fields.Date(required=True, metadata={"description": "Monday of the week"})
    horizon_days = fields.Integer(required=True)
    customers = fields.Integer(required=True)
    predicted = fields.Decimal(as_string=True, allow_none=True)
    realized = fields.Decimal(as_string=True, allow_none=True)
    measured_at = fields.DateTime()


@blp.route("", methods=["GET"])
@signed_in
@blp.arguments(VersionsQuery, location="query")
@blp.response(200, ModelVersionSchema(many=True))
def list_model_versions(query: dict):
    """Model versions, newest first, with their windows, parameters and holdout metrics."""
    return versions.list_versions(query.get("kind"), query["limit"])


@blp.route("/<int:version_id>", methods=["GET"])
@signed_in
@blp.response(200, ModelVersionSchema)
def get_model_version(version_id: int):
    """One model version."""
    return versions.get_version(version_id)


@blp.route("/<int:version_id>/drift", methods=["GET"])
@signed_in
@blp.response(200, DriftSchema(many=True))
def get_model_drift(version_id: int):
    """Predicted vs realized revenue of each weekly cohort and horizon, as cohorts matured."""
    return versions.drift_of(version_id)


@blp.route("/train", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.arguments(TrainSchema)
@blp.response(202, ModelVersionSchema)
def train_model(data: dict):
    """Queue a training: the answer is the new version, in 'training' until the worker is done
    (then 'ready' and active, or 'failed' with metrics.error)."""
    return training.request_training(
        current_actor(), as_of=data["as_of"], holdout_days=data["holdout_days"]
    )


class FirstPurchaseTrainSchema(Schema):
    as_of = fields.Date(
        allow_none=True, load_default=None, metadata={"description": "Data through; yesterday"}
    )


@blp.route("/first-purchase/train", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.arguments(FirstPurchaseTrainSchema)
@blp.response(202, ModelVersionSchema)
def train_first_purchase_model(data: dict):
    """Queue a first-purchase training (it also follows every LTV training): the answer is the
    new version, in 'training' until the worker is done (then 'ready' and active, or 'failed'
    with metrics.error). Its metrics are the rolling-origin backtest by horizon (7, 30 days)
    and feature age (D1, D3), summarised under by_age: AUC, Brier and the errors of expected
    payers and early predicted ROAS per weekly cohort."""
    return first_purchase.request_training(current_actor(), as_of=data["as_of"])


@blp.route("/import", methods=["POST"])
@roles_allowed(Role.ADMIN)
@accepts_upload
@blp.response(201, ModelVersionSchema(many=True))
@blp.alt_response(422, response="DEFAULT_ERROR", description="The file has problems")
def import_model_outputs():
    """Import a team's own outputs (multipart: `file` CSV with customer_id, predicted_ltv_30,
    predicted_ltv_90, predicted_ltv_365 and optionally churn_probability, p_alive; `name`;
    `activate` true/false) as an LTV version, plus a churn version when it has churn."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("attach the CSV as the multipart field 'file'", field="file")
    activate = request.form.get("activate", "false").strip().lower() in {"1", "true", "yes"}
    stream = io.TextIOWrapper(
        upload.stream, encoding="utf-8-sig", errors="surrogateescape", newline=""
    )
    try:
        return imports.import_outputs(
            stream, request.form.get("name", ""), actor=current_actor(), activate=activate
        )
    except LoadRejected as exc:
        abort(422, message=exc.message, errors=exc.errors)


@blp.route("/<int:version_id>/activate", methods=["POST"])
@roles_allowed(Role.ADMIN)
@blp.response(202, ModelVersionSchema)
def activate_model_version(version_id: int):
    """Ask for a ready version to become the active one of its kind (the dashboards read the
    active one). Answered at once; a worker rewrites every customer's predictions, after which
    `is_active` is true. Of several requests of a kind, the latest wins."""
    return versions.request_activation(current_actor(), version_id)
