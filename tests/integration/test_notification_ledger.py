"""The email ledger's conditional writes, against the emulated table."""

from __future__ import annotations

from chalicelib.repositories.notifications import LEASE_S, NotificationLedger
from devstack.provision import Provisioned
from tests.integration.conftest import client


def test_a_claim_is_sent_sending_or_lapsed_by_the_item_it_finds(stack: Provisioned) -> None:
    ledger = NotificationLedger(client("dynamodb"), stack.table_name)
    claim = ledger.claim
    assert claim("tenant-a", "o-1", "customer", 1000) == "claimed"
    assert claim("tenant-a", "o-1", "customer", 1001) == "sending"  # another delivery's lease
    assert claim("tenant-a", "o-1", "internal", 1001) == "claimed"  # each kind on its own
    assert claim("tenant-a", "o-1", "customer", 1000 + LEASE_S + 1) == "claimed"  # it lapsed
    ledger.complete("tenant-a", "o-1", "customer", "ses-1", 1200)
    assert claim("tenant-a", "o-1", "customer", 99_999) == "sent"  # sent is final


def test_a_refused_email_is_final_and_kept_apart_from_orders(stack: Provisioned) -> None:
    dynamodb = client("dynamodb")
    ledger = NotificationLedger(dynamodb, stack.table_name)
    assert ledger.claim("tenant-a", "o-2", "customer", 1000) == "claimed"
    ledger.refuse("tenant-a", "o-2", "customer", "InvalidParameterValue: bad address", 1001)
    assert ledger.claim("tenant-a", "o-2", "customer", 99_999) == "sent"  # never tried again
    [item] = dynamodb.scan(TableName=stack.table_name)["Items"]
    assert item["PK"] == {"S": "NOTIFICATION#tenant-a#o-2"}  # its own partition (IAM: ADR 0011)
    assert item["SK"] == {"S": "EMAIL#customer"}
    assert item["status"] == {"S": "REFUSED"}
    assert item["reason"]["S"].startswith("InvalidParameterValue")
    assert "leaseUntil" not in item
