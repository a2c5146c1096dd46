"""Test identity provider: an RSA key, its JWKS on disk, and ID tokens signed with it."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_testpool"
AUDIENCE = "test-client-id"
KID = "test-key"


class TestIssuer:
    """Signs Cognito-shaped ID tokens and serves its JWKS on loopback (PyJWKClient wants HTTP)."""

    __test__ = False

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=KID, alg="RS256", use="sig")
        document = json.dumps({"keys": [jwk]}).encode()

        class JwksHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *_: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), JwksHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.jwks_url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"

    def token(
        self,
        tenant_id: str | None = "tenant-a",
        groups: list[str] | None = None,
        subject: str | None = None,
        expires_in: int = 3600,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject or str(uuid.uuid4()),
            "cognito:username": subject or "user",
            "token_use": "id",
            "iat": now - 10,
            "auth_time": now - 10,
            "exp": now + expires_in,
            "email": f"user@{tenant_id}.example",
        }
        if tenant_id is not None:
            claims["custom:tenantId"] = tenant_id
        if groups:
            claims["cognito:groups"] = groups
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})
