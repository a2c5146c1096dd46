"""Where the queue and table commands point: the profile's stage, in its AWS account.

Resource names come from `orderctl.names` (checked against `.chalice/config.json`), so an
installed orderctl needs no checkout and never guesses a queue name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orderctl.errors import UsageError
from orderctl.names import resource_names
from orderctl.profiles import STAGE_REGIONS, Profile


@dataclass(frozen=True)
class Target:
    """One stack: its stage's names and how to reach its AWS APIs."""

    stage: str
    region: str
    endpoint_url: str | None = None  # the emulator; None is AWS
    profile: str | None = None  # the AWS profile
    logs_dir: str | None = None  # the local stack's per-function logs

    @property
    def local(self) -> bool:
        return self.endpoint_url is not None

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ProfileNotFound

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
        try:
            session: Any = boto3.Session(profile_name=self.profile, region_name=self.region)
        except ProfileNotFound:
            raise UsageError(
                f"AWS profile {self.profile!r} is not configured on this machine "
                f"(aws configure sso --profile {self.profile}); it is the orderctl profile's "
                "aws_profile or --aws-profile"
            ) from None
        return session.client(service, config=config)

    def environment(self) -> dict[str, str]:
        """The stage's resource names, as the functions' environment names them."""
        return resource_names(self.stage)

    def describe(self) -> str:
        return (
            f"the local stack ({self.endpoint_url})"
            if self.local
            else (
                f"stage {self.stage} in {self.region}"
                + (f" (AWS profile {self.profile})" if self.profile else "")
            )
        )


def from_profile(profile: Profile) -> Target:
    """The profile's AWS side: the emulator for `local`, else its stage in its account."""
    if not profile.stage:
        raise UsageError(
            f"{profile.describe()} names no stage: set its stage (dev, sit, prod, sbx-…) or --stage"
        )
    if profile.stack is not None:
        return Target(
            profile.stage,
            profile.aws_region or str(profile.stack["region"]),
            endpoint_url=str(profile.stack["awsEndpointUrl"]),
            logs_dir=profile.stack.get("logs"),
        )
    region = profile.aws_region or STAGE_REGIONS.get(profile.stage)
    if not region:
        raise UsageError(f"{profile.describe()}: set its aws_region (or --aws-region)")
    return Target(profile.stage, region, profile=profile.aws_profile)
