"""Invoice rendering: the processor's render against a bare `pisa.CreatePDF` of the same HTML.

For the reference 5-item and 100-item invoices (`devstack.preview.sample_order`):
median render time over repeated runs, the processor's overhead over the bare xhtml2pdf call
(target <= 10 %: the template is compiled once per container), and the peak memory of a fresh
process rendering the 100-item invoice (must fit a 512 MB Lambda with room to spare).
Writes benchmarks/results/pdf.json.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_RUNS_PDF", "7"))
OVERHEAD_TARGET = 1.10
MEMORY_BUDGET_MB = 512
PEAK_PROBE = """
import resource, sys
sys.path.insert(0, {root!r})
from devstack.preview import sample_order
from chalicelib.rendering.invoice import render_invoice
render_invoice(sample_order(100))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> int:
    import logging

    from xhtml2pdf import pisa

    from chalicelib.rendering.invoice import invoice_html, render_invoice
    from devstack.preview import sample_order

    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    report: dict[str, object] = {"name": "pdf", "runs": RUNS}
    verdicts = []
    for items in (5, 100):
        order = sample_order(items)
        render_invoice(order)  # warm: template compiled, fonts loaded, as in a warm container
        html = invoice_html(order)
        processor, bare = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            render_invoice(order)
            processor.append(time.perf_counter() - started)
            started = time.perf_counter()
            pisa.CreatePDF(html, dest=io.BytesIO(), encoding="utf-8")
            bare.append(time.perf_counter() - started)
        ratio = statistics.median(processor) / statistics.median(bare)
        report[f"{items}_items"] = {
            "value": round(statistics.median(processor), 4),
            "baseline": round(statistics.median(bare), 4),
            "unit": "s",
            "ratio": round(ratio, 3),
            "target": OVERHEAD_TARGET,
        }
        verdicts.append(ratio <= OVERHEAD_TARGET)
        print(
            f"  {items:>3} items: processor {statistics.median(processor) * 1000:.0f} ms vs bare "
            f"pisa.CreatePDF {statistics.median(bare) * 1000:.0f} ms -> ratio {ratio:.3f}"
        )
    probe = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb = int(probe.stdout.strip().splitlines()[-1]) / 1024
    report["peak_memory_100_items"] = {
        "value": round(peak_mb, 1),
        "unit": "MB",
        "budget": MEMORY_BUDGET_MB,
    }
    verdicts.append(peak_mb < MEMORY_BUDGET_MB / 2)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "pdf.json").write_text(json.dumps(report, indent=2) + "\n")
    verdict = "OK" if all(verdicts) else "MISS"
    print(
        f"pdf: overhead target <= {OVERHEAD_TARGET}; peak memory of a fresh process rendering "
        f"100 items {peak_mb:.0f} MB of a {MEMORY_BUDGET_MB} MB Lambda [{verdict}]"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    raise SystemExit(main())
