"""orderctl's configuration model (profiles), its exit codes, output modes and completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orderctl import cli, names, output, profiles
from orderctl.context import Args, refuse_production
from orderctl.errors import (
    AUTH,
    CONFLICT,
    NOT_FOUND,
    REMOTE,
    USAGE,
    AuthError,
    Conflict,
    NotFound,
    OrderctlError,
    RemoteFailure,
    UsageError,
    for_status,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
default_profile = "dev"

[profiles.dev]
stage = "dev"
api_url = "https://api-dev.bbws.io/"
cognito_client_id = "client-dev"
cognito_region = "eu-west-1"
username = "ops@bbws.io"
aws_profile = "bbws-dev"

[profiles.prod]
stage = "prod"
api_url = "https://api.bbws.io"
production = false
"""
STACK = {
    "stage": "local",
    "apiUrl": "http://127.0.0.1:8000",
    "cartApiUrl": "http://127.0.0.1:8010",
    "userPoolClientId": "local-client",
    "region": "eu-west-1",
    "awsEndpointUrl": "http://127.0.0.1:4566",
    "users": [{"username": "alice@tenant-a.example", "password": "pw"}],
}


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    """A config file with dev and prod, and a running local stack; nothing from the real HOME."""
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "stack.json").write_text(json.dumps(STACK))
    return {
        "ORDERCTL_CONFIG": str(tmp_path / "config.toml"),
        "LOCAL_STATE_DIR": str(tmp_path / "state"),
    }


def test_every_stages_names_are_the_configs(tmp_path: Path) -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for stage in ("local", "dev", "sit", "prod"):
        variables = config["stages"][stage]["environment_variables"]
        assert names.resource_names(stage) == {k: variables[k] for k in names.BASES}
    sandbox = config["stages"]["sandbox"]["environment_variables"]
    assert names.resource_names("${var.environment}") == {k: sandbox[k] for k in names.BASES}


def test_the_flag_then_the_environment_then_the_default_then_local(
    environ: dict[str, str],
) -> None:
    assert profiles.resolve(None, environ=environ).name == "dev"  # default_profile
    assert profiles.resolve("prod", environ=environ).name == "prod"
    assert profiles.resolve(None, environ={**environ, "ORDERCTL_PROFILE": "local"}).local
    assert profiles.resolve("dev", environ={**environ, "ORDERCTL_PROFILE": "prod"}).name == "dev"
    no_default = Path(environ["ORDERCTL_CONFIG"]).with_name("bare.toml")
    no_default.write_text("")
    local = profiles.resolve(None, environ={**environ, "ORDERCTL_CONFIG": str(no_default)})
    assert (local.name, local.stage, local.api_url) == ("local", "local", STACK["apiUrl"])
    assert local.cart_api_url == STACK["cartApiUrl"]


def test_flags_beat_the_environment_which_beats_the_file(environ: dict[str, str]) -> None:
    dev = profiles.resolve("dev", environ=environ)
    assert (dev.api_url, dev.aws_profile, dev.username) == (
        "https://api-dev.bbws.io",
        "bbws-dev",
        "ops@bbws.io",
    )
    env = {**environ, "ORDERCTL_USERNAME": "smoke@bbws.io", "ORDERCTL_AWS_PROFILE": "other"}
    assert profiles.resolve("dev", environ=env).username == "smoke@bbws.io"
    flagged = profiles.resolve("dev", {"aws_profile": "mine", "aws_region": None}, env)
    assert flagged.aws_profile == "mine"
    assert flagged.aws_region is None


def test_prod_is_production_whatever_the_file_says(environ: dict[str, str]) -> None:
    assert profiles.resolve("prod", environ=environ).production is True
    assert profiles.resolve("dev", environ=environ).production is False
    args = Args(_profile=profiles.resolve("prod", environ=environ))
    args.i_know_this_is_production = False
    with pytest.raises(UsageError, match="--i-know-this-is-production"):
        refuse_production(args, "seeding demo orders")
    args.i_know_this_is_production = True
    refuse_production(args, "seeding demo orders")  # no error


def test_a_base_url_alone_is_its_own_target_unless_it_is_the_local_stack(
    environ: dict[str, str], tmp_path: Path
) -> None:
    bare = {**environ, "ORDERCTL_CONFIG": str(tmp_path / "missing.toml")}
    flags = profiles.resolve(None, {"api_url": "https://api-dev.bbws.io"}, bare)
    assert (flags.name, flags.local, flags.api_url) == ("(flags)", False, "https://api-dev.bbws.io")
    local = profiles.resolve(None, {"api_url": str(STACK["apiUrl"])}, bare)
    assert local.local


def test_mistakes_in_the_file_or_the_name_say_what_is_wrong(
    environ: dict[str, str], tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=r"no profile 'devv' .* did you mean 'dev'\?"):
        profiles.resolve("devv", environ=environ)
    broken = tmp_path / "broken.toml"
    for text, message in [
        ("[profiles.dev\n", "is not valid TOML"),
        ('[profiles.dev]\napi_ur = "x"\n', "unknown setting 'api_ur'; did you mean 'api_url'"),
        ("[profiles.local]\n", "'local' is built in"),
        ('[profiles.dev]\nproduction = "yes"\n', "production is true or false"),
        ("[profiles.dev]\nstage = 3\n", "stage is a string"),
    ]:
        broken.write_text(text)
        with pytest.raises(UsageError, match=message):
            profiles.resolve("dev", environ={**environ, "ORDERCTL_CONFIG": str(broken)})


def test_local_without_a_running_stack_is_not_found(tmp_path: Path) -> None:
    environ = {"ORDERCTL_CONFIG": str(tmp_path / "none.toml"), "LOCAL_STATE_DIR": str(tmp_path)}
    with pytest.raises(NotFound, match="is the local stack running") as error:
        profiles.resolve("local", environ=environ)
    assert error.value.exit_code == NOT_FOUND


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (400, UsageError, USAGE),
        (422, UsageError, USAGE),
        (401, AuthError, AUTH),
        (403, AuthError, AUTH),
        (404, NotFound, NOT_FOUND),
        (409, Conflict, CONFLICT),
        (412, Conflict, CONFLICT),
        (428, Conflict, CONFLICT),
        (429, RemoteFailure, REMOTE),
        (503, RemoteFailure, REMOTE),
        (418, OrderctlError, 1),
    ],
)
def test_each_api_status_has_its_exit_code(status: int, kind: type, code: int) -> None:
    assert for_status(status) is kind
    assert kind.exit_code == code


def run(argv: list[str], environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    """orderctl's exit code for `argv`, with `environ` set."""
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    try:
        return cli.main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_the_command_line_exit_codes(
    environ: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("ORDERCTL_TOKEN", raising=False)
    assert run(["ordrs", "list"], environ, monkeypatch) == USAGE
    assert "No such command 'ordrs'. Did you mean 'orders'?" in capsys.readouterr().err
    assert run(["orders", "list", "--limt", "5"], environ, monkeypatch) == USAGE
    assert "No such option '--limt'. Did you mean '--limit'?" in capsys.readouterr().err
    assert run(["orders", "list", "--limit", "0"], environ, monkeypatch) == USAGE
    assert "'--limit': 0 is not in the range x>=1" in capsys.readouterr().err
    assert run(["orders"], environ, monkeypatch) == USAGE  # an action is required
    assert "Commands:" in capsys.readouterr().err
    assert run(["orders", "get", "x", "--profile", "nope"], environ, monkeypatch) == USAGE
    assert "no profile 'nope'" in capsys.readouterr().err
    code = run(["orders", "get", "x", "--token", "garbage"], environ, monkeypatch)
    assert code == AUTH
    assert "not a JWT ID token" in capsys.readouterr().err
    code = run(["orders", "get", "x", "--profile", "dev"], environ, monkeypatch)
    assert code == AUTH  # dev's password is not set and there is no terminal to ask
    assert "ORDERCTL_PASSWORD" in capsys.readouterr().err
    code = run(["seed", "--orders", "1", "--profile", "prod"], environ, monkeypatch)
    assert code == USAGE
    assert "is production" in capsys.readouterr().err


def test_version_and_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("orderctl ")
    assert cli.main(["orders", "refund", "-h"]) == 0
    assert "--reason TEXT" in capsys.readouterr().out


def test_piped_output_is_tab_separated_and_json_is_the_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows: list[dict[str, Any]] = [
        {"id": "o-1", "total": "10.00", "note": "a\tb"},
        {"id": "o-2", "total": None},
    ]
    output.emit(rows, ["id", "total", "note"], False, "title")
    printed = capsys.readouterr()
    assert printed.out == "id\ttotal\tnote\no-1\t10.00\ta b\no-2\t\t\n"
    assert "title" in printed.err
    output.body({"id": "o-1"})
    assert json.loads(capsys.readouterr().out) == {"id": "o-1"}


def test_completion_knows_commands_flags_queues_and_profiles(
    environ: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in environ.items():
        monkeypatch.setenv(key, value)

    def complete(*words: str) -> list[str]:
        """What click answers bash for `orderctl WORDS…`, the last word being the one typed."""
        monkeypatch.setenv("_ORDERCTL_COMPLETE", "bash_complete")
        monkeypatch.setenv("COMP_WORDS", " ".join(["orderctl", *words]))
        monkeypatch.setenv("COMP_CWORD", str(len(words)))
        with pytest.raises(SystemExit) as exit_:
            cli.main([])
        assert exit_.value.code == 0
        return [line.split(",", 1)[1] for line in capsys.readouterr().out.splitlines()]

    assert complete("ord") == ["orders"]
    assert complete("orders", "re") == ["refund", "rerender", "resend-email"]
    assert complete("seed", "--i") == ["--i-know-this-is-production"]
    assert complete("dlq", "show", "") == ["record", "pdf", "internal", "customer"]
    assert complete("orders", "list", "--profile", "") == ["local", "dev", "prod"]
    assert complete("documents", "list", "--kind", "c") == ["credit-note"]


def test_the_completion_script_is_valid_shell_and_asks_orderctl(tmp_path: Path) -> None:
    """The script bash sources runs `orderctl` itself (from this venv) for every TAB."""
    script = subprocess.run(
        [sys.executable, "-m", "orderctl", "completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = tmp_path / "completion.bash"
    path.write_text(script)
    assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0
    completed = subprocess.run(
        [
            "bash",
            "-c",
            f"source {path}; COMP_WORDS=(orderctl orders l); COMP_CWORD=2; "
            '_orderctl_completion orderctl; echo "${COMPREPLY[@]}"',
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    assert completed.stdout.split() == ["list"]
    for shell in ("zsh", "fish"):
        assert cli.main(["completion", shell]) == 0


def test_an_unknown_aws_profile_is_a_usage_error_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orderctl.target import Target

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    with pytest.raises(UsageError, match="AWS profile 'nope' is not configured") as error:
        Target("dev", "eu-west-1", profile="nope").client("sqs")
    assert "--aws-profile" in str(error.value)


def test_every_command_names_a_handler_that_exists() -> None:
    """Handlers are imported when their command runs: a misspelt one fails here, not in use."""
    import importlib

    import click

    def leaves(group: click.Group, path: str) -> list[tuple[str, click.Command]]:
        found: list[tuple[str, click.Command]] = []
        for name, child in group.commands.items():
            if isinstance(child, click.Group):
                found += leaves(child, f"{path} {name}")
            else:
                found.append((f"{path} {name}".strip(), child))
        return found

    commands = dict(leaves(cli.orderctl, ""))
    assert len(commands) == 26, sorted(commands)
    for path, command in commands.items():
        if path == "completion":
            continue
        handler = getattr(command.callback, "handler", None)
        assert handler, path
        module, _, function = handler.partition(":")
        assert callable(getattr(importlib.import_module(f"orderctl.{module}"), function)), path
