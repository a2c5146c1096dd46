"""Deployment package sizes for arm64 / python3.12 against Lambda's limits.

Reads the zips `make package STAGE=dev` wrote (packaging itself needs Python 3.12; run that
first, `make bench` does). Lambda's limits: 50 MB for a zipped upload, 250 MB for the function
and its layers unzipped. Lists the largest distributions in the layer.
Writes benchmarks/results/package_size.json.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "infrastructure" / "environments" / "dev" / "service"
ZIPPED_LIMIT_MB = 50
UNZIPPED_LIMIT_MB = 250
MB = 1024 * 1024


def unzipped(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def largest(layer: Path, count: int = 8) -> list[tuple[str, float]]:
    """Distributions in the layer (python/lib/python3.12/site-packages/<name>) by unzipped size."""
    sizes: Counter[str] = Counter()
    with zipfile.ZipFile(layer) as archive:
        for info in archive.infolist():
            _, _, inside = info.filename.partition("site-packages/")
            top = inside.split("/")[0]
            if not top:
                continue
            # pillow.libs and PIL belong to pillow; single modules count as themselves.
            name = top.split("-")[0].removesuffix(".libs").removesuffix(".py").lower()
            name = {"pil": "pillow"}.get(name, name)
            sizes[name] += info.file_size
    return [(name, round(size / MB, 1)) for name, size in sizes.most_common(count)]


def main() -> int:
    function, layer = SERVICE / "deployment.zip", SERVICE / "layer-deployment.zip"
    if not (function.exists() and layer.exists()):
        print(
            f"package_size: {SERVICE} is not packaged: run make package STAGE=dev", file=sys.stderr
        )
        return 2
    total_unzipped = (unzipped(function) + unzipped(layer)) / MB
    result = {
        "name": "package_size",
        "function_zip_mb": round(function.stat().st_size / MB, 2),
        "layer_zip_mb": round(layer.stat().st_size / MB, 2),
        "unzipped_mb": round(total_unzipped, 1),
        "zipped_limit_mb": ZIPPED_LIMIT_MB,
        "unzipped_limit_mb": UNZIPPED_LIMIT_MB,
        "largest": largest(layer),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "package_size.json").write_text(json.dumps(result, indent=2) + "\n")
    ok = max(result["function_zip_mb"], result["layer_zip_mb"]) < ZIPPED_LIMIT_MB and (
        total_unzipped < UNZIPPED_LIMIT_MB
    )
    print(
        f"package_size: function {result['function_zip_mb']} MB, layer {result['layer_zip_mb']} MB "
        f"zipped (limit {ZIPPED_LIMIT_MB}); {result['unzipped_mb']} MB unzipped (limit "
        f"{UNZIPPED_LIMIT_MB}); largest: "
        + ", ".join(f"{n} {s} MB" for n, s in result["largest"][:5])
        + f" [{'OK' if ok else 'MISS'}]"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
