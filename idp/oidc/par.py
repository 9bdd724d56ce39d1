"""Pushed authorization requests (RFC 9126).

The client POSTs its authorization request to ``{issuer}/par``, authenticated as at the token
endpoint (every method: ``client_secret_basic``, ``client_secret_post``, ``private_key_jwt``,
``none`` for a public client), and gets a ``request_uri`` it sends to ``/authorize`` with its
``client_id`` alone. The pushed request is validated as ``/authorize`` would validate it
(Authlib's validation of client, redirect_uri, response_type, scope and PKCE, then the checks
of :mod:`.authorize` that need no browser session); a refusal is JSON (RFC 9126 §2.3), never
a redirect. Stored in the pending store (:mod:`idp.store.pending`): the ``request_uri``
is ``urn:ietf:params:oauth:request_uri:<handle>``, the row its digest, its parameters sealed,
alive :data:`TTL` seconds, bound to the client that pushed it, used once (the first
``/authorize`` that names it uses it up, whatever comes next: the parameters then live in the
interaction, if one is needed).

At ``/authorize`` (:func:`resolve`), a ``request_uri`` of this form replaces the request by
the pushed one; a parameter sent beside it that differs from the pushed value is refused
(RFC 9126 §4 lets the server ignore them; refusing says so). Pushing is required of a client
registered with ``require_pushed_authorization_requests``, and of every client of a tenant
that sets ``require_pushed_authorization_requests`` (RFC 9126 §5, §6).

A DPoP proof sent with the push binds the authorization code to its key (RFC 9449 §10,
:func:`idp.oidc.dpop.bind_pushed_request`): the pushed request gets that key's ``dpop_jkt``.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from flask import current_app, g, jsonify

from idp.clients.model import find_client
from idp.oidc import authorize as authz
from idp.oidc import dpop
from idp.oidc.errors import InvalidRequest, InvalidRequestURI, ProtocolError, as_protocol_error
from idp.security.audit import audit
from idp.store import pending
from idp.web.params import describable

PREFIX = "urn:ietf:params:oauth:request_uri:"
TTL = 60
STEP = "par"
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
# client authentication, not part of the authorization request (RFC 9126 §2.1)
CLIENT_AUTH_PARAMS = ("client_secret", "client_assertion", "client_assertion_type")


def _server():
    return current_app.extensions["idp_oauth"]


def required_for(client) -> bool:
    return bool(g.tenant.config.require_pushed_authorization_requests
                or (client is not None and (client.row.require_pushed_authorization_requests
                                            or client.profile.requires_par)))


def _validate(client, params: dict) -> None:
    """As ``/authorize`` validates, minus the person's session: Authlib's checks, then the
    request checks of :mod:`.authorize` (response_mode, prompt, claims, max_age, hint)."""
    if "request_uri" in params:
        raise InvalidRequest("'request_uri' cannot be pushed (RFC 9126 section 2.1).")
    if params.get("client_id", client.get_client_id()) != client.get_client_id():
        raise InvalidRequest("'client_id' is not the authenticated client.")
    oauth_request = authz.oauth_request_from({**params, "client_id": client.get_client_id()})
    try:
        grant = _server().get_authorization_grant(oauth_request)
        redirect_uri = grant.validate_authorization_request()
    except OAuth2Error as error:
        raise _unredirected(as_protocol_error(error)) from None
    attempt = authz.Attempt(grant, redirect_uri, params)
    try:
        for check in authz.REQUEST_CHECKS:
            check(attempt)
    except ProtocolError as error:
        raise _unredirected(error) from None


def _unredirected(error: ProtocolError) -> ProtocolError:
    """The same code and description, answered in JSON to the client (RFC 9126 §2.3)."""
    ours = type(error)(error.get_error_description() or None, status=error.status_code)
    ours.error = error.error
    return ours


def push(oauth_request):
    """The ``/par`` endpoint: authenticate, validate, store; 201 with the ``request_uri``."""
    try:
        client = _server().authenticate_client(oauth_request, AUTH_METHODS, endpoint="par")
    except OAuth2Error as error:
        raise as_protocol_error(error) from None
    params = {k: v for k, v in oauth_request.payload.data.items() if k not in CLIENT_AUTH_PARAMS}
    try:
        _validate(client, params)
        dpop.bind_pushed_request(params)   # a proof here binds the code to its key (RFC 9449 §10)
    except ProtocolError as error:
        audit("par.refused", "failure", client_id=client.get_client_id(), error=error.error)
        raise
    params["client_id"] = client.get_client_id()
    _, handle = pending.keep({"client_id": client.get_client_id(), "params": params}, TTL, step=STEP, kind=STEP)
    audit("par.pushed", client_id=client.get_client_id())
    response = jsonify(request_uri=PREFIX + handle, expires_in=TTL)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    dpop.add_nonce(response)
    return response


def resolve(oauth_request):
    """The request ``/authorize`` answers: the pushed one its ``request_uri`` names (used up
    here, committed with the answer), or the one sent when it is not a pushed one and pushing
    is not required. Raises :class:`.errors.InvalidRequestURI` or ``InvalidRequest``."""
    sent = dict(oauth_request.payload.data.items())
    request_uri = sent.get("request_uri")
    if not isinstance(request_uri, str) or not request_uri.startswith(PREFIX):
        if required_for(find_client(sent.get("client_id"))):
            raise InvalidRequest("This client must push its authorization requests (PAR, RFC 9126).")
        return oauth_request   # a request_uri of another kind: .authorize says it is not supported
    stored = pending.find(request_uri[len(PREFIX):], step=STEP, kind=STEP)
    if stored is None:
        raise InvalidRequestURI("The request_uri is unknown, used or expired.")
    pending.discard(stored, commit=False)
    if sent.get("client_id") != stored.data["client_id"]:
        raise InvalidRequestURI("The request_uri was pushed by another client.")
    params = stored.data["params"]
    for name, value in sent.items():
        if name not in ("request_uri", "client_id") and params.get(name) != value:
            raise InvalidRequest(describable(f"'{name}' differs from the pushed request."))
    oauth_request.payload = BasicOAuth2Payload(params)
    return oauth_request
