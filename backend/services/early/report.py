"""The early-signal report of the data in the database at a moment: the first-purchase
procedure's rolling-origin backtest (analytics/early/backtest.py), the deployed model's
expected payers per recent cohort, and traffic quality — each customer's suspicion and each
campaign's suspect share over the last days, flagged above a limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analytics.early.backtest import backtest_first_purchase
from analytics.early.features import FeatureTable, event_vocabulary
from analytics.early.first_purchase import (
    HORIZONS,
    FirstPurchaseModel,
    fit_first_purchase,
    p_column,
)
from analytics.early.traffic import (
    CAMPAIGN,
    DEFAULT_SHARE_LIMIT,
    DEFAULT_WINDOW_DAYS,
    campaign_suspect_share,
    suspicion_scores,
)
from analytics.ltv.columns import ACQUIRED_AT, CUSTOMER_ID, OCCURRED_AT
from backend.services.early.data import CAMPAIGN_EXTERNAL_ID, DAY, EarlyInputs, read_early_inputs


@dataclass
class DeployedFirstPurchase:
    """The first-purchase procedure run on the data known at `inputs.until`: its backtest and
    the chosen kinds refitted on everything known."""

    backtest: dict
    model: FirstPurchaseModel
    table: FeatureTable
    first_paid: pd.Series


def deploy_first_purchase(inputs: EarlyInputs) -> DeployedFirstPurchase:
    """Backtest the procedure (rolling origins), then refit the chosen kinds through `until`."""
    first_paid = inputs.first_paid()
    values = inputs.horizon_value(HORIZONS)
    earliest = inputs.until - 2 * max(HORIZONS) * DAY
    vocabulary = event_vocabulary(inputs.events[inputs.events[OCCURRED_AT] < earliest])
    table = FeatureTable(inputs.customers, inputs.events, vocabulary)
    backtest = backtest_first_purchase(table, first_paid, values, inputs.until)
    kinds = {int(h): kind for h, kind in backtest["chosen"].items()}
    model = fit_first_purchase(table, first_paid, values, inputs.until, kinds)
    return DeployedFirstPurchase(backtest, model, table, first_paid)


def first_purchase_report(inputs: EarlyInputs) -> dict:
    """The backtest (what a version would store) and the expected payers of each cohort of
    the last 30 days by the model fitted on everything known."""
    deployed = deploy_first_purchase(inputs)
    backtest, first_paid = deployed.backtest, deployed.first_paid
    scores = deployed.model.score(deployed.table, first_paid, inputs.until)
    recent = inputs.customers[inputs.customers[ACQUIRED_AT] >= inputs.until - 30 * DAY]
    paid = recent[CUSTOMER_ID].map(first_paid) < inputs.until
    frame = pd.DataFrame({"cohort": recent[ACQUIRED_AT].dt.date.astype(str), "paid": paid})
    for horizon in HORIZONS:
        p = recent[CUSTOMER_ID].map(scores[p_column(horizon)]).fillna(0.0)
        frame[f"expected_payers_{horizon}"] = p + frame["paid"]  # paid ones count as payers
    cohorts = frame.groupby("cohort").sum(numeric_only=True).reset_index()
    return {"backtest": backtest, "cohorts": cohorts.to_dict("records"), "scores": scores}


def traffic_report(
    inputs: EarlyInputs,
    window_days: int = DEFAULT_WINDOW_DAYS,
    limit: float = DEFAULT_SHARE_LIMIT,
) -> dict:
    """Suspicion per customer and suspect share per campaign over the last `window_days`
    (customers at least a day old, so that `no_activity` can be judged)."""
    scores = suspicion_scores(inputs.customers, inputs.events, inputs.payments, inputs.until)
    end = inputs.until - DAY
    shares = campaign_suspect_share(
        inputs.customers, scores, end - window_days * DAY, end, limit=limit
    )
    names = inputs.customers.drop_duplicates(CAMPAIGN).set_index(CAMPAIGN)[CAMPAIGN_EXTERNAL_ID]
    shares[CAMPAIGN_EXTERNAL_ID] = shares[CAMPAIGN].map(names)
    return {"scores": scores, "campaigns": shares}


def early_signal_report(until: dt.datetime) -> dict:
    inputs = read_early_inputs(until)
    return {"first_purchase": first_purchase_report(inputs), "traffic": traffic_report(inputs)}
