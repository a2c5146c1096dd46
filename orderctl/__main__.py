"""`python -m orderctl` (the same as the `orderctl` console command)."""

from orderctl.cli import main

raise SystemExit(main())
