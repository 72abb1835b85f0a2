"""Expected payers and the early predicted ROAS of cohorts too young for revenue history, from
the active first-purchase version's outputs (backend.services.roi.early), in the cohorts, ROI
and overview answers, computed by hand on the small world of conftest.

Seen on 2024-01-06 (the young days: 2024-01-01 .. 2024-01-06), the first-purchase version
scored through 2024-01-05 with a value per payer of 50 (30 days):

- c1 2024-01-02 meta (paid on day 0): P30 = 1; c2 2024-01-05 meta: P30 = 0.4;
  c5 2024-01-04 meta: P30 = 0.3; c3 2024-01-03 google: P30 = 1 (paid on day 0);
- c6 2024-01-06 meta, acquired after the scoring: not scored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import text

from analytics.early.backtest import TOO_FEW_PAYERS
from backend.models import ModelOutput, ModelVersion
from backend.services.roi.cohorts import cohort_report
from backend.services.roi.overview import overview_figures
from backend.services.roi.report import RoiRequest, roi_report
from tests.backend.roi.conftest import JAN1, JAN10, add_customer

SEEN_ON = dt.date(2024, 1, 6)
VALUE_PER_PAYER = 50.0
BACKTEST = {
    "selection": {"30": {"origin": "2023-11-06", "log_loss": {"hgb": 0.2}}},
    "horizons": {
        "30": {
            "origin": "2023-12-06",
            "by_age": {
                # the pages read the median per weekly cohort (`_p50_`); the means are kept
                # for continuity and are never what a page shows nor what chooses a figure
                "D1": {
                    "auc": 0.86,
                    "brier": 0.09,
                    "customers": 200,
                    "cohorts": {
                        "weeks": 4,
                        "cohort_customers_p50": 50,
                        "expected_payers_err_pct": 9.0,
                        "expected_payers_err_p50_pct": 6.0,
                        "predicted_revenue_err_pct": 45.0,
                        "predicted_revenue_err_p50_pct": 12.5,
                    },
                },
                "D3": {
                    "auc": 0.93,
                    "brier": 0.07,
                    "cohorts": {
                        "weeks": 4,
                        "cohort_customers_p50": 50,
                        "expected_payers_err_pct": 7.0,
                        "expected_payers_err_p50_pct": 4.0,
                        "predicted_revenue_err_pct": 30.0,
                        "predicted_revenue_err_p50_pct": 8.5,
                    },
                },
            },
        }
    },
}


def first_purchase_version(db, world, *, active: bool = True) -> ModelVersion:
    version = ModelVersion(
        kind="first_purchase",
        algorithm="hgb",
        status="ready",
        is_active=active,
        params={"scored_as_of": "2024-01-05", "value_per_payer": {"7": 40.0, "30": 50.0}},
        metrics={**BACKTEST, "by_age": {"D1": {"auc_30": 0.86}, "D3": {"auc_30": 0.93}}},
        source="spendlens",
    )
    db.session.add(version)
    db.session.flush()
    ids = dict(db.session.execute(text("SELECT external_id, id FROM customers")).all())
    for external_id, p7, p30 in (("c1", 1, 1), ("c2", 0.2, 0.4), ("c5", 0.1, 0.3), ("c3", 1, 1)):
        db.session.add(
            ModelOutput(
                model_version_id=version.id,
                customer_id=ids[external_id],
                p_first_purchase_7=Decimal(str(p7)),
                p_first_purchase_30=Decimal(str(p30)),
            )
        )
    add_customer(db, "c6", SEEN_ON, "meta", world["meta"].id, world["m1"], "US")
    db.session.commit()
    return version


@pytest.fixture
def early_world(db, world):
    return {**world, "first_purchase": first_purchase_version(db, world)}


def day_cohorts(report) -> dict[str, dict]:
    return {f"{c['cohort']}|{c['platform']}": c for c in report["cohorts"]}


def test_a_young_cohort_has_expected_payers_and_an_early_predicted_roas(early_world):
    cohorts = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))
    early = cohorts["2024-01-05|meta"]["early"]
    # c2 alone: 0.4 expected payers x 50 per payer over meta's 15 spent that day
    assert early["expected_payers_30"] == 0.4 and early["expected_payers_7"] == 0.2
    assert early["predicted_roas"] == pytest.approx(0.4 * VALUE_PER_PAYER / 15, abs=1e-4)
    assert early["customers"] == early["scored"] == 1


def test_the_early_error_is_the_backtests_at_the_age_the_cohort_was_scored(early_world):
    cohorts = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))
    # 2024-01-02 was 3.5 days old at the scoring: D3; 2024-01-05 half a day: D1
    d3 = cohorts["2024-01-02|meta"]["early"]["accuracy"]
    d1 = cohorts["2024-01-05|meta"]["early"]["accuracy"]
    assert (d3["age_bucket"], d3["predicted_roas_err_pct"], d3["expected_payers_err_pct"]) == (
        "D3",
        8.5,
        4.0,
    )
    assert (d1["age_bucket"], d1["predicted_roas_err_pct"], d1["auc"]) == ("D1", 12.5, 0.86)


def test_a_group_mixing_ages_takes_the_error_of_its_youngest_customers(early_world, db):
    """google's young customers: c3 scored 2.5 days old (D1) and c7 4.5 days old (D3); their
    mean age (3.5) would read the better D3 error: the group is read at D1."""
    c7 = add_customer(db, "c7", JAN1, "google_ads", early_world["google"].id, early_world["g1"])
    db.session.add(
        ModelOutput(
            model_version_id=early_world["first_purchase"].id,
            customer_id=c7.id,
            p_first_purchase_7=Decimal("0.1"),
            p_first_purchase_30=Decimal("0.2"),
        )
    )
    db.session.commit()
    rows = {
        r["key"]: r["early"] for r in roi_report(RoiRequest(JAN1, JAN10), as_of=SEEN_ON)["rows"]
    }
    accuracy = rows["google_ads"]["accuracy"]
    assert (accuracy["age_bucket"], accuracy["expected_payers_err_pct"]) == ("D1", 6.0)
    assert accuracy["predicted_roas_err_pct"] == 12.5


def test_cohorts_not_scored_or_too_old_have_no_early_figures(early_world):
    cohorts = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))
    assert cohorts["2024-01-06|meta"]["early"] is None  # acquired after the scoring
    later = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=dt.date(2024, 1, 20)))
    assert all(c["early"] is None for c in later.values())  # all older than 7 days


def test_channel_rows_and_totals_scale_the_scored_rate_to_every_young_customer(early_world):
    report = roi_report(RoiRequest(JAN1, JAN10), as_of=SEEN_ON)
    rows = {r["key"]: r["early"] for r in report["rows"]}
    meta = rows["meta"]
    # meta: 1 + 0.4 + 0.3 over 3 scored of 4 customers; spend 15 a day over 6 young days
    expected = 1.7 / 3 * 4
    assert (meta["customers"], meta["scored"]) == (4, 3)
    assert meta["expected_payers_30"] == round(expected, 1)
    assert meta["predicted_roas"] == pytest.approx(expected * VALUE_PER_PAYER / 90, abs=1e-4)
    assert rows["google_ads"]["predicted_roas"] == pytest.approx(50 / 132, abs=1e-4)
    assert report["early_range"] == (JAN1, SEEN_ON)
    total = report["totals"]["early"]
    # the totals scale on their own: 2.7 over 4 scored of 5 young customers
    assert total["expected_payers_30"] == round(2.7 / 4 * 5, 1)
    assert total["predicted_roas"] == pytest.approx(2.7 / 4 * 5 * 50 / 222, abs=1e-4)
    assert report["first_purchase_model"]["id"] == early_world["first_purchase"].id


def test_the_first_purchase_model_card_gives_its_backtest_at_d1_and_d3(early_world, db):
    """What the pages say of the version: its windows and, at D1 and D3, the errors stored at
    its report origin (the selection origin's are not the version's accuracy)."""
    version = early_world["first_purchase"]
    version.training_start = dt.date(2023, 6, 1)
    version.trained_at = dt.datetime(2024, 1, 6, 3, tzinfo=dt.UTC)
    db.session.commit()
    card = cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON)["first_purchase_model"]
    assert (card["training_start"], card["trained_at"].date()) == (
        dt.date(2023, 6, 1),
        dt.date(2024, 1, 6),
    )
    assert (card["backtest_origin"], card["judged_days"]) == (dt.date(2023, 12, 6), 28)
    assert [
        (a["age_bucket"], a["expected_payers_err_pct"], a["predicted_roas_err_pct"], a["auc"])
        for a in card["accuracy"]
    ] == [("D1", 6.0, 12.5, 0.86), ("D3", 4.0, 8.5, 0.93)]
    assert roi_report(RoiRequest(JAN1, JAN10), as_of=SEEN_ON)["first_purchase_model"] == card


def test_without_an_active_first_purchase_version_there_are_no_early_figures(db, world):
    first_purchase_version(db, world, active=False)
    report = roi_report(RoiRequest(JAN1, JAN10), as_of=SEEN_ON)
    assert report["totals"]["early"] is None
    assert all(row["early"] is None for row in report["rows"])
    assert report["first_purchase_model"] is None


def test_the_overview_gives_the_early_figures_of_its_range(early_world):
    figures = overview_figures(JAN1, JAN10, SEEN_ON)
    assert figures["current"]["early"]["predicted_roas"] == pytest.approx(
        2.7 / 4 * 5 * 50 / 222, abs=1e-4
    )


def test_the_api_answers_the_early_figures_with_their_accuracy(early_world, marketer, monkeypatch):
    from backend.services.roi import report

    monkeypatch.setattr(report, "today", lambda: SEEN_ON)
    answer = marketer.get(
        "/api/cohorts", query_string={"start": JAN1, "end": JAN10, "cohort": "day"}
    )
    assert answer.status_code == 200, answer.json
    early = next(
        c["early"]
        for c in answer.json["cohorts"]
        if (c["cohort"], c["platform"]) == ("2024-01-05", "meta")
    )
    assert early["from"] == "2024-01-01" and early["to"] == "2024-01-06"
    assert early["accuracy"]["age_bucket"] == "D1"
    assert early["predicted_roas"] == pytest.approx(0.4 * 50 / 15, abs=1e-4)
    card = answer.json["first_purchase_model"]
    assert card["horizon_days"] == 30 and card["backtest_origin"] == "2023-12-06"
    assert [(a["age_bucket"], a["expected_payers_err_pct"]) for a in card["accuracy"]] == [
        ("D1", 6.0),
        ("D3", 4.0),
    ]
    rows = marketer.get("/api/roi", query_string={"start": JAN1, "end": JAN10}).json
    assert rows["totals"]["early"]["accuracy"]["predicted_roas_err_pct"] is not None


def test_a_version_stored_with_a_reason_in_its_summary_is_served_as_numbers(
    early_world, marketer, db, monkeypatch
):
    """A version stored by an earlier build holds the withheld AUC's reason string in its
    by_age summary (a 500 from every /api/cohorts): the answer drops it, keeps the numbers."""
    from backend.services.roi import report

    monkeypatch.setattr(report, "today", lambda: SEEN_ON)
    version = early_world["first_purchase"]
    d3 = {"auc_7": None, "payers_7": 3, "auc_withheld_7": TOO_FEW_PAYERS, "auc_30": 0.93}
    version.metrics = {**version.metrics, "by_age": {"D1": {"auc_30": 0.86}, "D3": d3}}
    db.session.commit()
    answer = marketer.get(
        "/api/cohorts", query_string={"start": JAN1, "end": JAN10, "cohort": "day"}
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["first_purchase_model"]["by_age"] == {
        "D1": {"auc_30": 0.86},
        "D3": {"auc_7": None, "payers_7": 3.0, "auc_30": 0.93},
    }


# The one predicted ROAS a row shows (backend.services.predictions.shown_roas): the LTV version's
# stored backtest of 30-day revenue against the first-purchase version's at the row's age.


def ltv_backtest(world, db, error_30: float, error_365: float = 0.6) -> None:
    """The LTV version's report-origin backtest at D3 (the 2024-01-05 cohort's age on SEEN_ON):
    30-day and 365-day revenue, median error per cohort `error_30` and `error_365`."""
    at = {
        "30": {"D3": {"cohort_abs_error_p50": error_30, "cohort_abs_error_p80": 2 * error_30}},
        "365": {"D3": {"cohort_abs_error_p50": error_365, "cohort_abs_error_p80": 0.9}},
    }
    world["model"].metrics = {**world["model"].metrics, "backtest": {"by_age": at}}
    db.session.commit()


def test_a_young_cohort_shows_the_early_roas_where_its_backtest_is_the_better(early_world, db):
    ltv_backtest(early_world, db, error_30=0.40)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-05|meta"]
    shown = cohort["prediction"]
    # 30-day revenue at this age: early signals ±12.5% (D1) against the LTV model's ±40% (D3)
    assert shown["source"] == "early"
    assert shown["roas"] == cohort["early"]["predicted_roas"] == pytest.approx(0.4 * 50 / 15, 1e-3)
    assert (shown["horizon_days"], shown["age_bucket"], shown["error_pct"]) == (30, "D1", 12.5)
    assert shown["interval"] is None
    assert shown["compared"] == {
        "horizon_days": 30,
        "cohort_customers": 50,  # the first-purchase backtest's median weekly cohort
        "ltv_age_bucket": "D3",
        "ltv_error_pct": 40.0,
        "early_age_bucket": "D1",
        "early_error_pct": 12.5,
    }


def test_a_young_cohort_keeps_the_ltv_roas_where_its_backtest_is_the_better(early_world, db):
    ltv_backtest(early_world, db, error_30=0.05)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-05|meta"]
    shown = cohort["prediction"]
    assert shown["source"] == "ltv"
    # c2's predicted 365-day LTV of 60 for 15 spent, with the 365-day error at D3
    assert shown["roas"] == cohort["roas_predicted"] == pytest.approx(60 / 15, abs=1e-4)
    assert (shown["horizon_days"], shown["age_bucket"], shown["error_pct"]) == (365, "D3", 60.0)
    assert shown["interval"] == cohort["roas_predicted_interval"] is not None
    assert (shown["compared"]["ltv_error_pct"], shown["compared"]["early_error_pct"]) == (5.0, 12.5)


def test_the_choice_compares_the_median_error_per_cohort_of_both_versions(early_world, db):
    """At D1 the first-purchase backtest's weekly cohorts were off by a median 12.5% (a mean
    45%: one far-off week), the LTV backtest's cohorts by a median 30%: median against median,
    the early figure is the closer. A mean against the LTV's median would show the LTV figure."""
    ltv_backtest(early_world, db, error_30=0.30)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-05|meta"]
    judged = BACKTEST["horizons"]["30"]["by_age"]["D1"]["cohorts"]
    compared = cohort["prediction"]["compared"]
    assert compared["early_error_pct"] == judged["predicted_revenue_err_p50_pct"] == 12.5
    assert compared["ltv_error_pct"] == 30.0 < judged["predicted_revenue_err_pct"]
    assert (cohort["prediction"]["source"], cohort["prediction"]["error_pct"]) == ("early", 12.5)


def test_a_first_purchase_version_stored_without_the_median_is_not_judged(early_world, db):
    """A version trained before the median per cohort was kept: its early figures say no error
    (not judged) and the row keeps the LTV figure, whatever the stored mean."""
    version = early_world["first_purchase"]
    horizons = {"30": {**BACKTEST["horizons"]["30"]}}
    horizons["30"]["by_age"] = {
        age: {**judged, "cohorts": {k: v for k, v in judged["cohorts"].items() if "p50" not in k}}
        for age, judged in BACKTEST["horizons"]["30"]["by_age"].items()
    }
    version.metrics = {**version.metrics, "horizons": horizons}
    db.session.commit()
    ltv_backtest(early_world, db, error_30=0.40)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-05|meta"]
    assert cohort["early"]["accuracy"]["predicted_roas_err_pct"] is None
    assert cohort["prediction"]["source"] == "ltv"
    assert cohort["prediction"]["compared"]["early_error_pct"] is None


def test_an_age_the_ltv_backtest_did_not_judge_shows_the_early_roas(early_world, db):
    """2024-01-02 is four days old on SEEN_ON (D7), an age the LTV backtest here did not judge;
    early signals were judged at D3 (its customers' age when scored)."""
    ltv_backtest(early_world, db, error_30=0.05)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-02|meta"]
    shown = cohort["prediction"]
    assert (shown["source"], shown["age_bucket"], shown["error_pct"]) == ("early", "D3", 8.5)
    assert shown["compared"]["ltv_error_pct"] is None


def test_cohorts_with_revenue_history_show_the_ltv_roas(early_world, db):
    ltv_backtest(early_world, db, error_30=0.40)
    later = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=dt.date(2024, 1, 20)))
    shown = later["2024-01-05|meta"]["prediction"]
    assert (shown["source"], shown["horizon_days"], shown["compared"]) == ("ltv", 365, None)
    assert shown["roas"] == later["2024-01-05|meta"]["roas_predicted"]


def test_a_channel_row_shows_the_early_roas_only_when_it_covers_all_its_customers(early_world, db):
    ltv_backtest(early_world, db, error_30=0.40)
    young = {r["key"]: r for r in roi_report(RoiRequest(JAN1, JAN10), as_of=SEEN_ON)["rows"]}
    meta = young["meta"]
    assert meta["early"]["customers"] == meta["customers"] == 4
    assert meta["prediction"]["source"] == "early"
    assert meta["prediction"]["roas"] == meta["early"]["predicted_roas"]
    # on 01-10 the young days are 01-04 .. 01-10: c1 (01-02) is not among the early figure's
    # customers, so it does not stand for the row: the LTV figure does
    later = {r["key"]: r for r in roi_report(RoiRequest(JAN1, JAN10), as_of=JAN10)["rows"]}
    assert later["meta"]["early"]["customers"] < later["meta"]["customers"]
    assert later["meta"]["prediction"]["source"] == "ltv"
    assert later["meta"]["prediction"]["roas"] == later["meta"]["predicted_roas"]


def test_a_young_channel_row_in_a_long_range_is_judged_at_its_customers_age(early_world, db):
    """From 2023-12-01 the range's middle is 16 days old (D30), where the LTV backtest was
    close (±5%); meta's customers are all of the young days (2023-12-31 .. 2024-01-06, their
    middle 3 days old: D7, the LTV figure's own error), their youngest scored half a day old
    (early signals judged at D1: one day old, the LTV backtest's D3), where the LTV backtest
    was ±40%: early signals' ±12.5% is the closer."""
    close = {"cohort_abs_error_p50": 0.05, "cohort_abs_error_p80": 0.1}
    far = {"cohort_abs_error_p50": 0.4, "cohort_abs_error_p80": 0.8}
    at = {
        "30": {"D30": close, "D7": close, "D3": far},
        "365": {"D30": close, "D7": {"cohort_abs_error_p50": 0.7, "cohort_abs_error_p80": 0.9}},
    }
    early_world["model"].metrics = {**early_world["model"].metrics, "backtest": {"by_age": at}}
    db.session.commit()
    report = roi_report(RoiRequest(dt.date(2023, 12, 1), JAN10), as_of=SEEN_ON)
    meta = next(r for r in report["rows"] if r["key"] == "meta")
    assert report["age_days"] == 16 and meta["accuracy"]["age_bucket"] == "D30"
    shown = meta["prediction"]
    assert meta["prediction"]["age_bucket"] == "D1"
    assert (shown["compared"]["ltv_age_bucket"], shown["compared"]["ltv_error_pct"]) == ("D3", 40.0)
    assert (shown["source"], shown["roas"]) == ("early", meta["early"]["predicted_roas"])


def test_the_api_answers_the_shown_prediction_with_its_source_and_error(
    early_world, db, marketer, monkeypatch
):
    from backend.services.roi import report

    ltv_backtest(early_world, db, error_30=0.40)
    monkeypatch.setattr(report, "today", lambda: SEEN_ON)
    answer = marketer.get(
        "/api/cohorts", query_string={"start": JAN1, "end": JAN10, "cohort": "day"}
    ).json
    (cohort,) = [
        c for c in answer["cohorts"] if (c["cohort"], c["platform"]) == ("2024-01-05", "meta")
    ]
    shown = cohort["prediction"]
    assert (shown["source"], shown["horizon_days"], shown["error_pct"]) == ("early", 30, 12.5)
    assert shown["roas"] == cohort["early"]["predicted_roas"]
    assert shown["compared"]["ltv_error_pct"] == 40.0
    rows = marketer.get("/api/roi", query_string={"start": JAN1, "end": JAN10}).json
    meta = next(r for r in rows["rows"] if r["key"] == "meta")
    assert meta["prediction"]["source"] == "early"
    assert meta["prediction"]["roas"] == meta["early"]["predicted_roas"]


def test_the_overview_shows_the_roi_reports_one_predicted_roas(early_world, db):
    """All the range's customers are young on SEEN_ON: its one figure is early signals'."""
    ltv_backtest(early_world, db, error_30=0.40)
    shown = overview_figures(JAN1, JAN10, SEEN_ON)["current"]["prediction"]
    totals = roi_report(RoiRequest(JAN1, JAN10), as_of=SEEN_ON)["totals"]
    assert shown == totals["prediction"]
    assert (shown["source"], shown["horizon_days"]) == ("early", 30)
    assert shown["roas"] == totals["early"]["predicted_roas"]


def test_the_overview_api_answers_its_one_predicted_roas(early_world, db, marketer, monkeypatch):
    """The range's customers (all young: 2024-01-01 .. 01-06) are 3 days old in the middle
    (D7: the LTV figure's own error); at the age early signals were judged (D1, one day old:
    the LTV backtest's D3) the LTV model was the closer on 30-day revenue: the overview shows
    its 365-day figure."""
    from backend.services.roi import report

    close = {"cohort_abs_error_p50": 0.05, "cohort_abs_error_p80": 0.1}
    at = {"30": {"D3": close}, "365": {"D7": {**close, "cohort_abs_error_p50": 0.6}}}
    early_world["model"].metrics = {**early_world["model"].metrics, "backtest": {"by_age": at}}
    db.session.commit()
    monkeypatch.setattr(report, "today", lambda: SEEN_ON)
    current = marketer.get("/api/overview", query_string={"start": JAN1, "end": JAN10}).json[
        "current"
    ]
    shown = current["prediction"]
    assert (shown["source"], shown["horizon_days"]) == ("ltv", 365)
    assert shown["roas"] == current["predicted_roas"] is not None
    assert (shown["age_bucket"], shown["error_pct"]) == ("D7", 60.0)
    assert shown["compared"]["ltv_error_pct"] == 5.0
    assert (
        shown["compared"]["early_error_pct"]
        == current["early"]["accuracy"]["predicted_roas_err_pct"]
    )


def test_the_csv_exports_the_predicted_roas_the_page_shows(early_world, db, marketer, monkeypatch):
    from backend.services.roi import report

    ltv_backtest(early_world, db, error_30=0.40)
    monkeypatch.setattr(report, "today", lambda: SEEN_ON)
    query = {"start": JAN1, "end": JAN10}
    page = marketer.get("/api/roi", query_string=query).json
    answer = marketer.get("/api/roi/export.csv", query_string=query).get_data(as_text=True)
    lines = {line["key"]: line for line in csv.DictReader(io.StringIO(answer))}
    header = next(csv.reader(io.StringIO(answer)))
    at = header.index("predicted_roas")
    assert header[at + 1 : at + 4] == [
        "predicted_roas_horizon_days",
        "predicted_roas_source",
        "predicted_roas_error_pct",
    ]
    for row in [*page["rows"], {**page["totals"], "key": "total"}]:
        shown, line = row["prediction"], lines[row["key"]]
        assert line["predicted_roas"] == str(shown["roas"])
        assert line["predicted_roas_horizon_days"] == str(shown["horizon_days"])
        assert line["predicted_roas_source"] == shown["source"]
        assert line["predicted_roas_error_pct"] == str(shown["error_pct"])
    # meta's shown figure is early signals' 30-day one, not the LTV model's
    assert lines["meta"]["predicted_roas_source"] == "early"
    assert lines["meta"]["predicted_roas"] != str(
        next(r for r in page["rows"] if r["key"] == "meta")["predicted_roas"]
    )


def predicted_points(cohort) -> dict[int, float]:
    return {p["day"]: p["predicted"] for p in cohort["curve"] if p["predicted"] is not None}


def test_a_young_cohort_shown_the_early_roas_draws_the_curve_of_that_figure(early_world, db):
    """The curve's projection and the bar are one prediction: early signals' 30-day figure
    (0.4 x 50 over 15 spent), reached on day 30 and not extended by the LTV model's 365-day one
    (60 over 15), which drew the curve above the bar before."""
    ltv_backtest(early_world, db, error_30=0.40)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-05|meta"]
    assert cohort["prediction"]["source"] == "early"
    points = predicted_points(cohort)
    shown = cohort["prediction"]["roas"] * cohort["spend"]
    assert points[30] == pytest.approx(shown, abs=0.01)
    assert max(points) == 30  # nothing predicted past the figure's horizon
    values = [points[day] for day in sorted(points)]
    assert values == sorted(values) and values[-1] <= shown + 0.01


def test_a_cohort_shown_the_ltv_roas_draws_the_ltv_curve_to_day_365(early_world, db):
    ltv_backtest(early_world, db, error_30=0.05)
    cohort = day_cohorts(cohort_report(JAN1, JAN10, "day", as_of=SEEN_ON))["2024-01-05|meta"]
    assert cohort["prediction"]["source"] == "ltv"
    points = predicted_points(cohort)
    assert points[365] == pytest.approx(cohort["roas_predicted"] * cohort["spend"], abs=0.01)
    assert max(points.values()) == points[365]
