"""The planner settings that the ROI read model's statements run with: set for their transaction
alone (`set_config(name, value, true)`) and, in a function, put back as they were when it ends,
so that its caller's transaction keeps its own.

A setting's value is SQL: a quoted constant (`"'off'"`) or a bound parameter (`":work_mem"`).
"""

from __future__ import annotations

from collections.abc import Mapping

#: No JIT compilation: the cost of grouping many customer groups passes jit_above_cost, and
#: compiling the aggregates costs more than a statement that runs once saves by it (a report's
#: read at 1M customers: ~400 ms of compiling in a ~450 ms query).
NO_JIT = {"jit": "'off'"}

#: The variable a function keeps each setting's own value in while it runs.
_SAVED = {
    "work_mem": "memory",
    "jit": "compiling",
    "enable_mergejoin": "merging",
    "enable_nestloop": "looping",
}


def bulk(memory: str, hash_joins: bool = False) -> dict[str, str]:
    """The settings of a bulk pass over roi_customers or its groups: `memory` as work_mem (the
    hashes of a million customers in memory), no JIT; `hash_joins`: neither merge nor
    nested-loop joins (groups joined to their new sums by a hash, see
    customer_groups.BULK_WORK_MEM)."""
    out = {"work_mem": f"'{memory}'", **NO_JIT}
    if hash_joins:
        out |= {"enable_mergejoin": "'off'", "enable_nestloop": "'off'"}
    return out


def set_configs(settings: Mapping[str, str]) -> str:
    """The `set_config` calls of `settings` for the current transaction, as one SELECT list."""
    return ", ".join(f"set_config('{name}', {value}, true)" for name, value in settings.items())


def saved(settings: Mapping[str, str]) -> str:
    """PL/pgSQL declarations of the variables that keep the settings' own values."""
    return "\n    ".join(f"{_SAVED[name]} text := current_setting('{name}');" for name in settings)


def tuned(settings: Mapping[str, str], body: str) -> str:
    """PL/pgSQL statements running `body` with `settings`, then putting back the values the
    function's `saved(settings)` kept."""
    restored = {name: _SAVED[name] for name in settings}
    return f"PERFORM {set_configs(settings)};{body}\n    PERFORM {set_configs(restored)};"


def reset(settings: Mapping[str, str]) -> list[str]:
    """Statements putting `settings` back to the session's values (after `SELECT
    set_configs(settings)` in a migration's transaction)."""
    return [f"SET LOCAL {name} TO DEFAULT" for name in settings]
