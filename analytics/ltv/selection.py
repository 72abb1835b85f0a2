"""The LTV model that is deployed: its candidates, how it is trained and how it scores.

Every training fits, on the data through ``as_of`` only, the candidates:

- ``btyd``: (M)BG/NBD + Gamma-Gamma from the first purchase, and the first-purchase model for
  customers who have not bought (``btyd_model``), per channel;
- ``boosting``: one Poisson gradient-boosted regressor of the revenue over the next h days, the
  window h being a feature, trained on several origins before ``as_of`` (origin o = as_of - h -
  k * ``ORIGIN_STEP_DAYS``, target = revenue in (o, o + h]), so that the ages it scores lie
  inside the ages it learned; a horizon without a full window of history is the longest learned
  window extended along the BTYD curve of each customer (rev_h = boost_w * btyd_h / btyd_w);
- ``blend``: the mean of the two.

Each horizon uses the kind the backtest chose for it (``chosen``) times that horizon's
calibration factor (``calibration``, from the backtest's selection origins; ``backtest``).
Discounting applies to every kind alike: boosting's window revenue is discounted by the BTYD
curve's own discount ratio at that horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.ltv.boosting import (
    WINDOW,
    RevenueRegressor,
    fit_revenue_regressor,
    predict_revenue_windows,
)
from analytics.ltv.btyd_model import (
    BTYDModel,
    expected_revenue_both,
    expected_revenue_by,
    fit_btyd_model,
    predict_btyd_churn,
    segment_labels,
)
from analytics.ltv.clv import DEFAULT_HORIZONS_DAYS
from analytics.ltv.columns import PLATFORM, REVENUE_HOLDOUT, clv_column
from analytics.ltv.rfm import (
    PurchasePeriods,
    build_calibration_holdout,
    build_rfm_summary,
    purchase_periods,
)

BTYD = "btyd"
BOOSTING = "boosting"
BLEND = "blend"
KINDS = (BTYD, BOOSTING, BLEND)
MIN_TRAINING_CUSTOMERS = 100
ORIGIN_STEP_DAYS = 28
BOOSTING_ORIGINS = 2
DAY = pd.Timedelta(days=1)


@dataclass
class LTVModel:
    """A trained LTV model: the BTYD models always, the boosting regressor when the history
    allowed one, the kind each horizon uses and each horizon's calibration factor."""

    trained_through: pd.Timestamp
    horizons_days: tuple[int, ...]
    btyd: BTYDModel
    boosting: RevenueRegressor | None = None
    chosen: dict[int, str] = field(default_factory=dict)
    calibration: dict[int, float] = field(default_factory=dict)
    #: Per horizon, the calibration factor of each channel (segment) the backtest could judge
    #: on its own; the others use ``calibration``.
    segment_calibration: dict[int, dict[str, float]] = field(default_factory=dict)

    def parameters(self) -> dict[str, object]:
        """JSON-ready description for a model_versions row."""
        return {
            "algorithm": self.algorithm,
            "trained_through": self.trained_through.date().isoformat(),
            "horizons_days": list(self.horizons_days),
            "btyd": self.btyd.parameters(),
            "ltv_source": {str(h): self.source(h) for h in self.horizons_days},
            "calibration": {str(h): self.factor(h) for h in self.horizons_days},
            "segment_calibration": {str(h): v for h, v in self.segment_calibration.items()},
            "boosting_windows": list(self.boosting.windows) if self.boosting else [],
            "boosting_train_rows": self.boosting.n_train if self.boosting else 0,
        }

    @property
    def kind(self) -> str:
        """The kind of the longest horizon (what most of a predicted LTV comes from)."""
        return self.source(max(self.horizons_days))

    @property
    def algorithm(self) -> str:
        """'hgb_poisson', 'blend_mbgnbd_hgb', 'mbgnbd_gg' or 'bgnbd_gg' (of the longest horizon),
        as recorded on a model version."""
        family = "mbgnbd" if self.btyd.purchases.modified else "bgnbd"
        return {BOOSTING: "hgb_poisson", BLEND: f"blend_{family}_hgb"}.get(
            self.kind, f"{family}_gg"
        )

    def source(self, horizon_days: int) -> str:
        """Which kind predicts the LTV at this horizon."""
        kind = self.chosen.get(int(horizon_days), BTYD)
        return kind if self.boosting is not None or kind == BTYD else BTYD

    def factor(self, horizon_days: int) -> float:
        return float(self.calibration.get(int(horizon_days), 1.0))


def _first_period(periods: PurchasePeriods) -> pd.Timestamp:
    return pd.Timestamp(periods.first_period() * DAY.value)


def fit_boosting(
    periods: PurchasePeriods,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp,
    horizons_days: Sequence[int],
    *,
    origins: int = BOOSTING_ORIGINS,
    min_history_days: int = 30,
    max_train_rows: int = 60_000,
    random_state: int = 0,
    **regressor_options,
) -> RevenueRegressor | None:
    """The boosting candidate trained on the windows before ``as_of`` (module docstring);
    None when no window has enough customers and revenue."""
    first = _first_period(periods)
    windows = [
        (as_of - pd.Timedelta(days=h + k * ORIGIN_STEP_DAYS), int(h))
        for h in sorted(set(horizons_days))
        for k in range(origins)
        if as_of - pd.Timedelta(days=h + k * ORIGIN_STEP_DAYS + min_history_days) >= first
    ]
    if not windows:
        return None
    rng = np.random.default_rng(random_state)
    per_window = max(max_train_rows // len(windows), MIN_TRAINING_CUSTOMERS)
    pieces = []
    for origin, horizon in windows:
        sample = periods
        if len(periods.ids) > per_window:
            sample = periods.customers_subset(
                np.sort(rng.choice(len(periods.ids), per_window, False))
            )
        split = build_calibration_holdout(sample, origin, origin + pd.Timedelta(days=horizon))
        if len(split) >= MIN_TRAINING_CUSTOMERS and split[REVENUE_HOLDOUT].sum() > 0:
            pieces.append(split.assign(**{WINDOW: float(horizon)}))
    if not pieces:
        return None
    train = pd.concat(pieces)
    regressor = fit_revenue_regressor(
        train,
        customers,
        train[REVENUE_HOLDOUT],
        max(h for _, h in windows),
        max_train_rows=None,
        random_state=random_state,
        **regressor_options,
    )
    regressor.windows = tuple(sorted({int(w) for w in train[WINDOW].unique()}))
    return regressor


def fit_candidates(
    transactions: pd.DataFrame | PurchasePeriods,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    *,
    modified: bool = True,
    segment_column: str | None = PLATFORM,
    min_history_days: int = 30,
    with_boosting: bool = True,
) -> tuple[LTVModel, pd.DataFrame]:
    """Every candidate fitted on the data through ``as_of``, and the RFM summary at ``as_of``.
    The BTYD fit raises DegenerateFit when it is degenerate."""
    as_of = pd.Timestamp(as_of)
    periods = (
        transactions
        if isinstance(transactions, PurchasePeriods)
        else purchase_periods(transactions, customers)
    )
    summary = build_rfm_summary(periods, as_of)
    btyd = fit_btyd_model(summary, modified, customers, segment_column)
    model = LTVModel(as_of, tuple(int(h) for h in horizons_days), btyd)
    if with_boosting:
        model.boosting = fit_boosting(
            periods, customers, as_of, model.horizons_days, min_history_days=min_history_days
        )
    return model, summary


def _boosting_windows(
    model: LTVModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    horizons: Sequence[int],
    btyd: dict[int, np.ndarray],
) -> dict[int, np.ndarray]:
    """Boosting's undiscounted revenue over each horizon (extended along the BTYD curve
    beyond the windows it learned)."""
    regressor = model.boosting
    nearest = {h: min(regressor.windows, key=lambda w: (abs(w - h), -w)) for h in horizons}
    learned = sorted(set(nearest.values()))
    predicted = predict_revenue_windows(regressor, summary, customers, learned)
    missing = [w for w in learned if w not in btyd]
    if missing:
        extra = expected_revenue_by(model.btyd, summary, customers, missing)
        btyd = {**btyd, **{w: extra[:, i] for i, w in enumerate(missing)}}
    out = {}
    for horizon in horizons:
        window = nearest[horizon]
        value = predicted[window]
        if window != horizon:
            base = btyd[window]
            ratio = np.where(base > 1e-9, btyd[horizon] / np.maximum(base, 1e-9), 1.0)
            value = value * ratio
        out[horizon] = value
    return out


def predict_windows(
    model: LTVModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    horizons_days: Sequence[int] | None = None,
    daily_discount_rate: float = 0.0,
    boosted: Sequence[int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every candidate's (uncalibrated) revenue over the next h days per customer: kind ->
    frame of ``clv_<h>`` columns; boosting and the blend only at the ``boosted`` horizons
    (default all)."""
    horizons = [int(h) for h in (horizons_days or model.horizons_days)]
    values, discounted_values = expected_revenue_both(
        model.btyd, summary, customers, horizons, daily_discount_rate
    )
    plain = {h: values[:, i] for i, h in enumerate(horizons)}
    discounted = {h: discounted_values[:, i] for i, h in enumerate(horizons)}
    frames = {BTYD: {clv_column(h): discounted[h] for h in horizons}}
    boosted = horizons if boosted is None else [int(h) for h in boosted]
    if model.boosting is not None and boosted:
        boosting = _boosting_windows(model, summary, customers, boosted, plain)
        discount = {
            h: np.where(plain[h] > 1e-12, discounted[h] / np.maximum(plain[h], 1e-12), 1.0)
            for h in boosted
        }
        frames[BOOSTING] = {clv_column(h): boosting[h] * discount[h] for h in boosted}
        frames[BLEND] = {
            clv_column(h): (frames[BTYD][clv_column(h)] + frames[BOOSTING][clv_column(h)]) / 2
            for h in boosted
        }
    return {kind: pd.DataFrame(cols, index=summary.index) for kind, cols in frames.items()}


def deployed_windows(
    model: LTVModel,
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    daily_discount_rate: float = 0.0,
) -> pd.DataFrame:
    """The deployed revenue over each horizon: the chosen kind's, calibrated (per channel where
    the backtest judged it); never less than over a shorter horizon (kinds may differ). Only
    the kinds deployed are computed."""
    boosted = [h for h in model.horizons_days if model.source(h) != BTYD]
    candidates = predict_windows(model, summary, customers, None, daily_discount_rate, boosted)
    labels = segment_labels(summary, customers, model.btyd.segment_column)
    return combine_windows(model, candidates, labels)


def combine_windows(
    model: LTVModel, candidates: dict[str, pd.DataFrame], labels: np.ndarray | None = None
) -> pd.DataFrame:
    """``deployed_windows`` from every candidate's windows and each row's segment label."""
    index = candidates[BTYD].index
    horizons = sorted(model.horizons_days)
    values = np.column_stack(
        [
            candidates[model.source(h)][clv_column(h)].to_numpy() * _factors(model, h, labels)
            for h in horizons
        ]
    )
    values = np.maximum.accumulate(values, axis=1)
    return pd.DataFrame(values, index=index, columns=[clv_column(h) for h in horizons])


def _factors(model: LTVModel, horizon: int, labels: np.ndarray | None) -> np.ndarray | float:
    overall = model.factor(horizon)
    by_segment = model.segment_calibration.get(int(horizon))
    if labels is None or not by_segment:
        return overall
    return pd.Series(labels).map(by_segment).fillna(overall).to_numpy(dtype=float)


def train_ltv_model(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    chosen: dict[int, str] | str = BTYD,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    *,
    calibration: dict[int, float] | None = None,
    segment_calibration: dict[int, dict[str, float]] | None = None,
    modified: bool = True,
    segment_column: str | None = PLATFORM,
    min_history_days: int = 30,
) -> LTVModel:
    """Fit the candidates on all data through ``as_of`` and deploy the ``chosen`` kind of each
    horizon (one kind for all, or a dict) with its ``calibration`` factor."""
    if isinstance(chosen, str):
        chosen = {int(h): chosen for h in horizons_days}
    unknown = set(chosen.values()) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown model kind {sorted(unknown)[0]!r}")
    model, _ = fit_candidates(
        transactions,
        customers,
        as_of,
        horizons_days,
        modified=modified,
        segment_column=segment_column,
        min_history_days=min_history_days,
        with_boosting=any(kind != BTYD for kind in chosen.values()),
    )
    model.chosen = dict(chosen)
    model.calibration = dict(calibration or {})
    model.segment_calibration = dict(segment_calibration or {})
    return model


def score_ltv(
    model: LTVModel,
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | str,
    *,
    churn_horizons_days: Sequence[int] = (30, 90),
    daily_discount_rate: float = 0.0,
    summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per customer born by ``as_of``: predicted future revenue ``clv_<h>`` (deployed kind,
    calibrated, discounted alike), ``p_alive`` and ``churn_<h>`` = P(no purchase in the next h
    days) of the BTYD models. ``summary``: the RFM summary at ``as_of`` when the caller has it."""
    if summary is None:
        summary = build_rfm_summary(transactions, as_of, customers)
    out = deployed_windows(model, summary, customers, daily_discount_rate)
    churn = predict_btyd_churn(model.btyd, summary, customers, churn_horizons_days)
    return out.join(churn)
