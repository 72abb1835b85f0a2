"""docker-compose.yml runs the same code with the same variables (no Docker engine runs here)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from backend.config import DEFAULTS, PREFIX
from devstack.launcher import WEB_ENV

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")
READ_BY_CODE = {"DATABASE_URL", "REDIS_URL"} | {PREFIX + name for name in DEFAULTS}


def test_compose_has_the_whole_stack():
    assert {"postgres", "redis", "web", "worker", "beat", "mail"} <= set(COMPOSE["services"])


def test_every_variable_given_to_the_app_is_one_the_code_reads():
    for name in APP_SERVICES:
        env = COMPOSE["services"][name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "SPENDLENS_SECRET_KEY"} <= set(env)
        unknown = set(env) - READ_BY_CODE - (set(WEB_ENV) if name == "web" else set())
        assert not unknown, f"{name} sets variables nothing reads: {unknown}"


def test_the_web_server_runs_with_the_demos_web_environment():
    env = COMPOSE["services"]["web"]["environment"]
    assert {name: env.get(name) for name in WEB_ENV} == WEB_ENV


def test_urls_point_at_the_compose_services():
    env = COMPOSE["services"]["web"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["SPENDLENS_SMTP_HOST"] == "mail"


def test_commands_name_modules_and_objects_that_exist():
    web = COMPOSE["services"]["web"]["command"]
    assert web[0] == "gunicorn"
    module, _, factory = web[-1].partition(":")
    assert callable(getattr(importlib.import_module(module), factory.removesuffix("()")))
    for name in ("worker", "beat"):
        command = COMPOSE["services"][name]["command"]
        assert command[:3] == ["celery", "-A", "workers.app"]
        assert command[3] == name
    assert importlib.util.find_spec("workers.app") is not None
    assert COMPOSE["services"]["migrate"]["command"][-2:] == ["db", "upgrade"]


def test_app_services_wait_for_migrations_and_redis():
    for name in ("web", "worker", "beat"):
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_image_build_copies_every_python_package():
    dockerfile = COMPOSE["x-spendlens-image"]["build"]["dockerfile_inline"]
    for package in ("backend", "workers", "connectors", "analytics", "migrations"):
        assert re.search(rf"COPY {package}/ {package}/", dockerfile)


def test_the_web_server_runs_threaded_workers_like_the_demo():
    """gunicorn's sync workers are killed after 30 s; a model import over millions of
    customers takes longer, so both the compose web service and the demo's use threads."""
    from devstack import launcher as devstack

    for web in (
        COMPOSE["services"]["web"]["command"],
        devstack._processes({"SPENDLENS_SMTP_PORT": "2525"}, 8000)["web"],
    ):
        assert "gunicorn" in web
        assert int(web[web.index("--threads") + 1]) > 1, web
