"""The demo seed: users of each role who can log in, every sandbox account, exchange rates,
a backfill queued once — and a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.models import AdAccount, FxRate, SyncRun, User
from backend.services.demo import seed, synthetic_ecb_csv
from backend.services.ingestion.fx import parse_ecb_csv


def counts(db):
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, AdAccount, FxRate, SyncRun)
    }


def test_seed_is_complete_and_idempotent(app, db, tmp_path):
    first = seed(tmp_path, days=3)
    assert first["users"] == 3 and first["accounts"] == 8
    assert first["backfill_runs"] == 8
    after_first = counts(db)
    second = seed(tmp_path, days=3)
    assert second["backfill_runs"] == 0
    assert counts(db) == after_first
    lines = (tmp_path / "demo-users.txt").read_text().splitlines()[1:]
    client = app.test_client()
    for line in lines:
        role, email, password = line.split()
        response = client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, email
        assert response.json["user"]["role"] == role
        client.post("/api/auth/logout", headers={"X-CSRF-Token": response.json["csrf_token"]})


def test_synthetic_rates_are_valid_ecb_csv():
    import datetime as dt

    text = synthetic_ecb_csv(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    rates = parse_ecb_csv(__import__("io").StringIO(text), "USD")
    assert {c for _, c, _ in rates} == {"EUR", "GBP", "JPY", "AUD", "CAD"}
    assert all(r > 0 for _, _, r in rates)
