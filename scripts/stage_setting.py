"""Print one of a stage's settings (`.chalice/config.json` environment variables).

    python scripts/stage_setting.py dev CART_API_URL

`make smoke STAGE=dev` uses it: the smoke test makes its cart in the stage's Cart service.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"


def setting(stage: str, name: str, config: Path = CONFIG) -> str:
    """The stage's value of `name`; SystemExit naming what is missing."""
    stages = json.loads(config.read_text())["stages"]
    if stage not in stages:
        raise SystemExit(f"no stage {stage!r} in {config} (stages: {', '.join(sorted(stages))})")
    variables = stages[stage].get("environment_variables", {})
    if name not in variables:
        raise SystemExit(f"stage {stage!r} has no setting {name} in {config}")
    return str(variables[name])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        raise SystemExit("usage: stage_setting.py STAGE NAME")
    stage, name = argv
    print(setting(stage, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
