"""GET /api/health on the real database and broker, and with the broker unreachable; whether a
real Celery worker and a real beat process were seen recently."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

import pytest
import redis

from backend import create_app
from backend.services import presence
from tests.conftest import ROOT, service_env, stop_process


@pytest.mark.smoke
def test_health_is_ok_when_database_broker_worker_and_beat_answer(app, client):
    client_redis = redis.Redis.from_url(app.config["REDIS_URL"])
    presence.record(client_redis, app.config["CELERY_QUEUE"], "worker", "w@test")
    presence.record(client_redis, app.config["CELERY_QUEUE"], "beat", "beat@test")
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True
    assert response.json["broker"]["ok"] is True
    assert response.json["worker"]["ok"] is True
    assert response.json["failing"] == []


def test_health_names_a_worker_and_beat_not_seen_but_still_answers_200(app_config):
    queue = "spendlens-health-nobody"
    app = create_app({**app_config, "CELERY_QUEUE": queue, "CELERY": {"task_default_queue": queue}})
    response = app.test_client().get("/api/health")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["failing"] == ["worker", "beat"]
    assert response.json["worker"]["error"] == "no worker seen"


def test_health_sees_the_running_worker(app, client, celery_worker):
    worker = client.get("/api/health").json["worker"]
    assert worker["ok"] is True, worker
    assert any(name.startswith("w1-") for name in worker["seen"])


def test_health_sees_a_beat_process_once_it_runs(app, app_config, client):
    with tempfile.TemporaryDirectory() as tmp:
        beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.app",
                "beat",
                "--schedule",
                f"{tmp}/schedule",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=service_env(app_config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                state = client.get("/api/health").json["beat"]
                if state["ok"]:
                    break
                assert beat.poll() is None, "beat exited"
                time.sleep(1)
            assert state["ok"] is True, state
            assert state["last_seen_s"] < 60
        finally:
            stop_process(beat)


def test_health_is_503_naming_the_broker_when_it_does_not_answer(app_config):
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert "broker" in response.json["failing"]
    assert "database" not in response.json["failing"]
    assert response.json["broker"]["error"]


def test_health_is_503_naming_the_database_when_it_does_not_answer(app_config):
    bad_db = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": bad_db})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert "database" in response.json["failing"]
    assert "broker" not in response.json["failing"]
