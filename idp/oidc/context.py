"""What the token grants know about the person behind a code or a refresh token."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AuthContext:
    """An account with how and when it authenticated (OIDC Core §2: auth_time, acr, amr)."""

    account: object
    auth_time: int
    acr: str | None = None
    amr: list = field(default_factory=list)
    sid: str | None = None
    family_id: str | None = None
    claims_request: dict | None = None
    client_profile: object = None  # the ClientProfile whose formats the ID token's claims take
    sub: str | None = None         # the account's sub for the grant's client (idp.oidc.subjects)

    def get_user_id(self) -> str:
        return self.account.id
