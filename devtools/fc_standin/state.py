"""What the stand-in remembers, in memory: clients, identities, pending interactions, codes,
access tokens, sessions, and the records tests inspect (``authorize_requests``, ``logouts``).

Lifetimes are FC's (design note §4): code 30 s, access token and id_token 60 s,
interaction 1800 s on fcp-low. ``clock`` can be replaced to test expiry without sleeping.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devtools.fc_standin.signing import SigningKey

CODE_TTL = 30
ACCESS_TOKEN_TTL = 60
ID_TOKEN_TTL = 60
INTERACTION_TTL = 1800


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, registration: dict) -> Client:
        return cls(
            client_id=registration["client_id"],
            client_secret=registration["client_secret"],
            redirect_uris=tuple(registration.get("redirect_uris", ())),
            post_logout_redirect_uris=tuple(registration.get("post_logout_redirect_uris", ())),
        )


@dataclass
class Interaction:
    """A validated authorization request waiting for the user to pick an identity."""

    uid: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str
    nonce: str
    acr: str
    amr_requested: bool
    code_challenge: str | None
    expires_at: float


@dataclass
class AuthorizationCode:
    code: str
    interaction: Interaction
    identity: dict
    sub: str
    sid: str
    auth_time: int
    expires_at: float


@dataclass
class AccessToken:
    token: str
    client_id: str
    identity: dict
    sub: str
    sid: str
    scopes: list[str]
    code: str
    expires_at: float


@dataclass
class StandinState:
    """Everything one stand-in app holds; exposed as ``app.extensions["fc_standin"]``."""

    issuer: str
    clients: dict[str, Client]
    identities: list[dict]
    signing_key: SigningKey
    clock: Callable[[], float] = time.time
    authorize_requests: list[dict] = field(default_factory=list)
    logouts: list[dict] = field(default_factory=list)  # {client_id, sub, state}
    interactions: dict[str, Interaction] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    redeemed_codes: set[str] = field(default_factory=set)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # sid -> sub

    def now(self) -> float:
        return self.clock()

    def identity(self, login: str) -> dict | None:
        return next((identity for identity in self.identities if identity["login"] == login), None)

    def take_interaction(self, uid: str) -> Interaction | None:
        """The pending interaction, removed so that it completes once (dict.pop is atomic)."""
        interaction = self.interactions.pop(uid, None)
        if interaction is None or interaction.expires_at < self.now():
            return None
        return interaction

    def revoke_tokens_of_code(self, code: str) -> None:
        for token in [t for t, grant in self.access_tokens.items() if grant.code == code]:
            self.access_tokens.pop(token, None)

    def end_session(self, sid: str) -> None:
        self.sessions.pop(sid, None)
        for token in [t for t, grant in self.access_tokens.items() if grant.sid == sid]:
            self.access_tokens.pop(token, None)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
