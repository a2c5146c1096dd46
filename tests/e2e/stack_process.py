"""Start and stop the real local stack (`python -m devstack`) as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devstack.stage import PROJECT_DIR

if TYPE_CHECKING:
    from orderctl.mail import Mail


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningStack:
    """One `make run` equivalent in its own state directory and ports."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "COGNITO_", "CART_", "PORTAL_", "CORS_"))
        }
        self.env.update(
            LOCAL_STATE_DIR=str(state_dir),
            AWS_EMULATOR_PORT=str(free_port()),
            API_PORT=str(free_port()),
            CART_PORT=str(free_port()),
            PORTAL_PORT=str(free_port()),
            # Poison messages reach their DLQ in seconds (the DLQ tests need that).
            LOCAL_RETRY_DELAY_S="1",
            # Each hop waits its batching window (up to 5 s) when a batch is not full: capped,
            # an order crosses the stack in about two seconds (devstack/poller.py).
            LOCAL_BATCHING_WINDOW_S="0.5",
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.log = state_dir / "supervisor.out"

    def start(self, timeout_s: float = 90) -> dict[str, Any]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        stack_file = self.state_dir / "stack.json"
        stack_file.unlink(missing_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devstack"],
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the stack exited early:\n{self.log.read_text()[-3000:]}")
            if stack_file.exists() and "Ctrl-C stops everything" in self.log.read_text():
                return json.loads(stack_file.read_text())  # type: ignore[no-any-return]
            time.sleep(0.2)
        self.stop()  # a stack that never said it was ready must not outlive the test run
        raise AssertionError(f"the stack did not start:\n{self.log.read_text()[-3000:]}")

    def children(self) -> dict[str, int]:
        pids_file = self.state_dir / "pids.json"
        return json.loads(pids_file.read_text())["children"] if pids_file.exists() else {}

    def send(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Ctrl-C by default; SIGTERM is what a process manager sends."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signum)
        return self.process.wait(timeout=40)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False


def stack_client(stack: dict[str, Any], service: str) -> Any:
    """A boto3 client of a running stack's emulator (its description from stack.json)."""
    import boto3

    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=stack["awsEndpointUrl"],
        region_name=stack["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def queue_counts(sqs: Any, url: str) -> tuple[int, int]:
    """(waiting, in flight) of a queue."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(found[names[0]]), int(found[names[1]])


def sent_emails(stack: dict[str, Any]) -> list[dict[str, str]]:
    """Every email the emulator's SES took: `to` (first recipient), `subject` and `body`.

    Read as the mail viewer reads them (orderctl/mail.py): SendEmail keeps its HTML body;
    SendRawEmail (a customer email with its PDF) keeps the MIME text, whose text and HTML parts
    are `body` here.
    """
    from orderctl import mail

    return [
        {
            "to": m.to[0],
            "subject": m.subject,
            "body": "\n".join(part for part in (m.text, m.html) if part is not None),
        }
        for m in mail.fetch(stack["awsEndpointUrl"])
    ]


def emails_to(stack: dict[str, Any], recipient: str) -> list[Mail]:
    """The emails to `recipient`, oldest first, read as the mail viewer reads them."""
    from orderctl import mail

    return [m for m in reversed(mail.fetch(stack["awsEndpointUrl"])) if recipient in m.to]


def eventually(check: Callable[[], Any], limit_s: float, what: str) -> Any:
    """What `check` finds once it finds something, within `limit_s`."""
    deadline = time.monotonic() + limit_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} did not happen within {limit_s}s"
        time.sleep(0.3)
    return found
