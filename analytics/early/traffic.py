"""Traffic quality: a per-customer suspicion score from behaviour, with the reasons that raised
it, and per campaign the share of suspect customers, judged with its Wilson interval from
`MIN_CUSTOMERS` customers on.

Reasons (weight): `no_activity` (0.35) nothing after the first minute, judged once a customer is
a day old; `instant_first_event` (0.35) the first event under `INSTANT_S` seconds after the
install, faster than a person opens an app; `install_burst` (0.3) one of at least `BURST_MIN`
installs of the same campaign within `BURST_WINDOW` that are `BURST_FACTOR` times the
campaign's usual rate; `refunded_purchase` (0.3) a purchase and then a refund. A customer is
suspect at a score of `SUSPECT_SCORE` or more: one reason alone (a real person who never comes
back) is not enough.

Inputs: customers (CUSTOMER_ID, ACQUIRED_AT, CAMPAIGN), in-app events (CUSTOMER_ID,
OCCURRED_AT), payments (CUSTOMER_ID, AMOUNT; negative for a refund).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ltv.columns import ACQUIRED_AT, AMOUNT, CUSTOMER_ID, OCCURRED_AT

CAMPAIGN = "campaign"
SCORE = "suspicion"
REASONS = "reasons"
SUSPECT = "suspect"
WEIGHTS = {
    "no_activity": 0.35,
    "instant_first_event": 0.35,
    "install_burst": 0.3,
    "refunded_purchase": 0.3,
}
#: Each reason in plain words, as the dashboard shows it (served by /api/traffic-quality/reasons).
REASON_LABELS = {
    "no_activity": "No activity after the first minute",
    "instant_first_event": "Opened the app seconds after installing",
    "install_burst": "Installed in a sudden burst of installs",
    "refunded_purchase": "Bought, then got a refund",
}
SUSPECT_SCORE = 0.6


def reason_words(codes: list[str]) -> str:
    """Reasons (codes) in the dashboard's words, joined by '; '."""
    return "; ".join(REASON_LABELS.get(code, code) for code in codes)


INSTANT_S = 10.0
ACTIVE_AFTER_S = 60.0
BURST_WINDOW = pd.Timedelta(minutes=20)
BURST_MIN = 4
BURST_FACTOR = 5.0
#: A campaign is flagged when its suspect share over the window is above this: when the lower
#: bound of the share's `CONFIDENCE` Wilson interval is (`judge_share`).
DEFAULT_SHARE_LIMIT = 0.10
DEFAULT_WINDOW_DAYS = 7
#: Customers a campaign needs over the window before its share is judged at all: a handful of
#: installs says little even when all look fake (the interval's lower bound does the rest; at 30,
#: 24 of the 28 campaigns that bought fake installs in the sandbox world of
#: tests/backend/early/test_early_signals.py went unjudged over 7 days).
MIN_CUSTOMERS = 5
CONFIDENCE = 0.95
#: Columns of `campaign_suspect_share`.
SHARE_COLUMNS = [
    CAMPAIGN,
    "customers",
    "suspects",
    "share",
    "share_low",
    "share_high",
    "judged",
    "flagged",
    REASONS,
]


def judge_share(
    suspects: int, customers: int, limit: float, min_customers: int = MIN_CUSTOMERS
) -> tuple[float, float, bool, bool]:
    """(low, high, judged, flagged) of a suspect share: its `CONFIDENCE` Wilson score interval
    (scipy's), judged only from `min_customers` customers on, flagged when judged and the
    interval's lower bound is above `limit` (a share above it by chance alone is not)."""
    from scipy.stats import binomtest  # on first use: the web process rarely needs scipy

    if customers == 0:
        return 0.0, 1.0, False, False
    interval = binomtest(suspects, customers).proportion_ci(CONFIDENCE, method="wilson")
    low, high = float(interval.low), float(interval.high)
    judged = customers >= min_customers
    return low, high, judged, judged and low > limit


def _first_and_later(customers: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    acquired = customers.set_index(CUSTOMER_ID)[ACQUIRED_AT]
    joined = events[events[CUSTOMER_ID].isin(acquired.index)]
    occurred = pd.to_datetime(joined[OCCURRED_AT])
    at_s = (occurred - joined[CUSTOMER_ID].map(acquired)).dt.total_seconds()
    grouped = at_s.groupby(joined[CUSTOMER_ID])
    return pd.DataFrame(
        {
            "first_s": grouped.min(),
            "later": (at_s > ACTIVE_AFTER_S).groupby(joined[CUSTOMER_ID]).any(),
        }
    ).reindex(acquired.index)


def _in_burst(customers: pd.DataFrame) -> pd.Series:
    """Installs among at least BURST_MIN of their campaign within BURST_WINDOW, when that is
    BURST_FACTOR times the campaign's usual installs per window."""
    out = pd.Series(False, index=customers[CUSTOMER_ID].to_numpy())
    for _, group in customers.groupby(CAMPAIGN, sort=False):
        times = group[ACQUIRED_AT].sort_values()
        values = times.to_numpy()
        span = (values[-1] - values[0]) / np.timedelta64(1, "s") if len(values) > 1 else 0.0
        usual = len(values) * BURST_WINDOW.total_seconds() / max(span, 86_400.0)
        threshold = max(BURST_MIN, BURST_FACTOR * usual)
        window = np.timedelta64(int(BURST_WINDOW.total_seconds()), "s")
        after = np.searchsorted(values, values + window, side="right")
        before = np.searchsorted(values, values - window, side="left")
        index = np.arange(len(values))
        near = np.maximum(after - index, index - before + 1)  # the fuller side of each install
        hit = near >= threshold
        out.loc[group.loc[times.index, CUSTOMER_ID].to_numpy()[hit]] = True
    return out


def suspicion_scores(
    customers: pd.DataFrame, events: pd.DataFrame, payments: pd.DataFrame, at: pd.Timestamp
) -> pd.DataFrame:
    """One row per customer (index CUSTOMER_ID): SCORE in [0, 1], REASONS (names, by weight),
    SUSPECT."""
    ids = pd.Index(customers[CUSTOMER_ID], name=CUSTOMER_ID)
    activity = _first_and_later(customers, events)
    old_enough = ((at - customers[ACQUIRED_AT]) >= pd.Timedelta(days=1)).to_numpy()
    refunds = payments[payments[AMOUNT] < 0][CUSTOMER_ID]
    buys = payments[payments[AMOUNT] > 0][CUSTOMER_ID]
    flags = pd.DataFrame(index=ids)
    flags["no_activity"] = old_enough & ~activity["later"].eq(True).to_numpy()
    flags["instant_first_event"] = (activity["first_s"] < INSTANT_S).to_numpy()
    flags["install_burst"] = _in_burst(customers).reindex(ids).to_numpy()
    flags["refunded_purchase"] = ids.isin(refunds) & ids.isin(buys)
    weights = pd.Series(WEIGHTS)
    score = (flags[list(WEIGHTS)].astype(float) * weights).sum(axis=1).clip(upper=1.0)
    names = np.array(list(WEIGHTS))
    matrix = flags[list(WEIGHTS)].to_numpy()
    out = pd.DataFrame(index=ids)
    out[SCORE] = score.round(3)
    out[REASONS] = [list(names[row]) for row in matrix]
    out[SUSPECT] = out[SCORE] >= SUSPECT_SCORE
    return out


def campaign_suspect_share(
    customers: pd.DataFrame,
    scores: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    limit: float = DEFAULT_SHARE_LIMIT,
    min_customers: int = MIN_CUSTOMERS,
) -> pd.DataFrame:
    """Per campaign, of the customers acquired in [start, end): customers, suspects, share, its
    interval (share_low, share_high), judged (enough customers), flagged (`judge_share` above
    `limit`) and the reasons counted over its suspects."""
    inside = customers[(customers[ACQUIRED_AT] >= start) & (customers[ACQUIRED_AT] < end)]
    joined = inside[[CUSTOMER_ID, CAMPAIGN]].join(scores, on=CUSTOMER_ID)
    rows = []
    for campaign, group in joined.groupby(CAMPAIGN, sort=True):
        suspects = group[group[SUSPECT]]
        reasons: dict[str, int] = {}
        for listed in suspects[REASONS]:
            for reason in listed:
                reasons[reason] = reasons.get(reason, 0) + 1
        low, high, judged, flagged = judge_share(len(suspects), len(group), limit, min_customers)
        rows.append(
            {
                CAMPAIGN: campaign,
                "customers": len(group),
                "suspects": len(suspects),
                "share": len(suspects) / len(group),
                "share_low": low,
                "share_high": high,
                "judged": judged,
                "flagged": flagged,
                REASONS: reasons,
            }
        )
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)
