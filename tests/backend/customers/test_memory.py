"""Loading streams: the Python heap's peak while loading does not grow with the file's size
(the 10-million-row measurement is bench/customers_load.py)."""

from __future__ import annotations

import tracemalloc

from backend.services.customers import load_customers_csv

from .conftest import CUSTOMER_HEADER, generated_csv

SMALL, LARGE = 10_000, 100_000


def customer_line(number: int) -> str:
    return f"cust-{number},2025-01-{1 + number % 28:02d}T10:{number % 60:02d}:00Z,meta,,,US,iphone"


def peak_bytes_loading(
    rows: int, load=load_customers_csv, header=CUSTOMER_HEADER, line=None
) -> int:
    """The Python heap's peak while `load` reads a generated file of `rows` lines."""
    tracemalloc.start()
    try:
        result = load(generated_csv(header, line or customer_line, rows))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert result.rows == rows


def test_peak_memory_stays_flat_from_ten_thousand_to_a_hundred_thousand_rows(db):
    small = peak_bytes_loading(SMALL)
    large = peak_bytes_loading(LARGE)  # its first 10,000 rows are the same: left unchanged
    # holding even 100 bytes per row would add 9 MB between the two loads
    assert large < small + 2_000_000, (small, large)
