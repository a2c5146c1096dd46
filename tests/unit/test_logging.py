from __future__ import annotations

import io
import json

from chalicelib import log


def last(stream: io.StringIO) -> dict[str, str]:
    return json.loads(stream.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_log_lines_are_json_with_the_bound_ids(log_lines: io.StringIO) -> None:
    log.reset()
    log.bind(request_id="r-1", order_id="o-1", tenant_id="t-1", correlation_id=None)
    log.logger.info("Order accepted")
    line = last(log_lines)
    assert line["message"] == "Order accepted"
    assert (line["request_id"], line["order_id"], line["tenant_id"]) == ("r-1", "o-1", "t-1")
    assert "correlation_id" not in line
    assert line["timestamp"].endswith("+00:00")


def test_reset_forgets_the_previous_invocation(log_lines: io.StringIO) -> None:
    log.bind(order_id="o-1")
    log.reset()
    log.logger.info("next invocation")
    assert "order_id" not in last(log_lines)


def test_concurrent_requests_keep_their_own_keys(log_lines: io.StringIO) -> None:
    import threading

    barrier = threading.Barrier(6)

    def request(index: int) -> None:
        log.reset()
        log.bind(request_id=f"r-{index}", order_id=f"o-{index}")
        barrier.wait()
        log.logger.info("Order accepted")
        log.reset()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    written = [json.loads(line) for line in log_lines.getvalue().strip().splitlines()]
    assert sorted((w["request_id"], w["order_id"]) for w in written) == [
        (f"r-{i}", f"o-{i}") for i in range(6)
    ]
