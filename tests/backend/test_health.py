"""GET /api/health on the real database and broker, and with the broker unreachable."""

from __future__ import annotations

from backend import create_app


def test_health_is_ok_when_database_and_broker_answer(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True
    assert response.json["broker"]["ok"] is True
    assert response.json["failing"] == []


def test_health_is_503_naming_the_broker_when_it_does_not_answer(app_config):
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert response.json["failing"] == ["broker"]
    assert response.json["database"]["ok"] is True
    assert response.json["broker"]["error"]


def test_health_is_503_naming_the_database_when_it_does_not_answer(app_config):
    bad_db = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": bad_db})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert response.json["failing"] == ["database"]
    assert response.json["broker"]["ok"] is True
