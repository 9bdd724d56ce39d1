"""Protocol errors: one exception per OAuth 2.0 / OpenID Connect error code.

The model (as node-oidc-provider's ``errors``, one line per code):

- :class:`ProtocolError` carries the ``error`` code (RFC 6749 §4.1.2.1 and §5.2, RFC 6750
  §3.1, RFC 7009 §2.2.1, OIDC Core §3.1.2.6), a ``description`` (ASCII, RFC 6749's
  character set: :func:`idp.web.params.describable` for one that quotes the request), an
  HTTP ``status`` and ``allow_redirect``: whether the code may ever go back to the client's
  redirect URI. It is False for the codes that put the client itself in doubt
  (``invalid_client``) and for those of the token and resource endpoints, which have no
  redirect URI. An error is sent to the client (:attr:`ProtocolError.redirects`) only when
  it allows it *and* carries a ``redirect_uri``, which is given only once Authlib has
  validated the client and its exact redirect_uri (:meth:`idp.oidc.authorize.Attempt.error`):
  an error raised before that, or at the request's boundary (:mod:`idp.web.params`), is a
  page, never a redirect (RFC 6749 §4.1.2.1).
- Each class is also the Authlib error of its code (``InvalidRequest`` is an
  ``InvalidRequestError``): raised inside a grant, an endpoint or a client authentication
  that Authlib calls, Authlib answers it as its own. Authlib's own errors may still come out
  of Authlib (``validate_authorization_request``): :func:`as_protocol_error` turns them into
  ours where our code catches them.
- Rendered in one place, :func:`idp.web.errors.protocol_error`: JSON with ``Cache-Control:
  no-store`` on the API endpoints, the French error page for the authorization and logout
  endpoints and the other pages; the redirect to the client is the authorization response
  (:func:`idp.oidc.views.respond_to_client`), with :meth:`ProtocolError.redirect_params`.

Errors a person can correct (a form field) are not protocol errors: :mod:`idp.web.outcome`.
This module imports nothing of ``idp``: the request boundary (:mod:`idp.web.params`) and
the renderer (:mod:`idp.web.errors`) use it without importing the engine.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import errors as rfc6749
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core import errors as oidc


class ProtocolError(OAuth2Error):
    """An OAuth/OIDC error answer; subclasses fix ``error``, ``status_code`` and
    ``allow_redirect``."""

    error = "invalid_request"
    status_code = 400
    allow_redirect = True

    def __init__(self, description: str | None = None, *, redirect_uri: str | None = None,
                 state: str | None = None, status: int | None = None):
        # a code that never goes back to the client does not even keep the URI (Authlib
        # would redirect to any it finds); OAuth2Error's own __init__: the Authlib class
        # beside it in the MRO may take other arguments
        OAuth2Error.__init__(self, description=description, status_code=status, state=state,
                             redirect_uri=redirect_uri if self.allow_redirect else None)

    @property
    def status(self) -> int:
        return self.status_code

    @property
    def redirects(self) -> bool:
        """Sent back to the client: the code allows it and the redirect_uri is trusted."""
        return self.allow_redirect and bool(self.redirect_uri)

    def redirect_params(self) -> dict:
        """``error``, ``error_description``, ``state`` for the authorization response."""
        return {k: v for k, v in self.get_body() if v is not None}

    def get_error_description(self):
        return self.description


DPOP_ALGS = ("ES256", "PS256", "RS256")   # the DPoP proofs' algorithms (idp/oidc/dpop.py), in challenges


def challenge(scheme: str, error: str, description: str) -> str:
    """A ``WWW-Authenticate`` value: RFC 6750 §3 for ``Bearer``; RFC 9449 §7.1 for ``DPoP``,
    which also names the algorithms a proof may use."""
    value = f'{scheme} error="{error}", error_description="{description}"'
    return value + (f', algs="{" ".join(DPOP_ALGS)}"' if scheme == "DPoP" else "")


class _BearerChallenge:
    """RFC 6750 §3: a resource endpoint's refusal names its error in ``WWW-Authenticate``.
    ``scheme`` is the one the token was presented with: a token sent with the ``DPoP`` scheme
    is refused with a ``DPoP`` challenge (RFC 9449 §7.1), whatever failed
    (:func:`idp.oidc.dpop.challenged_as`)."""

    scheme = "Bearer"

    def get_headers(self):
        headers = super().get_headers()
        headers.append(("WWW-Authenticate", challenge(self.scheme, self.error, self.description)))
        return headers


# -- RFC 6749: authorization (§4.1.2.1) and token (§5.2) endpoints -----------------------------

class InvalidRequest(ProtocolError, rfc6749.InvalidRequestError):
    error = "invalid_request"


class InvalidClient(ProtocolError, rfc6749.InvalidClientError):
    """The client is in doubt: never redirected to. 401 with a ``Basic`` challenge when it
    authenticated with HTTP Basic (RFC 6749 §5.2, :meth:`basic`), 400 otherwise."""

    error = "invalid_client"
    allow_redirect = False

    @classmethod
    def basic(cls, description: str) -> InvalidClient:
        return cls(description, status=401)


class InvalidGrant(ProtocolError, rfc6749.InvalidGrantError):
    error = "invalid_grant"
    allow_redirect = False


class UnauthorizedClient(ProtocolError, rfc6749.UnauthorizedClientError):
    error = "unauthorized_client"


class UnsupportedResponseType(ProtocolError, rfc6749.UnsupportedResponseTypeError):
    error = "unsupported_response_type"


class UnsupportedGrantType(ProtocolError, rfc6749.UnsupportedGrantTypeError):
    error = "unsupported_grant_type"
    allow_redirect = False


class InvalidScope(ProtocolError, rfc6749.InvalidScopeError):
    error = "invalid_scope"


class AccessDenied(ProtocolError, rfc6749.AccessDeniedError):
    error = "access_denied"


class ServerError(ProtocolError):
    error = "server_error"
    status_code = 500


class TemporarilyUnavailable(ProtocolError):
    error = "temporarily_unavailable"
    status_code = 503


# -- OIDC Core §3.1.2.6: the authorization endpoint's own -------------------------------------

class LoginRequired(ProtocolError, oidc.LoginRequiredError):
    error = "login_required"


class ConsentRequired(ProtocolError, oidc.ConsentRequiredError):
    error = "consent_required"


class InteractionRequired(ProtocolError, oidc.InteractionRequiredError):
    error = "interaction_required"


class AccountSelectionRequired(ProtocolError, oidc.AccountSelectionRequiredError):
    error = "account_selection_required"


class InvalidRequestObject(ProtocolError, oidc.InvalidRequestObjectError):
    error = "invalid_request_object"


class RequestNotSupported(ProtocolError, oidc.RequestNotSupportedError):
    error = "request_not_supported"


class RequestURINotSupported(ProtocolError, oidc.RequestURINotSupportedError):
    error = "request_uri_not_supported"


# -- RFC 6750 §3.1: the resource endpoint (userinfo) -------------------------------------------

class MissingToken(_BearerChallenge, InvalidRequest):
    """No access token at all: ``invalid_request``, 401 with the Bearer challenge."""

    status_code = 401
    allow_redirect = False


class InvalidToken(_BearerChallenge, ProtocolError):
    error = "invalid_token"
    status_code = 401
    allow_redirect = False


class InsufficientScope(_BearerChallenge, ProtocolError):
    error = "insufficient_scope"
    status_code = 403
    allow_redirect = False


# -- RFC 9126 §2.3 and §4: pushed authorization requests --------------------------------------

class InvalidRequestURI(ProtocolError):
    """A ``request_uri`` unknown, used already, expired or another client's: an error page
    (the request it names, with its redirect_uri, is not known)."""

    error = "invalid_request_uri"
    allow_redirect = False


# -- RFC 9449 §5.2, §7.1, §8, §9: DPoP proofs ---------------------------------------------------

class _DPoPNonce:
    """The server nonce the client must put in its next proof (``DPoP-Nonce``, RFC 9449 §8)."""

    nonce: str | None = None

    def get_headers(self):
        headers = super().get_headers()
        if self.nonce:
            headers.append(("DPoP-Nonce", self.nonce))
        return headers


class InvalidDPoPProof(_DPoPNonce, ProtocolError):
    """A missing or wrong proof at the token endpoint (400, RFC 9449 §5.2)."""

    error = "invalid_dpop_proof"
    allow_redirect = False


class UseDPoPNonce(_DPoPNonce, ProtocolError):
    """The proof lacks the current server nonce: retry with the one in ``DPoP-Nonce``."""

    error = "use_dpop_nonce"
    allow_redirect = False


class _DPoPChallenge:
    """RFC 9449 §7.1: a resource endpoint's refusal of a DPoP request names the scheme and
    the algorithms it takes."""

    def get_headers(self):
        headers = [h for h in super().get_headers() if h[0].lower() != "www-authenticate"]
        headers.append(("WWW-Authenticate", challenge("DPoP", self.error, self.description)))
        return headers


class InvalidDPoPProofAtResource(_DPoPChallenge, InvalidDPoPProof):
    status_code = 401


class UseDPoPNonceAtResource(_DPoPChallenge, UseDPoPNonce):
    status_code = 401


class InvalidDPoPToken(_DPoPChallenge, ProtocolError):
    """A token presented with the ``DPoP`` scheme that is not DPoP-bound (or not valid)."""

    error = "invalid_token"
    status_code = 401
    allow_redirect = False


# -- RFC 7009 §2.2.1: revocation ---------------------------------------------------------------

class UnsupportedTokenType(ProtocolError):
    """400 as RFC 7009 says (Authlib's class of this code is a 401 challenge)."""

    error = "unsupported_token_type"
    allow_redirect = False


CODES: dict[str, type[ProtocolError]] = {
    cls.error: cls for cls in (
        InvalidRequest, InvalidClient, InvalidGrant, UnauthorizedClient, UnsupportedResponseType,
        UnsupportedGrantType, InvalidScope, AccessDenied, ServerError, TemporarilyUnavailable,
        LoginRequired, ConsentRequired, InteractionRequired, AccountSelectionRequired, InvalidRequestObject,
        RequestNotSupported, RequestURINotSupported,
        InvalidToken, InsufficientScope, UnsupportedTokenType, InvalidRequestURI, InvalidDPoPProof,
        UseDPoPNonce,
    )
}


def of_code(code: str, description: str | None = None, **kwargs) -> ProtocolError:
    """The error for ``code`` (a code this module does not know is ``invalid_request``)."""
    return CODES.get(code, InvalidRequest)(description, **kwargs)


def as_protocol_error(error: OAuth2Error) -> ProtocolError:
    """Ours for an error Authlib raised: same code, description, status, state and
    redirect_uri (Authlib sets one only once it has checked the redirect_uri)."""
    if isinstance(error, ProtocolError):
        return error
    ours = CODES.get(error.error, InvalidRequest)(
        error.get_error_description() or None, redirect_uri=error.redirect_uri, state=error.state,
        status=error.status_code)
    ours.error = error.error   # kept as Authlib said it, even for a code we do not list
    return ours
