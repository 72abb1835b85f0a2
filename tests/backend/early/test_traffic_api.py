"""GET /api/traffic-quality and its suspects CSV: the campaigns of the last days with their
suspect share, flag and reasons; the suspected customers for a dispute."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import text

from analytics.early.traffic import REASON_LABELS, WEIGHTS
from tests.backend.budgets.test_suspect_traffic import load_traffic
from tests.backend.customers.conftest import add_account, add_campaign


def test_campaigns_come_with_their_suspect_share_and_reasons(marketer, db):
    account = add_account(db, "meta", "act_1", "USD")
    add_campaign(db, account, "cmp_bad").name = "Spring installs"
    db.session.commit()
    load_traffic(fake_in_bad=12, day=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2))
    answer = marketer.get("/api/traffic-quality")
    assert answer.status_code == 200, answer.json
    by_campaign = {row["campaign_external_id"]: row for row in answer.json}
    bad, ok = by_campaign["cmp_bad"], by_campaign["cmp_ok"]
    assert (bad["customers"], bad["suspects"], bad["flagged"]) == (32, 12, True)
    assert bad["reasons"]["instant_first_event"] == 12
    assert (ok["suspects"], ok["flagged"]) == (0, False)
    # 12 of 32: Wilson's 95% interval, whose lower bound is above the 10% level
    assert (bad["share_low"], bad["share_high"]) == pytest.approx((0.2293, 0.5475), abs=1e-4)
    assert bad["judged"] and ok["judged"] and ok["share_low"] == 0.0
    assert (bad["campaign_name"], ok["campaign_name"]) == ("Spring installs", None)
    assert marketer.get("/api/traffic-quality?days=0").status_code == 422


def test_a_share_above_the_level_by_chance_is_not_flagged(marketer, db):
    add_account(db, "meta", "act_1", "USD")
    # 4 fakes among 24 customers: 17%, above the 10% level, but its interval reaches below it
    load_traffic(fake_in_bad=4, day=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2))
    bad = next(
        r
        for r in marketer.get("/api/traffic-quality").json
        if r["campaign_external_id"] == "cmp_bad"
    )
    assert (bad["customers"], bad["suspects"]) == (24, 4) and bad["share"] > 0.10
    assert (bad["judged"], bad["flagged"]) == (True, False)
    assert bad["share_low"] < 0.10 < bad["share_high"]


def test_the_suspects_export_lists_the_fake_customers(marketer, db):
    add_account(db, "meta", "act_1", "USD")
    load_traffic(fake_in_bad=5, day=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2))
    answer = marketer.get("/api/traffic-quality/suspects.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert sorted(r["customer_id"] for r in rows) == [f"fake{n}" for n in range(5)]
    assert all("no_activity" in r["reason_codes"] and float(r["suspicion"]) >= 0.6 for r in rows)
    # the reasons in the page's words, from the same registry
    assert all(REASON_LABELS["no_activity"] in r["reasons"].split("; ") for r in rows)
    assert not any("_" in r["reasons"] for r in rows)


def test_the_reasons_are_served_in_plain_words_with_the_default_level(marketer):
    answer = marketer.get("/api/traffic-quality/reasons")
    assert answer.status_code == 200
    assert set(answer.json["reasons"]) == set(WEIGHTS)
    assert answer.json["reasons"]["no_activity"] == "No activity after the first minute"
    assert (answer.json["min_customers"], answer.json["confidence"]) == (5, 0.95)
    assert (answer.json["share_pct"], answer.json["days"]) == (10.0, 7)


def test_the_suspects_export_quotes_an_id_that_would_start_a_formula(marketer, db):
    add_account(db, "meta", "act_1", "USD")
    load_traffic(fake_in_bad=2, day=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2))
    db.session.execute(
        text("UPDATE customers SET external_id = '=1+1' WHERE external_id = 'fake0'")
    )
    db.session.commit()
    answer = marketer.get("/api/traffic-quality/suspects.csv")
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert sorted(r["customer_id"] for r in rows) == ["'=1+1", "fake1"]
