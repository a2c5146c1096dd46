"""Where orderctl points: the local stack (default) or a deployed stage through an AWS profile.

Resource names come from `.chalice/config.json`, the same file the functions get their
environment from, so orderctl never guesses a queue name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from orderctl import auth
from orderctl.errors import OrderctlError

CONFIG = auth.PROJECT_DIR / ".chalice" / "config.json"
# Each stage's primary region (requirements section 5.1): DEV and SIT in Ireland, PROD in Cape Town.
STAGE_REGIONS = {"dev": "eu-west-1", "sit": "eu-west-1", "prod": "af-south-1"}


@dataclass(frozen=True)
class Target:
    """One stack: its stage's names and how to reach its AWS APIs."""

    stage: str
    region: str
    endpoint_url: str | None = None  # the emulator; None is AWS
    profile: str | None = None
    logs_dir: str | None = None  # the local stack's per-function logs

    @property
    def local(self) -> bool:
        return self.endpoint_url is not None

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5)
        if self.local:
            factory: Any = boto3.client  # typed per service name; orderctl picks them at run time
            return factory(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106 - the emulator ignores credentials
                config=config,
            )
        session: Any = boto3.Session(profile_name=self.profile, region_name=self.region)
        return session.client(service, config=config)

    def environment(self) -> dict[str, str]:
        """The stage's environment variables (resource names) from .chalice/config.json."""
        config = json.loads(CONFIG.read_text())
        stage = config["stages"].get(self.stage)
        if stage is None:
            raise OrderctlError(
                f"unknown stage {self.stage!r}: one of {', '.join(config['stages'])}"
            )
        return {**config.get("environment_variables", {}), **stage["environment_variables"]}

    def describe(self) -> str:
        return (
            f"the local stack ({self.endpoint_url})"
            if self.local
            else (
                f"stage {self.stage} in {self.region}"
                + (f" (profile {self.profile})" if self.profile else "")
            )
        )


def resolve(stage: str | None, profile: str | None, region: str | None) -> Target:
    """`--stage` (+ `--profile`/`--region`) names a deployed stage; otherwise the local stack."""
    if stage and stage != "local":
        return Target(stage, region or STAGE_REGIONS.get(stage, "af-south-1"), profile=profile)
    stack = auth.local_stack()
    if stack is None:
        raise OrderctlError(
            f"{auth.stack_file()} does not exist: is the local stack running? Start it with "
            "`make run`, or name a deployed stage with --stage and --profile"
        )
    return Target(
        str(stack["stage"]),
        str(stack["region"]),
        endpoint_url=str(stack["awsEndpointUrl"]),
        logs_dir=stack.get("logs"),
    )
