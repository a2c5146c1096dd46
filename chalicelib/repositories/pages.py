"""One page of a Query, as every list of this table reads it (orders by tenant, the register).

A page is one Query. It asks for one item more than the page holds, so a full page knows whether
more exist without a second request; a filtered Query reads further ahead (DynamoDB's `Limit`
counts the items read, not those the filter keeps), so its page may come back short, with a
position to continue from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.failures import dependency, error_code
from chalicelib.ports import InvalidStartKey

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_READ_AHEAD = 1000


def query_page(
    client: DynamoDBClient, request: dict[str, Any], limit: int | None, what: str
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The items of one Query (at most `limit`; None: one response's worth, 1 MB) and where the
    next page starts: the last item returned when more exist, else DynamoDB's LastEvaluatedKey
    (None: the range is done). A start key DynamoDB refuses is `InvalidStartKey`."""
    if limit is not None:
        filtered = "FilterExpression" in request
        request["Limit"] = min(4 * limit + 1, MAX_READ_AHEAD) if filtered else limit + 1
    with dependency(what):
        try:
            response = client.query(**request)
        except ClientError as exc:
            start = request.get("ExclusiveStartKey")
            if error_code(exc) == "ValidationException" and start is not None:
                raise InvalidStartKey(str(start)) from exc
            raise
    items = response.get("Items", [])
    if limit is not None and len(items) > limit:
        return items[:limit], items[limit - 1]
    return items, response.get("LastEvaluatedKey")
