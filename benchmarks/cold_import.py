"""Cold start: `import app` against the floor `import boto3, chalice, pydantic`, fresh processes.

Both commands run alternately (so machine noise hits both alike) in fresh interpreters, with
the stage `local` environment; the median of each is compared. Target: ratio <= 1.15.
Also checks that the API never loads xhtml2pdf or Jinja2 at import.
Writes benchmarks/results/cold_import.json and prints a one-line summary.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "21"))
TARGET = 1.15
FLOOR = "import boto3, chalice, pydantic"
SUBJECT = "import app"
FORBIDDEN = ("xhtml2pdf", "jinja2", "reportlab")


def stage_env() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from devstack.stage import API_HANDLER, function_config

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(function_config("local", API_HANDLER).environment)
    env.update(AWS_REGION="eu-west-1", PYTHONDONTWRITEBYTECODE="0")
    return env


def timed(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main() -> int:
    env = stage_env()
    for code in (FLOOR, SUBJECT):  # warm the bytecode and file caches once
        timed(code, env)
    floor, subject = [], []
    for _ in range(RUNS):
        floor.append(timed(FLOOR, env))
        subject.append(timed(SUBJECT, env))
    check = f"import sys, app; print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    ratio = statistics.median(subject) / statistics.median(floor)
    result = {
        "name": "cold_import",
        "value": round(statistics.median(subject), 4),
        "unit": "s",
        "baseline": round(statistics.median(floor), 4),
        "ratio": round(ratio, 3),
        "target": TARGET,
        "runs": RUNS,
        "heavy_modules_loaded": loaded.split(",") if loaded else [],
        "python": sys.version.split()[0],
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "cold_import.json").write_text(json.dumps(result, indent=2) + "\n")
    verdict = "OK" if ratio <= TARGET and not loaded else "MISS"
    print(
        f"cold_import: import app {result['value']:.3f}s vs floor {result['baseline']:.3f}s "
        f"-> ratio {ratio:.3f} (target <= {TARGET}); "
        f"heavy modules at import: {loaded or 'none'} [{verdict}]"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
