"""The API during a database outage, on a PostgreSQL cluster of the test's own that it stops and
starts again: 503 with a JSON reason and Retry-After, never 500, and answers again once the
database is back."""

from __future__ import annotations

import pytest

from backend import create_app
from backend.config import sqlalchemy_url
from backend.models import Role
from backend.services import users
from tests.conftest import PASSWORD, create_database
from tests.servers import PostgresCluster


@pytest.fixture(scope="module")
def cluster():
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.remove()


@pytest.fixture
def outage_app(cluster, app_config):
    from flask_migrate import upgrade

    url = create_database(sqlalchemy_url(cluster.url), "spendlens_outage")
    app = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}
    )
    with app.app_context():
        upgrade()
        users.create_user(None, email="admin@example.com", role=Role.ADMIN, password=PASSWORD)
    yield app
    with app.app_context():
        from backend.extensions import db

        db.engine.dispose()


def signed_in(app):
    client = app.test_client()
    answer = client.post(
        "/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.json
    client.environ_base["HTTP_X_CSRF_TOKEN"] = answer.json["csrf_token"]
    return client


def test_the_api_answers_503_with_a_reason_while_the_database_is_down(cluster, outage_app):
    client = signed_in(outage_app)
    assert client.get("/api/ad-accounts").status_code == 200
    cluster.stop()
    try:
        for method, url in [
            ("GET", "/api/ad-accounts"),
            ("GET", "/api/auth/me"),
            ("POST", "/api/auth/login"),
        ]:
            body = {"email": "admin@example.com", "password": PASSWORD}
            answer = client.open(url, method=method, json=body if method == "POST" else None)
            assert answer.status_code == 503, (url, answer.status_code, answer.get_data())
            assert answer.json["reason"] == "database_unavailable"
            assert answer.json["code"] == 503
            assert answer.headers["Retry-After"].isdigit()
    finally:
        cluster.start()
    assert client.get("/api/ad-accounts").status_code == 200


def test_a_request_that_needs_the_broker_while_it_is_down_answers_503(outage_app):
    app = create_app({**outage_app.config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    app.extensions["celery"].conf.broker_transport_options = {"max_retries": 1}
    client = signed_in(app)
    with app.app_context():
        from backend.extensions import db
        from backend.models import AdAccount

        account = AdAccount(
            platform="meta",
            external_id="act_503",
            name="Outage",
            currency="EUR",
            timezone="UTC",
            status="active",
        )
        db.session.add(account)
        db.session.commit()
        account_id = account.id
    answer = client.post(f"/api/ad-accounts/{account_id}/sync")
    assert answer.status_code == 503, answer.get_data()
    assert answer.json["reason"] == "broker_unavailable"
