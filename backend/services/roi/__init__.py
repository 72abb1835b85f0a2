"""The ROI read model: how a ROI, overview or cohort number is computed, in one package.

- `tables`: what the dashboards read (daily and monthly spend rollups, one row per customer in
  `roi_customers`, the data version of the answer cache);
- `rollups`: rebuilding the spend rollups after a sync or new exchange rates;
- `sql/`: the SQL that lives in the database (the functions and triggers that keep
  `roi_customers` and the data version current), in named files the migrations run;
- `queries`: the SQL of a report, read into frames; `report`: channel ROI (GET /api/roi);
  `cohorts`: acquisition cohorts (GET /api/cohorts); `overview`: GET /api/overview;
- `cache`: answers kept in Redis per data version.

The metrics themselves are defined once in `analytics` (`analytics.metrics`, `analytics.cohorts`).
"""
