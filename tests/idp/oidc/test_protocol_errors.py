"""The protocol error hierarchy (idp/oidc/errors.py): each OAuth/OIDC code has its status and
whether it may go back to the client's redirect URI; Authlib answers ours as its own; and
the request boundary, the authorization checks and userinfo raise them."""

from __future__ import annotations

import pytest
from authlib.oauth2.rfc6749 import errors as rfc6749
from authlib.oidc.core import errors as oidc

from idp.oidc import errors
from idp.oidc.errors import ProtocolError

REDIRECT_URI = "https://rp.example/cb"

# code: (class, status, allow_redirect, Authlib's class of that code or None)
EXPECTED = {
    "invalid_request": (errors.InvalidRequest, 400, True, rfc6749.InvalidRequestError),
    "invalid_client": (errors.InvalidClient, 400, False, rfc6749.InvalidClientError),
    "invalid_grant": (errors.InvalidGrant, 400, False, rfc6749.InvalidGrantError),
    "unauthorized_client": (errors.UnauthorizedClient, 400, True, rfc6749.UnauthorizedClientError),
    "unsupported_response_type": (errors.UnsupportedResponseType, 400, True, rfc6749.UnsupportedResponseTypeError),
    "unsupported_grant_type": (errors.UnsupportedGrantType, 400, False, rfc6749.UnsupportedGrantTypeError),
    "invalid_scope": (errors.InvalidScope, 400, True, rfc6749.InvalidScopeError),
    "access_denied": (errors.AccessDenied, 400, True, rfc6749.AccessDeniedError),
    "server_error": (errors.ServerError, 500, True, None),
    "temporarily_unavailable": (errors.TemporarilyUnavailable, 503, True, None),
    "login_required": (errors.LoginRequired, 400, True, oidc.LoginRequiredError),
    "consent_required": (errors.ConsentRequired, 400, True, oidc.ConsentRequiredError),
    "interaction_required": (errors.InteractionRequired, 400, True, oidc.InteractionRequiredError),
    "account_selection_required": (errors.AccountSelectionRequired, 400, True, oidc.AccountSelectionRequiredError),
    "invalid_request_object": (errors.InvalidRequestObject, 400, True, oidc.InvalidRequestObjectError),
    "request_not_supported": (errors.RequestNotSupported, 400, True, oidc.RequestNotSupportedError),
    "request_uri_not_supported": (errors.RequestURINotSupported, 400, True, oidc.RequestURINotSupportedError),
    "invalid_token": (errors.InvalidToken, 401, False, None),
    "insufficient_scope": (errors.InsufficientScope, 403, False, None),
    "unsupported_token_type": (errors.UnsupportedTokenType, 400, False, None),
    "invalid_request_uri": (errors.InvalidRequestURI, 400, False, None),
    "invalid_dpop_proof": (errors.InvalidDPoPProof, 400, False, None),
    "use_dpop_nonce": (errors.UseDPoPNonce, 400, False, None),
}


def test_every_code_is_listed_once():
    assert set(errors.CODES) == set(EXPECTED)
    assert all(errors.CODES[code] is cls for code, (cls, *_) in EXPECTED.items())


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_code_has_its_status_and_redirect_rule(code):
    cls, status, allow_redirect, authlib_class = EXPECTED[code]
    error = cls("Something is wrong.", redirect_uri=REDIRECT_URI, state="xyz")
    assert isinstance(error, ProtocolError) and error.error == code
    assert error.status == error.status_code == status
    assert cls.allow_redirect is allow_redirect and error.redirects is allow_redirect
    if authlib_class is not None:   # Authlib, calling our hooks, answers it as its own
        assert isinstance(error, authlib_class)
    if allow_redirect:
        assert error.redirect_params() == {"error": code, "error_description": "Something is wrong.", "state": "xyz"}
        assert error()[0] == 302 and error()[2][0][1].startswith(REDIRECT_URI + "?error=" + code)
    else:   # not even Authlib can send it to the URI: it is not kept
        assert error.redirect_uri is None
        assert error()[0] == status and error()[1]["error"] == code


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_without_a_trusted_redirect_uri_no_error_redirects(code):
    error = EXPECTED[code][0]("Something is wrong.", state="xyz")
    assert not error.redirects
    status, body, _ = error()
    assert status == EXPECTED[code][1] and body["error"] == code


def test_invalid_client_over_http_basic_is_401_with_its_challenge():
    status, body, headers = errors.InvalidClient.basic("Bad credentials.")()
    assert status == 401 and body == {"error": "invalid_client", "error_description": "Bad credentials."}
    assert ("WWW-Authenticate", 'Basic error="invalid_client", error_description="Bad credentials."') in headers


@pytest.mark.parametrize("cls, status", [(errors.MissingToken, 401), (errors.InvalidToken, 401),
                                         (errors.InsufficientScope, 403)])
def test_resource_errors_carry_their_bearer_challenge(cls, status):
    error = cls("Why.")
    challenge = dict(error.get_headers())["WWW-Authenticate"]
    assert error.status == status and challenge == f'Bearer error="{error.error}", error_description="Why."'
    assert not cls.allow_redirect


def test_an_authlib_error_becomes_ours_with_everything_it_said():
    authlib_error = rfc6749.InvalidScopeError(state="s1", redirect_uri=REDIRECT_URI)
    ours = errors.as_protocol_error(authlib_error)
    assert isinstance(ours, errors.InvalidScope) and ours.redirects and ours.state == "s1"
    assert ours.description == authlib_error.description
    unsupported = errors.as_protocol_error(rfc6749.UnsupportedResponseTypeError("token", redirect_uri=REDIRECT_URI))
    assert unsupported.redirect_params() == {"error": "unsupported_response_type",
                                             "error_description": "response_type=token is not supported"}
    unknown_client = errors.as_protocol_error(rfc6749.InvalidClientError(status_code=401, redirect_uri=REDIRECT_URI))
    assert isinstance(unknown_client, errors.InvalidClient) and not unknown_client.redirects
    assert unknown_client.status == 401
    assert errors.as_protocol_error(ours) is ours


def test_an_unlisted_code_keeps_its_name():
    # invalid_request_uri, the example before, is listed since PAR (RFC 9126)
    odd = errors.as_protocol_error(rfc6749.OAuth2Error("Odd.", error="invalid_authorization_details"))
    assert odd.error == "invalid_authorization_details" and isinstance(odd, errors.InvalidRequest)


def test_the_boundary_raises_protocol_errors_that_never_redirect():
    from idp.web import params

    with pytest.raises(errors.InvalidRequest) as refused:
        params.check_pairs([("state", "a\x00b")], protocol=True)
    assert not refused.value.redirects
    with pytest.raises(errors.UnsupportedResponseType):
        params.check_pairs([("response_type", "code\u00e9")], protocol=True)
    with pytest.raises(errors.InvalidClient) as basic:
        params.basic_credentials("Basic !!!")
    assert basic.value.status == 401


def test_a_refused_hint_is_an_invalid_request():
    from idp.oidc.id_token_hint import InvalidHint, NOT_AN_ID_TOKEN

    hint = InvalidHint(NOT_AN_ID_TOKEN)
    assert isinstance(hint, errors.InvalidRequest) and hint.description == NOT_AN_ID_TOKEN


def test_access_token_refusals_are_invalid_token():
    from idp.oidc import tokens

    assert tokens.InvalidToken is errors.InvalidToken
