"""What a profile names: who signs in (`token`), which profiles there are (`profiles`) and
whether the stack works (`smoke`)."""

from __future__ import annotations

from orderctl.context import Args, api_url_of, profile_of
from orderctl.errors import OrderctlError


def cmd_token(args: Args) -> int:
    """Print an ID token."""
    from orderctl import auth

    print(auth.id_token(auth.login_for(profile_of(args), args.username or args.user)))
    return 0


def cmd_smoke(args: Args) -> int:
    """The post-deploy smoke test."""
    from orderctl import auth
    from orderctl.carts import cart_api_url
    from orderctl.smoke import Smoke, publish

    profile = profile_of(args)
    api_url = api_url_of(profile)

    def token() -> str:
        return auth.id_token(auth.login_for(profile, args.user))

    try:
        cart_api: str | OrderctlError = cart_api_url(profile)
    except OrderctlError as none:  # the smoke's cart step reports it
        cart_api = none
    report = Smoke(api_url, token, timeout_s=args.timeout, cart_api=cart_api).run()
    publish(report, args.report, args.title or f"Smoke test of {api_url}")
    return 0 if report.passed else 1


def cmd_profiles(args: Args) -> int:
    """The profiles this machine knows, and which one is in use."""
    from orderctl import profiles
    from orderctl.output import emit

    path = profiles.config_file()
    document = profiles.read_config(path)
    configured = document.get("profiles", {})
    current = profiles.chosen_name(args.profile, document)
    rows = [
        {
            "profile": profiles.LOCAL,
            "stage": "local",
            "api_url": "(the running dev stack's)",
            "in_use": "yes" if current in (None, profiles.LOCAL) else "",
        }
    ]
    rows += [
        {
            "profile": name,
            "stage": settings.get("stage", ""),
            "api_url": settings.get("api_url", ""),
            "in_use": "yes" if name == current else "",
        }
        for name, settings in configured.items()
    ]
    emit(rows, ["profile", "stage", "api_url", "in_use"], args.json, f"Profiles ({path})")
    return 0
