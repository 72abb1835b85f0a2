"""Fixtures of the LTV model tests: the CDNOW files shipped in the ``lifetimes`` wheel (read by
path, never imported) and a seeded two-channel synthetic data set. No database is needed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from analytics.ltv.simulation import simulate_customers

from .channels import CALIBRATION_END, HOLDOUT_END, STRONG_CHANNEL, WEAK_CHANNEL


@pytest.fixture(scope="session")
def cdnow_dir() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the lifetimes wheel (test-only dependency shipping CDNOW) is not installed")
    directory = Path(next(iter(spec.submodule_search_locations))) / "datasets"
    if not (directory / "cdnow_customers_summary.csv").exists():
        pytest.skip("the lifetimes wheel does not ship the CDNOW summary files")
    return directory


@pytest.fixture(scope="session")
def two_channels() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers, transactions): 10,000 customers per channel acquired during 2024, observed
    through the end of March 2025."""
    frames = [
        simulate_customers(
            10_000,
            purchases,
            spend,
            "2024-01-01",
            CALIBRATION_END,
            HOLDOUT_END,
            seed=seed,
            platform=platform,
            id_prefix=platform[0],
        )
        for seed, (platform, purchases, spend) in enumerate((STRONG_CHANNEL, WEAK_CHANNEL))
    ]
    customers = pd.concat([f[0] for f in frames], ignore_index=True)
    transactions = pd.concat([f[1] for f in frames], ignore_index=True)
    return customers, transactions


@pytest.fixture(scope="session")
def day0_channels() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two channels again, with half of the customers buying on their acquisition day (most
    paying app users do): more than half of the payers pay on day 0."""
    frames = [
        simulate_customers(
            10_000,
            purchases,
            spend,
            "2024-01-01",
            CALIBRATION_END,
            HOLDOUT_END,
            seed=10 + seed,
            platform=platform,
            id_prefix=platform[0],
            day0_share=0.5,
        )
        for seed, (platform, purchases, spend) in enumerate((STRONG_CHANNEL, WEAK_CHANNEL))
    ]
    customers = pd.concat([f[0] for f in frames], ignore_index=True)
    transactions = pd.concat([f[1] for f in frames], ignore_index=True)
    return customers, transactions
