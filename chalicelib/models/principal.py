"""Who is calling: the verified identity every service decision is made for."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.models.lifecycle import ACROSS_TENANTS, Role, roles_of


@dataclass(frozen=True)
class Principal:
    """The caller: Cognito subject, tenant and groups taken from a verified ID token."""

    subject: str
    tenant_id: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[Role]:
        """What the caller may do (models.lifecycle): customer, plus its groups' roles."""
        return roles_of(self.groups)

    @property
    def is_admin(self) -> bool:
        """Platform operators may read and list any tenant."""
        return Role.ADMIN in self.roles

    @property
    def reads_any_tenant(self) -> bool:
        """Admins and the payment system find any tenant's order by its id."""
        return bool(self.roles & ACROSS_TENANTS)

    def can_access_tenant(self, tenant_id: str) -> bool:
        """Tenant isolation for lists: one's own tenant, or any tenant for an admin."""
        return self.is_admin or tenant_id == self.tenant_id
