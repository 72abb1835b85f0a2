"""The ROI report on the hand-computed world of conftest: every grouping, totals, currency
conversion of spend and revenue, incomplete cohorts, missing rates, monthly + daily reads."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.services.roi.report import RoiRequest, device_label, roi_report
from tests.backend.roi.conftest import AS_OF, JAN1, JAN10, add_account, days, spend_row, write_slice


def report(group_by="platform", start=JAN1, end=JAN10, as_of=AS_OF, **filters):
    return roi_report(RoiRequest(start, end, group_by, **filters), as_of)


def rows_by_key(result) -> dict:
    return {row["key"]: row for row in result["rows"]}


def test_by_platform_matches_hand_computation(world):
    result = report()
    assert result["currency"] == "USD" and result["group_by"] == "platform"
    meta, google = rows_by_key(result)["meta"], rows_by_key(result)["google_ads"]
    assert meta["label"] == "Meta Ads" and meta["platform"] == "meta"
    # spend 10 x 10 + 5 x 10; installs 50 + 10; customers c1, c2, c5 (c4 is organic)
    assert (meta["spend"], meta["installs"], meta["customers"]) == (150.0, 60, 3)
    assert meta["impressions"] == 10_000 and meta["clicks"] == 200
    assert meta["cpi"] == 2.5 and meta["cac"] == 50.0
    # revenue: c1 30 + 20, c2 10 EUR = 11.00 USD; D7: 30 + 11
    assert meta["revenue"] == 61.0 and meta["revenue_d7"] == 41.0 and meta["revenue_d30"] == 61.0
    assert meta["d7_complete"] is True and meta["d30_complete"] is True
    assert meta["roas"] == pytest.approx(61 / 150, abs=1e-4)
    # predicted LTV 365 per scored customer (c1 120, c2 60), times 3 customers, over 150
    assert meta["predicted_ltv"] == 90.0 and meta["predicted_roas"] == 1.8
    assert meta["ltv_cac"] == 1.8 and meta["churn_rate"] == 0.4
    # google: 20 EUR x 1.1 x 10 days
    assert (google["spend"], google["installs"], google["customers"]) == (220.0, 40, 1)
    assert google["revenue"] == 100.0 and google["cac"] == 220.0
    assert google["predicted_roas"] == pytest.approx(400 / 220, abs=1e-4)


def test_payback_follows_the_actual_then_the_predicted_curve(world):
    # google: c3 paid 100 on day 0 and has lived 58 days on 2024-03-01: its own revenue is 100.
    # The model: 100 by day 29, 200 by day 89, 400 by day 364, spread evenly (c3 is still
    # active): P(57) = 100 + 100 x 28/60 = 146.67 where its remainder starts, 253.33 of it by
    # day 364, scaled by (400 - 100) / 253.33 so that day 364 is the predicted 400.
    # 100 + 300/253.33 (P(k) - 146.67) >= 220 <=> P(k) >= 248 <=> 200 + 200 (k - 89)/275 >= 248
    # <=> k - 89 >= 66: day 155.
    assert rows_by_key(report())["google_ads"]["payback_days"] == 155


def test_totals_recompute_every_ratio_from_the_sums(world):
    totals = report()["totals"]
    assert (totals["spend"], totals["installs"], totals["customers"]) == (370.0, 100, 4)
    assert totals["revenue"] == 161.0 and totals["cpi"] == 3.7 and totals["cac"] == 92.5
    assert totals["predicted_ltv"] == pytest.approx(580 / 3, abs=1e-4)
    assert totals["predicted_roas"] == pytest.approx(580 / 3 * 4 / 370, abs=1e-4)
    assert totals["churn_rate"] == pytest.approx(1.3 / 3, abs=1e-4)


def test_by_campaign_names_campaigns_and_keeps_unattributed_customers(world):
    rows = rows_by_key(report("campaign"))
    m1 = rows[str(world["m1"])]
    assert m1["label"] == "Campaign M1" and m1["campaign_id"] == world["m1"]
    assert m1["account_id"] == world["meta"].id and m1["platform"] == "meta"
    assert (m1["spend"], m1["customers"], m1["revenue"]) == (100.0, 2, 61.0)
    m2 = next(r for r in rows.values() if r["label"] == "Campaign M2")
    assert m2["customers"] == 0 and m2["cac"] is None and m2["roas"] == 0.0
    unattributed = rows["-"]
    assert unattributed["label"] == "Not attributed" and unattributed["customers"] == 1
    assert unattributed["spend"] == 0.0 and unattributed["roas"] is None


def test_by_account_and_filters(world):
    rows = report("account", platform="google_ads")["rows"]
    assert [(r["label"], r["spend"], r["customers"]) for r in rows] == [("Google EU", 220.0, 1)]
    only_m1 = report("platform", campaign_id=world["m1"])["totals"]
    assert (only_m1["spend"], only_m1["customers"]) == (100.0, 2)


def test_by_country_reads_the_country_rows(world):
    rows = rows_by_key(report("country"))
    assert rows["US"]["spend"] == 60.0 + 220.0 and rows["US"]["customers"] == 2
    assert rows["DE"]["spend"] == 40.0 and rows["DE"]["revenue"] == 11.0
    assert rows["FR"]["spend"] == 0.0 and rows["FR"]["customers"] == 1
    # no platform reported France: its installs are unknown, not 0
    assert rows["FR"]["installs"] is None and rows["FR"]["cpi"] is None
    assert rows["US"]["installs"] == 0 and rows["DE"]["installs"] == 0


def test_by_device_reads_the_device_rows(world):
    rows = rows_by_key(report("device"))
    assert rows["iphone"]["spend"] == 70.0 and rows["iphone"]["customers"] == 2
    assert rows["android_phone"]["spend"] == 30.0 and rows["android_phone"]["revenue"] == 11.0


def test_devices_are_labelled_as_people_read_them(world):
    labels = {row["key"]: row["label"] for row in report("device")["rows"]}
    assert labels["iphone"] == "iPhone" and labels["android_phone"] == "Android phone"
    assert device_label("ipad") == "iPad" and device_label("smart_tv") == "Smart tv"


def test_by_weekday_in_calendar_order(world):
    rows = report("weekday")["rows"]
    assert [r["label"] for r in rows] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    # 2024-01-01 is a Monday: Mondays 1 and 8, each 15 (meta) + 22 (google)
    assert rows[0]["spend"] == 74.0 and rows[6]["spend"] == 37.0
    assert rows[1]["customers"] == 1 and rows[1]["revenue"] == 50.0  # c1, a Tuesday


def test_by_hour_has_no_rows_and_says_why(world):
    result = report("hour")
    assert result["rows"] == [] and "daily" in result["note"]
    assert result["totals"]["spend"] == 370.0


def test_a_young_cohort_is_incomplete_never_zero(world):
    totals = report(as_of=dt.date(2024, 1, 12))["totals"]
    assert totals["d7_complete"] is False and totals["revenue_d7"] is None
    assert totals["d30_complete"] is False and totals["revenue_d30"] is None
    assert totals["revenue"] == 161.0


def test_whole_months_read_from_monthly_rollups_agree_with_days(world):
    # Jan 1 - Feb 29 is two whole months (monthly rollups); Jan 5 - Feb 29 mixes both tables
    whole = report(end=dt.date(2024, 2, 29))["totals"]
    assert whole["spend"] == 370.0 + 50 * 1.0  # M1's 1/day from Jan 11 to Feb 29
    mixed = report(start=dt.date(2024, 1, 5), end=dt.date(2024, 2, 29))["totals"]
    assert mixed["spend"] == 370.0 - 4 * 37.0 + 50.0
    within = report(start=dt.date(2024, 2, 2), end=dt.date(2024, 2, 28))["totals"]
    assert within["spend"] == 27.0


def test_spend_without_an_exchange_rate_is_unknown_and_noted(world, db):
    pounds = add_account(db, "apple_search_ads", "org1", "GBP", "Apple UK")
    write_slice(
        db, pounds, [spend_row(pounds, d, "A1", "3") for d in days(JAN1, JAN10)], JAN1, JAN10
    )
    result = report()
    assert rows_by_key(result)["apple_search_ads"]["spend"] is None
    assert result["totals"]["spend"] is None and result["totals"]["roas"] is None
    assert "GBP" in result["note"]
    assert rows_by_key(result)["meta"]["spend"] == 150.0


def test_revenue_without_an_exchange_rate_is_unknown_and_noted(world, db):
    from backend.models import Customer
    from tests.backend.roi.conftest import pay

    c1 = db.session.query(Customer).filter_by(external_id="c1").one()
    pay(db, c1, dt.date(2024, 1, 3), "5", currency="JPY", reporting="missing")
    db.session.commit()
    result = report()
    assert rows_by_key(result)["meta"]["revenue"] is None
    assert rows_by_key(result)["google_ads"]["revenue"] == 100.0
    assert "revenue" in result["note"]


def test_without_an_active_model_predictions_are_unknown(world, db):
    world["model"].is_active = False
    db.session.commit()
    meta = rows_by_key(report())["meta"]
    assert meta["predicted_ltv"] is None and meta["predicted_roas"] is None
    assert meta["churn_rate"] is None and meta["roas"] == pytest.approx(0.4067, abs=1e-4)


def test_an_empty_range_answers_zeros_and_unknown_ratios(db):
    result = report()
    assert result["rows"] == []
    assert result["totals"]["spend"] == 0.0 and result["totals"]["roas"] is None


def test_payback_counts_only_the_margin_share_of_revenue(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "ROI_MARGIN_RATE", "0.5")
    # google needs 0.5 x C(k) >= 220, C(k) >= 440: beyond the model's 400 by day 364
    assert rows_by_key(report())["google_ads"]["payback_days"] is None


def test_ltv_cac_is_margin_adjusted_lifetime_value_over_cac_on_its_own_horizon(
    world, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ROI_MARGIN_RATE", "0.5")
    result = report(horizon=90)
    meta = rows_by_key(result)["meta"]
    assert (result["horizon"], result["ltv_horizon"], result["margin_rate"]) == (90, 365, 0.5)
    # predicted ROAS at the report's horizon: 90-day LTV (80 + 30) / 2 per scored customer,
    # times 3 customers, over 150 spent
    assert meta["predicted_ltv"] == 55.0 and meta["predicted_roas"] == 1.1
    # LTV:CAC: half of the 365-day LTV per customer, (120 + 60) / 2 = 90, over CAC 150 / 3
    assert meta["ltv_cac"] == 0.9
    assert meta["ltv_cac"] != meta["predicted_roas"]


def test_ltv_cac_equals_predicted_roas_only_at_full_margin_and_the_lifetime_horizon(world):
    result = report()
    assert (result["horizon"], result["margin_rate"]) == (365, 1.0)
    for row in result["rows"]:
        assert row["ltv_cac"] == row["predicted_roas"]
