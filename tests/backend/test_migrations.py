"""Migrations build the schema from empty, go back to base and up again, and match the models;
the revisions form one line."""

from __future__ import annotations

import ast
from pathlib import Path

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


def _revisions() -> dict[str, tuple[str, str | None]]:
    """file name: (revision, down_revision), read from each migration's source."""
    out = {}
    for path in sorted((Path(__file__).resolve().parents[2] / "migrations/versions").glob("*.py")):
        names = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) else None
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                names[target.id] = ast.literal_eval(node.value)
        out[path.name] = (names["revision"], names["down_revision"])
    return out


def test_the_revisions_form_one_line_each_file_numbered_after_its_parent():
    """One head (two revisions from the same parent make `upgrade` refuse to run), and each file's
    number is one more than its parent's, so two branches landing at once show in the names."""
    revisions = _revisions()
    parents = {down for _, down in revisions.values()}
    heads = [name for name, (revision, _) in revisions.items() if revision not in parents]
    assert len(heads) == 1, f"several heads: {heads}"
    for name, (_, down) in revisions.items():
        expected = 1 if down is None else int(down.split("_", 1)[0]) + 1
        assert int(name.split("_", 1)[0]) == expected, f"{name} follows {down}"
