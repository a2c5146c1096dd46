"""Wiring: the real collaborators for each use case, built once per container on first use."""

from __future__ import annotations

from functools import lru_cache

from chalicelib import aws
from chalicelib.messaging import QueuePublisher, TopicPublisher
from chalicelib.repositories.idempotency import IdempotencyStore
from chalicelib.repositories.orders import OrderRepository
from chalicelib.secrets import cached_secret
from chalicelib.services.cursor import CursorCodec
from chalicelib.services.order_updates import OrderUpdater
from chalicelib.services.orders import OrderService
from chalicelib.services.recorder import OrderRecorder
from chalicelib.settings import get_settings


@lru_cache(maxsize=1)
def order_repository() -> OrderRepository:
    """The orders table."""
    return OrderRepository(aws.dynamodb(), get_settings().orders_table_name)


@lru_cache(maxsize=1)
def order_service() -> OrderService:
    """The API's order use cases."""
    settings = get_settings()
    return OrderService(
        order_repository(),
        QueuePublisher(aws.sqs(), settings.order_creation_queue_name),
        IdempotencyStore(aws.dynamodb(), settings.orders_table_name),
        CursorCodec(cached_secret(aws.secretsmanager, settings.cursor_secret_id)),
    )


@lru_cache(maxsize=1)
def order_updater() -> OrderUpdater:
    """`PUT /v1.0/orders/{orderId}`."""
    return OrderUpdater(order_repository())


@lru_cache(maxsize=1)
def order_recorder() -> OrderRecorder:
    """The record writer's use case."""
    topic_arn = get_settings().order_events_topic_arn
    if not topic_arn:
        raise RuntimeError("ORDER_EVENTS_TOPIC_ARN is not set: the record writer cannot publish")
    return OrderRecorder(order_repository(), TopicPublisher(aws.sns(), topic_arn))


def reset() -> None:
    """Forget every built collaborator (tests change the environment between cases)."""
    for factory in (order_repository, order_service, order_updater, order_recorder):
        factory.cache_clear()
    aws.client.cache_clear()
    get_settings.cache_clear()
