"""Wiring: the real collaborators for each use case, built once per container on first use.

Processor-only collaborators (xhtml2pdf, Jinja2) are imported inside their factories, so the
API handler never loads them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from chalicelib import aws, topology
from chalicelib.carts import CartClient
from chalicelib.messaging import QueuePublisher, TopicPublisher
from chalicelib.models.documents import Document
from chalicelib.models.orders import Order
from chalicelib.repositories.cart_claims import CartClaimStore
from chalicelib.repositories.counters import OrderNumbers
from chalicelib.repositories.documents import DocumentStore
from chalicelib.repositories.idempotency import IdempotencyStore
from chalicelib.repositories.orders import OrderRepository
from chalicelib.repositories.register import DocumentRegister
from chalicelib.repositories.support_actions import SupportActionStore
from chalicelib.secrets import cached_secret
from chalicelib.services.checkout import Checkout
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.documents import DocumentService
from chalicelib.services.order_updates import OrderUpdater
from chalicelib.services.orders import OrderService
from chalicelib.services.recorder import OrderRecorder
from chalicelib.services.register import RegisterService
from chalicelib.services.support_actions import SupportActions
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.services.customer_emails import CustomerEmails
    from chalicelib.services.notifications import NotificationService
    from chalicelib.services.team_notifications import TeamNotifications


@lru_cache(maxsize=1)
def order_repository() -> OrderRepository:
    """The orders table."""
    settings = get_settings()
    return OrderRepository(aws.dynamodb(), settings.orders_table_name, settings.aws_region)


@lru_cache(maxsize=1)
def order_service() -> OrderService:
    """The API's order use cases."""
    settings = get_settings()
    return OrderService(
        order_repository(),
        QueuePublisher(aws.sqs(), settings.order_creation_queue_name),
        IdempotencyStore(aws.dynamodb(), settings.orders_table_name),
        cursors(),
        checkout=Checkout(carts(), CartClaimStore(aws.dynamodb(), settings.orders_table_name)),
        vat_rate=settings.vat_rate,
    )


@lru_cache(maxsize=1)
def cursors() -> CursorCodec:
    """List cursors, signed with the stage's key (fetched once per container)."""
    settings = get_settings()
    return CursorCodec(cached_secret(aws.secretsmanager, settings.cursor_secret_id))


@lru_cache(maxsize=1)
def document_register() -> DocumentRegister:
    """The documents register in the orders table."""
    return DocumentRegister(aws.dynamodb(), get_settings().orders_table_name)


@lru_cache(maxsize=1)
def register_service() -> RegisterService:
    """`GET /v1.0/documents` and `GET /v1.0/reports/vat` (admins)."""
    return RegisterService(document_register(), cursors())


@lru_cache(maxsize=1)
def support_actions() -> SupportActions:
    """Admins' re-render and resend: queued for the document renderer."""
    return SupportActions(
        order_service(),
        SupportActionStore(aws.dynamodb(), get_settings().orders_table_name),
        renderer_queue(),
    )


@lru_cache(maxsize=1)
def carts() -> CartClient | None:
    """The Cart service client: one connection pool and one breaker per container."""
    url = get_settings().cart_api_url
    if not url:
        return None
    if not url.startswith("https://") and get_settings().environment != "local":
        raise RuntimeError(f"CART_API_URL must be HTTPS outside the local stack, not {url!r}")
    return CartClient(url)


@lru_cache(maxsize=1)
def order_updater() -> OrderUpdater:
    """`PUT /v1.0/orders/{orderId}`."""
    return OrderUpdater(order_repository())


@lru_cache(maxsize=1)
def order_recorder() -> OrderRecorder:
    """The record writer's use case."""
    settings = get_settings()
    if not settings.order_events_topic_arn:
        raise RuntimeError("ORDER_EVENTS_TOPIC_ARN is not set: the record writer cannot publish")
    return OrderRecorder(
        order_repository(),
        OrderNumbers(aws.dynamodb(), settings.orders_table_name, settings.aws_region),
        TopicPublisher(aws.sns(), settings.order_events_topic_arn),
    )


@lru_cache(maxsize=1)
def document_store() -> DocumentStore:
    """The customer's PDFs in the orders bucket."""
    return DocumentStore(aws.s3(), get_settings().orders_bucket_name)


@lru_cache(maxsize=1)
def document_service() -> DocumentService:
    """order_pdf_creator, and the invoice link route (which never renders)."""
    supplier = get_settings().supplier

    def render(order: Order, document: Document, *, copy: bool = False) -> bytes:
        from chalicelib.rendering.invoice import render_invoice  # xhtml2pdf loads on first render

        return render_invoice(order, document, supplier, copy=copy)

    return DocumentService(
        order_repository(),
        document_store(),
        render,
        supplier,
        announce=issued_documents(),
        register=document_register(),
    )


@lru_cache(maxsize=1)
def renderer_queue() -> QueuePublisher:
    """The document renderer's queue: the stream consumer's `OrderStatusChanged`, and the
    support actions' requests."""
    return QueuePublisher(aws.sqs(), topology.ORDER_PDF_CREATOR.queue_name())


@lru_cache(maxsize=1)
def issued_documents() -> QueuePublisher:
    """Where the renderer announces each stored document: the customer emailer's queue."""
    return QueuePublisher(aws.sqs(), topology.CUSTOMER_CONFIRMATION_SENDER.queue_name())


@lru_cache(maxsize=1)
def customer_emails() -> CustomerEmails:
    """customer_order_confirmation_sender: one email per document, the document attached."""
    from chalicelib.rendering.emails import CUSTOMER_EMAILS
    from chalicelib.services.customer_emails import CustomerEmails

    return CustomerEmails(notification_service(), document_store().read, CUSTOMER_EMAILS)


@lru_cache(maxsize=1)
def team_notifications() -> TeamNotifications:
    """order_internal_notification_sender: the team's email about each new order."""
    from chalicelib.rendering.emails import INTERNAL_NOTIFICATION
    from chalicelib.services.team_notifications import TeamNotifications

    return TeamNotifications(
        notification_service(), INTERNAL_NOTIFICATION, get_settings().internal_recipient_list
    )


@lru_cache(maxsize=1)
def notification_service() -> NotificationService:
    """Both email senders."""
    from chalicelib.mailer import SesMailer
    from chalicelib.rendering.emails import EmailRenderer, Sender, console_links, order_links
    from chalicelib.repositories.notifications import NotificationLedger
    from chalicelib.repositories.templates import TemplateBucket
    from chalicelib.services.notifications import NotificationService

    settings = get_settings()
    supplier = settings.supplier
    return NotificationService(
        NotificationLedger(aws.dynamodb(), settings.orders_table_name),
        EmailRenderer(
            TemplateBucket(aws.s3(), settings.templates_bucket_name).fetch,
            links=order_links(
                settings.portal_url,
                console_links(
                    settings.aws_region, settings.orders_table_name, settings.orders_bucket_name
                ),
            ),
            sender=Sender(supplier.name if supplier else "BBWS", settings.email_reply_to),
        ),
        SesMailer(aws.ses(), settings.email_from, settings.email_reply_to),
    )


def reset() -> None:
    """Forget every built collaborator (tests change the environment between cases)."""
    for factory in (
        order_repository,
        carts,
        order_service,
        cursors,
        document_register,
        register_service,
        support_actions,
        order_updater,
        order_recorder,
        document_store,
        document_service,
        renderer_queue,
        issued_documents,
        customer_emails,
        team_notifications,
        notification_service,
    ):
        factory.cache_clear()
    aws.client.cache_clear()
    get_settings.cache_clear()
