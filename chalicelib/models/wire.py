"""Events on the wire: compact UTF-8 JSON, measured as SNS and SQS measure it (docs/aws-limits.md).

SNS and SQS count a message's size in bytes: its body in UTF-8 plus every message attribute's
name, data type and value. Python's `json` escapes each non-ASCII character by default (six
bytes, twelve for one outside the BMP), so a name in a non-Latin script took three times its
UTF-8 size and a contract-valid order could be over SNS's limit (issue 28). Bodies are written
here without that escaping and without spaces.

`EVENT_BUDGET` is what one event may take when the API accepts an order. The limit it keeps
under is the smallest of the queues' and the topic's `MaximumMessageSize` (256 KiB, set
explicitly in Terraform and in the dev stack), with room for what an order gains after it is
accepted (order number, payment details, document metadata, refund details): an order that
could not travel the whole pipeline is refused up front, never accepted and dead-lettered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

# The queues' and the topic's MaximumMessageSize (infrastructure/modules/messaging,
# devstack/provision.py): AWS's default, kept explicit. SNS PublishBatch caps the whole batch
# at the same figure.
MESSAGE_LIMIT = 262_144
# What an event may weigh when its order is accepted: the limit less 16 KiB for what later
# events of the same order add (payment 1 KiB, documents and refund details a few KiB).
EVENT_BUDGET = MESSAGE_LIMIT - 16 * 1024
# Characters SQS refuses in a message body (it takes #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD
# and #x10000-#x10FFFF): `json` escapes the controls already; these two are escaped here.
_SQS_REFUSED = {0xFFFE: "\\ufffe", 0xFFFF: "\\uffff"}


def encode(model: BaseModel) -> str:
    """The model as compact JSON, non-ASCII characters as themselves (UTF-8 on the wire)."""
    return model.json(ensure_ascii=False, separators=(",", ":")).translate(_SQS_REFUSED)


def utf8_size(text: str) -> int:
    """Bytes of `text` in UTF-8."""
    return len(text.encode("utf-8", "surrogatepass"))


def attributes_size(attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes SNS and SQS count for message attributes: each name, data type and value."""
    total = 0
    for name, attribute in attributes.items():
        value = attribute.get("StringValue") or attribute.get("BinaryValue") or ""
        value_size = len(value) if isinstance(value, bytes) else utf8_size(str(value))
        total += utf8_size(name) + utf8_size(str(attribute.get("DataType", ""))) + value_size
    return total


def message_size(body: str, attributes: Mapping[str, Mapping[str, Any]] | None = None) -> int:
    """A message's size as SNS and SQS count it: body bytes plus attribute bytes."""
    return utf8_size(body) + attributes_size(attributes or {})


def batches(sizes: Sequence[int], max_entries: int, max_bytes: int) -> Iterator[range]:
    """Consecutive index ranges of at most `max_entries` whose sizes add up to `max_bytes` at
    most. An entry over `max_bytes` alone is a batch of its own (the service refuses it, and
    only it)."""
    start = 0
    while start < len(sizes):
        end, total = start, 0
        while end < len(sizes) and end - start < max_entries:
            if end > start and total + sizes[end] > max_bytes:
                break
            total += sizes[end]
            end += 1
        yield range(start, end)
        start = end
