"""Business logic. Services own the transaction: they are the one place that commits."""
