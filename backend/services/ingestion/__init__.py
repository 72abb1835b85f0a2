"""Ingestion: platform rows → staging (COPY) → one-transaction slice replacement → rollups."""
