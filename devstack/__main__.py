"""`python -m devstack`: the demo launcher (see devstack.launcher)."""

from devstack.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
