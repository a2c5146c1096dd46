"""`python -m devstack` (what `make run` calls)."""

from devstack.stack import main

raise SystemExit(main())
