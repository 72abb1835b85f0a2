"""Suspicion scores and campaign suspect shares on small hand-made traffic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from analytics.early.traffic import (
    CAMPAIGN,
    REASONS,
    SCORE,
    SUSPECT,
    campaign_suspect_share,
    judge_share,
    suspicion_scores,
)

T0 = pd.Timestamp("2025-03-01 00:00")
AT = pd.Timestamp("2025-03-05 00:00")


def frames(rows):
    """rows: (customer, campaign, acquired offset s, event offsets s, payments)."""
    customers = pd.DataFrame(
        [
            {"customer_id": c, CAMPAIGN: k, "acquired_at": T0 + pd.Timedelta(seconds=a)}
            for c, k, a, _, _ in rows
        ]
    )
    events = pd.DataFrame(
        [
            {"customer_id": c, "occurred_at": T0 + pd.Timedelta(seconds=a + e), "name": "x"}
            for c, _, a, offsets, _ in rows
            for e in offsets
        ],
        columns=["customer_id", "occurred_at", "name"],
    )
    payments = pd.DataFrame(
        [{"customer_id": c, "amount": p} for c, _, _, _, pays in rows for p in pays],
        columns=["customer_id", "amount"],
    )
    return customers, events, payments


def test_a_customer_who_never_opens_the_app_is_inactive_but_not_suspect():
    customers, events, payments = frames([("a", "k", 0, [], []), ("b", "k", 50_000, [240], [])])
    scores = suspicion_scores(customers, events, payments, AT)
    assert scores.loc["a", REASONS] == ["no_activity"] and not scores.loc["a", SUSPECT]
    assert scores.loc["b", REASONS] == []  # one session, minutes after the install


def test_an_instant_first_event_and_nothing_after_is_suspect_with_both_reasons():
    customers, events, payments = frames(
        [("a", "k", 0, [3], []), ("b", "k", 9_000, [300, 9e3], [])]
    )
    scores = suspicion_scores(customers, events, payments, AT)
    assert scores.loc["a", REASONS] == ["no_activity", "instant_first_event"]
    assert scores.loc["a", SCORE] == 0.7 and scores.loc["a", SUSPECT]
    assert scores.loc["b", SCORE] == 0.0


def test_a_burst_of_installs_and_a_refunded_purchase_are_reasons():
    burst = [(f"f{n}", "k", 40_000 + 20 * n, [600, 90_000], []) for n in range(6)]
    spread = [(f"r{n}", "k", 5_000 * n, [600, 90_000], []) for n in range(12)]
    refunded = [("p", "j", 0, [600, 90_000], [4.99, -4.99])]
    customers, events, payments = frames(burst + spread + refunded)
    scores = suspicion_scores(customers, events, payments, AT)
    assert all(scores.loc[f"f{n}", REASONS] == ["install_burst"] for n in range(6))
    assert scores.loc["r5", REASONS] == []
    assert scores.loc["p", REASONS] == ["refunded_purchase"]


def test_a_young_customer_is_not_judged_inactive_yet():
    customers, events, payments = frames([("a", "k", 0, [], [])])
    scores = suspicion_scores(customers, events, payments, T0 + pd.Timedelta(hours=5))
    assert scores.loc["a", REASONS] == []


def test_campaign_share_counts_the_window_and_flags_above_the_limit():
    rows = [(f"s{n}", "bad", 3_600 * n, [2], []) for n in range(3)]
    rows += [(f"g{n}", "bad", 3_600 * n + 99, [300, 9e4], []) for n in range(7)]
    rows += [(f"c{n}", "good", 3_600 * n, [300, 9e4], []) for n in range(10)]
    rows += [("old", "good", -10 * 86_400, [2], [])]
    customers, events, payments = frames(rows)
    scores = suspicion_scores(customers, events, payments, AT)
    shares = campaign_suspect_share(customers, scores, T0, AT, min_customers=10)
    shares = shares.set_index(CAMPAIGN)
    assert shares.loc["bad", "customers"] == 10 and shares.loc["bad", "suspects"] == 3
    # 3 of 10: Wilson's 95% interval 10.8%-60.3%, above 10% even at its lower bound
    assert shares.loc["bad", "share_low"] == pytest.approx(0.1078, abs=1e-4)
    assert shares.loc["bad", "flagged"] and shares.loc["bad", REASONS]["instant_first_event"] == 3
    assert shares.loc["good", "suspects"] == 0 and not shares.loc["good", "flagged"]
    # with a minimum sample of 30, ten customers are too few to judge
    default = campaign_suspect_share(customers, scores, T0, AT, min_customers=30)
    default = default.set_index(CAMPAIGN)
    assert not default.loc["bad", "judged"] and not default.loc["bad", "flagged"]


def test_a_share_above_the_level_by_chance_is_not_flagged():
    # 6 of 40 (15%) is above 10%, but its interval reaches down to 7%: not flagged
    low, high, judged, flagged = judge_share(6, 40, 0.10)
    assert judged and not flagged and low < 0.10 < 0.15 < high
    # the same share on 400 customers is judged above 10% with confidence
    assert judge_share(60, 400, 0.10)[3]


def test_the_interval_is_scipys_wilson_interval():
    low, high, _, _ = judge_share(12, 32, 0.10)
    expected = binomtest(12, 32).proportion_ci(0.95, method="wilson")
    assert (low, high) == pytest.approx((expected.low, expected.high))
    # and Wilson's formula, written out once here to check the library's choice of method
    p, n, z = 12 / 32, 32, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert (low, high) == pytest.approx((centre - half, centre + half))


def test_too_few_customers_are_not_judged_whatever_their_share():
    assert judge_share(4, 4, 0.10)[2:] == (False, False)  # fewer than MIN_CUSTOMERS
    assert judge_share(0, 0, 0.10) == (0.0, 1.0, False, False)
    assert judge_share(29, 29, 0.10, min_customers=30)[2:] == (False, False)
    assert judge_share(30, 30, 0.10, min_customers=30)[2:] == (True, True)
