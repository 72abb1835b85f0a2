"""Acquisition attributes (platform, country, device) of the customers a summary describes, in
the summary's row order.

Training and scoring look the same attributes up several times for the same rows (segment
labels, features, churn drivers); on a million customers each look-up (indexing by text ids,
then aligning) costs about a second. The alignment of the last (customers, rows) pair is kept,
through weak references, so it is computed once (for the same rows, even in another index
object) and never keeps a table alive.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from analytics.ltv.columns import CUSTOMER_ID

_last: dict[str, object] = {}


def _positions(customers: pd.DataFrame, index: pd.Index) -> np.ndarray:
    """Row of ``customers`` of each id in ``index`` (-1: unknown)."""
    cached = _last.get("index", lambda: None)()
    same_rows = cached is index or (
        cached is not None and len(cached) == len(index) and cached.equals(index)
    )
    same = same_rows and _last.get("customers", lambda: None)() is customers
    if not same:
        ids = pd.Index(customers[CUSTOMER_ID].to_numpy())
        _last.update(
            customers=weakref.ref(customers),
            index=weakref.ref(index),
            positions=ids.get_indexer(index),
        )
    return _last["positions"]


def customer_attribute(
    customers: pd.DataFrame | None, index: pd.Index, column: str, as_text: bool = False
) -> pd.Series | None:
    """``column`` of the customer of each id in ``index`` (NaN where the id is unknown; with
    ``as_text`` the values as ``astype(str)`` gives them), indexed like ``index``; None when
    there is no such column."""
    if customers is None or column not in customers:
        return None
    if customers.empty:
        return pd.Series(np.nan, index=index, dtype=object)
    positions = _positions(customers, index)
    values = customers[column]
    values = (values.astype(str) if as_text else values).to_numpy(dtype=object)
    out = np.where(positions >= 0, values[np.maximum(positions, 0)], None)
    return pd.Series(out, index=index, dtype=object).where(positions >= 0)
