"""First-purchase model versions: trained by the procedure of analytics/early (rolling-origin
backtest, the chosen kinds refitted through the scoring date), stored with their backtest and
each recent customer's P(first purchase within 7 and 30 days), and activated like the LTV
versions (`versions`: one active version of the kind).

A training runs as a Celery task: after each LTV training (nightly on beat, or an admin's) and
on an admin's request. Data through `as_of` (default yesterday, UTC)."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
from flask import current_app

from analytics.early.first_purchase import FEATURE_AGES, HORIZONS, p_column
from backend.errors import Invalid
from backend.extensions import db
from backend.models import ModelKind, ModelStatus, ModelVersion
from backend.services.early.data import EarlyInputs, read_early_inputs
from backend.services.early.report import DeployedFirstPurchase, deploy_first_purchase
from backend.services.predictions import outputs, versions
from backend.services.predictions.training import json_ready
from backend.services.transaction import unit_of_work

log = logging.getLogger("spendlens.predictions")
TRAIN_TASK = "workers.tasks.predictions.train_first_purchase"
MIN_CUSTOMERS = 200
#: Stored per customer: P(first purchase within each horizon), in model_outputs' columns.
OUTPUT_COLUMNS = tuple(p_column(h) for h in HORIZONS)


def request_training(actor, *, as_of: dt.date | None = None) -> ModelVersion:
    """Create a first-purchase version in 'training' and queue its training: an admin's request
    (audited), or after an LTV training (`actor` None)."""
    return versions.queue_training(
        actor,
        ModelKind.FIRST_PURCHASE,
        TRAIN_TASK,
        (as_of.isoformat() if as_of else None,),
        {"kind": ModelKind.FIRST_PURCHASE.value, "as_of": as_of},
    )


def train_first_purchase(
    version_id: int | None = None,
    *,
    as_of: dt.date | None = None,
    activate: bool = True,
    request: str | None = None,
) -> ModelVersion:
    """Train, score and store a first-purchase version (a new one, or the requested one:
    `version_id` with its `request` token), active unless told otherwise; on failure the
    version is marked 'failed' with the error."""
    version = versions.claim(ModelKind.FIRST_PURCHASE, version_id, request)
    try:
        with unit_of_work():
            as_of = as_of or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
            until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
            inputs = read_early_inputs(until)
            _train(version, inputs, as_of)
            if activate:
                versions.activate_pair(version)
            outputs.prune_old_outputs()
        return version
    except Exception as exc:
        db.session.rollback()
        versions.mark_failed(version.id, exc)
        raise


def _train(version: ModelVersion, inputs: EarlyInputs, as_of: dt.date) -> None:
    if len(inputs.customers) < MIN_CUSTOMERS:
        raise Invalid(
            f"{len(inputs.customers)} customers; the first-purchase model needs at least "
            f"{MIN_CUSTOMERS}",
            field="as_of",
        )
    deployed = deploy_first_purchase(inputs)
    if not deployed.backtest["horizons"] or not any(
        judged
        for report in deployed.backtest["horizons"].values()
        for judged in report["by_age"].values()
    ):
        raise Invalid("the backtest could not judge the model: not enough history", field="as_of")
    probabilities = deployed.model.outputs(deployed.table, deployed.first_paid, inputs.until)
    first = inputs.customers["acquired_at"].min()
    report_origin = deployed.backtest["horizons"][str(max(HORIZONS))]["origin"]
    version.algorithm = "+".join(sorted(set(deployed.backtest["chosen"].values())))
    version.training_start = first.date() if pd.notna(first) else None
    version.training_end = dt.date.fromisoformat(report_origin) - dt.timedelta(days=1)
    version.holdout_start = dt.date.fromisoformat(report_origin)
    version.holdout_end = as_of
    version.params = _params(deployed, inputs, as_of, len(probabilities))
    version.metrics = json_ready({**deployed.backtest, "by_age": summary(deployed.backtest)})
    db.session.flush()
    write_probabilities(version.id, probabilities)
    version.status, version.trained_at = ModelStatus.READY, dt.datetime.now(dt.UTC)
    log.info("first-purchase version %s scored %s customers", version.id, len(probabilities))


def _params(deployed: DeployedFirstPurchase, inputs: EarlyInputs, as_of: dt.date, scored: int):
    return {
        "scored_as_of": as_of.isoformat(),
        "kinds": deployed.backtest["chosen"],
        "horizons_days": list(HORIZONS),
        "feature_ages_days": list(FEATURE_AGES),
        "event_names": deployed.table.vocabulary,
        #: mean revenue (reporting currency) within each horizon of a customer who paid in it
        "value_per_payer": {str(h): v for h, v in deployed.model.payer_value.items()},
        "currency": current_app.config["REPORTING_CURRENCY"],
        "customers": len(inputs.customers),
        "events": len(inputs.events),
        "scored_customers": scored,
    }


def summary(backtest: dict) -> dict:
    """Per feature age (D1, D3): AUC with the payers judged (AUC None when fewer than
    `backtest.MIN_JUDGED_PAYERS` paid: too few to judge), Brier, and the median errors of
    expected payers and early predicted revenue per weekly cohort (percent; `accuracy_at_age`'s
    statistic), for each horizon judged at that age. Numbers only (the API's by_age is a map of
    numbers); the withheld AUC's reason stays in the stored backtest."""
    out: dict[str, dict] = {}
    for horizon, report in backtest["horizons"].items():
        for age, judged in report["by_age"].items():
            if not judged:
                continue
            cohorts = judged.get("cohorts") or {}
            out.setdefault(age, {}).update(
                {
                    f"auc_{horizon}": judged.get("auc"),
                    f"payers_{horizon}": judged.get("payers"),
                    f"brier_{horizon}": judged.get("brier"),
                    f"expected_payers_err_p50_pct_{horizon}": cohorts.get(
                        "expected_payers_err_p50_pct"
                    ),
                    f"predicted_roas_err_p50_pct_{horizon}": cohorts.get(
                        "predicted_revenue_err_p50_pct"
                    ),
                }
            )
    return out


def write_probabilities(version_id: int, probabilities: pd.DataFrame) -> int:
    """COPY each customer's probabilities (indexed by customer id) into model_outputs."""
    return outputs.copy_outputs(version_id, probabilities, list(OUTPUT_COLUMNS))
