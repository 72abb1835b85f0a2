"""Training and scoring: a rolling-origin backtest of the whole procedure (analytics.ltv.
backtest_ltv: candidates fitted at earlier origins on the data up to each, selection and per-horizon
calibration on the earlier origins, judgement on the later ones), a refit of the chosen kinds on
all data through the scoring date, and the outputs of every customer — stored as an LTV version
and a churn version.

Windows: data through `as_of` (default yesterday, UTC); `holdout_days` (default 90, at most a
third of the history) is the window whose backtest metrics are at the top level of the version's
metrics (judged at as_of - holdout_days, after a selection at as_of - 2 holdout_days). The
version's metrics are backtest metrics only: by horizon and by cohort age under "backtest", the
churn backtest under "churn"; the churn version holds the churn backtest.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from backend.errors import Invalid
from backend.extensions import db
from backend.models import ModelKind, ModelStatus, ModelVersion
from backend.models.model_runs import LTV_HORIZONS_DAYS
from backend.services.predictions import outputs, versions
from backend.services.predictions.data import ModelInputs, read_model_inputs
from backend.services.predictions.scoring import CHURN_HORIZON_DAYS, score_customers
from backend.services.transaction import unit_of_work
from connectors.registry import platform_label

if TYPE_CHECKING:
    from analytics.ltv import LTVBacktest

log = logging.getLogger("spendlens.models")
TRAIN_TASK = "workers.tasks.predictions.train_and_score"
MIN_CUSTOMERS = 200
MIN_HISTORY_DAYS = 21
DEFAULT_HOLDOUT_DAYS = 90


@dataclass(frozen=True)
class TrainedVersions:
    ltv: ModelVersion
    churn: ModelVersion


def request_training(
    actor, *, as_of: dt.date | None = None, holdout_days: int | None = None
) -> ModelVersion:
    """Create an LTV version in 'training' and queue the training task for it (audited)."""
    return versions.queue_training(
        actor,
        ModelKind.LTV,
        TRAIN_TASK,
        (as_of.isoformat() if as_of else None, holdout_days),
        {"as_of": as_of, "holdout_days": holdout_days},
    )


def train_and_score(
    version_id: int | None = None,
    *,
    as_of: dt.date | None = None,
    holdout_days: int | None = None,
    activate: bool = True,
    modified: bool = True,
    request: str | None = None,
) -> TrainedVersions:
    """Train, score and store (a new version, or the requested one: `version_id` with its
    `request` token); on failure the version is marked 'failed' with the error."""
    version = versions.claim(ModelKind.LTV, version_id, request)
    try:
        # committed on its own: the revenue rows it re-converts stay locked for this step only,
        # not for the whole training
        prepared = versions.prepare_data()
        with unit_of_work():  # the versions, their outputs, the activation and the pruning
            as_of = as_of or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
            inputs = read_model_inputs(as_of)
            trained = _train(version, inputs, holdout_days, modified)
            if activate:
                versions.activate_pair(trained.ltv, trained.churn)
            trained.ltv.params = {**trained.ltv.params, **prepared}
            outputs.prune_old_outputs()
        return trained
    except Exception as exc:
        db.session.rollback()
        versions.mark_failed(version.id, exc)
        raise


def _train(
    version: ModelVersion, inputs: ModelInputs, holdout_days: int | None, modified: bool
) -> TrainedVersions:
    # the models' code (scipy, scikit-learn) only where a worker trains, not in the web process
    from analytics.ltv import backtest_ltv, train_ltv_model
    from analytics.ltv.churn_model import BTYD_CHURN, refit_chosen_classifier

    calibration_end, holdout_days = _windows(inputs, holdout_days)
    horizons = tuple(sorted({*LTV_HORIZONS_DAYS, holdout_days}))
    backtest = backtest_ltv(
        inputs.transactions,
        inputs.customers,
        pd.Timestamp(inputs.as_of),
        horizons,
        churn_horizon_days=CHURN_HORIZON_DAYS,
        channel_label=platform_label,
        modified=modified,
    )
    if holdout_days not in backtest.report:
        reasons = "; ".join(backtest.refused.values()) or "not enough history"
        raise Invalid(f"the backtest could not judge the model: {reasons}", field="as_of")
    model = train_ltv_model(
        inputs.transactions,
        inputs.customers,
        pd.Timestamp(inputs.as_of),
        {h: backtest.chosen[h] for h in LTV_HORIZONS_DAYS},
        LTV_HORIZONS_DAYS,
        calibration={h: backtest.calibration[h] for h in LTV_HORIZONS_DAYS},
        segment_calibration=backtest.segment_calibration,
        modified=modified,
    )
    classifier = refit_chosen_classifier(
        inputs.transactions,
        inputs.customers,
        pd.Timestamp(inputs.as_of),
        CHURN_HORIZON_DAYS,
        backtest.churn.get("chosen", BTYD_CHURN),
    )
    scores = score_customers(model, inputs, classifier)
    family = "mbgnbd" if modified else "bgnbd"
    version.algorithm = model.algorithm
    _set_windows(version, inputs, calibration_end)
    version.params = {
        **model.parameters(),
        "scored_as_of": inputs.as_of.isoformat(),
        "modified": modified,
        "churn_horizon_days": CHURN_HORIZON_DAYS,
        "customers": len(inputs.customers),
        "purchase_days": len(inputs.transactions),
        "events_without_rate": inputs.events_without_rate,
    }
    version.metrics = ltv_metrics(backtest, holdout_days)
    churn = versions.new_version(ModelKind.CHURN, family if classifier is None else classifier.kind)
    _set_windows(churn, inputs, inputs.as_of - dt.timedelta(days=CHURN_HORIZON_DAYS))
    churn.params = {
        "ltv_version_id": version.id,
        "horizon_days": CHURN_HORIZON_DAYS,
        "model": family if classifier is None else classifier.kind,
        "classifier_train_rows": classifier.n_train if classifier is not None else 0,
        "btyd": model.btyd.parameters(),
    }
    churn.metrics = json_ready(backtest.churn)
    db.session.flush()
    outputs.write_outputs(version.id, scores, ltv=True)
    outputs.write_outputs(churn.id, scores, ltv=False)
    now = dt.datetime.now(dt.UTC)
    for trained in (version, churn):
        trained.status, trained.trained_at = ModelStatus.READY, now
    log.info(
        "model version %s (%s) scored %s customers", version.id, version.algorithm, len(scores)
    )
    return TrainedVersions(version, churn)


def _windows(inputs: ModelInputs, holdout_days: int | None) -> tuple[dt.date, int]:
    first = inputs.first_acquisition
    history = (inputs.as_of - first).days + 1 if first else 0
    if history < MIN_HISTORY_DAYS:
        raise Invalid(
            f"{history} days of customer history; training needs at least {MIN_HISTORY_DAYS}",
            field="as_of",
        )
    holdout = holdout_days or min(DEFAULT_HOLDOUT_DAYS, history // 3)
    if not 7 <= holdout <= history // 2:
        raise Invalid(
            f"holdout_days must be between 7 and half the history ({history // 2})",
            field="holdout_days",
        )
    calibration_end = inputs.as_of - dt.timedelta(days=holdout)
    born = (inputs.customers["acquired_at"] < pd.Timestamp(calibration_end + dt.timedelta(1))).sum()
    if born < MIN_CUSTOMERS:
        raise Invalid(
            f"{born} customers acquired before the holdout; training needs at least "
            f"{MIN_CUSTOMERS}",
            field="as_of",
        )
    return calibration_end, holdout


def _set_windows(version: ModelVersion, inputs: ModelInputs, calibration_end: dt.date) -> None:
    version.training_start = inputs.first_acquisition
    version.training_end = calibration_end
    version.holdout_start = calibration_end + dt.timedelta(days=1)
    version.holdout_end = inputs.as_of


def ltv_metrics(backtest: LTVBacktest, holdout_days: int) -> dict:
    """What a version stores: the backtest (``backtest``: by horizon, by cohort age, the
    selection, the calibration), and at the top level the deployed procedure's backtest metrics
    on the `holdout_days` window (judged at the scoring date minus that window), every
    candidate's there, per-platform totals and churn."""
    stored = backtest.as_metrics()
    report = stored["horizons"][str(holdout_days)]
    top = {k: v for k, v in report.items() if k not in ("candidates", "kind", "calibration")}
    return json_ready(
        {
            **top,
            "chosen": report["kind"],
            "criterion": stored["criterion"],
            "holdout_days": holdout_days,
            "holdout_customers": report["customers"],
            "candidates": report["candidates"],
            "by_platform": stored["by_platform"][str(holdout_days)],
            "churn": stored["churn"],
            "backtest": stored,
        }
    )


def json_ready(value: Any) -> Any:
    """NaN and infinities become None (JSONB refuses them); numpy numbers become floats."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
