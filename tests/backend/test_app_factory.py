"""The app factory: configuration from the environment, no global app, errors as JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backend import create_app
from backend.config import load_config, sqlalchemy_url

ROOT = Path(__file__).resolve().parents[2]


def test_config_reads_prefixed_environment_variables():
    config = load_config(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://h:6379/2",
            "SPENDLENS_REPORTING_CURRENCY": "EUR",
            "SPENDLENS_SYNC_INTERVAL_MINUTES": "15",
            "SPENDLENS_RESTATEMENT_DAYS": '{"meta": 7}',
        }
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@h/db"
    assert config["REDIS_URL"] == "redis://h:6379/2"
    assert config["REPORTING_CURRENCY"] == "EUR"
    assert config["SYNC_INTERVAL_MINUTES"] == 15
    assert config["RESTATEMENT_DAYS"] == {"meta": 7}


def test_defaults_apply_when_the_environment_is_silent():
    config = load_config({})
    assert config["REPORTING_CURRENCY"] == "USD"
    assert config["SQLALCHEMY_DATABASE_URI"] is None


def test_sqlalchemy_url_names_the_psycopg2_driver():
    assert sqlalchemy_url("postgresql://x@y/z") == "postgresql+psycopg2://x@y/z"
    assert sqlalchemy_url("postgresql+psycopg2://x@y/z") == "postgresql+psycopg2://x@y/z"


def test_factory_refuses_to_start_without_a_database(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": None})


@pytest.mark.parametrize("currency", ["XYZ", "usd", "XXX"])
def test_factory_refuses_a_reporting_currency_that_is_not_iso_4217(app_config, currency):
    with pytest.raises(RuntimeError, match="not an ISO 4217 currency code"):
        create_app({**app_config, "REPORTING_CURRENCY": currency})


def test_explicit_config_overrides_the_environment(app_config):
    app = create_app({**app_config, "REPORTING_CURRENCY": "GBP"})
    assert app.config["REPORTING_CURRENCY"] == "GBP"
    assert app.testing


def test_each_call_builds_a_new_app(app_config):
    assert create_app(app_config) is not create_app(app_config)


def test_importing_the_packages_does_no_io_and_builds_no_app():
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise AssertionError('network I/O at import')\n"
        "socket.socket.connect = refuse\n"
        "import backend, backend.models, backend.api, connectors, analytics\n"
        "from flask import Flask\n"
        "assert not any(isinstance(v, Flask) for m in list(sys.modules.values()) "
        "for v in vars(m).values() if m and m.__name__.startswith('backend'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""})


def test_the_web_app_loads_no_model_fitting_library():
    """The web process reads stored model outputs and never fits a model: building the app and
    importing its views leaves scipy and scikit-learn unloaded (they cost each web worker
    ~90 MB), so they are imported where a worker fits or scores."""
    code = (
        "import sys\n"
        "from backend import create_app\n"
        "create_app({'SQLALCHEMY_DATABASE_URI': 'postgresql+psycopg2://nobody@127.0.0.1:1/none'})\n"
        "print(sorted(m for m in ('scipy', 'sklearn', 'lifelines') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]", result.stdout


def test_unknown_route_answers_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["code"] == 404


def test_unexpected_errors_answer_json_500_without_a_stack_trace(app_config):
    app = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/api/_boom")
    def boom():
        raise ValueError("secret internals")

    response = app.test_client().get("/api/_boom")
    assert response.status_code == 500
    assert response.json["message"] == "Internal server error"
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


#: Imported and reloaded by the test below, in a fresh interpreter that refuses every side effect.
RELOAD_PROBE = """
import importlib, logging, os, pkgutil, signal, socket, subprocess, sys, threading, warnings

def refuse(what):
    def refused(*args, **kwargs):
        raise AssertionError(f"{what} at import")
    return refused

socket.socket.connect = refuse("network I/O")
subprocess.Popen.__init__ = refuse("a child process")
threading.Thread.start = refuse("a thread")
signal.signal = refuse("a signal handler")
environ, handlers = dict(os.environ), list(logging.getLogger().handlers)
names = []
for package in ("backend", "workers", "connectors", "analytics"):
    names.append(package)
    path = importlib.import_module(package).__path__
    for found in pkgutil.walk_packages(path, package + "."):
        # workers.app is the Celery entry point (`celery -A workers.app`): it builds the app
        if found.name.endswith(".__main__") or found.name == "workers.app":
            continue
        names.append(found.name)
        importlib.import_module(found.name)
warnings.simplefilter("error")
for name in names:
    importlib.reload(sys.modules[name])
changed = {k for k in set(environ) | set(os.environ) if environ.get(k) != os.environ.get(k)}
ours = {k for k in changed if k.startswith("SPENDLENS_") or k in ("DATABASE_URL", "REDIS_URL")}
assert not ours, f"environment changed: {ours}"
assert logging.getLogger().handlers == handlers, "logging configured at import"
assert os.listdir(".") == [], f"files written: {os.listdir('.')}"
from flask import Flask
# type(), not isinstance(): a shared_task proxy would finalize a Celery app when asked
assert not any(issubclass(type(v), Flask) for n in names for v in vars(sys.modules[n]).values())
print(len(names))
"""


def test_modules_reload_without_side_effects(tmp_path):
    """Every module of the four packages imports and reloads without network I/O, a child
    process, a thread, a signal handler, a warning, a file written, configuration read into the
    environment, logging set up or a Flask app built."""
    result = subprocess.run(
        [sys.executable, "-c", RELOAD_PROBE],
        cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) > 150  # every module, not a few
