"""The dev stack emulator's state document (`/moto-api/data.json`, devstack/emulator.py).

moto's own handler answered 500 when an attribute changed or failed while it was read (a CI run's
mail viewer met one); the emulator's answers what moto's does, for one service when asked, and
leaves out what cannot be read instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.model_instances import model_data
from moto.moto_api._internal import urls
from moto.moto_api._internal.responses import MotoAPIResponse

from devstack import emulator
from orderctl import mail
from tests.sample import send_simple_email


class Flaky:
    """A tracked model whose attributes fail as live ones can while other requests run."""

    def __init__(self) -> None:
        self.name = "flaky"
        self.blob = b"json cannot say bytes"
        self.reads = 0

    @property
    def changing(self) -> dict[str, int]:
        self.reads += 1
        if self.reads < 3:
            raise RuntimeError("dictionary changed size during iteration")
        return {"a": 1}

    @property
    def always_changing(self) -> dict[str, int]:
        raise RuntimeError("dictionary changed size during iteration")

    @property
    def broken(self) -> str:
        raise KeyError("gone")


class FlakyModel:
    instances_tracked: list[Any]


@pytest.fixture
def flaky() -> Iterator[Flaky]:
    instance = Flaky()
    model = FlakyModel()
    model.instances_tracked = [instance]
    model_data["bbws-test"]["Flaky"] = model
    yield instance
    del model_data["bbws-test"]


def test_an_attribute_that_fails_while_read_is_read_again_or_left_out(flaky: Flaky) -> None:
    with pytest.raises(RuntimeError):  # what moto's own handler let through as a 500
        MotoAPIResponse().model_data(None, "", {})
    flaky.reads = 0
    document = json.loads(emulator.state_document({"bbws-test"}))
    assert document == {
        "bbws-test": {"Flaky": [{"changing": {"a": 1}, "name": "flaky", "reads": 3}]}
    }


def test_the_document_is_moto_s_and_narrows_to_the_services_asked_for() -> None:
    with mock_aws():
        send_simple_email()
        boto3.client("sqs", region_name="eu-west-1").create_queue(QueueName="q")
        _, _, body = MotoAPIResponse().model_data(None, "", {})
        assert json.loads(emulator.state_document()) == json.loads(body)

        _, headers, ses_only = emulator.state_document_response(
            None, "http://localhost/moto-api/data.json?service=ses", {}
        )
        assert headers["Content-Type"] == "application/json"
        assert list(json.loads(ses_only)) == ["ses"]
        [sent] = mail.from_state(json.loads(ses_only))
        assert (sent.subject, sent.to, sent.html) == ("hi", ["jane@example.com"], "<p>hi</p>")
        both = emulator.state_document_response(
            None, "http://localhost/moto-api/data.json?service=ses&service=sqs", {}
        )[2]
        assert sorted(json.loads(both)) == ["ses", "sqs"]


def test_the_emulator_serves_its_state_document() -> None:
    original = urls.url_paths["{0}/moto-api/data.json"]
    try:
        emulator.use_safe_state_document()
        assert urls.url_paths["{0}/moto-api/data.json"] is emulator.state_document_response
    finally:
        urls.url_paths["{0}/moto-api/data.json"] = original
