"""A developer's own copy of the service in their own AWS account (docs/sandbox.md).

    make sandbox-up   SANDBOX=jdoe EMAIL=jdoe@example.com   # package, plan, ask, apply
    make sandbox-user SANDBOX=jdoe EMAIL=alice@example.com TENANT=tenant-a [GROUP=admin]
    make sandbox-down SANDBOX=jdoe                           # ask, destroy, forget

Every name ends in `sbx-{id}` (the Terraform variable `environment`), there is no custom domain
(the API answers on its execute-api URL) and no DR region; the sandbox makes its own Cognito pool.
The state lives in the checkout, `.sandbox/{id}/` (with the settings `up` was given, so `down`
needs only the id). The credentials are whatever boto3 and Terraform find (`AWS_PROFILE`, SSO):
the script refuses the dev, sit and prod accounts.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.provision import add_user, new_password
from scripts import terraform

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = ROOT / "infrastructure" / "environments" / "sandbox"
STATES = ROOT / ".sandbox"
SHARED_VARS = "sandbox.tfvars"
DEFAULT_REGION = "eu-west-1"  # the DEV and SIT region; REGION= picks another
PLAN_FILE = "sandbox.tfplan"
ID = re.compile(r"[a-z][a-z0-9]{1,6}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
# The service's own accounts (their tfvars): a sandbox never goes there.
SHARED_ACCOUNTS = ("dev", "sit", "prod")

Runner = Callable[[Sequence[str], Path], int]
Capture = Callable[[Sequence[str], Path], str]


class SandboxError(RuntimeError):
    """The command cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Sandbox:
    """One developer's sandbox: its id and where its state and settings live."""

    id: str
    states: Path = STATES

    def __post_init__(self) -> None:
        if not ID.fullmatch(self.id):
            raise SandboxError(
                f"sandbox id {self.id!r}: 2 to 7 lower-case letters and digits, a letter first "
                "(e.g. your initials); every name ends in sbx-{id} and must stay within AWS's "
                "64-character names"
            )

    @property
    def environment(self) -> str:
        return f"sbx-{self.id}"

    @property
    def home(self) -> Path:
        return self.states / self.id

    @property
    def state(self) -> Path:
        return self.home / "terraform.tfstate"

    @property
    def variables(self) -> Path:
        return self.home / "sandbox.tfvars.json"

    @property
    def outputs(self) -> Path:
        return self.home / "outputs.json"


def shared_accounts(environments: Path = DIRECTORY.parent) -> dict[str, str]:
    """The dev, sit and prod account ids, from their tfvars."""
    accounts = {}
    for name in SHARED_ACCOUNTS:
        text = (environments / name / f"{name}.tfvars").read_text()
        match = re.search(r'^account_id\s*=\s*"(\d{12})"', text, re.MULTILINE)
        if match:
            accounts[match.group(1)] = name
    return accounts


def check_account(account: str, environments: Path = DIRECTORY.parent) -> None:
    """Refuse the service's own accounts: a sandbox belongs in the developer's."""
    stage = shared_accounts(environments).get(account)
    if stage:
        raise SandboxError(
            f"these credentials are for account {account}, the service's {stage.upper()} "
            "account: a sandbox goes in your own account (set AWS_PROFILE to it)"
        )


def settings(
    sandbox: Sandbox,
    account: str,
    email: str,
    *,
    ses_identity: str | None = None,
    cart_api_url: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """The sandbox's own Terraform variables (the shared ones are in sandbox.tfvars)."""
    if not EMAIL.fullmatch(email):
        raise SandboxError(f"EMAIL={email!r} is not an email address (alarms and mail go there)")
    identity = ses_identity or email
    sender = identity if "@" in identity else f"no-reply@{identity}"
    if cart_api_url and not cart_api_url.startswith("https://"):
        raise SandboxError(f"CART_API_URL={cart_api_url!r}: the functions only call HTTPS")
    values: dict[str, Any] = {
        "environment": sandbox.environment,
        "account_id": account,
        "alert_emails": [email],
        "ses_identity": identity,
        "settings": {
            "EMAIL_SENDER": sender,
            "INTERNAL_NOTIFICATION_RECIPIENTS": email,
            **({"CART_API_URL": cart_api_url} if cart_api_url else {}),
        },
        "region": region or DEFAULT_REGION,
        "tags": {"Owner": email, "Sandbox": sandbox.id},
    }
    return values


def stream(args: Sequence[str], cwd: Path) -> int:
    """Terraform with its output on the terminal (applies take minutes: show the progress)."""
    executable = terraform.binary()
    if executable is None:
        raise SandboxError("terraform is not installed (https://developer.hashicorp.com/terraform)")
    return subprocess.call([executable, *args], cwd=cwd, env=terraform.environment())


def capture(args: Sequence[str], cwd: Path) -> str:
    """Terraform's standard output (`output -json`)."""
    try:
        return terraform.run(list(args), cwd).stdout
    except RuntimeError as error:
        raise SandboxError(str(error)) from error


def confirm(question: str, yes: bool, interactive: bool) -> None:
    """Go on with --yes; ask on a terminal; refuse otherwise (nothing destructive unattended)."""
    if yes:
        return
    if not interactive:
        raise SandboxError(f"{question} Not on a terminal: pass YES=1 (--yes) to go on.")
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in {"y", "yes"}:
        raise SandboxError("stopped: nothing was changed")


class Commands:
    """`up`, `down` and `user`; Terraform and AWS reached through what it is given (tests)."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        run: Runner = stream,
        read: Capture = capture,
        session: Any = None,
        directory: Path = DIRECTORY,
        interactive: bool | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.sandbox = sandbox
        self.run = run
        self.read = read
        self._session = session
        self.directory = directory
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.say = say

    @property
    def session(self) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.session.Session()
        return self._session

    def account(self) -> str:
        """The account the credentials belong to (and a clear error when there are none)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return str(self.session.client("sts").get_caller_identity()["Account"])
        except (BotoCoreError, ClientError) as error:
            raise SandboxError(
                f"no usable AWS credentials ({error}): sign in to your own account first, "
                "e.g. aws sso login --profile you && export AWS_PROFILE=you"
            ) from error

    def terraform(self, *args: str) -> None:
        code = self.run(args, self.directory)
        if code != 0:
            raise SandboxError(f"terraform {args[0]} failed (exit {code}); its output is above")

    def init(self) -> None:
        self.sandbox.home.mkdir(parents=True, exist_ok=True)
        self.terraform(
            "init", "-reconfigure", "-input=false", f"-backend-config=path={self.sandbox.state}"
        )

    def var_files(self) -> list[str]:
        return [f"-var-file={SHARED_VARS}", f"-var-file={self.sandbox.variables}"]

    def up(
        self,
        email: str,
        *,
        ses_identity: str | None = None,
        cart_api_url: str | None = None,
        region: str | None = None,
        yes: bool = False,
    ) -> dict[str, Any]:
        """Plan, ask, apply; then the outputs (URL, pool, client) and what to do next."""
        if not (self.directory / "service" / "chalice.tf.json").exists():
            raise SandboxError("the sandbox is not packaged: run make package STAGE=sandbox")
        account = self.account()
        check_account(account)
        values = settings(
            self.sandbox,
            account,
            email,
            ses_identity=ses_identity,
            cart_api_url=cart_api_url,
            region=region,
        )
        self.warn_unverified(values["ses_identity"], values["region"])
        self.sandbox.home.mkdir(parents=True, exist_ok=True)
        self.sandbox.variables.write_text(json.dumps(values, indent=2) + "\n")
        self.say(f"sandbox {self.sandbox.environment} in account {account}: planning …")
        self.init()
        plan = self.sandbox.home / PLAN_FILE
        self.terraform("plan", "-input=false", *self.var_files(), f"-out={plan}")
        confirm(
            f"Create or update sandbox {self.sandbox.environment} as planned?",
            yes,
            self.interactive,
        )
        self.terraform("apply", "-input=false", str(plan))
        plan.unlink(missing_ok=True)
        return self.report()

    def report(self) -> dict[str, Any]:
        """`terraform output` to .sandbox/{id}/outputs.json, and the next steps."""
        shown = json.loads(self.read(["output", "-json"], self.directory))
        values = {k: v["value"] for k, v in shown.items() if not v.get("sensitive")}
        self.sandbox.outputs.write_text(json.dumps(values, indent=2) + "\n")
        self.say(next_steps(self.sandbox, values))
        return values

    def warn_unverified(self, identity: str, region: str) -> None:
        """SES sends only from a verified identity: say so now rather than in a dead letter."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            ses = self.session.client("sesv2", region_name=region)
            verified = ses.get_email_identity(EmailIdentity=identity).get(
                "VerifiedForSendingStatus"
            )
        except (BotoCoreError, ClientError):
            verified = False
        if not verified:
            self.say(
                f"note: {identity} is not a verified SES identity in this account, so the "
                "emails will dead-letter. Verify it once: aws sesv2 create-email-identity "
                f"--email-identity {identity} (then click the link AWS mails you)"
            )

    def down(self, yes: bool = False) -> None:
        """Ask, destroy everything the sandbox made, forget its state."""
        if not self.sandbox.variables.exists():
            raise SandboxError(
                f"no sandbox {self.sandbox.id!r} here ({self.sandbox.home} is missing): "
                "nothing to tear down from this checkout (docs/sandbox.md: cleaning up by tag)"
            )
        values = json.loads(self.sandbox.variables.read_text())
        account = self.account()
        if account != values["account_id"]:
            raise SandboxError(
                f"sandbox {self.sandbox.id} is in account {values['account_id']}, these "
                f"credentials are for {account}: switch AWS_PROFILE first"
            )
        confirm(
            f"Destroy sandbox {self.sandbox.environment} in account {account}, its orders and "
            "documents included?",
            yes,
            self.interactive,
        )
        self.init()
        self.terraform("destroy", "-input=false", "-auto-approve", *self.var_files())
        shutil.rmtree(self.sandbox.home)
        self.say(f"sandbox {self.sandbox.environment} is gone (KMS keys wait 7 days, then go)")

    def user(self, username: str, tenant: str, groups: Sequence[str] = ()) -> str:
        """A user in the sandbox's pool with a tenant (and groups); prints its password."""
        if not self.sandbox.outputs.exists():
            raise SandboxError(f"sandbox {self.sandbox.id} is not up: make sandbox-up first")
        if not EMAIL.fullmatch(username):
            raise SandboxError(f"EMAIL={username!r}: the pool's usernames are email addresses")
        outputs = json.loads(self.sandbox.outputs.read_text())
        values = json.loads(self.sandbox.variables.read_text())
        pool = outputs["cognito_user_pool_id"]
        cognito = self.session.client("cognito-idp", region_name=values["region"])
        password = new_password()
        add_user(cognito, pool, username, tenant, groups, password=password)
        self.say(
            f"{username} (tenant {tenant}{', ' + ', '.join(groups) if groups else ''}): {password}"
        )
        return password


def next_steps(sandbox: Sandbox, outputs: dict[str, Any]) -> str:
    """What to do once the sandbox is up."""
    return "\n".join(
        [
            f"sandbox {sandbox.environment} is up:",
            f"  API            {outputs.get('api_url')}",
            f"  user pool      {outputs.get('cognito_user_pool_id')}",
            f"  app client     {outputs.get('cognito_client_id')}",
            "next:",
            f"  make sandbox-user SANDBOX={sandbox.id} EMAIL=you@example.com TENANT=tenant-a",
            f"  make sandbox-down SANDBOX={sandbox.id}   # done? it costs while it stands",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m scripts.sandbox up|down|user --id ID …`."""
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="package, plan, ask, apply")
    up.add_argument("--id", required=True)
    up.add_argument("--email", required=True, help="alarms, budget alerts and the internal mail")
    up.add_argument("--ses-identity", help="verified SES identity to send from (default: --email)")
    up.add_argument("--cart-api-url", help="a Cart service that trusts this sandbox's pool")
    up.add_argument("--region", help=f"default {DEFAULT_REGION}")
    up.add_argument("--yes", action="store_true", help="apply without asking")
    down = commands.add_parser("down", help="ask, destroy, forget the state")
    down.add_argument("--id", required=True)
    down.add_argument("--yes", action="store_true", help="destroy without asking")
    user = commands.add_parser("user", help="add a user to the sandbox's pool")
    user.add_argument("--id", required=True)
    user.add_argument("--user", required=True, help="the user's email address")
    user.add_argument("--tenant", required=True)
    user.add_argument("--group", action="append", default=[], choices=["admin", "payments"])
    args = parser.parse_args(argv)
    try:
        commands_ = Commands(Sandbox(args.id))
        if args.command == "up":
            commands_.up(
                args.email,
                ses_identity=args.ses_identity,
                cart_api_url=args.cart_api_url,
                region=args.region,
                yes=args.yes,
            )
        elif args.command == "down":
            commands_.down(args.yes)
        else:
            commands_.user(args.user, args.tenant, args.group)
    except SandboxError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sandbox: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
