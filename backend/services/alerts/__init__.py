"""Budget alerts: the rules (rules.py) judged on each budget's pacing (forecast.py, spend.py),
the lifecycle of the alerts they raise (lifecycle.py), evaluation in batches after syncs and on
a schedule (evaluation.py), alert mail queued in the outbox in the same transaction (notify.py,
digest.py) and delivered over SMTP by a worker (delivery.py), and what users do with alerts
(actions.py: list, acknowledge, snooze)."""
