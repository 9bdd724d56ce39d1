"""What a kind of relying party changes in the engine: a :class:`ClientProfile`.

The engine (:mod:`idp.oidc`) never asks which profile a client has: it asks the client's
profile object (``client.profile``, chosen once by :func:`idp.clients.profiles.profile_of`)
for its scope table, its claim formats, its access-token lifetime, what an identity must
hold before it is sent, and the registration defaults ``idp clients create --profile NAME``
fills in. This class is the default profile, that of every client registered without one;
a known kind of client (FranceConnect as a client, :mod:`idp.clients.franceconnect_fi`) is
a subclass registered in :mod:`idp.clients.profiles`, and a new kind is a new subclass.
"""

from __future__ import annotations

from idp.oidc.claims import SCOPE_CLAIMS, account_claims


class ProfileError(ValueError):
    """Registration options a profile refuses (the message names the option)."""


class ClientProfile:
    """The default profile: the generic scope table and claim formats of :mod:`idp.oidc.claims`,
    the tenant's token lifetimes, and registration options taken as given."""

    name: str | None = None          # what ``--profile`` names and the client row stores
    title = "this provider"          # who requires it, in protocol error descriptions
    scope_claims: dict[str, tuple[str, ...]] = SCOPE_CLAIMS
    max_access_token_ttl: int | None = None   # a cap on the tenant's access-token lifetime
    requires_email = False           # an account without an email gives one before the answer
    requires_claims = False          # missing_claims is asked at the authorization endpoint
    incomplete_event = "client_profile.incomplete_identity"   # audit event of missing_claims
    upstream: str | None = None      # the upstream provider (idp.federation) this client is
    requires_par = False             # authorization requests only pushed (RFC 9126)
    requires_pkce = False            # PKCE S256 even for a confidential client
    requires_dpop = False            # every token request with a DPoP proof (RFC 9449)
    max_code_ttl: int | None = None  # a cap on the tenant's authorization-code lifetime
    signing_algs: tuple[str, ...] | None = None   # the only algs of client assertions and DPoP proofs

    def claims_of(self, account) -> dict:
        """Every claim the account can give, in this profile's formats."""
        return account_claims(account)

    def missing_claims(self, account) -> list[str]:
        """The claims this profile's clients require that the account cannot give (checked at
        the authorization endpoint, before any answer); ``[]`` when none is missing."""
        return []

    def access_token_ttl(self, ttl: int) -> int:
        return min(ttl, self.max_access_token_ttl) if self.max_access_token_ttl else ttl

    def code_ttl(self, ttl: int) -> int:
        return min(ttl, self.max_code_ttl) if self.max_code_ttl else ttl

    def registration(self, options: dict, host: str | None = None) -> dict:
        """``options`` of ``idp clients create`` completed by this profile's defaults;
        :class:`ProfileError` when they contradict it. ``host``: the client's own host, for
        a profile that knows its callback URLs (``--franceconnect-host``)."""
        if host:
            raise ProfileError("--franceconnect-host: only with --profile franceconnect")
        return dict(options)
