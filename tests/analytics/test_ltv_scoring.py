"""Scoring at scale computes only what is deployed, once: the deployed windows equal those
combined from every candidate, the boosting features serve every window, the BTYD curve gives
plain and discounted revenue together, and customer attributes are aligned with a summary's rows
by id (unknown ids missing), recomputed when the customers change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.ltv import BLEND, BOOSTING, BTYD, build_rfm_summary, train_ltv_model
from analytics.ltv.attributes import customer_attribute
from analytics.ltv.boosting import predict_revenue, predict_revenue_windows
from analytics.ltv.btyd_model import expected_revenue_both, expected_revenue_by, segment_labels
from analytics.ltv.selection import combine_windows, deployed_windows, predict_windows

from .channels import HOLDOUT_END


@pytest.fixture(scope="module")
def trained(two_channels):
    customers, transactions = two_channels
    chosen = {30: BTYD, 90: BLEND, 365: BOOSTING}
    model = train_ltv_model(transactions, customers, HOLDOUT_END, chosen)
    summary = build_rfm_summary(transactions, HOLDOUT_END, customers)
    return model, summary, customers


def test_deployed_windows_equal_those_combined_from_every_candidate(trained):
    model, summary, customers = trained
    every = predict_windows(model, summary, customers, None, 0.0005)
    labels = segment_labels(summary, customers, model.btyd.segment_column)
    expected = combine_windows(model, every, labels)
    pd.testing.assert_frame_equal(deployed_windows(model, summary, customers, 0.0005), expected)


def test_one_feature_build_predicts_every_window_as_one_at_a_time(trained):
    model, summary, customers = trained
    both = predict_revenue_windows(model.boosting, summary, customers, [30.0, 90.0])
    for window in (30.0, 90.0):
        np.testing.assert_allclose(
            both[window], predict_revenue(model.boosting, summary, customers, window)
        )
    assert both[90.0].sum() > both[30.0].sum()


def test_the_btyd_curve_gives_plain_and_discounted_revenue_together(trained):
    model, summary, customers = trained
    plain, discounted = expected_revenue_both(model.btyd, summary, customers, [30, 365], 0.0005)
    np.testing.assert_allclose(
        plain, expected_revenue_by(model.btyd, summary, customers, [30, 365])
    )
    np.testing.assert_allclose(
        discounted, expected_revenue_by(model.btyd, summary, customers, [30, 365], 0.0005)
    )
    assert (discounted[:, 1] < plain[:, 1]).all()


def test_attributes_follow_the_rows_by_id_and_the_customers_given():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "platform": ["meta", None, "x"]})
    rows = pd.Index(["c", "zz", "a", "b"], name="customer_id")
    platform = customer_attribute(customers, rows, "platform")
    assert platform.tolist()[0] == "x" and platform.tolist()[2] == "meta"
    assert platform.isna().tolist() == [False, True, False, True]
    assert customer_attribute(customers, rows, "platform", as_text=True).tolist()[0] == "x"
    assert customer_attribute(customers, rows, "country") is None
    changed = customers.assign(customer_id=["c", "b", "a"])
    assert customer_attribute(changed, rows, "platform").tolist()[0] == "meta"
