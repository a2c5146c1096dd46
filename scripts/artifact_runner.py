"""Lambda's Python runtime, as far as the artefact check needs it: stdlib only.

Run by `scripts/artifact_check.py` as `python -I -S artifact_runner.py TASK LAYER`, in a folder
of its own: no site-packages, no checkout, no dev dependencies. `TASK` is `deployment.zip`
extracted (Lambda's `/var/task`), `LAYER` the layer's `python/` folder (`/opt/python`). Each line
on stdin is an invocation `{"handler": "app.app", "function": ..., "event": ...}`; each answer
is one stdout line `@@answer {...}`: the handler's result or its error, and every module loaded
from outside the task, the layer and the standard library (none may be).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
import uuid
from typing import Any

MARK = "@@answer "


class Context:
    """The parts of Lambda's context object handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_s: int = 30, memory_mb: int = 512) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:eu-west-1:000000000000:function:{function_name}"
        )
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "artifact-check"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds before Lambda would time the invocation out."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def foreign_modules(allowed: tuple[str, ...]) -> list[str]:
    """Modules loaded from a file outside the task, the layer and the standard library."""
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and not any(path.startswith(root) for root in allowed):
            found.append(f"{name}: {path}")
    return sorted(found)


def main() -> None:
    """Serve invocations from stdin until it closes."""
    task, layer = sys.argv[1], sys.argv[2]
    site = f"{layer}/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
    sys.path[:0] = [task, site, layer]
    allowed = (task, layer, sys.base_prefix, __file__)  # this runner is Lambda's bootstrap
    for line in sys.stdin:
        request = json.loads(line)
        module_name, attribute = request["handler"].rsplit(".", 1)
        answer: dict[str, Any] = {}
        try:
            handler = getattr(importlib.import_module(module_name), attribute)
            answer["result"] = handler(request["event"], Context(request["function"]))
        except Exception:  # the parent reports it, with the traceback
            answer["error"] = traceback.format_exc()
        answer["foreign"] = foreign_modules(allowed)
        sys.stdout.write(MARK + json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
