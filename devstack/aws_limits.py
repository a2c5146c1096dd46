"""AWS's published limits where moto forgives them: the dev stack refuses what AWS refuses.

moto measures SNS and SQS messages in characters, not bytes, leaves message attributes out, does
not cap a PublishBatch's total, counts a DynamoDB item without the list and map overheads AWS
counts, and sends SES messages of any size. Each patch below answers as AWS does (the same
error code), from the resource's own attribute where AWS reads one. docs/aws-limits.md lists
every limit, its source and where it is enforced.

`enforce_aws_limits()` is idempotent; the emulator (`devstack.emulator`) and the in-process
integration tests (tests/integration/conftest.py) apply it.
"""

from __future__ import annotations

from base64 import b64decode
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from chalicelib.models.wire import MESSAGE_LIMIT, message_size, utf8_size
from devstack.patching import patch_once

DYNAMODB_ITEM_LIMIT = 400 * 1024  # 409,600 bytes: names and values, AWS's formula
SES_RAW_MESSAGE_LIMIT = 10 * 1024 * 1024  # SendRawEmail, the whole MIME message
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024  # a synchronous invocation's event (event source mappings)
SNS_DEFAULT_MAXIMUM_MESSAGE_SIZE = MESSAGE_LIMIT


def dynamodb_value_size(value: Any) -> int:
    """Bytes DynamoDB counts for one attribute value, in its wire form (`{"S": "…"}`) or as moto
    holds it (a DynamoType, lists and maps of them).

    Strings are UTF-8 bytes; numbers (significant digits + 1) / 2 + 1, rounded up, one more when
    negative; binary its bytes; null and booleans one; a list or map 3 bytes plus 1 per element
    plus its elements (and a map's names); a set its members.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType

    held = value if isinstance(value, DynamoType) else DynamoType(dict(value))
    if held.type == "L":
        return 3 + sum(1 + dynamodb_value_size(element) for element in held.value)
    if held.type == "M":
        return 3 + sum(1 + utf8_size(k) + dynamodb_value_size(v) for k, v in held.value.items())
    return _SIZES[held.type](held.value)


def _binary_size(inner: Any) -> int:
    return len(inner) if isinstance(inner, bytes) else len(b64decode(inner))


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len(digits) or 1
    return -(-significant // 2) + 1 + (1 if text.lstrip().startswith("-") else 0)


_SIZES: dict[str, Callable[[Any], int]] = {
    "S": utf8_size,
    "N": _number_size,
    "B": _binary_size,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda inner: sum(map(utf8_size, inner)),
    "NS": lambda inner: sum(map(_number_size, inner)),
    "BS": lambda inner: sum(map(_binary_size, inner)),
}


def dynamodb_item_size(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it: each attribute's name and value."""
    return sum(utf8_size(name) + dynamodb_value_size(value) for name, value in item.items())


def _sns_topic_limit(topic: Any) -> int:
    """The topic's MaximumMessageSize (SetTopicAttributes), AWS's default when unset."""
    return int(getattr(topic, "MaximumMessageSize", SNS_DEFAULT_MAXIMUM_MESSAGE_SIZE))


def _sns_attributes(attributes: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """moto's parsed attributes ({name: {"Type"/"DataType", "Value"/"StringValue"}}) as wire."""
    wire: dict[str, dict[str, Any]] = {}
    for name, attribute in (attributes or {}).items():
        data_type = attribute.get("DataType") or attribute.get("Type") or ""
        value = attribute.get("StringValue") or attribute.get("Value") or ""
        wire[name] = {"DataType": data_type, "StringValue": value}
    return wire


def _sns_publish(original: Callable[..., Any]) -> Callable[..., Any]:
    from moto.sns.exceptions import InvalidParameterValue

    def publish(self: Any, message: str, arn: str | None, *args: Any, **kwargs: Any) -> Any:
        if arn and not kwargs.get("phone_number"):
            topic = self.topics.get(arn)
            if topic is not None:
                size = message_size(message, _sns_attributes(kwargs.get("message_attributes")))
                if size > _sns_topic_limit(topic):
                    raise InvalidParameterValue("Invalid parameter: Message too long")
        return original(self, message, arn, *args, **kwargs)

    return publish


def _batch_too_long() -> Exception:
    """SNS's `BatchRequestTooLong` (moto has no such error; made here, moto imported late)."""
    from moto.sns.exceptions import SNSException

    class SNSBatchRequestTooLong(SNSException):
        code = "BatchRequestTooLong"
        message = "The length of all the batch messages put together is more than the limit."

    return SNSBatchRequestTooLong()


def _sns_publish_batch(original: Callable[..., Any]) -> Callable[..., Any]:
    def publish_batch(
        self: Any, topic_arn: str, publish_batch_request_entries: list[dict[str, Any]]
    ) -> Any:
        topic = self.get_topic(topic_arn)
        total = sum(
            message_size(entry.get("Message", ""), _sns_attributes(entry.get("MessageAttributes")))
            for entry in publish_batch_request_entries
        )
        if total > _sns_topic_limit(topic):
            raise _batch_too_long()
        return original(self, topic_arn, publish_batch_request_entries)

    return publish_batch


def _sqs_send_message(original: Callable[..., Any]) -> Callable[..., Any]:
    from moto.sqs.exceptions import InvalidParameterValue

    def send_message(
        self: Any, queue_name: str, message_body: str, *args: Any, **kwargs: Any
    ) -> Any:
        limit = int(self.get_queue(queue_name).maximum_message_size)
        if message_size(message_body, kwargs.get("message_attributes")) > limit:
            raise InvalidParameterValue(
                "One or more parameters are invalid. Reason: Message must be shorter than "
                f"{limit} bytes."
            )
        return original(self, queue_name, message_body, *args, **kwargs)

    return send_message


def _limited_setitem(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's item dict refused at 405,000 bytes of its own count (no list or map overheads):
    stricter than AWS for a flat item, looser for a nested one. It now counts as AWS does."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge

    del original  # replaced: moto's check is the one being corrected

    def setitem(self: dict[str, Any], key: str, value: Any) -> None:
        missing = object()
        previous = dict.get(self, key, missing)
        dict.__setitem__(self, key, value)
        size = dynamodb_item_size(self)
        if size > DYNAMODB_ITEM_LIMIT:
            if previous is missing:
                dict.__delitem__(self, key)
            else:
                dict.__setitem__(self, key, previous)
            raise ItemSizeTooLarge

    return setitem


def _ses_send_raw_email(original: Callable[..., Any]) -> Callable[..., Any]:
    from moto.ses.exceptions import MessageRejectedError

    def send_raw_email(self: Any, source: str, destinations: list[str], raw_data: str) -> Any:
        size = utf8_size(raw_data)
        if size > SES_RAW_MESSAGE_LIMIT:
            raise MessageRejectedError(
                f"Message length is more than {SES_RAW_MESSAGE_LIMIT} bytes long: {size}."
            )
        return original(self, source, destinations, raw_data)

    return send_raw_email


def enforce_aws_limits() -> None:
    """Patch moto's backends to refuse what AWS refuses (idempotent)."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict
    from moto.ses.models import SESBackend
    from moto.sns.models import SNSBackend
    from moto.sqs.models import SQSBackend

    patch_once(SNSBackend, "publish", _sns_publish)
    patch_once(SNSBackend, "publish_batch", _sns_publish_batch)
    patch_once(SQSBackend, "send_message", _sqs_send_message)
    patch_once(LimitedSizeDict, "__setitem__", _limited_setitem)
    patch_once(SESBackend, "send_raw_email", _ses_send_raw_email)
