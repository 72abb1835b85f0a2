"""Early signals: first-purchase probabilities and traffic quality from in-app events (data.py:
the inputs read from the database; report.py: backtest, scores and campaign suspect shares)."""
