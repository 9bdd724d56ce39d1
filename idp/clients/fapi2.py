"""The ``fapi2`` client profile: the FAPI 2.0 Security Profile (OpenID FAPI 2.0, final).

What a client registered with ``idp clients create --profile fapi2`` gets, each rule asked of
this profile by the engine (never "is this client FAPI?"):

- pushed authorization requests only (``requires_par``, :mod:`idp.oidc.par`; FAPI 2.0 §5.3.2.2);
- PKCE with ``S256`` even as a confidential client (``requires_pkce``, :mod:`idp.oidc.pkce`);
- ``private_key_jwt`` client authentication (registration; mTLS is not offered, see below);
- sender-constrained tokens with DPoP: every token request carries a proof
  (``requires_dpop``, :mod:`idp.oidc.dpop`);
- ``iss`` in the authorization response (RFC 9207): this provider always sends it;
- authorization codes living at most 60 seconds (``max_code_ttl``, §5.3.2.1);
- ES256 or PS256 only (``signing_algs``): ID tokens and signed userinfo in ES256, client
  assertions and DPoP proofs refused in another algorithm (§5.4);
- no error sent to a redirect URI that is not registered: this provider never redirects
  before Authlib validated the client and its exact redirect_uri (:mod:`idp.oidc.errors`),
  and a pushed request's errors are JSON to the client.

Left out: mutual TLS (RFC 8705) for client authentication and sender-constraining, which
needs a TLS-terminating proxy passing the client certificate; and the FAPI 2.0 Message
Signing profile (JAR, JARM).
"""

from __future__ import annotations

from idp.clients.profile import ClientProfile, ProfileError

ALGS = ("ES256", "PS256")


class FAPI2Profile(ClientProfile):
    name = "fapi2"
    title = "FAPI 2.0"
    requires_par = True
    requires_pkce = True
    requires_dpop = True
    max_code_ttl = 60
    signing_algs = ALGS

    def registration(self, options: dict, host: str | None = None) -> dict:
        options = dict(super().registration(options, host))
        if options.get("public"):
            raise ProfileError("--public: a FAPI 2.0 client is confidential (private_key_jwt)")
        if options.setdefault("auth_method", "private_key_jwt") != "private_key_jwt":
            raise ProfileError("--auth-method: FAPI 2.0 clients authenticate with private_key_jwt")
        for option in ("id_token_signed_response_alg", "userinfo_signed_response_alg"):
            if options.get(option) not in (None, *ALGS):
                raise ProfileError(f"--{option.replace('_', '-')}: FAPI 2.0 allows ES256 or PS256 only")
        options.setdefault("id_token_signed_response_alg", "ES256")
        if "client_credentials" in (options.get("grant_types") or []):
            raise ProfileError("--grant-type: a FAPI 2.0 client uses the code flow (and refresh tokens)")
        options["require_pushed_authorization_requests"] = True
        options["dpop_bound_access_tokens"] = True
        return options


FAPI2 = FAPI2Profile()
