"""The support actions' record on moto's DynamoDB: one conditional put is the rate limit and the
`Idempotency-Key` replay."""

from __future__ import annotations

from chalicelib.ports import ActionRecord
from chalicelib.repositories.support_actions import SupportActionStore
from devstack.provision import Provisioned
from tests.integration.conftest import client

T0 = 1_800_000_000
RESEND = "resend-email"


def test_claims_within_the_window_and_by_the_same_key_return_the_holder(
    stack: Provisioned,
) -> None:
    store = SupportActionStore(client("dynamodb"), stack.table_name)
    first = ActionRecord("req-1", T0, "digest-1")
    assert store.claim("tenant-a", "o-1", RESEND, first, 300) is None
    # within the window, another key or none: the holder comes back (the service's 429)
    assert store.claim("tenant-a", "o-1", RESEND, ActionRecord("r2", T0 + 10), 300) == first
    assert store.claim("tenant-a", "o-1", RESEND, ActionRecord("r3", T0 + 299, "d2"), 300) == first
    # the same key long after the window: still the holder (a key never runs twice)
    assert (
        store.claim("tenant-a", "o-1", RESEND, ActionRecord("r4", T0 + 900, "digest-1"), 300)
        == first
    )
    # other orders and other actions have their own records
    assert store.claim("tenant-a", "o-2", RESEND, ActionRecord("r5", T0), 300) is None
    assert store.claim("tenant-a", "o-1", "rerender-document", ActionRecord("r6", T0), 60) is None
    # the window passed: another key claims it
    later = ActionRecord("req-7", T0 + 300, "digest-2")
    assert store.claim("tenant-a", "o-1", RESEND, later, 300) is None
    assert store.claim("tenant-a", "o-1", RESEND, ActionRecord("r8", T0 + 301), 300) == later


def test_release_forgets_only_its_own_request(stack: Provisioned) -> None:
    store = SupportActionStore(client("dynamodb"), stack.table_name)
    held = ActionRecord("req-1", T0)
    store.claim("tenant-a", "o-1", "rerender-document", held, 60)
    store.release("tenant-a", "o-1", "rerender-document", "someone-else")
    assert store.claim("tenant-a", "o-1", "rerender-document", ActionRecord("r2", T0), 60) == held
    store.release("tenant-a", "o-1", "rerender-document", "req-1")
    assert store.claim("tenant-a", "o-1", "rerender-document", ActionRecord("r3", T0), 60) is None
    [item] = client("dynamodb").scan(TableName=stack.table_name)["Items"]
    assert (item["PK"]["S"], item["SK"]["S"]) == ("ACTION#tenant-a#o-1", "rerender-document")
    assert int(item["expiresAt"]["N"]) == T0 + 24 * 3600
