from __future__ import annotations

from typing import Any

from chalice.app import SQSEvent

from chalicelib.processing import handle_batch, redelivered


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


def test_each_record_knows_whether_it_was_delivered_before() -> None:
    event = sqs_event("first", "again", "unknown").to_dict()
    event["Records"][1]["attributes"]["ApproximateReceiveCount"] = "3"
    event["Records"][2]["attributes"] = {"ApproximateReceiveCount": "n/a"}
    seen: dict[str, bool] = {}

    def handle(body: str) -> None:
        seen[body] = redelivered()

    handle_batch(event, handle, "order_pdf_creator")
    assert seen == {"first": False, "again": True, "unknown": True}
    assert redelivered() is False  # nothing leaks out of the batch
