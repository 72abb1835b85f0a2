"""Dev and demo tooling, apart from the product: the `make demo` launcher (launcher.py, run as
`python -m devstack`) with its embedded PostgreSQL and Redis (embedded.py), mail catcher
(mailcatcher.py), process groups and supervisor; the demo's seed (demo.py, demo_world.py,
demo_customers.py) and its `flask` commands (commands.py, on the app of app.py).

It may import the product; backend, workers, connectors and analytics never import it (an
import contract in pyproject.toml).
"""
