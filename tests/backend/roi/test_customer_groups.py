"""The pre-aggregated customer side of the ROI read model (roi_customer_days,
roi_customer_lifetimes) always equals its groups computed afresh from roi_customers: on random
small worlds, after every kind of write the loaders, the FX refresh and the model versions make
(customer and revenue loads, restatements, deletions, a customer moved to another day, an
exchange rate arriving, outputs stored before and after a version is active, activation,
suspects marked by traffic quality); and
every ROI, overview and cohort answer read from them equals the answer read per customer. The
coarse groups (per day and platform, per day and campaign, per day, country and device) equal
the fine groups' sums after each of those writes, and the answers read from them equal those
read from the fine groups."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pandas as pd
import psycopg2
import pytest
from sqlalchemy import text

from analytics import cohorts
from analytics.cohort_churn import cohort_survival
from analytics.revenue_curves import CHECKPOINTS
from backend.extensions import db as _db
from backend.models import AdAccount, FxRate, ModelKind, ModelStatus, ModelVersion
from backend.services.customers import load_customers_batch, load_revenue_batch
from backend.services.customers.fx import refresh_revenue_conversion
from backend.services.predictions import imports, outputs, versions
from backend.services.roi import queries
from backend.services.roi.cohorts import SURVIVAL_DAYS, cohort_report
from backend.services.roi.overview import overview_figures
from backend.services.roi.report import RoiRequest, load_frames, roi_report, selection_of
from backend.services.roi.sql import prediction_sums
from backend.services.roi.sql.customer_groups import (
    AGGREGATES,
    COARSE,
    PERIODS,
    PREDICTION_NAMES,
    days_into,
    definition,
    live_view_sql,
    per_customer_sql,
)
from tests.backend.roi.conftest import add_account, spend_row, write_slice

START = dt.date(2024, 1, 1)
HEADER = "customer_id,predicted_ltv_30,predicted_ltv_90,predicted_ltv_365,churn_probability\n"
OUTPUT_COLUMNS = ("predicted_ltv_30", "predicted_ltv_90", "predicted_ltv_365", "churn_probability",
                  "p_alive")  # fmt: skip


def _rows(db, sql: str) -> list[tuple]:
    return sorted(
        (tuple(row) for row in db.session.execute(text(sql))),
        key=lambda r: tuple((v is None, str(v)) for v in r),
    )


def _fine_sums(table: str, of: str = "groups") -> str:
    """The groups of a COARSE table summed from its fine table now (a month's or week's: its
    first day, and the customers' days into it): `of` "groups", the sums the group tables hold;
    "predictions", the active prediction set's sums from the fine table's narrow table; "read",
    both from the view the reports read (`prediction_sums.READ_VIEWS`)."""
    fine, key = COARSE[table]
    narrow = of == "predictions"
    period = f"CAST(date_trunc('{PERIODS.get(table)}', acquisition_date) AS date)"
    into = days_into(table) if table in PERIODS and not narrow else None
    names = prediction_sums.sums_of(table) if narrow else definition(table)[1]
    sums = [
        f"sum({name}) AS {name}"
        for name in names
        if name != into and (of != "groups" or name not in PREDICTION_NAMES)
    ]
    if narrow:
        active = "(SELECT id FROM roi_prediction_sets WHERE active)"
        fine = f"(SELECT * FROM {prediction_sums.TABLES[fine]} WHERE set_id = {active}) f"
    elif of == "read":
        fine = prediction_sums.READ_VIEWS[fine]
    in_periods = table in PERIODS
    keys = [f"{period if c == 'acquisition_date' and in_periods else c} AS {c}" for c in key]
    if into:
        sums.append(f"sum(customers * (acquisition_date - {period})) AS {into}")
    groups = ", ".join(str(i + 1) for i in range(len(key)))
    return f"SELECT {', '.join(keys + sums)} FROM {fine} GROUP BY {groups}"


def _narrow_rows(table: str) -> str:
    """The active prediction set's rows of `table`'s narrow table, without the set's id."""
    key = definition(table)[0]
    columns = ", ".join([*key, *prediction_sums.sums_of(table)])
    return (
        f"SELECT {columns} FROM {prediction_sums.TABLES[table]} "
        "WHERE set_id = (SELECT id FROM roi_prediction_sets WHERE active)"
    )


def assert_groups_current(db) -> int:
    """Each pre-aggregate equals its groups computed from roi_customers now, and each coarse
    one the sums of its fine one; the active prediction set's sums equal those computed from
    roi_customers and the outputs of its versions now, coarse ones the sums of their fine
    ones, and no other set is left; the number of groups of roi_customer_days."""
    for table in (*AGGREGATES, *COARSE):
        stored = _rows(db, f"SELECT * FROM {table}")
        assert stored == _rows(db, live_view_sql(table)), table
        narrow = _rows(db, _narrow_rows(table))
        assert narrow == _rows(db, prediction_sums.live_sql(table)), table
        assert all(any(v != 0 for v in row[-len(prediction_sums.sums_of(table)) :])
                   for row in narrow), table  # fmt: skip
    for table in COARSE:
        assert _rows(db, f"SELECT * FROM {table}") == _rows(db, _fine_sums(table)), table
        assert _rows(db, _narrow_rows(table)) == _rows(db, _fine_sums(table, "predictions")), table
    sets = db.session.execute(text("SELECT count(*), count(*) FILTER (WHERE active) "
                                   "FROM roi_prediction_sets")).one()  # fmt: skip
    assert tuple(sets) in ((0, 0), (1, 1)), sets
    for narrow_table in prediction_sums.TABLES.values():
        stray = (
            f"SELECT count(*) FROM {narrow_table} n WHERE NOT EXISTS ("
            "SELECT 1 FROM roi_prediction_sets s WHERE s.active AND s.id = n.set_id)"
        )
        assert db.session.execute(text(stray)).scalar_one() == 0, narrow_table
    return db.session.execute(text("SELECT count(*) FROM roi_customer_days")).scalar_one()


class RandomWorld:
    """Accounts with campaigns, and customers with payments drawn from one seed."""

    def __init__(self, db, seed: int) -> None:
        self.db, self.rng = db, random.Random(seed)
        self.accounts = []
        for platform, external, currency in (("meta", "act_1", "USD"), ("google_ads", "9", "EUR")):
            account = add_account(db, platform, external, currency, f"{platform} account")
            rows = [spend_row(account, START, f"{external}-c{i}", "1") for i in range(3)]
            write_slice(db, account, rows, START, START)
            self.accounts.append(account)
        self.customers = [f"u{i}" for i in range(self.rng.randint(15, 40))]
        self.events = 0
        self.days = 10  # customers are acquired in the first `days` days from START

    def customer(self, external_id: str) -> dict:
        rng = self.rng
        item = {
            "customer_id": external_id,
            "acquired_at": f"{START + dt.timedelta(days=rng.randint(0, self.days - 1))}T09:00:00Z",
        }
        if rng.random() < 0.85:
            account = rng.choice(self.accounts)
            item["platform"] = account.platform
            if rng.random() < 0.8:
                item["account_external_id"] = account.external_id
                if rng.random() < 0.8:
                    item["campaign_external_id"] = f"{account.external_id}-c{rng.randint(0, 2)}"
        if rng.random() < 0.8:
            item["country"] = rng.choice(["US", "DE", "fr"])
        if rng.random() < 0.7:
            item["device"] = rng.choice(["iphone", "Android_Phone"])
        return item

    def payments(self, count: int, currencies=("USD", "USD", "EUR")) -> list[dict]:
        out = []
        for _ in range(count):
            self.events += 1
            day = START + dt.timedelta(days=self.rng.randint(0, 60))
            out.append(
                {
                    "event_id": f"e{self.events}",
                    "customer_id": self.rng.choice(self.customers),
                    "occurred_at": f"{day}T12:00:00Z",
                    "amount": str(self.rng.choice([1, 2.5, 9.99, 30])),
                    "currency": self.rng.choice(currencies),
                }
            )
        return out

    def mark_suspects(self, share: float) -> None:
        """Some customers flagged suspect (and the others not), as traffic quality's scoring
        writes roi_customers.suspect."""
        suspects = [u for u in self.customers if self.rng.random() < share] or self.customers[:1]
        self.db.session.execute(
            text(
                "UPDATE roi_customers r SET suspect = (c.external_id = ANY(:ids)) "
                "FROM customers c WHERE c.id = r.customer_id"
            ),
            {"ids": suspects},
        )
        self.db.session.commit()

    def predictions(self, name: str, share: float) -> list:
        lines = []
        for external_id in self.customers:
            if self.rng.random() < share:
                ltv = sorted(round(self.rng.uniform(0, 50), 2) for _ in range(3))
                churn = "" if self.rng.random() < 0.3 else f"{self.rng.random():.3f}"
                lines.append(f"{external_id},{ltv[0]},{ltv[1]},{ltv[2]},{churn}")
        return imports.import_outputs(io.StringIO(HEADER + "\n".join(lines) + "\n"), name)


def activate(version_id: int) -> None:
    versions.record_activation_request(None, version_id)
    assert versions.carry_out_activation(version_id) == "activated"


@pytest.fixture(params=["deltas", "rebuilds"])
def way(request, db):
    """Every write adjusts the groups by its deltas, or every write rebuilds the groups of its
    days (what a bulk write of REBUILD_ROWS rows or more does)."""
    threshold = "1000000000" if request.param == "deltas" else "0"
    _set_rebuild_rows(db, threshold)
    setting = text("SELECT current_setting('spendlens.roi_groups_rebuild_rows', true)")
    assert db.session.execute(setting).scalar_one() == threshold
    yield request.param
    _set_rebuild_rows(db, None)


def _set_rebuild_rows(db, value: str | None) -> None:
    setting = "RESET spendlens.roi_groups_rebuild_rows" if value is None else (
        f"SET spendlens.roi_groups_rebuild_rows = {value}"
    )  # fmt: skip
    db.session.execute(
        text(f"DO $$ BEGIN EXECUTE format('ALTER DATABASE %I {setting}', current_database()); "
             "END $$")
    )  # fmt: skip
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # new connections read the database's setting


@pytest.mark.parametrize("seed", range(5))
def test_the_pre_aggregates_follow_every_kind_of_change(db, seed, way):
    world = RandomWorld(db, seed)
    load_customers_batch([world.customer(u) for u in world.customers])
    assert assert_groups_current(db) > 0
    load_revenue_batch(world.payments(60))  # EUR payments have no rate yet: NaN revenue
    assert (
        db.session.execute(text("SELECT sum(revenue_unknown) FROM roi_customer_days")).scalar_one()
        > 0
    )
    assert_groups_current(db)
    load_revenue_batch(world.payments(10))
    restated = world.payments(5)
    for i, item in enumerate(restated, start=1):
        item["event_id"] = f"e{i}"  # the same events, restated
    load_revenue_batch(restated)
    assert_groups_current(db)

    rate = FxRate(date=START - dt.timedelta(days=1), currency="EUR", reporting_currency="USD",
                  rate=Decimal("1.1"), source="test")  # fmt: skip
    db.session.add(rate)
    db.session.commit()
    refresh_revenue_conversion()
    db.session.commit()
    assert (
        db.session.execute(text("SELECT sum(revenue_unknown) FROM roi_customer_days")).scalar_one()
        == 0
    )
    assert_groups_current(db)

    ltv, _churn = world.predictions("first", 0.7)
    assert_groups_current(db)  # stored, not active: nothing changes
    activate(ltv.id)
    scored = text("SELECT sum(ltv_scored) FROM roi_customer_days_with_predictions")
    assert db.session.execute(scored).scalar_one() > 0
    assert_groups_current(db)
    second_ltv, second_churn = world.predictions("second", 0.5)
    activate(second_churn.id)
    activate(second_ltv.id)
    assert_groups_current(db)
    db.session.execute(
        text("UPDATE model_outputs SET predicted_ltv_365 = predicted_ltv_365 + 1 "
             "WHERE model_version_id = :v"), {"v": second_ltv.id}
    )  # fmt: skip
    db.session.commit()
    assert_groups_current(db)

    world.mark_suspects(0.3)  # as traffic quality's scoring marks them
    assert db.session.execute(text("SELECT sum(suspects) FROM roi_customer_days")).scalar_one()
    assert_groups_current(db)

    moved = world.rng.sample(world.customers, 5)
    load_customers_batch([world.customer(u) for u in moved])  # other days, campaigns, ...
    assert_groups_current(db)
    db.session.execute(text("DELETE FROM revenue_events WHERE event_id LIKE 'e1%'"))
    db.session.commit()
    assert_groups_current(db)
    db.session.execute(
        text("DELETE FROM customers WHERE external_id = ANY(:ids)"), {"ids": moved[:3]}
    )
    db.session.commit()
    assert_groups_current(db)
    db.session.execute(text("DELETE FROM customers"))
    db.session.commit()
    assert assert_groups_current(db) == 0


def test_a_truncate_empties_the_groups_per_platform(db, way):
    world = RandomWorld(db, 3)
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(20))
    assert assert_groups_current(db) > 0
    count = text("SELECT count(*) FROM roi_customer_platform_days")
    assert db.session.execute(count).scalar_one() > 0
    db.session.execute(text("TRUNCATE roi_customers"))
    db.session.commit()
    assert assert_groups_current(db) == 0
    assert db.session.execute(count).scalar_one() == 0


def test_a_truncate_of_the_fine_groups_empties_those_per_platform(db):
    world = RandomWorld(db, 4)
    load_customers_batch([world.customer(u) for u in world.customers])
    assert assert_groups_current(db) > 0
    db.session.execute(text("TRUNCATE roi_customer_days, roi_customer_lifetimes"))
    db.session.commit()
    for table in COARSE:
        assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


def test_reports_read_the_coarsest_groups_that_hold_their_key_and_filters():
    selection = queries.Selection(START, START, "USD", ("meta",))
    assert queries.customer_source(selection, "c.platform") == "platform_days"
    key = "to_char(date_trunc('week', c.acquisition_date), 'YYYY-MM-DD') || '|' || c.platform"
    assert queries.customer_source(selection, key, "lifetimes") == "platform_lifetimes"
    assert queries.customer_source(selection, "c.campaign_id") == "campaign_days"
    assert queries.customer_source(selection, "c.ad_account_id") == "campaign_days"
    assert queries.customer_source(selection, "upper(c.country)") == "country_days"
    assert queries.customer_source(selection, "lower(c.device)") == "country_days"
    assert queries.customer_source(selection, "upper(c.country)", "lifetimes") == "lifetimes"
    for filtered in ({"account_id": 1}, {"campaign_id": 2}):
        narrowed = queries.Selection(START, START, "USD", ("meta",), **filtered)
        assert queries.customer_source(narrowed, "c.platform") == "campaign_days"
        assert queries.customer_source(narrowed, "upper(c.country)") == "days"
        assert queries.customer_source(narrowed, "c.platform", "lifetimes") == "lifetimes"


def test_outputs_stored_under_an_active_version_reach_the_pre_aggregates(db, way):
    world = RandomWorld(db, 7)
    load_customers_batch([world.customer(u) for u in world.customers])
    body = HEADER + f"{world.customers[0]},1,2,3,0.5\n"
    (ltv,) = imports.import_outputs(io.StringIO(body), "active-first")[:1]
    activate(ltv.id)
    db.session.execute(
        text(
            "INSERT INTO model_outputs (model_version_id, customer_id, predicted_ltv_30, "
            "predicted_ltv_90, predicted_ltv_365, churn_probability) "
            "SELECT :v, id, 4, 5, 6, 0.25 FROM customers WHERE external_id <> :first"
        ),
        {"v": ltv.id, "first": world.customers[0]},
    )
    db.session.commit()
    scored = text("SELECT sum(ltv_scored) FROM roi_customer_days_with_predictions")
    assert db.session.execute(scored).scalar_one() == len(world.customers)
    assert_groups_current(db)


def answers(start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """Every ROI, overview and cohort answer over the range."""
    out = {
        f"roi_{group_by}": roi_report(RoiRequest(start, end, group_by=group_by), as_of)
        for group_by in ("platform", "account", "campaign", "country", "device", "weekday")
    }
    out["roi_campaign_filtered"] = roi_report(
        RoiRequest(start, end, group_by="campaign", platform="meta"), as_of
    )
    out["roi_country_filtered"] = roi_report(
        RoiRequest(start, end, group_by="country", platform="google_ads"), as_of
    )
    account = min(a.id for a in AdAccount.query)
    out["roi_country_of_account"] = roi_report(
        RoiRequest(start, end, group_by="country", account_id=account), as_of
    )
    out["roi_platform_of_account"] = roi_report(
        RoiRequest(start, end, group_by="platform", account_id=account), as_of
    )
    out["roi_platform_filtered"] = roi_report(
        RoiRequest(start, end, group_by="platform", platform="meta"), as_of
    )
    out["cohorts_week_filtered"] = cohort_report(start, end, "week", "google_ads", as_of=as_of)
    out["overview"] = overview_figures(start, end, as_of)
    for grain in ("day", "week", "month"):
        out[f"cohorts_{grain}"] = cohort_report(start, end, grain, as_of=as_of)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_answers_from_the_pre_aggregates_equal_those_read_per_customer(db, seed, monkeypatch):
    world = RandomWorld(db, 100 + seed)
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(80))  # some EUR payments without a rate: unknown sums
    ltv, churn = world.predictions("first", 0.8)
    activate(ltv.id)
    activate(churn.id)
    world.mark_suspects(0.2)
    as_of = START + dt.timedelta(days=world.rng.choice([5, 40, 200]))
    end = START + dt.timedelta(days=world.rng.randint(3, 9))
    aggregated = answers(START, end, as_of)
    assert aggregated["roi_platform"]["totals"]["customers"] > 0
    coarse = {s: t for s, t in queries.CUSTOMER_SOURCES.items() if t in COARSE}
    assert set(coarse.values()) == set(COARSE)
    for source, table in coarse.items():  # the coarse groups: their fine ones instead
        fine = f"({_fine_sums(table, 'read')})" if table in PERIODS else COARSE[table][0]
        monkeypatch.setitem(queries.CUSTOMER_SOURCES, source, fine)
    assert answers(START, end, as_of) == aggregated
    for source, table in queries.CUSTOMER_SOURCES.items():
        table = coarse.get(source) if coarse.get(source) in PERIODS else table
        monkeypatch.setitem(queries.CUSTOMER_SOURCES, source, per_customer_sql(table))
    assert answers(START, end, as_of) == aggregated


def _campaign_answers(start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """The answers whose customers are read per day and campaign (`queries.customer_source`)."""
    account = min(a.id for a in AdAccount.query)
    requests = {
        "campaign": RoiRequest(start, end, group_by="campaign"),
        "account": RoiRequest(start, end, group_by="account"),
        "campaign_filtered": RoiRequest(start, end, group_by="campaign", platform="meta"),
        "platform_of_account": RoiRequest(start, end, group_by="platform", account_id=account),
    }
    out = {name: roi_report(request, as_of) for name, request in requests.items()}
    # every figure read, also those a report shows only in part (the sums of ages)
    selection = selection_of(requests["campaign"])
    frames, _ = load_frames(selection, queries.GROUPINGS["campaign"], as_of)
    read = frames.customers.sort_index()
    out["customers"] = read.astype(object).where(read.notna(), None).to_dict()
    return out


@pytest.mark.parametrize("seed", range(2))
def test_the_whole_months_and_weeks_read_from_their_groups_answer_as_each_customer(
    db, seed, way, monkeypatch
):
    """Customers acquired over four months: a report by campaign reads the whole months of its
    range whose customers have all lived through the same checkpoints from the groups per month,
    the whole weeks of the other days alike from those per week (at some ages a month or week
    straddles a checkpoint and is read per day), and answers as read per
    day and campaign and as read customer by customer, also after customers move and
    payments are deleted."""
    world = RandomWorld(db, 1100 + seed)
    world.days, world.customers = 120, [f"u{i}" for i in range(150)]
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(300))
    ltv, churn = world.predictions("first", 0.8)
    activate(ltv.id)
    activate(churn.id)
    world.mark_suspects(0.2)
    start = START + dt.timedelta(days=world.rng.randint(0, 20))
    end = START + dt.timedelta(days=world.rng.randint(95, 119))
    read_by_month, read_by_week, periods = [], [], dict(queries.PERIOD_SOURCES)
    for step in range(2):
        assert_groups_current(db)
        for age in (130, 400, 1500):
            as_of = START + dt.timedelta(days=age)
            months = queries.lived_alike_months(start, end, as_of)
            read_by_month.append(len(months))
            read_by_week.append(len(queries.lived_alike_weeks(start, end, as_of, months)))
            aggregated = _campaign_answers(start, end, as_of)
            assert aggregated["campaign"]["totals"]["customers"] > 0
            with monkeypatch.context() as patch:
                patch.setattr(queries, "PERIOD_SOURCES", {})
                assert _campaign_answers(start, end, as_of) == aggregated, (step, age)
                patch.setattr(queries, "PERIOD_SOURCES", periods)
                for source, table in list(queries.CUSTOMER_SOURCES.items()):
                    patch.setitem(queries.CUSTOMER_SOURCES, source, per_customer_sql(table))
                assert _campaign_answers(start, end, as_of) == aggregated, (step, age)
        moved = world.rng.sample(world.customers, 20)
        load_customers_batch([world.customer(u) for u in moved])
        db.session.execute(text("DELETE FROM revenue_events WHERE event_id LIKE 'e2%'"))
        db.session.commit()
    assert 0 in read_by_month and max(read_by_month) >= 2 and max(read_by_week) >= 2


def assert_as_rebuilt_from_scratch(db, monkeypatch, start: dt.date, end: dt.date,
                                   as_of: dt.date) -> dict:  # fmt: skip
    """roi_customers holds the active versions' outputs (read here from model_outputs), the
    groups equal their sums computed afresh, and every answer equals the one read per customer.
    Returns the answers."""
    expected = """
        SELECT c.id, o.customer_id IS NOT NULL, CAST(o.predicted_ltv_30 AS float8),
               CAST(o.predicted_ltv_90 AS float8), CAST(o.predicted_ltv_365 AS float8),
               CAST(COALESCE(k.churn_probability, o.churn_probability) AS float8)
        FROM customers c
        LEFT JOIN model_outputs o ON o.customer_id = c.id AND o.model_version_id =
            (SELECT id FROM model_versions WHERE kind = 'ltv' AND is_active)
        LEFT JOIN model_outputs k ON k.customer_id = c.id AND k.model_version_id =
            (SELECT id FROM model_versions WHERE kind = 'churn' AND is_active)
    """
    stored = """
        SELECT customer_id, ltv_scored, predicted_ltv_30, predicted_ltv_90, predicted_ltv_365,
               churn_probability FROM roi_customer_predictions
    """
    assert _rows(db, stored) == _rows(db, expected)
    assert_groups_current(db)
    aggregated = answers(start, end, as_of)
    with monkeypatch.context() as patch:
        for name, table in (("days", "roi_customer_days"), ("lifetimes", "roi_customer_lifetimes")):
            patch.setitem(queries.CUSTOMER_SOURCES, name, per_customer_sql(table))
        assert answers(start, end, as_of) == aggregated
    return without_versions(aggregated)


def without_versions(answer):
    """An answer without the identity of the model versions it names (what changed is which
    version is active, not what it predicts)."""
    if isinstance(answer, dict):
        return {k: without_versions(v) for k, v in answer.items() if k != "model"}
    if isinstance(answer, list):
        return [without_versions(v) for v in answer]
    return answer


def empty_version(db, kind: ModelKind) -> int:
    """A ready version of `kind` without outputs."""
    version = versions.new_version(kind, "test")
    version.status, version.trained_at = ModelStatus.READY, dt.datetime.now(dt.UTC)
    db.session.commit()
    return version.id


@pytest.mark.parametrize("seed", range(3))
def test_both_orders_of_a_bulk_activation_answer_as_a_rebuild_from_scratch(
    db, seed, way, monkeypatch
):
    """Outputs stored first then the versions activated, or the versions activated while empty
    then the same outputs stored under them (copy_outputs): the same predictions in
    roi_customers, the same groups and answers as computed afresh (a bulk write re-sums the
    groups' prediction sums in the `rebuilds` way, adjusts them by deltas in the other)."""
    world = RandomWorld(db, 300 + seed)
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(80))
    world.mark_suspects(0.2)
    as_of = START + dt.timedelta(days=world.rng.choice([5, 40, 200]))
    end = START + dt.timedelta(days=world.rng.randint(3, 9))
    unscored = assert_as_rebuilt_from_scratch(db, monkeypatch, START, end, as_of)

    ltv, churn = world.predictions("first", 0.8)  # stored while inactive
    activate(ltv.id)
    activate(churn.id)
    first = assert_as_rebuilt_from_scratch(db, monkeypatch, START, end, as_of)
    assert first != unscored

    again = {kind: empty_version(db, kind) for kind in (ModelKind.LTV, ModelKind.CHURN)}
    for version_id in again.values():
        activate(version_id)  # no outputs: nobody scored
    assert assert_as_rebuilt_from_scratch(db, monkeypatch, START, end, as_of) == unscored
    for kind, stored in ((ModelKind.LTV, ltv), (ModelKind.CHURN, churn)):
        frame = pd.read_sql_query(
            text("SELECT * FROM model_outputs WHERE model_version_id = :v"),
            db.session.connection(), params={"v": stored.id}, index_col="customer_id",
        )  # fmt: skip
        columns = [c for c in OUTPUT_COLUMNS if frame[c].notna().any()]
        outputs.copy_outputs(again[kind], frame, columns)  # under the active version
        db.session.commit()
    assert assert_as_rebuilt_from_scratch(db, monkeypatch, START, end, as_of) == first


def _lifetimes_per_customer(key: str, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """Per group, checkpoint interval of the lifetime's duration and whether it ended: the
    customers, counted one by one from roi_customers (a lifetime ends at the last purchase once
    CHURN_INACTIVITY_DAYS pass without one, else it lasts the customer's age)."""
    age = f"(CAST('{as_of}' AS date) - c.acquisition_date)"
    ended = f"({age} - c.last_purchase_day >= {cohorts.CHURN_INACTIVITY_DAYS})"
    checkpoints = f"ARRAY[{', '.join(map(str, CHECKPOINTS))}]"
    sql = f"""
        SELECT CAST({key} AS text), width_bucket(CASE WHEN {ended} THEN c.last_purchase_day
                                                     ELSE {age} END, {checkpoints}),
               {ended}, count(*)
        FROM roi_customers c
        WHERE c.acquisition_date BETWEEN '{start}' AND '{end}' AND c.platform IS NOT NULL
        GROUP BY 1, 2, 3
    """
    return {(k or queries.UNATTRIBUTED, b, e): n for k, b, e, n in _rows(_db, sql) if n}


@pytest.mark.parametrize("seed", range(3))
def test_the_lifetimes_read_from_the_last_purchase_intervals_equal_those_counted_per_customer(
    db, seed
):
    """A report's lifetimes (each customer's duration and whether it ended, per checkpoint
    interval) read from the groups' last purchases per interval and the ended customers of one
    interval per day equal those counted customer by customer, at every age of the cohorts."""
    world = RandomWorld(db, 500 + seed)
    world.customers = [f"u{i}" for i in range(120)]
    load_customers_batch([world.customer(u) for u in world.customers])
    payments = []
    for _ in range(300):
        payment = world.payments(1)[0]
        day = START + dt.timedelta(days=world.rng.choice([0, 1, 2, 5, 20, 60, 100, 200, 400]))
        payments.append(payment | {"occurred_at": f"{day}T12:00:00Z"})
    load_revenue_batch(payments)
    end = START + dt.timedelta(days=9)
    selection = queries.Selection(START, end, "USD", ("meta", "google_ads"))
    checked = 0
    for offset in (0, 3, 40, 89, 90, 91, 95, 120, 185, 300, 500, 900, 1500):
        as_of = START + dt.timedelta(days=offset)
        for key in ("c.platform", "c.campaign_id", "upper(c.country)"):
            lived, cut = queries.read_customers(selection, key, as_of, queries.Reads())
            names, rows = lived.result()
            frame = queries._lifetimes(
                pd.DataFrame(queries._text_keys(rows), columns=names),
                pd.DataFrame(
                    queries._text_keys(cut.result()[1]),
                    columns=["key", "lived", queries.CUT_INTERVAL, "customers"],
                ),
            )
            summed = frame.groupby(["key", "bucket", "ended"])["customers"].sum()
            found = {(k, int(b), bool(e)): int(n) for (k, b, e), n in summed.items() if n}
            assert found == _lifetimes_per_customer(key, START, end, as_of), (offset, key)
            checked += sum(e for _, _, e in found)
    assert checked > 0


@pytest.mark.parametrize("seed", range(2))
def test_the_cohorts_survival_from_the_groups_equals_the_survival_of_each_customer(db, seed):
    """Settled lifetimes counted per last purchase day alone (the days of a cohort together) and
    the ages of its days carried by rows without customers give each cohort the Kaplan-Meier
    curve of its customers' own lifetimes."""
    world = RandomWorld(db, 700 + seed)
    world.customers = [f"u{i}" for i in range(80)]
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(200))
    (ltv, churn) = world.predictions("first", 0.7)
    activate(ltv.id)
    activate(churn.id)
    end = START + dt.timedelta(days=9)
    selection = queries.Selection(START, end, "USD", ("meta", "google_ads"))
    key = "to_char(date_trunc('week', c.acquisition_date), 'YYYY-MM-DD') || '|' || c.platform"
    for as_of in (START + dt.timedelta(days=n) for n in (20, 100, 130, 400)):
        grouped, _ = queries.read_churn(selection, key, as_of, queries.Reads())
        age = f"(CAST('{as_of}' AS date) - c.acquisition_date)"
        sql = f"""
            SELECT {key} AS key, c.last_purchase_day AS last_day, {age} AS age,
                   ({age} - c.last_purchase_day >= {cohorts.CHURN_INACTIVITY_DAYS}) AS settled,
                   1 AS customers, CAST(c.churn_probability IS NOT NULL AS int) AS churn_scored,
                   c.churn_probability AS churn_sum
            FROM (SELECT r.*, p.predicted_ltv_365, p.churn_probability FROM roi_customers r
                  JOIN roi_customer_predictions p USING (customer_id)) c
            WHERE c.acquisition_date BETWEEN '{START}' AND '{end}' AND c.platform IS NOT NULL
        """
        names = ["key", "last_day", "age", "settled", "customers", "churn_scored", "churn_sum"]
        each = pd.DataFrame(_rows(_db, sql), columns=names)
        expected = cohort_survival(each, SURVIVAL_DAYS)
        assert expected and any(p["observed"] for c in expected.values() for p in c) == (
            as_of >= START + dt.timedelta(days=100)
        )
        assert cohort_survival(queries.lifetimes_frame(grouped.result()), SURVIVAL_DAYS) == expected


@pytest.mark.parametrize("seed", range(3))
def test_the_predictions_of_a_report_sum_those_of_its_customers(db, seed):
    """Each group's predicted LTV and churn sums are those of its scored customers, also when
    the days of one checkpoint interval lived lie on both sides of the inactivity cut (ages
    91-100: one interval lived, three of the cut) and some rows of a group have none scored."""
    world = RandomWorld(db, 900 + seed)
    world.customers = [f"u{i}" for i in range(60)]
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(60))
    ltv, churn = world.predictions("some", 0.4)
    activate(ltv.id)
    activate(churn.id)
    end = START + dt.timedelta(days=9)
    selection = queries.Selection(START, end, "USD", ("meta", "google_ads"))
    as_of = START + dt.timedelta(days=100)
    for key in ("c.platform", "c.campaign_id", "upper(c.country)"):
        lived, cut = queries.read_customers(selection, key, as_of, queries.Reads())
        frame = queries.customers(lived.result(), cut.result()).set_index(cohorts.KEY)
        sql = f"""
            SELECT CAST({key} AS text), sum(c.predicted_ltv_365), sum(c.churn_probability)
            FROM (SELECT r.*, p.predicted_ltv_365, p.churn_probability FROM roi_customers r
                  JOIN roi_customer_predictions p USING (customer_id)) c
            WHERE c.acquisition_date BETWEEN '{START}' AND '{end}' AND c.platform IS NOT NULL
            GROUP BY 1
        """
        for group, ltv_sum, churn_sum in _rows(_db, sql):
            row = frame.loc[group or queries.UNATTRIBUTED]
            assert row[cohorts.ltv_column(365)] == pytest.approx(ltv_sum or 0), (key, group)
            assert row[cohorts.CHURN_SUM] == pytest.approx(churn_sum or 0), (key, group)


def _committed_view(connection) -> tuple:
    """What a reader on its own connection sees: the scored customers and the groups' LTV and
    churn sums, at every level."""
    cursor = connection.cursor()
    cursor.execute("SET lock_timeout = '2s'")  # a reader that would wait fails instead
    out = []
    cursor.execute("SELECT count(*) FILTER (WHERE ltv_scored), sum(churn_probability) "
                   "FROM roi_customer_predictions")  # fmt: skip
    out.append(cursor.fetchone())
    for table in (*AGGREGATES, *COARSE):
        ltv = "sum(predicted_ltv_365)" if "lifetimes" not in table else "0"
        cursor.execute(f"SELECT {ltv}, sum(churn_sum), sum(churn_scored) "
                       f"FROM {prediction_sums.READ_VIEWS[table]}")  # fmt: skip
        out.append(cursor.fetchone())
    connection.rollback()
    return tuple(out)


def _disabled_triggers(db) -> list[str]:
    tables = ("roi_customers", *AGGREGATES, *COARSE)
    return list(db.session.execute(
        text("SELECT tgname FROM pg_trigger WHERE tgrelid = ANY(CAST(:t AS regclass[])) "
             "AND NOT tgisinternal AND tgenabled <> 'O'"),
        {"t": list(tables)},
    ).scalars())  # fmt: skip


@pytest.mark.parametrize("stored", ["outputs first", "active first"])
def test_readers_neither_wait_for_nor_see_a_bulk_activation_before_its_commit(db, stored):
    """A bulk activation (its UPDATE triggers disabled within its transaction) keeps readers on
    other connections reading the last committed predictions and groups without waiting, and
    leaves every trigger enabled; after the commit they read the new ones, equal to the groups
    computed afresh."""
    world = RandomWorld(db, 11)
    load_customers_batch([world.customer(u) for u in world.customers])
    load_revenue_batch(world.payments(40))
    if stored == "outputs first":
        ltv, _ = world.predictions("scored", 1.0)
        versions._make_active(db.session.get(ModelVersion, ltv.id))  # refreshed at commit
    else:
        version_id = empty_version(db, ModelKind.LTV)
        activate(version_id)  # nobody scored
        frame = pd.DataFrame(
            {"predicted_ltv_365": 10.0, "churn_probability": 0.25},
            index=pd.Index(
                db.session.execute(text("SELECT id FROM customers")).scalars().all(),
                name="customer_id",
            ),
        )
        _set_rebuild_rows(db, "0")  # a bulk write whatever its size
        outputs.copy_outputs(version_id, frame, ["predicted_ltv_365", "churn_probability"])
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    reader = psycopg2.connect(url)
    try:
        before = _committed_view(reader)
        db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # what the commit runs
        assert _disabled_triggers(db) == []
        assert _committed_view(reader) == before
        db.session.commit()
        after = _committed_view(reader)
    finally:
        reader.close()
        _set_rebuild_rows(db, None)
    assert after != before and after[0][0] == len(world.customers)
    assert_groups_current(db)
