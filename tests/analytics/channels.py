"""The two simulated acquisition channels of the selection tests (time in days)."""

from __future__ import annotations

from analytics.ltv import BTYDParams, GammaGammaParams

# Two acquisition channels with different true LTV.
STRONG_CHANNEL = (
    "meta",
    BTYDParams(0.6, 15.0, 0.7, 3.0, modified=True),
    GammaGammaParams(6, 4, 20.0),
)
WEAK_CHANNEL = (
    "google",
    BTYDParams(0.4, 25.0, 0.9, 2.0, modified=True),
    GammaGammaParams(6, 4, 10.0),
)
CALIBRATION_END = "2024-12-31"
HOLDOUT_END = "2025-03-31"
