"""`make run`: the emulator, provisioning, `chalice local` and one SQS poller per function.

Children run in their own process groups (so Ctrl-C reaches only this supervisor, which stops
them in order: pollers, API, emulator) and get SIGKILL if the supervisor dies (PR_SET_PDEATHSIG).
Their pids are kept in `.local/pids.json`, so a start after a crash first ends the leftovers.
A poller that dies is started again, as Lambda's event source mapping would be (its in-flight
messages come back after the visibility timeout); the emulator or the API dying stops the stack.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from chalicelib.topology import CONSUMERS, ORDER_STATUS_STREAM
from devstack import portal
from devstack.stage import API_HANDLER, PROJECT_DIR, function_config
from orderctl.profiles import STACK_FILE_NAME

# Overridable so tests can run a stack beside a developer's own `make run`; orderctl's `local`
# profile reads the stack file here (orderctl/profiles.py).
STATE_DIR = Path(os.environ.get("LOCAL_STATE_DIR", PROJECT_DIR / ".local"))
PIDS_FILE_NAME = "pids.json"  # our children, so a start after a crash ends the leftovers
HOST = "127.0.0.1"
REGION = "eu-west-1"
RESTARTS_PER_MINUTE = 5  # more, and a poller is crash-looping: stop rather than spin
# Markers that identify our own children in /proc/<pid>/cmdline before anything is killed.
# One SQS poller process per function, named for the log prefix.
POLLERS = {consumer.function: consumer.short_name for consumer in CONSUMERS}
STREAM = ORDER_STATUS_STREAM.short_name  # the table's stream consumer, one process
# Children that may die and be started again: the pollers (their messages come back after the
# visibility timeout) and the Cart stub (its carts are lost, as a restarted stub's would be).
RESTARTABLE = frozenset({*POLLERS.values(), STREAM, "cart", "portal"})
MARKERS = {
    "emulator": "devstack.emulator",
    "api": "devstack.api_server",
    "cart": "devstack.cart_stub",
    "portal": "devstack.portal",
    **dict.fromkeys(POLLERS.values(), "devstack.poller"),
    STREAM: "devstack.stream_poller",
}


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader (the e2e tests, orderctl) never sees it half written."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


class StackError(Exception):
    """A start-up problem with a message for the person at the terminal."""


@dataclass(frozen=True)
class Ports:
    """Where the emulator, the API, the Cart stub and the portal origin listen
    (`AWS_EMULATOR_PORT`, `API_PORT`, `CART_PORT`, `PORTAL_PORT`)."""

    emulator: int
    api: int
    cart: int = 8010
    portal: int = 3000

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ[str] = os.environ) -> Ports:
        """Ports from the environment, defaulting to 5000, 8000 and 8010."""
        try:
            return cls(
                int(env.get("AWS_EMULATOR_PORT", "5000")),
                int(env.get("API_PORT", "8000")),
                int(env.get("CART_PORT", "8010")),
                int(env.get("PORTAL_PORT", "3000")),
            )
        except ValueError as exc:
            raise StackError(
                f"AWS_EMULATOR_PORT, API_PORT, CART_PORT and PORTAL_PORT must be numbers: {exc}"
            ) from exc


def _die_with_parent() -> None:
    """In the child: get SIGKILL when the supervisor dies, however it dies.

    SIGKILL, not SIGTERM: a child whose main thread is blocked on a lock never runs a Python
    signal handler, and once outlived a crashed supervisor. Nothing is lost by it: the emulator's
    state dies with the emulator, and a poller's containers finish their batch and exit.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def end_leftovers(state_dir: Path) -> list[int]:
    """Stop what a crashed run left behind; refuse if another supervisor is still running."""
    pids_file = state_dir / PIDS_FILE_NAME
    if not pids_file.exists():
        return []
    try:
        recorded = json.loads(pids_file.read_text())
    except ValueError:
        recorded = {}
    supervisor = int(recorded.get("supervisor", 0))
    if (
        supervisor
        and supervisor != os.getpid()
        and _alive(supervisor)
        and "devstack" in _cmdline(supervisor)
    ):
        raise StackError(
            f"Another local stack is running (pid {supervisor}); "
            f"stop it first (Ctrl-C there, or kill {supervisor})."
        )
    ended = []
    for name, pid in recorded.get("children", {}).items():
        if _alive(pid) and MARKERS.get(name, "\0") in _cmdline(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            ended.append(pid)
    pids_file.unlink(missing_ok=True)
    return ended


def ensure_free(port: int, variable: str) -> None:
    """Fail early and clearly when a port is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise StackError(
                f"Port {port} is in use ({exc.strerror}); free it or set {variable}=<port>."
            ) from exc


def wait_until(
    check: Any, what: str, timeout_s: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll `check()` until truthy; fail if the process died or the time ran out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"{what} exited with code {process.returncode}; see .local/logs/")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise StackError(f"{what} was not ready after {timeout_s:.0f}s; see .local/logs/")


def http_ok(url: str) -> bool:
    import urllib.request

    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
        return bool(response.status == 200)


class Supervisor:
    """Starts, watches and stops the stack's processes."""

    def __init__(
        self, stage: str, ports: Ports, state_dir: Path = STATE_DIR, echo: IO[str] = sys.stdout
    ) -> None:
        self.stage = stage
        self.ports = ports
        self.state_dir = state_dir
        self.logs_dir = state_dir / "logs"
        self.echo = echo
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self._commands: dict[str, tuple[list[str], dict[str, str], bool]] = {}
        self._restarts: dict[str, list[float]] = {}
        self.stopping = threading.Event()
        self.running = False  # set once up: a signal then stops cleanly instead of aborting start
        self._echo_lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        """The emulator's URL (what `AWS_ENDPOINT_URL` is set to)."""
        return f"http://{HOST}:{self.ports.emulator}"

    @property
    def api_url(self) -> str:
        """The local API's URL."""
        return f"http://{HOST}:{self.ports.api}"

    @property
    def cart_url(self) -> str:
        """The Cart service stub's URL (the API's `CART_API_URL`)."""
        return f"http://{HOST}:{self.ports.cart}"

    @property
    def portal_url(self) -> str:
        """The portal origin's URL (the portal page, the API reference; on the local CORS list)."""
        return f"http://{HOST}:{self.ports.portal}"

    @property
    def cors_origins(self) -> list[str]:
        """The local API's CORS list: the portal origin, by address and by name."""
        return [self.portal_url, f"http://localhost:{self.ports.portal}"]

    def _write_pids(self) -> None:
        pids = {"supervisor": os.getpid(), "children": {n: p.pid for n, p in self.children.items()}}
        write_atomically(self.state_dir / PIDS_FILE_NAME, json.dumps(pids))

    def _pump(self, name: str, stream: IO[bytes], log_file: Path, show: bool) -> None:
        with log_file.open("ab") as sink:
            for line in iter(stream.readline, b""):
                sink.write(line)
                sink.flush()
                if show:
                    with self._echo_lock:
                        self.echo.write(f"{name:<8}| {line.decode(errors='replace')}")
                        self.echo.flush()

    def spawn(
        self, name: str, argv: list[str], env: dict[str, str], show: bool = True
    ) -> subprocess.Popen[bytes]:
        """Start a child in its own process group, its output to .local/logs/<name>.log."""
        process = subprocess.Popen(
            argv,
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only sets the parent-death signal
        )
        self.children[name] = process
        self._commands[name] = (argv, env, show)
        self._write_pids()
        assert process.stdout is not None
        threading.Thread(
            target=self._pump,
            args=(name, process.stdout, self.logs_dir / f"{name}.log", show),
            daemon=True,
        ).start()
        return process

    def child_env(self, extra: dict[str, str]) -> dict[str, str]:
        """The children's environment: never real AWS credentials, always the emulator."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",  # noqa: S106 - the emulator ignores credentials
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_ENDPOINT_URL=self.endpoint,
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def start(self) -> dict[str, Any]:
        """Bring the whole stack up; returns the stack description (also `stack.json`)."""
        self._prepare()
        self._start_emulator()
        made, environment = self._provision()
        env = self.child_env(self._dynamic(made))
        stack = self._describe(made, environment)
        waiting = self._start_servers(env, stack)
        pollers = self._start_pollers(env)
        for what, url, process in waiting:
            wait_until(partial(http_ok, url), what, 60, process)
        for name, (process, ready) in pollers.items():
            what = "The stream consumer" if name == STREAM else f"The SQS poller for {name}"
            wait_until(ready.exists, what, 60, process)
        write_atomically(self.state_dir / STACK_FILE_NAME, json.dumps(stack, indent=2))
        return stack

    def _prepare(self) -> None:
        """State and log folders; a previous run's processes ended; every port free."""
        self.state_dir.mkdir(exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        end_leftovers(self.state_dir)
        ensure_free(self.ports.emulator, "AWS_EMULATOR_PORT")
        ensure_free(self.ports.api, "API_PORT")
        ensure_free(self.ports.cart, "CART_PORT")
        ensure_free(self.ports.portal, "PORTAL_PORT")
        (self.state_dir / STACK_FILE_NAME).unlink(missing_ok=True)
        self._write_pids()

    def _start_emulator(self) -> None:
        argv = [sys.executable, "-m", "devstack.emulator", "-H", HOST, "-p"]
        emulator = self.spawn(
            "emulator", [*argv, str(self.ports.emulator)], self.child_env({}), show=False
        )
        wait_until(lambda: http_ok(f"{self.endpoint}/moto-api/"), "The AWS emulator", 30, emulator)

    def _provision(self) -> tuple[Any, dict[str, str]]:
        """Every resource of the stage in the emulator, as Terraform makes them in AWS."""
        from devstack.provision import provision

        environment = function_config(self.stage, API_HANDLER).environment
        timeouts = {
            c.function: function_config(self.stage, c.function).timeout_s for c in CONSUMERS
        }
        return provision(self._client, environment, REGION, timeouts), environment

    def _dynamic(self, made: Any) -> dict[str, str]:
        """The settings only known once the stack runs: ids the emulator chose, real ports."""
        return {
            "ORDER_EVENTS_TOPIC_ARN": made.topic_arn,
            "COGNITO_USER_POOL_ID": made.user_pool_id,
            "COGNITO_APP_CLIENT_ID": made.user_pool_client_id,
            "COGNITO_JWKS_URL": f"{self.endpoint}/{made.user_pool_id}/.well-known/jwks.json",
            "COGNITO_ISSUER": f"https://cognito-idp.{REGION}.amazonaws.com/{made.user_pool_id}",
            "CART_API_URL": self.cart_url,
            # The portal origin's real port (PORTAL_PORT moves it; stage local's list says 3000).
            "CORS_ALLOWED_ORIGINS": ",".join(self.cors_origins),
            "PORTAL_URL": self.portal_url,  # customer emails link to its /orders/{orderId}
        }

    def _describe(self, made: Any, environment: dict[str, str]) -> dict[str, Any]:
        """What stack.json says (written once every child is up); the portal's config is part."""
        return {
            "apiUrl": self.api_url,
            "cartApiUrl": self.cart_url,
            "awsEndpointUrl": self.endpoint,
            "region": REGION,
            "stage": self.stage,
            "userPoolId": made.user_pool_id,
            "userPoolClientId": made.user_pool_client_id,
            "tableName": made.table_name,
            "ordersBucket": made.orders_bucket,
            "templatesBucket": made.templates_bucket,
            "topicArn": made.topic_arn,
            "queues": made.queues,
            "streamDlqUrl": made.stream_dlq_url,
            # Origins a browser may call the API from (the local API's CORS_ALLOWED_ORIGINS).
            "corsOrigins": self.cors_origins,
            "portalUrl": self.portal_url,
            "apiReferenceUrl": f"{self.portal_url}/api/",
            "mailUrl": f"{self.portal_url}/mail",
            # The supplier's particulars on the documents (the stage's SUPPLIER_PARTICULARS).
            "supplier": json.loads(environment.get("SUPPLIER_PARTICULARS") or "null"),
            "users": made.users,
            "logs": str(self.logs_dir),
        }

    def _start_servers(
        self, env: dict[str, str], stack: dict[str, Any]
    ) -> list[tuple[str, str, subprocess.Popen[bytes]]]:
        """The Cart stub, the portal origin and the API: (what, health URL, process) each."""
        python = sys.executable
        cart = self.spawn(
            "cart",
            [python, "-m", "devstack.cart_stub", "--host", HOST, "--port", str(self.ports.cart)],
            env,
        )
        portal_config = self.state_dir / "portal.json"
        write_atomically(portal_config, json.dumps(portal.config_for(stack), indent=2))
        portal_argv = [python, "-m", "devstack.portal", "--host", HOST]
        portal_argv += ["--port", str(self.ports.portal), "--config", str(portal_config)]
        portal_server = self.spawn("portal", portal_argv, env)
        api_argv = [python, "-m", "devstack.api_server", "--stage", self.stage, "--host", HOST]
        api = self.spawn("api", [*api_argv, "--port", str(self.ports.api), "--no-autoreload"], env)
        return [
            ("The API (chalice local)", f"{self.api_url}/health", api),
            ("The Cart service stub", f"{self.cart_url}/health", cart),
            ("The portal origin", f"{self.portal_url}/health", portal_server),
        ]

    def _start_pollers(
        self, env: dict[str, str]
    ) -> dict[str, tuple[subprocess.Popen[bytes], Path]]:
        """One poller process per function, as Lambda isolates functions, and the stream's."""
        pollers = {}
        for consumer in CONSUMERS:
            name = POLLERS[consumer.function]
            ready = self.state_dir / f"{name}.ready"
            ready.unlink(missing_ok=True)
            argv = [sys.executable, "-m", "devstack.poller", self.stage, str(ready)]
            pollers[name] = (self.spawn(name, [*argv, consumer.function], env), ready)
        ready = self.state_dir / f"{STREAM}.ready"
        ready.unlink(missing_ok=True)
        stream_argv = [sys.executable, "-m", "devstack.stream_poller", self.stage, str(ready)]
        pollers[STREAM] = (self.spawn(STREAM, stream_argv, env), ready)
        return pollers

    def _client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106
        )

    def watch(self) -> int:
        """Block until a signal (exit 0) or until the stack cannot go on (exit 1)."""
        while not self.stopping.wait(0.5):
            for name, process in list(self.children.items()):
                if process.poll() is None:
                    continue
                if name in RESTARTABLE and self.restart(name):
                    continue
                self.say(
                    f"{name} exited unexpectedly with code {process.returncode}; "
                    f"stopping. See {self.logs_dir}/{name}.log"
                )
                return 1
        return 0

    def restart(self, name: str) -> bool:
        """Start a dead poller or Cart stub again; False when it died too often to keep trying."""
        now = time.monotonic()
        recent = [t for t in self._restarts.get(name, []) if now - t < 60]
        if len(recent) >= RESTARTS_PER_MINUTE:
            return False
        self._restarts[name] = [*recent, now]
        code = self.children[name].returncode
        why = {
            "cart": "the carts it held are gone",
            "portal": "it keeps nothing",
        }.get(name, "messages it had in flight come back after their queue's visibility timeout")
        self.say(f"{name} exited with code {code}; starting it again ({why})")
        argv, env, show = self._commands[name]
        self.spawn(name, argv, env, show)
        return True

    def stop(self) -> None:
        """Stop in stages: every poller (batches finish), then the API, then the emulator."""
        stages = (
            ([*POLLERS.values(), STREAM], 15),
            (["api", "cart", "portal"], 5),
            (["emulator"], 5),
        )
        for stage, grace_s in stages:
            running = [
                p for p in (self.children.get(name) for name in stage) if p and p.poll() is None
            ]
            for process in running:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            for process in running:
                try:
                    process.wait(timeout=grace_s)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        stale = [
            PIDS_FILE_NAME,
            STACK_FILE_NAME,
            *(f"{name}.ready" for name in POLLERS.values()),
        ]
        for name in stale:  # nothing that says "running" survives a stop
            (self.state_dir / name).unlink(missing_ok=True)

    def say(self, text: str) -> None:
        """A line from the supervisor itself."""
        with self._echo_lock:
            self.echo.write(f"{'stack':<8}| {text}\n")
            self.echo.flush()


def try_it(stack: dict[str, Any], token: str, elapsed_s: float) -> str:
    """The block printed once the stack is up: URLs, users and working curl lines."""
    api, carts = stack["apiUrl"], stack["cartApiUrl"]
    cart = json.dumps(
        {"items": [{"productId": "wp-pro", "quantity": 2}], "campaignCode": "SUMMER25"}
    )
    order = json.dumps(
        {
            "cartId": "$CART",
            "customerEmail": "jane@example.com",
            "billingAddress": {
                "fullName": "Jane Doe",
                "line1": "1 Long St",
                "city": "Cape Town",
                "postalCode": "8001",
                "country": "ZA",
            },
        }
    ).replace('"$CART"', '"\'"$CART"\'"')
    users = "\n".join(
        f"    {u['username']:<26} tenant {u['tenantId']:<9} {' '.join(u['groups'])}"
        for u in stack["users"]
    )
    return f"""
BBWS Order service is running (stage {stack["stage"]}, up in {elapsed_s:.1f}s)
  API        {api}
  Cart stub  {carts}   (the Cart service: catalog at /v1.0/products)
  Portal     {stack["portalUrl"]}/   (sign in, order, download, cancel: in a browser)
  Reference  {stack["apiReferenceUrl"]}   (the API in Swagger UI, on the portal origin)
  Mail       {stack["mailUrl"]}   (every email sent, PDFs attached; or `orderctl mail list`)
  Emulator   {stack["awsEndpointUrl"]}   (AWS_ENDPOINT_URL for boto3 / aws --endpoint-url)
  Stack      .local/stack.json   Logs  {stack["logs"]}/
  Users (passwords in .local/stack.json):
{users}

Try it (the token is alice's, valid for an hour; get a fresh one with
`.venv/bin/python -m devstack.token alice@tenant-a.example`): fill a cart, order it.

  export TOKEN='{token}'
  CART=$(curl -s -X POST {carts}/v1.0/carts -H "Authorization: Bearer $TOKEN" \\
       -H 'Content-Type: application/json' -d '{cart}' | sed 's/.*"cartId": "\\([^"]*\\)".*/\\1/')
  curl -s -X POST {api}/v1.0/orders -H "Authorization: Bearer $TOKEN" \\
       -H 'Content-Type: application/json' -d '{order}'
  curl -s {api}/v1.0/orders/<orderId from the answer> -H "Authorization: Bearer $TOKEN"

Paying is the payment system's (payments@bbws.example); customers may cancel.

Ctrl-C stops everything.
"""


def main() -> int:
    """Run the stack in the foreground until Ctrl-C / SIGTERM."""
    from devstack.token import id_token

    started = time.monotonic()
    stage = os.environ.get("STAGE", "local")
    try:
        supervisor = Supervisor(stage, Ports.from_env())
    except StackError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 2

    def on_signal(signum: int, _frame: Any) -> None:
        supervisor.stopping.set()
        if not supervisor.running:
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = 0
    try:
        stack = supervisor.start()
        supervisor.running = True
        print(
            try_it(
                stack, id_token(stack, stack["users"][0]["username"]), time.monotonic() - started
            ),
            flush=True,
        )
        code = supervisor.watch()
    except StackError as exc:
        supervisor.say(f"could not start: {exc}")
        code = 2
    except KeyboardInterrupt:
        code = 0
    finally:
        supervisor.say("stopping…")
        supervisor.stop()
        supervisor.say("stopped")
    return code
