"""Migrations build the schema from empty, go back to base and up again, and match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from backend import create_app
from backend.extensions import db
from tests.conftest import RUN_ID, create_database, drop_database


def test_upgrade_downgrade_upgrade_and_models_match_schema(server_database_url, app_config):
    name = f"spendlens_migrations_{RUN_ID}"
    url = create_database(server_database_url, name)
    try:
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            downgrade(revision="base")
            tables = sa.inspect(db.engine).get_table_names()
            assert set(tables) <= {"alembic_version"}
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
                )
            assert diff == [], f"models and migrations disagree: {diff}"
            db.engine.dispose()
    finally:
        drop_database(server_database_url, name)
