"""Test environment: stage `local` settings, no real AWS, a test token issuer.

Chalice's test client applies stage environment variables only per request, so the
environment is set here, before anything imports `app`.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack import aws_calls
from devstack.authorizer import TokenVerifier, install
from devstack.cart_stub import CartStore, serve
from devstack.stage import API_HANDLER, function_config
from tests.tokens import AUDIENCE, ISSUER, TestIssuer

ISSUER_FOR_TESTS = TestIssuer()
# Chalice's test client, like `chalice local`, would pass any token's claims on unverified:
# verify them as API Gateway's Cognito authorizer does (the dev stack's API does the same).
VERIFIER = TokenVerifier(ISSUER_FOR_TESTS.jwks_url, ISSUER, AUDIENCE)
install(VERIFIER)
# The Cart service stub (devstack/cart_stub.py), in this process, verifying the test tokens.
CARTS = CartStore()
CART_STUB = serve("127.0.0.1", 0, VERIFIER, CARTS)
CART_API_URL = f"http://127.0.0.1:{CART_STUB.server_address[1]}"

# Every stack a test starts records its functions' AWS calls here (devstack/aws_calls.py): the
# IAM proof (tests/infrastructure/test_iam_proof.py) evaluates them after the e2e tests.
os.environ.setdefault(aws_calls.ENV, tempfile.mkdtemp(prefix="bbws-aws-calls-"))

for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]  # never reach a real account or a running emulator
os.environ.update(function_config("local", API_HANDLER).environment)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_REGION="eu-west-1",
    POWERTOOLS_LOG_LEVEL="WARNING",
    CART_API_URL=CART_API_URL,
    # What `make run` sets for its portal origin on the default PORTAL_PORT (devstack/stack.py).
    CORS_ALLOWED_ORIGINS="http://127.0.0.1:3000,http://localhost:3000",
)


@pytest.fixture
def issuer() -> TestIssuer:
    """Signs ID tokens the service accepts (and, with overrides, ones it must refuse)."""
    return ISSUER_FOR_TESTS


@pytest.fixture(autouse=True)
def _fresh_wiring() -> Iterator[None]:
    """Every test builds its own clients and settings."""
    from chalicelib import wiring
    from devstack.cart_stub import Faults

    wiring.reset()
    yield
    wiring.reset()
    CARTS.faults = Faults()


@pytest.fixture(scope="session")
def aws_call_log() -> Path:
    """The folder this run's stacks record their functions' AWS calls in."""
    return Path(os.environ[aws_calls.ENV])


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the service logger writes, through its own JSON formatter (one JSON per line)."""
    import logging

    from chalicelib import log

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log.logger.registered_formatter)
    underlying = logging.getLogger(log.logger.name)  # Powertools' Logger wraps this one
    underlying.addHandler(handler)
    log.logger.setLevel("INFO")
    yield stream
    underlying.removeHandler(handler)
    log.reset()


# `make test` runs the suite on pytest-xdist workers (`--dist loadgroup`). Tests that share
# something expensive run on one worker, in collection order: the e2e tests share the running
# stack; the IAM proof reads the calls those tests' functions made (so it runs after them) and
# the Terraform apply that test_apply reads too; the other Terraform tests share the packaged
# workspace and the plans. Everything else is spread over the workers as they come free.
XDIST_GROUPS = (
    ("tests/e2e/", "stack"),
    ("tests/infrastructure/test_apply.py", "stack"),
    ("tests/infrastructure/test_iam_proof.py", "stack"),
    ("tests/infrastructure/", "terraform"),
)


def xdist_group(nodeid: str) -> str | None:
    """The group a test runs in (`XDIST_GROUPS`), or None: any worker."""
    return next((group for prefix, group in XDIST_GROUPS if nodeid.startswith(prefix)), None)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` with the groups above, by path.

    xdist's own loadgroup reads `xdist_group` marks by renaming each test's node id, which
    pytest 9.2 no longer allows (the id is `Node._id`), so every test would run anywhere. The
    scheduler's scope of a test is what keeps a group on one worker: here it is the group's name.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group(nodeid) or nodeid

    return ByGroup(config, log)
