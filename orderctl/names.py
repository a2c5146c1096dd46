"""A stage's resource names, without the project checkout: `{base}-{stage}` for every stage
(requirements section 7.2). `tests/unit/test_orderctl_profiles.py` checks that they equal
`.chalice/config.json`'s for every stage, so an installed orderctl never guesses a name.
"""

from __future__ import annotations

# The environment variable the functions read → the name without its stage suffix.
BASES = {
    "ORDERS_TABLE_NAME": "bbws-customer-portal-orders",
    "ORDER_CREATION_QUEUE_NAME": "bbws-order-creation",
    "ORDER_CREATION_DLQ_NAME": "bbws-order-creation-dlq",
    "ORDER_PDF_QUEUE_NAME": "bbws-order-pdf",
    "ORDER_PDF_DLQ_NAME": "bbws-order-pdf-dlq",
    "INTERNAL_NOTIFICATION_QUEUE_NAME": "bbws-order-internal-notification",
    "INTERNAL_NOTIFICATION_DLQ_NAME": "bbws-order-internal-notification-dlq",
    "CUSTOMER_CONFIRMATION_QUEUE_NAME": "bbws-order-customer-confirmation",
    "CUSTOMER_CONFIRMATION_DLQ_NAME": "bbws-order-customer-confirmation-dlq",
    "ORDER_STATUS_STREAM_DLQ_NAME": "bbws-order-status-stream-dlq",
    "ORDER_EVENTS_TOPIC_NAME": "bbws-order-events",
    "ORDERS_BUCKET_NAME": "bbws-orders",
    "TEMPLATES_BUCKET_NAME": "bbws-email-templates",
    "CURSOR_SECRET_ID": "bbws-order-cursor-key",
}


def resource_names(stage: str) -> dict[str, str]:
    """Every resource name of `stage` (local, dev, sit, prod or a sandbox's sbx-{id})."""
    return {variable: f"{base}-{stage}" for variable, base in BASES.items()}
