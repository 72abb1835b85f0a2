"""Budget reallocation recommendations: runs that fit response curves to spend and the acquired
cohorts' predicted revenue, allocate a budget under constraints, backtest themselves, and can be
applied as next period's budgets (and undone)."""
