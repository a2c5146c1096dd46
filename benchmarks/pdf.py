"""Document rendering: the processor's render against a bare `pisa.CreatePDF` of the same HTML.

For every kind of document at 5 items, the tax invoice at 100 items, a re-render's COPY and the
hostile corpus (`devstack.preview`, as they lived, stage local's supplier): median render time over
repeated runs and the processor's ratio to the bare xhtml2pdf call of the HTML the template
produces (target <= 1.10: the template is compiled once per container). Also: what laying a
one-page document out once instead of twice saves ("Page N of M" needs two passes); and the peak
memory of a fresh process rendering the 100-item invoice (must fit a 512 MB Lambda with
room to spare). Writes benchmarks/results/pdf.json.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

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

    from chalicelib.models.documents import document_for
    from chalicelib.models.orders import OrderStatus
    from chalicelib.rendering.invoice import PAGE_COUNT, invoice_html, render_invoice
    from devstack.preview import hostile_lived, hostile_orders, lived, local_supplier, sample_order

    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    supplier = local_supplier()
    report: dict[str, object] = {"name": "pdf", "runs": RUNS}
    verdicts = []

    def bare_render(html: str) -> None:
        pisa.CreatePDF(html, dest=io.BytesIO(), encoding="utf-8")

    def median_s(render: Any) -> float:
        render()  # warm: template compiled, fonts loaded, as in a warm container
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            render()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    # (label, order, copy): each kind at 5 items and the tax invoice at 100, as they lived
    # (payment, refund, dates of issue); the re-render's COPY; the hostile corpus (issue 29).
    cases = [
        (f"{document_for(status).name}_{items}_items", lived(sample_order(items, status)), False)
        for items, status in [(5, OrderStatus.PENDING), (5, OrderStatus.PAID),
                              (5, OrderStatus.CANCELLED), (5, OrderStatus.REFUNDED),
                              (100, OrderStatus.PAID)]
    ] + [("tax-invoice-copy_5_items", lived(sample_order(5, OrderStatus.PAID)), True)] + [
        (f"hostile_{name}", hostile_lived(order.copy(update={"status": OrderStatus.PAID})), False)
        for name, order in hostile_orders().items()
    ]  # fmt: skip
    for label, order, copy in cases:
        document = document_for(order.status)
        html = invoice_html(order, document, supplier, copy=copy)
        processor = median_s(partial(render_invoice, order, document, supplier, copy=copy))
        bare = median_s(partial(bare_render, html))
        ratio = processor / bare
        report[label] = {
            "value": round(processor, 4),
            "baseline": round(bare, 4),
            "unit": "s",
            "ratio": round(ratio, 3),
            "target": OVERHEAD_TARGET,
        }
        verdicts.append(ratio <= OVERHEAD_TARGET)
        print(
            f"  {label:>34}: processor {processor * 1000:.0f} ms vs bare "
            f"pisa.CreatePDF {bare * 1000:.0f} ms -> ratio {ratio:.3f}"
        )
        if label == "tax-invoice_5_items":
            one_pass = median_s(partial(bare_render, html.replace(PAGE_COUNT, "1")))
            report["one_pass_vs_two"] = {
                "value": round(one_pass, 4),
                "baseline": round(bare, 4),
                "unit": "s",
                "ratio": round(one_pass / bare, 3),
            }
            print(f"  one pass {one_pass * 1000:.0f} ms vs two {bare * 1000:.0f} ms")
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
