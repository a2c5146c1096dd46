"""`python -m chalicelib.local` (what `make run` calls)."""

from chalicelib.local.stack import main

raise SystemExit(main())
