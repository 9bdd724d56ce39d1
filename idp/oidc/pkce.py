"""PKCE (RFC 7636) as RFC 9700 §2.1.1 wants it: ``S256`` only, required for public clients.

Authlib's ``CodeChallenge`` defaults a missing ``code_challenge_method`` to ``plain``; here
a challenge must say ``S256`` and ``plain`` is refused, so no downgrade is possible.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge

from idp.oidc.errors import InvalidRequest, as_protocol_error


class StrictCodeChallenge(CodeChallenge):
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        challenge, method = data.get("code_challenge"), data.get("code_challenge_method")
        if grant.request.client.is_public and not challenge:
            raise InvalidRequest("Public clients must send a 'code_challenge' (PKCE).", redirect_uri=redirect_uri)
        profile = grant.request.client.profile
        if profile.requires_pkce and not challenge:
            raise InvalidRequest(f"{profile.title} clients must send a 'code_challenge' (PKCE).",
                                 redirect_uri=redirect_uri)
        if challenge and method != "S256":
            raise InvalidRequest("'code_challenge_method' must be 'S256'.", redirect_uri=redirect_uri)
        try:
            super().validate_code_challenge(grant, redirect_uri)
        except InvalidRequestError as error:   # Authlib's (the challenge's own format)
            error = as_protocol_error(error)
            error.redirect_uri = redirect_uri
            raise error from None

    def get_authorization_code_challenge(self, authorization_code):
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):
        return authorization_code.row.code_challenge_method
