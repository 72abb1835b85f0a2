"""LTV and churn model runs: training and scoring on the loaded customers (training.py,
scoring.py, data.py, outputs.py), external outputs imported as versions (imports.py), activation
(versions.py) and drift as cohorts mature (drift.py)."""
