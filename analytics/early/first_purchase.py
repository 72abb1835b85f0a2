"""First-purchase model: for a customer who has not paid `age` days after the install, the
probability of a first purchase within each horizon (7 and 30 days from acquisition), from the
features of analytics/early/features.py.

One calibrated classifier per (feature age, horizon); two candidate kinds, chosen by the
backtest (analytics/early/backtest.py): gradient boosting ("hgb") or a logistic regression
("logistic", on the features and their quantile bins: the log-odds of paying are not linear in
them), each calibrated by isotonic regression on shuffled cross-validated folds. A customer is
scored with the largest feature age they have reached (an older customer who has not paid keeps
the D3 model's features; the horizons run from acquisition, so a passed horizon is 0).

Inputs besides the features: `first_paid` (CUSTOMER_ID → time of the first payment, NaT: none)
and `payer_value` (CUSTOMER_ID → revenue within the horizon, for the value of a payer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.early.features import FeatureTable
from analytics.ltv.columns import ACQUIRED_AT, CATEGORICAL_FEATURES, CUSTOMER_ID

FEATURE_AGES = (1, 3)
HORIZONS = (7, 30)
KINDS = ("hgb", "logistic")
MIN_TRAINING = 200
MIN_POSITIVES = 20
DAY = pd.Timedelta(days=1)


def p_column(horizon: int) -> str:
    return f"p_first_purchase_{horizon}"


def _estimator(kind: str, numeric: list[str]):
    # scikit-learn (and the scipy it loads) only where a model is fitted: the web process
    # imports this module for its constants and would otherwise hold ~90 MB it never uses
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        KBinsDiscretizer,
        OneHotEncoder,
        OrdinalEncoder,
        StandardScaler,
    )

    categorical = list(CATEGORICAL_FEATURES)
    if kind == "hgb":
        encode = ColumnTransformer(
            [
                (
                    "cat",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=-1,
                        encoded_missing_value=-1,
                    ),
                    categorical,
                ),
                ("num", "passthrough", numeric),
            ]
        )
        model = HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.08,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            categorical_features=list(range(len(categorical))),
            random_state=0,
        )
    else:
        encode = ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=20), categorical),
                (
                    "num",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value=-1.0), StandardScaler()
                    ),
                    numeric,
                ),
                # the log-odds are not linear in the features (a first event seconds after the
                # install is a bot's, not an eager payer's): quantile bins let them bend
                (
                    "bins",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value=-1.0),
                        KBinsDiscretizer(n_bins=8, encode="onehot", strategy="quantile"),
                    ),
                    numeric,
                ),
            ]
        )
        model = LogisticRegression(max_iter=500, C=1.0)
    # shuffled folds: customers arrive grouped (by ad account, campaign), and contiguous folds
    # calibrate on channels the fold's model never saw (on the demo's 400 days, P(pay) came out
    # twice the rate at the report origin: 0.103 against 0.051)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    return CalibratedClassifierCV(make_pipeline(encode, model), method="isotonic", cv=folds)


@dataclass
class _Fitted:
    """One (age, horizon) classifier, or the base rate when there was too little to learn."""

    estimator: object | None
    base_rate: float
    rows: int
    positives: int

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        if self.estimator is None or features.empty:
            return np.full(len(features), self.base_rate)
        return self.estimator.predict_proba(features)[:, 1]


@dataclass
class FirstPurchaseModel:
    #: The candidate kind of each horizon.
    kinds: dict[int, str]
    vocabulary: list[str]
    fitted: dict[tuple[int, int], _Fitted] = field(default_factory=dict)
    #: Mean revenue within each horizon of a customer who paid within it.
    payer_value: dict[int, float] = field(default_factory=dict)

    def predict_at(self, table: FeatureTable, ids: pd.Series, age: int) -> pd.DataFrame:
        """P(first purchase within each horizon) of the customers `ids` (none paid by `age`),
        from their first `age` days."""
        features = table.at(age, ids)
        out = pd.DataFrame(index=features.index)
        for horizon in HORIZONS:
            fitted = self.fitted.get((age, horizon))
            p = fitted.predict(features) if fitted else np.zeros(len(features))
            out[p_column(horizon)] = p if horizon > age else 0.0
        return out

    def score(self, table: FeatureTable, first_paid: pd.Series, at: pd.Timestamp) -> pd.DataFrame:
        """Scores of every customer acquired before `at` who has not paid by `at`: their age
        bucket (the feature age used) and P(first purchase within each horizon)."""
        customers = table.customers
        acquired = customers[ACQUIRED_AT]
        paid = customers[CUSTOMER_ID].map(first_paid)
        unpaid = customers[(acquired < at) & ~(paid < at)]
        age_days = (at - unpaid[ACQUIRED_AT]) / DAY
        frames = []
        for index, age in enumerate(FEATURE_AGES):
            upper = FEATURE_AGES[index + 1] if index + 1 < len(FEATURE_AGES) else np.inf
            group = unpaid[(age_days >= age if index else age_days >= 0) & (age_days < upper)]
            if group.empty:
                continue
            scored = self.predict_at(table, group[CUSTOMER_ID], age)
            ages = ((at - group.set_index(CUSTOMER_ID)[ACQUIRED_AT]) / DAY).reindex(scored.index)
            for horizon in HORIZONS:  # a horizon the customer has passed unpaid is over
                scored.loc[ages.to_numpy() >= horizon, p_column(horizon)] = 0.0
            scored["feature_age"] = age
            frames.append(scored)
        if not frames:
            return pd.DataFrame(columns=[*(p_column(h) for h in HORIZONS), "feature_age"])
        return pd.concat(frames)

    def outputs(self, table: FeatureTable, first_paid: pd.Series, at: pd.Timestamp) -> pd.DataFrame:
        """What a version stores: for every customer acquired in the last max(HORIZONS) days
        before `at` (index CUSTOMER_ID), P(first purchase within each horizon of acquisition):
        the model's for one who has not paid by `at`, 1 or 0 for one who has (whether the
        first payment fell within the horizon). P(within a longer horizon) is at least that of a
        shorter one."""
        customers = table.customers
        acquired = customers[ACQUIRED_AT]
        recent = customers[(acquired < at) & (acquired >= at - max(HORIZONS) * DAY)]
        ids = pd.Index(recent[CUSTOMER_ID], name=CUSTOMER_ID)
        scored = self.score(table, first_paid, at)
        paid_after = (recent[CUSTOMER_ID].map(first_paid) - recent[ACQUIRED_AT]).to_numpy()
        paid = (recent[CUSTOMER_ID].map(first_paid) < at).to_numpy()
        out = pd.DataFrame(index=ids)
        shorter = np.zeros(len(ids))
        for horizon in sorted(HORIZONS):
            model_p = scored[p_column(horizon)].reindex(ids).fillna(0.0).to_numpy(dtype=float)
            known = (paid_after < horizon * DAY).astype(float)
            # each horizon has its own classifier: a longer one never says less than a shorter
            shorter = np.maximum(shorter, np.where(paid, known, model_p))
            out[p_column(horizon)] = shorter
        return out


def outcome(customers: pd.DataFrame, first_paid: pd.Series, horizon: int) -> np.ndarray:
    """1 when the customer first paid within `horizon` days of acquisition."""
    paid = customers[CUSTOMER_ID].map(first_paid)
    return ((paid - customers[ACQUIRED_AT]) < horizon * DAY).fillna(False).to_numpy(dtype=int)


def unpaid_at_age(customers: pd.DataFrame, first_paid: pd.Series, age: int) -> pd.DataFrame:
    """The customers who had not paid `age` days after acquisition."""
    paid = customers[CUSTOMER_ID].map(first_paid)
    return customers[~((paid - customers[ACQUIRED_AT]) < age * DAY)]


def fit_first_purchase(
    table: FeatureTable,
    first_paid: pd.Series,
    horizon_value: dict[int, pd.Series],
    origin: pd.Timestamp,
    kind: str | dict[int, str] = "hgb",
    horizons: tuple[int, ...] = HORIZONS,
) -> FirstPurchaseModel:
    """Fit on what was known at `origin`: the customers whose horizon had ended by then (their
    features at age A read only their first A days) and the first payments before `origin`.
    `kind` may differ by horizon."""
    customers = table.customers
    first_paid = first_paid[first_paid < origin]
    kinds = kind if isinstance(kind, dict) else dict.fromkeys(horizons, kind)
    model = FirstPurchaseModel(kinds, table.vocabulary)
    for horizon in horizons:
        done = customers[customers[ACQUIRED_AT] + horizon * DAY <= origin]
        payers = done[outcome(done, first_paid, horizon) == 1][CUSTOMER_ID]
        values = horizon_value.get(horizon, pd.Series(dtype=float)).reindex(payers).fillna(0.0)
        model.payer_value[horizon] = float(values.mean()) if len(values) else 0.0
        for age in FEATURE_AGES:
            if age >= horizon:
                continue
            train = unpaid_at_age(done, first_paid, age)
            y = outcome(train, first_paid, horizon)
            positives = int(y.sum())
            rate = float(y.mean()) if len(y) else 0.0
            estimator = None
            if len(y) >= MIN_TRAINING and MIN_POSITIVES <= positives <= len(y) - MIN_POSITIVES:
                estimator = _estimator(kinds[horizon], table.numeric)
                estimator.fit(table.at(age, train[CUSTOMER_ID]), y)
            model.fitted[(age, horizon)] = _Fitted(estimator, rate, len(y), positives)
    return model
