"""The SQL of the ROI read model that lives in the database (functions, triggers), one named file
each; migrations run them with `statements(name)` instead of copying them."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def source(name: str) -> str:
    """The text of `<name>.sql` beside this module."""
    return (HERE / f"{name}.sql").read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The statements of `<name>.sql`, split on lines that are a lone `;` (function bodies hold
    semicolons of their own)."""
    parts, current = [], []
    for line in source(name).splitlines():
        if line.strip() == ";":
            parts.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    return [p.strip() for p in parts if _has_code(p)]


def _has_code(sql: str) -> bool:
    """Whether some line of `sql` is neither blank nor a comment."""
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


#: The tables whose writes change ROI, overview or cohort answers (customers, revenue events and
#: model outputs reach them through roi_customers, FX uploads through the rollups and
#: roi_customers). ad_accounts: only a new name or platform (a sync's status updates do not).
INPUT_TABLES = (
    "daily_rollups",
    "monthly_rollups",
    "roi_customers",
    "model_versions",
    "campaigns",
)
ACCOUNT_COLUMNS = ("name", "platform")
_TRANSITION = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}


def data_change_triggers() -> list[str]:
    """CREATE TRIGGER statements that record a data change (`data_changes.sql`) for every write
    to the inputs of the ROI answers."""
    out = []
    for table in INPUT_TABLES:
        for event, side in _TRANSITION.items():
            out.append(
                f"CREATE TRIGGER {table}_roi_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {side} TABLE AS changed FOR EACH STATEMENT "
                "EXECUTE FUNCTION roi_rows_changed()"
            )
    for table in (*INPUT_TABLES, "ad_accounts"):
        out.append(
            f"CREATE TRIGGER {table}_roi_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION roi_data_changed()"
        )
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ACCOUNT_COLUMNS)
    out += [
        "CREATE TRIGGER ad_accounts_roi_insert AFTER INSERT ON ad_accounts "
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION roi_rows_changed()",
        "CREATE TRIGGER ad_accounts_roi_delete AFTER DELETE ON ad_accounts "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION roi_rows_changed()",
        f"CREATE TRIGGER ad_accounts_roi_update AFTER UPDATE ON ad_accounts FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION roi_data_changed()",
    ]
    return out


def drop_data_change_triggers() -> list[str]:
    names = [
        (f"{table}_roi_{event}", table)
        for table in INPUT_TABLES
        for event in ("insert", "update", "delete", "truncate")
    ]
    names += [(f"ad_accounts_roi_{e}", "ad_accounts") for e in ("insert", "update", "delete")]
    names.append(("ad_accounts_roi_truncate", "ad_accounts"))
    return [f"DROP TRIGGER {name} ON {table}" for name, table in names]


#: The tables whose changes are dated (migration 0017): the first and the last day a row is
#: about, and whether an update can move a row to other days.
DATED_TABLES = {
    "daily_rollups": ("date", "date", False),
    "monthly_rollups": ("month", "month + interval '1 month' - interval '1 day'", False),
    "roi_customers": ("acquisition_date", "acquisition_date", True),
}


#: Tables of names and attributes the answers show on every day: only an update of these
#: columns changes them (a new campaign or account has no figures yet; a backfill moving a
#: campaign's first_seen changes nothing shown).
NAMED_COLUMNS = {"campaigns": ("name", "ad_account_id"), "ad_accounts": ACCOUNT_COLUMNS}


def dated_data_change_triggers() -> list[str]:
    """Statements that make the data change triggers record the days a write to the dated
    inputs changed (`data_change_days.sql`), and a change of every day for an update of the
    columns of NAMED_COLUMNS only."""
    out = []
    for table, columns in NAMED_COLUMNS.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        out += [
            f"DROP TRIGGER IF EXISTS {table}_roi_insert ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_roi_update ON {table}",
            f"CREATE TRIGGER {table}_roi_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({changed}) EXECUTE FUNCTION roi_data_changed()",
        ]
    for table, (first, last, moves) in DATED_TABLES.items():
        for event, side in _TRANSITION.items():
            transitions, days = f"{side} TABLE AS changed", [first, last]
            if event == "UPDATE" and moves:
                transitions = "OLD TABLE AS old_changed NEW TABLE AS changed"
                days.append("old_changed")
            arguments = ", ".join("'" + d.replace("'", "''") + "'" for d in days)
            out.append(
                f"CREATE OR REPLACE TRIGGER {table}_roi_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {transitions} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION roi_days_changed({arguments})"
            )
    return out
