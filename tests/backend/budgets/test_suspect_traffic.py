"""The suspect-traffic rule: a campaign whose customers over the last days are mostly fake
(a burst of installs, one event seconds later, nothing after) raises one alert naming it, with
its share and reasons, mailed once to the budget's recipients; a clean campaign raises none."""

from __future__ import annotations

import datetime as dt

from backend.services.alerts.evaluation import evaluate_all
from backend.services.customers import load_customers_csv, load_events_csv
from tests.backend.budgets.conftest import only, outbox
from tests.backend.budgets.test_rules import alerts, at

DAY = dt.date(2026, 10, 18)
CUSTOMERS = "customer_id,acquired_at,platform,account_external_id,campaign_external_id"
EVENTS = "event_id,customer_id,occurred_at,name,value,properties"


def load_traffic(fake_in_bad: int, day: dt.date = DAY) -> None:
    """A clean campaign (cmp_ok) and one (cmp_bad) with `fake_in_bad` fake installs, on `day`."""
    customers, events = [CUSTOMERS], [EVENTS]
    start = dt.datetime.combine(day, dt.time(), dt.UTC)
    for n in range(30):  # a clean campaign: installs through the day, sessions later
        acquired = start + dt.timedelta(minutes=47 * n)
        customers.append(f"ok{n},{acquired.isoformat()},meta,act_1,cmp_ok")
        for k, minutes in enumerate((3 + n % 7, 90, 1500)):
            when = acquired + dt.timedelta(minutes=minutes)
            events.append(f"ok{n}-{k},ok{n},{when.isoformat()},session_start,,")
    for n in range(20):  # the other campaign: some of the same, then a burst of fakes
        acquired = start + dt.timedelta(minutes=61 * n)
        customers.append(f"bad{n},{acquired.isoformat()},meta,act_1,cmp_bad")
        events.append(f"bad{n}-0,bad{n},{(acquired + dt.timedelta(minutes=4)).isoformat()},x,,")
        events.append(f"bad{n}-1,bad{n},{(acquired + dt.timedelta(hours=5)).isoformat()},x,,")
    burst = start + dt.timedelta(hours=20)
    for n in range(fake_in_bad):
        acquired = burst + dt.timedelta(seconds=37 * n)
        customers.append(f"fake{n},{acquired.isoformat()},meta,act_1,cmp_bad")
        first = acquired + dt.timedelta(seconds=3)
        events.append(f"fake{n}-0,fake{n},{first.isoformat()},session_start,,")
    load_customers_csv("\n".join(customers) + "\n")
    load_events_csv("\n".join(events) + "\n")


def test_a_campaign_with_mostly_fake_installs_is_alerted_once(db, account, make_budget):
    load_traffic(fake_in_bad=12)
    make_budget(rules=only("suspect_traffic", share_pct=10, days=7))
    evaluate_all(at(DAY + dt.timedelta(days=1)))
    (alert,) = alerts(db, "suspect_traffic")
    assert "cmp_bad" in alert.figures["suspect_campaigns"]
    assert "cmp_ok" not in alert.figures["suspect_campaigns"]
    # the reasons in the words the Traffic quality page uses, not their codes
    assert "opened the app seconds after installing" in alert.figures["suspect_campaigns"]
    assert "instant_first_event" not in alert.figures["suspect_campaigns"]
    assert alert.figures["suspect_customers"] == 12
    assert alert.figures["highest_suspect_share_pct"] == round(100 * 12 / 32, 1)
    mails = len(outbox(db))
    assert mails >= 1
    evaluate_all(at(DAY + dt.timedelta(days=1)) + dt.timedelta(hours=1))
    assert len(alerts(db, "suspect_traffic")) == 1 and len(outbox(db)) == mails


def test_clean_traffic_raises_nothing(db, account, make_budget):
    load_traffic(fake_in_bad=0)
    make_budget(rules=only("suspect_traffic"))
    evaluate_all(at(DAY + dt.timedelta(days=1)))
    assert alerts(db, "suspect_traffic") == []


def test_a_share_above_the_level_by_chance_raises_nothing(db, account, make_budget):
    # 4 fakes among 24 customers: 17% > 10%, but the interval's lower bound is 7%
    load_traffic(fake_in_bad=4)
    make_budget(rules=only("suspect_traffic", share_pct=10, days=7))
    evaluate_all(at(DAY + dt.timedelta(days=1)))
    assert alerts(db, "suspect_traffic") == []


def test_the_alert_names_each_campaigns_interval(db, account, make_budget):
    load_traffic(fake_in_bad=12)
    make_budget(rules=only("suspect_traffic", share_pct=10, days=7))
    evaluate_all(at(DAY + dt.timedelta(days=1)))
    (alert,) = alerts(db, "suspect_traffic")
    # 12 of 32: Wilson's 95% interval 23%-55%
    assert "38% of 32 customers (95% interval 23%–55%;" in alert.figures["suspect_campaigns"]
    assert "even at the low end of their 95% interval" in alert.message
