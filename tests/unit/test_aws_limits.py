"""The dev stack's AWS limits (devstack/aws_limits.py), as AWS documents them.

docs/aws-limits.md lists each limit and its source.
"""

from __future__ import annotations

import json

import pytest

from devstack.aws_limits import (
    LAMBDA_PAYLOAD_LIMIT,
    dynamodb_item_size,
    dynamodb_value_size,
)
from devstack.stream_poller import within_payload


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "abc"}, 3),
        ({"S": "\U00010300"}, 4),  # UTF-8 bytes, not characters
        ({"N": "1"}, 2),  # (1 significant digit + 1) / 2 + 1
        ({"N": "123"}, 3),
        ({"N": "-1234.5"}, 5),  # 5 digits: 3 + 1, one more when negative
        ({"N": "1000000"}, 2),  # trailing zeros are not significant
        ({"B": "AAECAw=="}, 4),  # base64 on the wire, bytes counted
        ({"BOOL": True}, 1),
        ({"NULL": True}, 1),
        ({"L": []}, 3),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + (1 + 2) + (1 + 2)),
        ({"M": {"k": {"S": "v"}}}, 3 + 1 + 1 + 1),
        ({"SS": ["a", "bc"]}, 3),
    ],
)
def test_values_are_counted_as_dynamodb_counts_them(value: dict[str, object], size: int) -> None:
    assert dynamodb_value_size(value) == size


def test_an_item_counts_its_attribute_names() -> None:
    assert dynamodb_item_size({"PK": {"S": "T#1"}, "lines": {"L": [{"S": "x"}]}}) == 2 + 3 + 5 + 5


def _record(size: int) -> dict[str, object]:
    return {"eventID": "e", "dynamodb": {"NewImage": {"x": {"S": "y" * size}}}}


def test_a_stream_batch_is_cut_at_lambdas_invocation_payload() -> None:
    records = [_record(900_000) for _ in range(10)]
    batch = within_payload(records)
    assert len(batch) == 6  # seven records would pass 6 MB
    assert (
        len(json.dumps({"Records": batch}, separators=(",", ":")).encode()) <= LAMBDA_PAYLOAD_LIMIT
    )
    assert within_payload(records[:3]) == records[:3]
    assert within_payload([_record(LAMBDA_PAYLOAD_LIMIT)]) != []  # one record always goes
