"""One typed settings object, read from the environment on first use (never at import)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from pydantic import BaseSettings, Field, validator

from chalicelib import SERVICE_NAME
from chalicelib.models.money import STATUTORY_VAT_RATE
from chalicelib.models.supplier import Supplier

_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(?::[0-9]{1,5})?$")


def parse_origins(value: str) -> tuple[str, ...]:
    """A comma-separated origin list (`CORS_ALLOWED_ORIGINS`); ValueError on anything else."""
    origins = tuple(o.strip() for o in value.split(",") if o.strip())
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"{origin!r} is not an origin: scheme://host[:port], lower case, no path, no '*'"
            )
    return origins


class Settings(BaseSettings):
    """Every name and switch the service reads; resource names come from the stage config."""

    environment: str = Field(..., env="APP_ENV", description="local, dev, sit or prod")
    service_name: str = Field(SERVICE_NAME, env="POWERTOOLS_SERVICE_NAME")
    aws_region: str = Field("eu-west-1", env="AWS_REGION")
    aws_endpoint_url: str | None = Field(None, env="AWS_ENDPOINT_URL")

    orders_table_name: str = Field(..., env="ORDERS_TABLE_NAME")
    order_creation_queue_name: str = Field(..., env="ORDER_CREATION_QUEUE_NAME")
    # Each processor's queue (topology.Consumer.queue_env names them): every function of a stage
    # has them all, since app.py declares every handler.
    order_pdf_queue_name: str | None = Field(None, env="ORDER_PDF_QUEUE_NAME")
    internal_notification_queue_name: str | None = Field(
        None, env="INTERNAL_NOTIFICATION_QUEUE_NAME"
    )
    customer_confirmation_queue_name: str | None = Field(
        None, env="CUSTOMER_CONFIRMATION_QUEUE_NAME"
    )
    cognito_user_pool_arn: str = Field(
        "", env="COGNITO_USER_POOL_ARN", description="comma-separated: the routes' authorizer"
    )
    metrics_namespace: str = Field("BBWS/Orders", env="POWERTOOLS_METRICS_NAMESPACE")
    order_events_topic_arn: str | None = Field(None, env="ORDER_EVENTS_TOPIC_ARN")
    orders_bucket_name: str = Field(..., env="ORDERS_BUCKET_NAME")
    templates_bucket_name: str = Field(..., env="TEMPLATES_BUCKET_NAME")
    cursor_secret_id: str = Field(..., env="CURSOR_SECRET_ID", description="signs list cursors")
    email_sender: str = Field(..., env="EMAIL_SENDER")
    email_reply_to: str | None = Field(
        None,
        env="EMAIL_REPLY_TO",
        description="where customers' replies go: the supplier's billing address, read by a person",
    )
    portal_url: str | None = Field(
        None,
        env="PORTAL_URL",
        description="the customer portal; customer emails link to {portalUrl}/orders/{orderId}",
    )
    internal_recipients: str = Field(
        ..., env="INTERNAL_NOTIFICATION_RECIPIENTS", description="comma-separated"
    )

    cart_api_url: str | None = Field(
        None, env="CART_API_URL", description="the Cart service's base URL (HTTPS in AWS)"
    )

    vat_rate: Decimal = Field(
        STATUTORY_VAT_RATE,
        env="VAT_RATE",
        description="VAT % inside prices, e.g. 15.00 (0 where the supplier is not VAT-registered)",
    )

    cors_allowed_origins: str = Field(
        "",
        env="CORS_ALLOWED_ORIGINS",
        description="comma-separated origins browsers may call the API from (API.md, Browsers)",
    )

    @validator("cors_allowed_origins")
    def _origins(cls, value: str) -> str:
        parse_origins(value)
        return value

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """The origins on the stage's CORS allow-list."""
        return parse_origins(self.cors_allowed_origins)

    supplier_particulars: str | None = Field(
        None,
        env="SUPPLIER_PARTICULARS",
        description="JSON: the supplier's name, address, VAT number, bank (models/supplier.py)",
    )

    @validator("supplier_particulars")
    def _supplier_json(cls, value: str | None) -> str | None:
        if value:
            Supplier.parse_raw(value)  # a malformed setting fails at start, not at the invoice
        return value or None

    @property
    def email_from(self) -> str:
        """`"<supplier name>" <sender>` (API.md revision 3); the bare sender where the stage has
        no supplier particulars. A non-ASCII name is RFC 2047-encoded, as SES requires."""
        from email.utils import formataddr

        supplier = self.supplier
        return formataddr((supplier.name, self.email_sender)) if supplier else self.email_sender

    @property
    def supplier(self) -> Supplier | None:
        """The supplier's particulars; None where the stage has none (no tax invoices)."""
        return Supplier.parse_raw(self.supplier_particulars) if self.supplier_particulars else None

    @validator("vat_rate")
    def _a_percentage(cls, rate: Decimal) -> Decimal:
        if not Decimal(0) <= rate < Decimal(100) or rate != rate.quantize(Decimal("0.01")):
            raise ValueError("VAT_RATE must be a percentage from 0 to under 100, two decimals")
        return rate.quantize(Decimal("0.01"))

    def named(self, env: str) -> str:
        """The value of the setting read from the environment variable `env` (a queue's name,
        from `topology.Consumer.queue_env`); RuntimeError naming it when it is unset."""
        name = next(
            (n for n, f in type(self).__fields__.items() if f.field_info.extra.get("env") == env),
            None,
        )
        if name is None:
            raise KeyError(f"no setting reads {env}")
        value = getattr(self, name)
        if not value:
            raise RuntimeError(f"{env} is not set: run with a stage from .chalice/config.json")
        return str(value)

    @property
    def user_pool_arns(self) -> list[str]:
        """The Cognito user pools whose ID tokens the routes accept."""
        return [arn for arn in self.cognito_user_pool_arn.split(",") if arn]

    @property
    def internal_recipient_list(self) -> list[str]:
        """The internal team's addresses."""
        return [a.strip() for a in self.internal_recipients.split(",") if a.strip()]

    class Config:
        frozen = True


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated on first use."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment
