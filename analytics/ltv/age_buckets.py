"""Cohort ages at prediction time, the buckets a version's backtest is kept by (D1 ... D365).

Apart from the backtest (analytics.ltv.backtest) so that a reader of stored accuracies (the web
process) needs none of the models' code."""

from __future__ import annotations

#: Cohort age at prediction time: label -> (first, last) age in days (0 = acquisition day);
#: "D90" and "D365" hold the older cohorts whose predictions are still partly to come.
AGE_BUCKETS = {
    "D1": (0, 0),
    "D3": (1, 2),
    "D7": (3, 6),
    "D14": (7, 13),
    "D30": (14, 29),
    "D90": (30, 89),
    "D365": (90, 364),
}
