"""The endpoints the web plumbing treats by kind, named once.

Error pages (:mod:`idp.web.errors`), body limits (:mod:`idp.web.body_limits`) and parameter
checks at the boundary (:mod:`idp.web.params`) each ask "is this a protocol endpoint, does
it answer JSON?": they ask these sets, so that a new endpoint is added in one place.
"""

from __future__ import annotations

# RFC 6749 §2.3: the client authenticates itself (Basic or form secret, private_key_jwt)
CLIENT_AUTHENTICATION_ENDPOINTS = frozenset({"oidc.token", "oidc.introspect", "oidc.revoke", "oidc.par"})
# called by a relying party's back end with a body: refusals in JSON (RFC 6749 §5.2)
API_ENDPOINTS = CLIENT_AUTHENTICATION_ENDPOINTS | {"oidc.userinfo"}
# OAuth parameters, checked by the protocol's grammar (RFC 6749 Appendix A)
PROTOCOL_ENDPOINTS = API_ENDPOINTS | {"oidc.authorize", "oidc.logout"}
AUTHORIZATION_ENDPOINTS = frozenset({"oidc.authorize"})
# every error answered in JSON, never as a page: the APIs and the documents machines read
JSON_ENDPOINTS = API_ENDPOINTS | {
    "oidc.discovery", "oidc.jwks", "franceconnect.encryption_keys", "health.healthz",
    "signup.identifier_availability", "signup.password_check",
}
