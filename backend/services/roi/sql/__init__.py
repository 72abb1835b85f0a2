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
