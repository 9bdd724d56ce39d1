"""Values exchanged between an upstream provider and the IdP.

- :class:`PendingAuthorization`: what the IdP stores server-side between the redirect to the
  upstream and its callback (state, nonce, PKCE verifier; OIDC Core 1.0 §3.1.2.1, RFC 7636).
- :class:`UpstreamIdentity`: the neutral result of a successful upstream login. Account
  linking and creation are ``idp/`` decisions (architecture.md, "Providers").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["PendingAuthorization", "UpstreamIdentity", "PIVOT_CLAIMS"]

#: The "identité pivot" (franceconnect.md §5): the six claims FranceConnect certifies against
#: the national registry and on which accounts are reconciled after ``sub``.
PIVOT_CLAIMS = ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")


@dataclass(frozen=True)
class PendingAuthorization:
    """One login in progress, bound to the browser that started it.

    ``state`` binds the callback to this login (CSRF), ``nonce`` binds the ID token to it
    (replay), ``code_verifier`` binds the code to this client (PKCE). ``acr`` is the level
    asked for, checked against the ID token's ``acr``. None of these may reach the browser
    except state and nonce, which travel in the authorization URL.
    """

    state: str
    nonce: str
    code_verifier: str | None
    redirect_uri: str
    acr: str | None
    created_at: int

    def to_dict(self) -> dict:
        """A JSON-serialisable dict, for the server-side interaction store."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PendingAuthorization:
        """Rebuild from :meth:`to_dict`; a tampered or truncated record raises ValueError."""
        try:
            pending = cls(
                state=data["state"],
                nonce=data["nonce"],
                code_verifier=data.get("code_verifier"),
                redirect_uri=data["redirect_uri"],
                acr=data.get("acr"),
                created_at=data["created_at"],
            )
        except (KeyError, TypeError):
            raise ValueError("incomplete pending authorization") from None
        pending._check_types()
        return pending

    def _check_types(self) -> None:
        for name in ("state", "nonce", "redirect_uri"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"pending authorization has no valid {name}")
        for name in ("code_verifier", "acr"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise ValueError(f"pending authorization has an invalid {name}")
        if not isinstance(self.created_at, int) or isinstance(self.created_at, bool):
            raise ValueError("pending authorization has an invalid created_at")


@dataclass(frozen=True)
class UpstreamIdentity:
    """A person as vouched for by an upstream provider.

    ``claims`` are the verified userinfo claims (without the JWT envelope ``iss``, ``aud``,
    ``exp``, ``iat``); ``id_token`` is the compact token as the upstream signed it (the inner
    JWS of an encrypted one), which the caller keeps as the ``id_token_hint`` of the upstream
    logout (franceconnect.md §6).
    """

    provider: str
    subject: str
    acr: str | None
    amr: tuple[str, ...]
    auth_time: int | None
    claims: dict = field(hash=False, repr=False)
    id_token: str = field(repr=False)

    def pivot(self) -> dict[str, str]:
        """The six identity-pivot claims, missing ones as "" (birthplace is "" for people
        born abroad, franceconnect.md §5, so "" is a value callers must already handle)."""
        return {name: _as_text(self.claims.get(name)) for name in PIVOT_CLAIMS}

    @property
    def email(self) -> str | None:
        value = self.claims.get("email")
        return value if isinstance(value, str) and value else None

    @property
    def preferred_username(self) -> str | None:
        """The usage name (nom d'usage) on FranceConnect, when the upstream sent one."""
        value = self.claims.get("preferred_username")
        return value if isinstance(value, str) and value else None


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else ""
