"""Container processes: the poller's batches run in warm processes of their own, as in Lambda."""

from __future__ import annotations

import io
import json
import os
import signal
from typing import Any

import pytest

from devstack.container import Container, ContainerDied, Containers, serve
from devstack.stage import function_config

FUNCTION = "order_pdf_creator"


def malformed(message_id: str) -> dict[str, Any]:
    """A record the handler refuses before any AWS call (its body is not an event)."""
    return {"messageId": message_id, "receiptHandle": "r", "body": "not json", "attributes": {}}


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The function's environment, pointing at a port nothing listens on."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in function_config("local", FUNCTION).environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")


def test_a_container_runs_batches_until_its_input_ends(function_env: None) -> None:
    container = Container(FUNCTION)
    try:
        for batch in (["a", "b"], ["c"]):  # the same warm process, batch after batch
            result = container.invoke({"Records": [malformed(i) for i in batch]}, 30)
            assert result == {"batchItemFailures": [{"itemIdentifier": i} for i in batch]}
        pid = container.process.pid
    finally:
        container.close()
    assert container.process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_crashed_container_fails_its_batch_and_is_replaced(function_env: None) -> None:
    pool = Containers(FUNCTION, limit=1)
    try:
        pool.invoke({"Records": [malformed("a")]}, 30)
        [first] = pool._all
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        with pytest.raises(ContainerDied, match="exited with code -9"):
            pool.invoke({"Records": [malformed("b")]}, 30)
        result = pool.invoke({"Records": [malformed("c")]}, 30)  # a fresh container (cold start)
        assert result == {"batchItemFailures": [{"itemIdentifier": "c"}]}
        assert pool._all[0] is not first
    finally:
        pool.close()


def test_the_loop_answers_each_batch_and_reports_a_raising_handler() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("explode"):
            raise ValueError("boom")
        return {"seen": len(event["Records"]), "ms": context.get_remaining_time_in_millis()}

    requests = io.StringIO(
        json.dumps({"event": {"Records": [1, 2]}, "timeout_s": 5})
        + "\n"
        + json.dumps({"event": {"explode": True}, "timeout_s": 5})
        + "\n"
    )
    replies = io.StringIO()
    serve(handler, "fn", requests, replies)
    first, second = (json.loads(line) for line in replies.getvalue().splitlines())
    assert first["result"]["seen"] == 2
    assert 0 < first["result"]["ms"] <= 5000
    assert second == {"error": "ValueError: boom"}


def test_a_gone_poller_ends_the_loop_after_the_batch() -> None:
    class Gone(io.StringIO):
        def write(self, _: str) -> int:
            raise BrokenPipeError

    handled = []
    requests = io.StringIO(
        "".join(json.dumps({"event": {"n": n}, "timeout_s": 5}) + "\n" for n in range(3))
    )
    serve(lambda event, _: handled.append(event["n"]), "fn", requests, Gone())
    assert handled == [0]  # the batch ran to the end; nothing more was taken
