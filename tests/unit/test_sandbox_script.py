"""`make sandbox-up/-user/-down` (scripts/sandbox.py), with Terraform and AWS faked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from scripts import sandbox
from scripts.sandbox import Commands, Sandbox, SandboxError

OWN_ACCOUNT = "111122223333"
DEV_ACCOUNT = "536580886816"  # infrastructure/environments/dev/dev.tfvars
OUTPUTS = {
    "api_url": {"value": "https://abc.execute-api.eu-west-1.amazonaws.com/v1", "sensitive": False},
    "cognito_user_pool_id": {"value": "eu-west-1_pool", "sensitive": False},
    "cognito_client_id": {"value": "client", "sensitive": False},
}


class FakeClient:
    def __init__(self, aws: FakeAws, service: str) -> None:
        self.aws, self.service = aws, service

    def __getattr__(self, operation: str) -> Any:
        def call(**kwargs: Any) -> Any:
            self.aws.calls.append((self.service, operation, kwargs))
            if operation == "get_caller_identity":
                return {"Account": self.aws.account}
            if operation == "get_email_identity":
                if not self.aws.verified:
                    raise ClientError({"Error": {"Code": "NotFoundException"}}, operation)
                return {"VerifiedForSendingStatus": True}
            return {}

        return call


class FakeAws:
    """A boto3 session: records every call, answers STS and SES."""

    def __init__(self, account: str = OWN_ACCOUNT, verified: bool = True) -> None:
        self.account, self.verified = account, verified
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def client(self, service: str, region_name: str | None = None) -> FakeClient:
        return FakeClient(self, service)


class FakeTerraform:
    """Records each Terraform command; `output -json` answers the sandbox's outputs."""

    def __init__(self, fail: str | None = None) -> None:
        self.commands: list[list[str]] = []
        self.fail = fail

    def run(self, args: Sequence[str], cwd: Path) -> int:
        self.commands.append(list(args))
        return 1 if args[0] == self.fail else 0

    def read(self, args: Sequence[str], cwd: Path) -> str:
        self.commands.append(list(args))
        return json.dumps(OUTPUTS)


@pytest.fixture
def packaged(tmp_path: Path) -> Path:
    directory = tmp_path / "sandbox"
    (directory / "service").mkdir(parents=True)
    (directory / "service" / "chalice.tf.json").write_text("{}")
    return directory


def commands(
    tmp_path: Path,
    directory: Path,
    aws: FakeAws,
    tf: FakeTerraform,
    interactive: bool = False,
) -> tuple[Commands, list[str]]:
    said: list[str] = []
    return (
        Commands(
            Sandbox("jdoe", states=tmp_path / ".sandbox"),
            run=tf.run,
            read=tf.read,
            session=aws,
            directory=directory,
            interactive=interactive,
            say=said.append,
        ),
        said,
    )


@pytest.mark.parametrize("bad", ["a", "AB", "1ab", "abcdefgh", "jd-oe", ""])
def test_an_id_that_would_not_fit_or_not_be_a_name_is_refused(bad: str) -> None:
    with pytest.raises(SandboxError, match="2 to 7 lower-case"):
        Sandbox(bad)


def test_the_environment_is_sbx_and_the_id() -> None:
    assert Sandbox("jdoe").environment == "sbx-jdoe"


def test_the_services_own_accounts_are_refused() -> None:
    with pytest.raises(SandboxError, match="DEV account"):
        sandbox.check_account(DEV_ACCOUNT)
    sandbox.check_account(OWN_ACCOUNT)  # no error
    assert set(sandbox.shared_accounts().values()) == {"dev", "sit", "prod"}


def test_settings_are_the_developers_own() -> None:
    values = sandbox.settings(Sandbox("jdoe"), OWN_ACCOUNT, "jdoe@example.com")
    assert values["environment"] == "sbx-jdoe"
    assert values["alert_emails"] == ["jdoe@example.com"]
    assert values["settings"] == {
        "EMAIL_SENDER": "jdoe@example.com",
        "INTERNAL_NOTIFICATION_RECIPIENTS": "jdoe@example.com",
    }
    domain = sandbox.settings(
        Sandbox("jdoe"),
        OWN_ACCOUNT,
        "jdoe@example.com",
        ses_identity="sandbox.example.com",
        cart_api_url="https://cart.example.com",
    )
    assert domain["settings"]["EMAIL_SENDER"] == "no-reply@sandbox.example.com"
    assert domain["settings"]["CART_API_URL"] == "https://cart.example.com"
    with pytest.raises(SandboxError, match="not an email address"):
        sandbox.settings(Sandbox("jdoe"), OWN_ACCOUNT, "jdoe")
    with pytest.raises(SandboxError, match="HTTPS"):
        sandbox.settings(Sandbox("jdoe"), OWN_ACCOUNT, "a@example.com", cart_api_url="http://cart")


def test_up_plans_asks_and_without_a_terminal_or_yes_changes_nothing(
    tmp_path: Path, packaged: Path
) -> None:
    tf = FakeTerraform()
    up, _ = commands(tmp_path, packaged, FakeAws(), tf)
    with pytest.raises(SandboxError, match="pass YES=1"):
        up.up("jdoe@example.com")
    assert [c[0] for c in tf.commands] == ["init", "plan"]
    state = tmp_path / ".sandbox" / "jdoe"
    assert tf.commands[0][-1] == f"-backend-config=path={state / 'terraform.tfstate'}"
    assert tf.commands[1][2:4] == [
        "-var-file=sandbox.tfvars",
        f"-var-file={state / 'sandbox.tfvars.json'}",
    ]
    written = json.loads((state / "sandbox.tfvars.json").read_text())
    assert (written["environment"], written["account_id"]) == ("sbx-jdoe", OWN_ACCOUNT)


def test_up_with_yes_applies_the_saved_plan_and_says_what_next(
    tmp_path: Path, packaged: Path
) -> None:
    tf = FakeTerraform()
    up, said = commands(tmp_path, packaged, FakeAws(verified=False), tf)
    outputs = up.up("jdoe@example.com", yes=True)
    plan = tmp_path / ".sandbox" / "jdoe" / sandbox.PLAN_FILE
    assert tf.commands[2] == ["apply", "-input=false", str(plan)]
    assert outputs["api_url"] == OUTPUTS["api_url"]["value"]
    saved = json.loads((tmp_path / ".sandbox" / "jdoe" / "outputs.json").read_text())
    assert saved["cognito_user_pool_id"] == "eu-west-1_pool"
    text = "\n".join(said)
    assert "is not a verified SES identity" in text  # said before anything is built
    assert "https://abc.execute-api.eu-west-1.amazonaws.com/v1" in text
    assert "make sandbox-down SANDBOX=jdoe" in text


def test_up_on_a_terminal_asks_and_no_means_no(
    tmp_path: Path, packaged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tf = FakeTerraform()
    up, _ = commands(tmp_path, packaged, FakeAws(), tf, interactive=True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(SandboxError, match="nothing was changed"):
        up.up("jdoe@example.com")
    assert "apply" not in [c[0] for c in tf.commands]


def test_up_refuses_a_shared_account_before_terraform_runs(tmp_path: Path, packaged: Path) -> None:
    tf = FakeTerraform()
    up, _ = commands(tmp_path, packaged, FakeAws(account=DEV_ACCOUNT), tf)
    with pytest.raises(SandboxError, match="your own account"):
        up.up("jdoe@example.com", yes=True)
    assert tf.commands == []


def test_up_needs_the_package_and_reports_a_failed_apply(tmp_path: Path, packaged: Path) -> None:
    unpackaged, _ = commands(tmp_path, tmp_path / "nowhere", FakeAws(), FakeTerraform())
    with pytest.raises(SandboxError, match="make package STAGE=sandbox"):
        unpackaged.up("jdoe@example.com", yes=True)
    failing, _ = commands(tmp_path, packaged, FakeAws(), FakeTerraform(fail="apply"))
    with pytest.raises(SandboxError, match="terraform apply failed"):
        failing.up("jdoe@example.com", yes=True)


def test_down_destroys_with_the_same_variables_and_forgets(tmp_path: Path, packaged: Path) -> None:
    tf = FakeTerraform()
    cmds, said = commands(tmp_path, packaged, FakeAws(), tf)
    cmds.up("jdoe@example.com", yes=True)
    tf.commands.clear()
    with pytest.raises(SandboxError, match="pass YES=1"):
        cmds.down()
    assert tf.commands == []
    cmds.down(yes=True)
    state = tmp_path / ".sandbox" / "jdoe"
    assert tf.commands[-1] == [
        "destroy",
        "-input=false",
        "-auto-approve",
        "-var-file=sandbox.tfvars",
        f"-var-file={state / 'sandbox.tfvars.json'}",
    ]
    assert not state.exists()
    assert "is gone" in said[-1]


def test_down_refuses_an_unknown_sandbox_and_another_account(
    tmp_path: Path, packaged: Path
) -> None:
    cmds, _ = commands(tmp_path, packaged, FakeAws(), FakeTerraform())
    with pytest.raises(SandboxError, match="no sandbox 'jdoe' here"):
        cmds.down(yes=True)
    cmds.up("jdoe@example.com", yes=True)
    elsewhere, _ = commands(tmp_path, packaged, FakeAws(account="999988887777"), FakeTerraform())
    with pytest.raises(SandboxError, match="switch AWS_PROFILE"):
        elsewhere.down(yes=True)


def test_user_gets_the_tenant_the_groups_and_a_password_the_pool_accepts(
    tmp_path: Path, packaged: Path
) -> None:
    aws = FakeAws()
    cmds, said = commands(tmp_path, packaged, aws, FakeTerraform())
    with pytest.raises(SandboxError, match="not up"):
        cmds.user("alice@example.com", "tenant-a")
    cmds.up("jdoe@example.com", yes=True)
    password = cmds.user("alice@example.com", "tenant-a", ["admin"])
    cognito = {op: kw for service, op, kw in aws.calls if service == "cognito-idp"}
    attributes = {a["Name"]: a["Value"] for a in cognito["admin_create_user"]["UserAttributes"]}
    assert attributes["custom:tenantId"] == "tenant-a"
    assert cognito["admin_create_user"]["UserPoolId"] == "eu-west-1_pool"
    assert cognito["admin_set_user_password"]["Password"] == password
    assert cognito["admin_add_user_to_group"]["GroupName"] == "admin"
    assert len(password) >= 12
    assert any(c.isdigit() for c in password)
    assert any(c.isupper() for c in password)
    assert any(c.islower() for c in password)
    assert password in said[-1]
    with pytest.raises(SandboxError, match="email addresses"):
        cmds.user("alice", "tenant-a")


def test_the_command_line_says_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    assert sandbox.main(["down", "--id", "X"]) == 2
    assert "2 to 7 lower-case" in capsys.readouterr().err
