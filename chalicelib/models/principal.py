"""Who is calling: the verified identity every service decision is made for."""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN_GROUP = "admin"


@dataclass(frozen=True)
class Principal:
    """The caller: Cognito subject, tenant and groups taken from a verified ID token."""

    subject: str
    tenant_id: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        """Platform operators may act across tenants."""
        return ADMIN_GROUP in self.groups

    def can_access_tenant(self, tenant_id: str) -> bool:
        """Tenant isolation: one's own tenant, or any tenant for an admin."""
        return self.is_admin or tenant_id == self.tenant_id
