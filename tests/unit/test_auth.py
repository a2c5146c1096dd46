from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chalicelib.api.auth import principal, principal_from_claims
from chalicelib.errors import AuthenticationFailed, DependencyFailed, PermissionDenied
from devstack.authorizer import TokenVerifier
from tests.tokens import AUDIENCE, ISSUER, TestIssuer


@pytest.fixture
def verifier(issuer: TestIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.jwks_url, ISSUER, AUDIENCE)


def test_a_valid_token_yields_its_claims(issuer: TestIssuer, verifier: TokenVerifier) -> None:
    claims = verifier.verify("Bearer " + issuer.token(tenant_id="tenant-a", subject="s-1"))
    assert claims["sub"] == "s-1"
    assert claims["custom:tenantId"] == "tenant-a"


def test_the_bearer_prefix_is_optional(issuer: TestIssuer, verifier: TokenVerifier) -> None:
    assert verifier.verify(issuer.token())["token_use"] == "id"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing"),
        ("", "missing"),
        ("garbage", "not valid"),
        ("Bearer a.b.c", "not valid"),
    ],
)
def test_bad_headers_are_refused(verifier: TokenVerifier, header: str | None, message: str) -> None:
    with pytest.raises(AuthenticationFailed, match=message):
        verifier.verify(header)


def test_an_altered_signature_is_refused(issuer: TestIssuer, verifier: TokenVerifier) -> None:
    header, payload, signature = issuer.token().split(".")
    tampered = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    with pytest.raises(AuthenticationFailed, match="not valid"):
        verifier.verify(f"{header}.{payload}.{tampered}")


def test_an_altered_payload_is_refused(issuer: TestIssuer, verifier: TokenVerifier) -> None:
    other = issuer.token(tenant_id="tenant-b").split(".")[1]
    header, _, signature = issuer.token(tenant_id="tenant-a").split(".")
    with pytest.raises(AuthenticationFailed):
        verifier.verify(f"{header}.{other}.{signature}")


def test_an_expired_token_is_refused(issuer: TestIssuer, verifier: TokenVerifier) -> None:
    with pytest.raises(AuthenticationFailed, match="expired"):
        verifier.verify(issuer.token(expires_in=-60))


@pytest.mark.parametrize(
    "overrides",
    [{"aud": "another-client"}, {"iss": "https://evil.example"}, {"token_use": "access"}],
)
def test_tokens_for_someone_else_are_refused(
    issuer: TestIssuer, verifier: TokenVerifier, overrides: dict[str, Any]
) -> None:
    with pytest.raises(AuthenticationFailed):
        verifier.verify(issuer.token(**overrides))


def test_unreachable_keys_are_a_dependency_failure(issuer: TestIssuer) -> None:
    verifier = TokenVerifier("http://127.0.0.1:9/jwks.json", ISSUER, AUDIENCE)
    with pytest.raises(DependencyFailed):
        verifier.verify(issuer.token())


def test_claims_become_a_principal() -> None:
    caller = principal_from_claims(
        {"sub": "s", "custom:tenantId": "platform", "cognito:groups": ["admin"], "email": "o@x"}
    )
    assert caller.is_admin
    assert caller.can_access_tenant("tenant-z")


def _unsigned(claims: dict[str, object]) -> str:
    """A token as the gateway passes it on (already verified there): header.payload.signature."""
    return ".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
        for part in ({"alg": "RS256"}, claims, {"sig": 1})
    )


@pytest.mark.parametrize(
    ("token_groups", "admin"),
    [(["admin"], True), (["other", "admin"], True), (["x,admin"], False), (["[admin"], False)],
)
def test_gateway_mode_matches_the_token_groups_exactly(
    monkeypatch: pytest.MonkeyPatch, token_groups: list[str], admin: bool
) -> None:
    """The gateway flattens groups to "x,admin"; the verified token in the header is exact."""
    claims = {"sub": "s", "custom:tenantId": "tenant-a", "cognito:groups": ",".join(token_groups)}
    token = _unsigned({**claims, "cognito:groups": token_groups})
    caller = principal({"authorization": f"Bearer {token}"}, {"authorizer": {"claims": claims}})
    assert caller.is_admin is admin


@pytest.mark.parametrize("flattened", ["admin", "[admin other]", "other,admin"])
def test_flattened_group_strings_alone_grant_nothing(flattened: str) -> None:
    """Without the exact list (e.g. a header for another subject), no group is assumed."""
    caller = principal_from_claims(
        {"sub": "s", "custom:tenantId": "t1", "cognito:groups": flattened}
    )
    assert caller.groups == frozenset()


@pytest.mark.parametrize(
    "tenant", ["t\u00e9nant", "tenant\nb", "../x", "x" * 1100, "Tenant-A", "a", "-a", "a_b", 7]
)
def test_a_tenant_claim_outside_the_pattern_is_refused(tenant: object) -> None:
    with pytest.raises(PermissionDenied, match="not a valid tenant id"):
        principal_from_claims({"sub": "s", "custom:tenantId": tenant})


def test_a_header_for_another_subject_lends_no_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = {"sub": "s", "custom:tenantId": "tenant-a"}
    token = _unsigned({"sub": "someone-else", "cognito:groups": ["admin"]})
    caller = principal({"authorization": token}, {"authorizer": {"claims": claims}})
    assert not caller.is_admin


def test_a_token_without_tenant_is_refused() -> None:
    with pytest.raises(AuthenticationFailed):
        principal_from_claims({"sub": "s"})


def test_non_admins_stay_in_their_tenant() -> None:
    caller = principal_from_claims({"sub": "s", "custom:tenantId": "tenant-a"})
    assert caller.can_access_tenant("tenant-a")
    assert not caller.can_access_tenant("tenant-b")


def test_gateway_mode_reads_the_authorizer_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    context = {"authorizer": {"claims": {"sub": "s", "custom:tenantId": "tenant-a"}}}
    assert principal({}, context).tenant_id == "tenant-a"
    with pytest.raises(AuthenticationFailed):
        principal({}, {})
