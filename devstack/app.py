"""The product's app with the demo's commands: `flask --app devstack.app demo-seed`."""

from __future__ import annotations

from flask import Flask

from backend import create_app as create_product_app
from devstack import commands


def create_app() -> Flask:
    app = create_product_app()
    commands.register(app)
    return app
