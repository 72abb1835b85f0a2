"""Budget pacing: how a budget's spend runs against its period (spend.py reads the scopes'
daily spend; this module measures).

Pacing of one budget: the figures of analytics.pacing on its scope's spend, the forecast
chosen by its backtest, and the daily series the dashboard charts.

The backtest (MAPE of both forecasts on day 5, 10 and 20 of past months) is stored on the budget
row with the day it was measured; evaluation refreshes it once a day (`needs_backtest`), reads
answer with the stored one or measure it in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

import analytics.pacing
from backend.models import Budget
from backend.services.pacing.spend import ScopeSpend

#: History read for a backtest: the months replayed plus the weekday-factor window.
BACKTEST_HISTORY_DAYS = 31 * analytics.pacing.BACKTEST_MONTHS + analytics.pacing.FACTOR_DAYS
#: History read otherwise: the weekday factors' and the anomaly lookback's windows.
RECENT_HISTORY_DAYS = analytics.pacing.FACTOR_DAYS + 7


@dataclass(frozen=True)
class BudgetPacing:
    period_start: dt.date
    period_last: dt.date
    as_of: dt.date
    figures: analytics.pacing.Pacing
    backtest: dict | None
    series: analytics.pacing.DailySpend
    missing_fx_days: int

    @property
    def projection(self) -> analytics.pacing.Projection | None:
        return self.figures.projection

    @property
    def through(self) -> dt.date:
        """The last day the figures speak of: `as_of`, or the period's last day once over."""
        return min(self.as_of, self.period_last)


def period_bounds(budget: Budget) -> tuple[dt.date, dt.date]:
    return budget.period_start, analytics.pacing.period_end(budget.period_start, budget.period)


def history_start(budget: Budget, with_backtest: bool) -> dt.date:
    days = BACKTEST_HISTORY_DAYS if with_backtest else RECENT_HISTORY_DAYS
    return budget.period_start - dt.timedelta(days=days)


def needs_backtest(budget: Budget, as_of: dt.date) -> bool:
    return budget.backtested_on != as_of or budget.forecast_mape is None


def budget_series(
    spend: ScopeSpend, period_start: dt.date, until: dt.date
) -> analytics.pacing.DailySpend:
    """The scope's spend from its first day with data (or the period start, if earlier) to
    `until`: zeros before a scope's first spend would distort the weekday factors."""
    first = min(spend.first_data or period_start, period_start)
    lo = max((first - spend.start).days, 0)
    hi = (until - spend.start).days + 1
    values = np.zeros(max(hi - lo, 0))
    known = spend.values[lo:hi]
    values[: len(known)] = known
    return analytics.pacing.DailySpend(spend.start + dt.timedelta(days=lo), values)


def measure_backtest(series: analytics.pacing.DailySpend, period_start: dt.date) -> dict:
    result = analytics.pacing.backtest(series, before=period_start)
    return {
        analytics.pacing.SEASONAL: result.seasonal,
        analytics.pacing.LINEAR: result.linear,
        "months": result.months,
    }


def measure(
    budget: Budget, spend: ScopeSpend, as_of: dt.date, backtest: dict | None
) -> BudgetPacing:
    """Pacing of `budget` on `as_of`; `backtest` None measures one (not stored here)."""
    start, last = period_bounds(budget)
    series = budget_series(spend, start, max(as_of, start))
    if backtest is None:
        backtest = measure_backtest(series, start)
    method = analytics.pacing.better_method(
        analytics.pacing.Backtest(
            backtest.get(analytics.pacing.SEASONAL, {}),
            backtest.get(analytics.pacing.LINEAR, {}),
            0,
        )
    )
    figures = analytics.pacing.measure_pacing(
        float(budget.amount), start, last, series, as_of, method
    )
    counted = (min(as_of, last) - spend.start).days + 1
    first = (start - spend.start).days
    missing = int(np.count_nonzero(spend.missing_fx[max(first, 0) : max(counted, 0)]))
    return BudgetPacing(start, last, as_of, figures, backtest, series, missing)


def money(value: float | None) -> str | None:
    """A reporting-currency amount as the API shows it: a decimal string with cents."""
    return None if value is None else str(Decimal(repr(round(value, 2))).quantize(Decimal("0.01")))


def describe(pacing: BudgetPacing, amount: Decimal) -> dict:
    """The pacing answer of the API (`GET /api/budgets/<id>/pacing`)."""
    figures, projection = pacing.figures, pacing.projection
    return {
        "as_of": pacing.as_of,
        "spend_to_date": money(figures.spend_to_date),
        "expected_to_date": money(figures.expected_to_date),
        "pace_pct": None if figures.pace_pct is None else round(figures.pace_pct, 1),
        "required_daily": money(figures.required_daily),
        "projected": money(projection.point) if projection else None,
        "projected_low": money(projection.low) if projection else None,
        "projected_high": money(projection.high) if projection else None,
        "method": figures.method,
        "mape": _mape(pacing.backtest),
        "elapsed_days": figures.elapsed_days,
        "period_days": figures.period_days,
        "missing_fx_days": pacing.missing_fx_days,
        "series": _series(pacing, float(amount)),
    }


def _mape(backtest: dict | None) -> dict | None:
    if not backtest:
        return None
    return {
        method: {k: None if v is None else round(v, 4) for k, v in backtest[method].items()}
        for method in (analytics.pacing.SEASONAL, analytics.pacing.LINEAR)
        if method in backtest
    }


def _series(pacing: BudgetPacing, amount: float) -> list[dict]:
    """One point per elapsed day of the period: spend, cumulative spend, expected cumulative."""
    series, start = pacing.series, pacing.period_start
    out, cumulative = [], 0.0
    days = pacing.figures.elapsed_days
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        index = series.index(day)
        spend = float(series.values[index]) if 0 <= index < len(series.values) else 0.0
        cumulative += spend
        expected = analytics.pacing.expected_to_date(amount, offset + 1, pacing.figures.period_days)
        out.append(
            {
                "date": day,
                "spend": money(spend),
                "cumulative": money(cumulative),
                "expected": money(expected),
            }
        )
    return out
