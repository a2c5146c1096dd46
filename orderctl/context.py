"""The command's context: the profile its flags name (resolved once) and the guards on it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from orderctl.errors import UsageError
from orderctl.profiles import Profile

if TYPE_CHECKING:
    from orderctl.target import Target

PRODUCTION_FLAG = "--i-know-this-is-production"


class Args(SimpleNamespace):
    """A command's parameters by name, as its flags declare them (orderctl/cli.py)."""


def profile_of(args: Args) -> Profile:
    """The profile the flags name, with their overrides (resolved once per command)."""
    from orderctl import profiles

    if getattr(args, "_profile", None) is None:
        args._profile = profiles.resolve(
            args.profile,
            {
                "api_url": args.base_url,
                "cart_api_url": args.cart_api_url,
                "cognito_region": args.cognito_region,
                "stage": args.stage,
                "aws_profile": args.aws_profile,
                "aws_region": args.aws_region,
            },
        )
    profile: Profile = args._profile
    return profile


def refuse_production(args: Args, what: str) -> None:
    """Traffic generators stay out of production unless told in so many words."""
    profile = profile_of(args)
    if profile.production and not args.i_know_this_is_production:
        raise UsageError(
            f"{profile.describe()} is production: {what} there needs {PRODUCTION_FLAG}"
        )


def target_of(args: Args) -> Target:
    """The profile's AWS side: its stage in its account, or the emulator for `local`."""
    from orderctl.target import from_profile

    return from_profile(profile_of(args))


def api_url_of(profile: Profile) -> str:
    """The profile's API, or a usage error saying how to name one."""
    if not profile.api_url:
        raise UsageError(f"{profile.describe()} has no api_url: set it, or pass --base-url")
    return profile.api_url
