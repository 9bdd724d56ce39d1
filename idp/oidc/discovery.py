"""OpenID Provider metadata (OIDC Discovery 1.0 §3, RFC 8414), generated per tenant from
what is really enabled."""

from __future__ import annotations

from idp.oidc.levels import SUPPORTED as SUPPORTED_ACR
from idp.oidc.claims import SUPPORTED_CLAIMS, SUPPORTED_SCOPES
from idp.clients.model import AUTH_METHODS, GRANT_TYPES
from idp.oidc.dpop import ALGS as DPOP_ALGS
from idp.oidc.subjects import SUBJECT_TYPES

SIGNING_ALGS = ["RS256", "ES256"]


def metadata(tenant) -> dict:
    issuer = tenant.issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks.json",
        "end_session_endpoint": f"{issuer}/logout",
        "introspection_endpoint": f"{issuer}/introspect",
        "revocation_endpoint": f"{issuer}/revoke",
        "pushed_authorization_request_endpoint": f"{issuer}/par",
        "require_pushed_authorization_requests": tenant.config.require_pushed_authorization_requests,
        "dpop_signing_alg_values_supported": list(DPOP_ALGS),
        "scopes_supported": list(SUPPORTED_SCOPES),
        "claims_supported": SUPPORTED_CLAIMS,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": list(GRANT_TYPES),
        "subject_types_supported": list(SUBJECT_TYPES),
        "id_token_signing_alg_values_supported": SIGNING_ALGS,
        "userinfo_signing_alg_values_supported": SIGNING_ALGS,
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "token_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "introspection_endpoint_auth_methods_supported": [m for m in AUTH_METHODS if m != "none"],
        "revocation_endpoint_auth_methods_supported": [m for m in AUTH_METHODS if m != "none"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "acr_values_supported": list(SUPPORTED_ACR),
        "claims_parameter_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_request_uri_registration": False,
        "authorization_response_iss_parameter_supported": True,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
        "ui_locales_supported": ["fr-FR", "en"],
        "claims_locales_supported": ["fr-FR"],
        "display_values_supported": ["page", "popup", "touch"],
        "service_documentation": f"{issuer}/",
    }
