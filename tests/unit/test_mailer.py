"""SES answers: a refusal is permanent (no retry, no DLQ); throttling and outages are retried."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from chalicelib.errors import DependencyFailed
from chalicelib.mailer import SesMailer
from chalicelib.ports import Email, EmailRefused

EMAIL = Email(subject="s", html="<p>h</p>", text="t")


def _mailer_answering(code: str, status: int = 400) -> SesMailer:
    client = boto3.client(
        "ses", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )  # fmt: skip
    stubber = Stubber(client)
    stubber.add_client_error(
        "send_email", service_error_code=code, service_message="no", http_status_code=status
    )
    stubber.activate()
    return SesMailer(client, "orders@bbws.io")


@pytest.mark.parametrize("code", ["InvalidParameterValue", "MessageRejected"])
def test_a_refusal_is_permanent(code: str) -> None:
    with pytest.raises(EmailRefused) as caught:
        _mailer_answering(code).send(["jane@example.com"], EMAIL)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("code", "status"),
    [("Throttling", 400), ("ServiceUnavailable", 503), ("AccountSendingPausedException", 400)],
)
def test_throttling_and_outages_are_retried(code: str, status: int) -> None:
    with pytest.raises(DependencyFailed) as caught:
        _mailer_answering(code, status).send(["jane@example.com"], EMAIL)
    assert code in str(caught.value.__cause__)
