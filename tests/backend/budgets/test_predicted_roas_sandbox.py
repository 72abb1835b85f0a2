"""The predicted-ROAS rule on the sandbox's channels, whose true LTV differs: Meta's customers
are worth less than they cost, Apple Search Ads' about twice as much. A month of each channel's
sandbox spend and customers is stored, scored by an imported LTV version that gives every
customer its channel's true expected LTV; with one target ROAS for both, the rule fires on Meta
and not on Apple."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import insert, text

from backend.models import AdAccount, Alert, Customer, ModelOutput, ModelVersion
from backend.services.alerts.evaluation import evaluate_all
from connectors.sandbox.customers import CHANNELS, sandbox_customers
from connectors.sandbox.generator import World
from tests.backend.budgets.conftest import only, write_spend

TODAY = dt.date(2025, 6, 30)
JUNE_1, JUNE_29 = dt.date(2025, 6, 1), dt.date(2025, 6, 29)
NOW = dt.datetime(2025, 6, 30, 18, tzinfo=dt.UTC)  # 29 June is over in Los Angeles too


def store_channel(db, world: World, external_id: str, version: int) -> tuple[AdAccount, float]:
    """The account, its June spend (daily totals through the slice path) and its customers,
    scored at their channel's true LTV; returns the account and the true predicted ROAS."""
    sandbox = world.account(external_id)
    account = AdAccount(
        platform=sandbox.platform,
        external_id=sandbox.external_id,
        name=sandbox.name,
        currency=sandbox.currency,
        timezone=sandbox.timezone,
        status="active",
    )
    db.session.add(account)
    db.session.commit()
    days = [JUNE_1 + dt.timedelta(days=i) for i in range((JUNE_29 - JUNE_1).days + 1)]
    write_spend(db, account, {d: world.total(sandbox, d, d).spend for d in days})
    ltv = CHANNELS[sandbox.platform].expected_ltv(365)
    drawn = list(sandbox_customers(world, [sandbox], JUNE_1, JUNE_29))
    ids = db.session.execute(
        insert(Customer).returning(Customer.id),
        [
            {
                "external_id": c.external_id,
                "acquired_at": c.acquired_at,
                "acquisition_date": c.acquired_at.astimezone(dt.UTC).date(),
                "platform": c.platform,
                "ad_account_id": account.id,
            }
            for c in drawn
            if c.acquired_at.astimezone(dt.UTC).date() <= JUNE_29
        ],
    ).scalars()
    rows = [
        {"model_version_id": version, "customer_id": i, "predicted_ltv_365": Decimal(f"{ltv:.6f}")}
        for i in ids
    ]
    db.session.execute(insert(ModelOutput), rows)
    db.session.commit()
    spend = float(world.total(sandbox, JUNE_1, JUNE_29).spend)
    return account, len(rows) * ltv / spend


def test_the_rule_fires_on_the_channel_whose_true_ltv_is_low(db, make_budget):
    world = World(seed=7, today=TODAY)
    version = ModelVersion(
        kind="ltv", algorithm="external", status="ready", is_active=True, source="import:truth"
    )
    db.session.add(version)
    db.session.commit()
    meta, meta_roas = store_channel(db, world, "act_1001", version.id)
    apple, apple_roas = store_channel(db, world, "40001", version.id)
    assert meta_roas < 1.0 < apple_roas  # the premise
    for platform in ("meta", "apple_search_ads"):
        make_budget(
            name=f"{platform} June",
            scope={"type": "platform", "platform": platform},
            period_start=JUNE_1,
            amount=Decimal(500_000),
            target_roas=Decimal("1.0"),
            rules=only("predicted_roas", min_customers=100),
        )
    evaluate_all(NOW)
    (alert,) = db.session.query(Alert).all()
    assert (alert.rule, alert.budget_name) == ("predicted_roas", "meta June")
    assert alert.figures["predicted_roas"] == round(meta_roas, 4)
    assert alert.figures["customers"] > 100
    counted = db.session.execute(
        text("SELECT count(*) FROM customers WHERE platform = 'meta'")
    ).scalar()
    assert alert.figures["customers"] == counted


def test_a_target_alone_turns_the_rule_on_and_it_fires(db, make_budget):
    world = World(seed=7, today=TODAY)
    version = ModelVersion(
        kind="ltv", algorithm="external", status="ready", is_active=True, source="import:truth"
    )
    db.session.add(version)
    db.session.commit()
    _, meta_roas = store_channel(db, world, "act_1001", version.id)
    rules = {name: config for name, config in only("threshold").items() if name != "predicted_roas"}
    rules["threshold"] = {"enabled": False}
    budget = make_budget(
        name="meta June",
        scope={"type": "platform", "platform": "meta"},
        period_start=JUNE_1,
        amount=Decimal(500_000),
        target_roas=Decimal("1.0"),
        rules=rules,
    )
    assert budget.rules["predicted_roas"]["enabled"] is True
    evaluate_all(NOW)
    (alert,) = db.session.query(Alert).all()
    assert alert.rule == "predicted_roas"
    assert alert.figures["predicted_roas"] == round(meta_roas, 4) < 1.0
