from __future__ import annotations

from typing import Any

from chalice.app import SQSEvent

from chalicelib.processing import handle_batch


def sqs_event(*bodies: str) -> SQSEvent:
    # Chalice's generate_sqs_event repeats one messageId; partial failures need distinct ids.
    records = [
        {
            "messageId": f"m-{i}",
            "receiptHandle": f"r-{i}",
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
        }
        for i, body in enumerate(bodies)
    ]
    return SQSEvent({"Records": records}, None)


def test_only_failed_records_are_reported() -> None:
    seen: list[str] = []

    def handle(body: str) -> None:
        if body == "bad":
            raise ValueError("poison")
        seen.append(body)

    result: dict[str, Any] = handle_batch(sqs_event("a", "bad", "c"), handle, "order_pdf_creator")
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert seen == ["a", "c"]


def test_a_clean_batch_reports_no_failures() -> None:
    assert handle_batch(sqs_event("a"), lambda _: None, "order_pdf_creator") == {
        "batchItemFailures": []
    }
