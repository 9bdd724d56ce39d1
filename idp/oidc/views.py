"""HTTP endpoints of each tenant's OpenID Provider. Views parse, call one function, respond.

Refusals are :mod:`idp.oidc.errors`, rendered by :func:`idp.web.errors.protocol_error`
(raised, or called with the endpoint's page); the one kind rendered here is an
authorization error that :attr:`~idp.oidc.errors.ProtocolError.redirects`: it is the
authorization response (:func:`respond_to_client`), as a code would be."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import OAuth2Error
from flask import current_app, g, jsonify, make_response, redirect, render_template, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from idp.web.headers import register_form_action_source
from idp.web.tenancy import tenant_blueprint
from idp.oidc import authorize as authz
from idp.oidc import dpop, interactions, par, sessions
from idp.oidc.claims import names_for_scope, release
from idp.clients.model import find_client
from idp.oidc.consent import registered_claims
from idp.oidc.discovery import metadata
from idp.oidc.errors import (
    AccessDenied, InsufficientScope, InvalidToken, MissingToken, ProtocolError, as_protocol_error,
)
from idp.oidc.logout import after_local_logout, needs_confirmation
from idp.oidc.signed_userinfo import signed_userinfo_response
from idp.oidc.subjects import account_id_for
from idp.oidc.tokens import verify_access_token
from idp.security.audit import audit
from idp.store.db import commit_request, db, scoped_first
from idp.store.models import Account
from idp.store.keystore import keyring
from idp.web.errors import protocol_error

log = logging.getLogger("idp.oidc")
bp = tenant_blueprint("oidc", __name__)
bp.record_once(lambda state: register_form_action_source(state, interactions.relying_party_origin))


def _server():
    return current_app.extensions["idp_oauth"]


def respond_to_client(redirect_uri: str, params: dict, response_mode: str | None):
    """Send the authorization response (RFC 6749 §4.1.2, RFC 9207 ``iss``, form_post)."""
    params = {**params, "iss": g.tenant.issuer}
    if response_mode == "form_post":
        parts = urlsplit(redirect_uri)
        g.form_action = f"{parts.scheme}://{parts.netloc}"
        return render_template("oidc/form_post.html", action=redirect_uri, params=params)
    # 303 after a POST (the login form, a POSTed authorization request): the browser must not
    # re-send the form, with its password, to the client (RFC 9700 §4.12)
    code = 303 if request.method == "POST" else 302
    return redirect(add_params_to_uri(redirect_uri, list(params.items())), code=code)


def error_page(error: ProtocolError):
    """An authorization error that may not go back to the client: the French page."""
    audit("authorize.refused", "failure", error=error.error)
    return protocol_error(error, "oidc/error.html")


def handle_authorization(oauth_request, interaction=None, handle=None):
    """Answer the authorization request, or send the person to the page of the step it
    still needs. Commits nothing: the caller commits the request's changes (the code, the
    session's clients, the interaction) at once."""
    try:
        attempt = authz.begin(oauth_request, interaction)
    except authz.InteractionNeeded as need:
        return _to_interaction(oauth_request, interaction, handle, need.step)
    except ProtocolError as error:
        if not error.redirects:
            return error_page(error)
        if interaction is not None:
            interactions.finish(interaction)
        mode = oauth_request.payload.data.get("response_mode")
        return _finished(respond_to_client(error.redirect_uri, error.redirect_params(), mode), interaction)
    params = authz.issue_code(attempt)
    if interaction is not None:
        interactions.finish(interaction)
    return _finished(respond_to_client(attempt.redirect_uri, params, attempt.params.get("response_mode")), interaction)


def _finished(response, interaction):
    """The answer to the client; when it ends an interaction, the browser forgets its handle."""
    if interaction is None:
        return response
    response = make_response(response)
    interactions.clear_cookie(response)
    return response


def _to_interaction(oauth_request, interaction, handle, step):
    params = dict(oauth_request.payload.data.items())
    row, new_handle = interactions.save(params, params.get("client_id", ""), interaction)
    handle = new_handle or handle
    response = redirect(interactions.page_url(step, handle))
    interactions.set_cookie(response, handle)
    return response


def _answered(response):
    """The request's changes, committed once (the new interaction, or the code with the
    interaction's end), before the answer leaves."""
    db.session.commit()
    return response


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    try:   # a pushed request (RFC 9126) answered as the request it names
        oauth_request = par.resolve(_server().create_oauth2_request(request))
    except ProtocolError as error:
        return _answered(error_page(error))
    return _answered(handle_authorization(oauth_request))


@bp.route("/par", methods=["POST"], endpoint="par")
def pushed_authorization_request():
    return par.push(_server().create_oauth2_request(request))


@bp.route("/interaction/<handle>/resume")
def resume(handle):
    row = interactions.load(handle)
    if row is None:
        return render_template("oidc/expired.html"), 400
    return _answered(handle_authorization(authz.oauth_request_from(row.params), row, handle))


def deny(row):
    """The person refused consent: ``access_denied`` to the client (OIDC Core §3.1.2.6).

    An interaction is only saved after Authlib validated the client and its redirect_uri,
    so redirecting to them is safe."""
    client = find_client(row.client_id)
    redirect_uri = row.params.get("redirect_uri") or client.get_default_redirect_uri()
    interactions.finish(row)
    db.session.commit()
    error = AccessDenied("The end-user refused the request.", state=row.params.get("state"))
    return _finished(respond_to_client(redirect_uri, error.redirect_params(), row.params.get("response_mode")), row)


@bp.route("/token", methods=["POST"])
def token():
    """One transaction per token request: the code's burn or the refresh token's rotation
    commits with the tokens recorded, once the answer is ready (the ID token signed), and
    only if it is a success: a refused exchange leaves the code to its rightful client.
    A DPoP proof (RFC 9449) is checked first, before any grant reads the database."""
    dpop.read_token_request_proof()
    server = _server()
    response = server.client_credentials_response(request)   # None: not sure to answer as Authlib
    if response is None:
        response = server.create_token_response()
    if response.status_code == 200:
        commit_request()
    dpop.add_nonce(response)
    return response


@bp.route("/introspect", methods=["POST"])
def introspect():
    return _server().create_endpoint_response("introspection")


@bp.route("/revoke", methods=["POST"])
def revoke():
    response = _server().create_endpoint_response("revocation")
    commit_request()   # the revocation (RFC 7009 answers 200 whether or not there was one)
    return response


def _presented_token() -> tuple[str | None, str]:
    """The access token and how it came: ``bearer`` (header or form, RFC 6750) or ``dpop``.
    The scheme is the header's first word, so ``DPoP`` with no token (whose trailing space
    the HTTP layer strips) is still a DPoP request, answered with the DPoP challenge."""
    header = request.headers.get("Authorization", "")
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() in ("bearer", "dpop"):
        return rest.strip(), scheme.lower()
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        return request.form.get("access_token"), "bearer"
    return None, "bearer"


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    """OIDC Core §5.3: claims by the token's scope, plus those asked with ``claims``.
    Refusals are RFC 6750 §3.1 errors with their Bearer challenge (:mod:`.errors`), a
    ``DPoP`` one for a token presented with that scheme (RFC 9449 §7.1)."""
    raw, scheme = _presented_token()
    with dpop.challenged_as(scheme):
        if not raw:
            raise MissingToken("An access token is required.")
        claims = verify_access_token(raw)
        dpop.check_resource_request(raw, scheme, claims, f"{g.tenant.issuer}/userinfo")
        scope = claims.get("scope", "")
        if "openid" not in scope.split() or claims.get("sub") == claims.get("client_id"):
            raise InsufficientScope("The token does not carry the openid scope.")
        client = find_client(claims.get("client_id"))
        account_id = account_id_for(client, claims["sub"])   # a pairwise sub maps back (.subjects)
        account = scoped_first(Account, id=account_id) if account_id else None
        if account is None or account.status != "active":
            raise InvalidToken("The account is no longer active.")
    response = _userinfo_response(account, claims, client)
    response.headers["Cache-Control"] = "no-store"
    return response


def _userinfo_response(account, token_claims: dict, client):
    """JSON, or a signed JWT for a client registered with ``userinfo_signed_response_alg``;
    claims in the formats of the client's profile (FranceConnect's for an FI), ``sub`` the
    token's (the account's for that client)."""
    profile = client.profile if client is not None else None
    names = names_for_scope(token_claims.get("scope", ""), profile)
    if client is not None:  # claims asked by name: consented at authorize, and still registered
        names |= set(token_claims.get("userinfo_claims", [])) & registered_claims(client)
    released = release(account, names, profile, sub=token_claims["sub"])
    if client is not None and client.userinfo_signed_response_alg:
        return signed_userinfo_response(released, client)
    return jsonify(released)


def _logout_confirmed() -> bool:
    """The confirmation form was posted, with a valid CSRF token (the RP-facing endpoint
    itself is exempt: relying parties POST to it with an id_token_hint)."""
    if request.method != "POST" or request.form.get("confirm") != "yes":
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """RP-Initiated Logout 1.0: ask for confirmation without a valid id_token_hint, or with
    one naming another person or session (:func:`.logout.needs_confirmation`)."""
    server = _server()
    try:
        end_request = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:   # Authlib's checks of the request, or ours (.endpoints.EndSession)
        return protocol_error(as_protocol_error(error), "oidc/logout_error.html")
    if needs_confirmation(end_request) and not _logout_confirmed():
        # the confirmed form ends at the (registered, checked above) post_logout_redirect_uri
        g.form_action_extra = [request.values.get("post_logout_redirect_uri")]
        return render_template("oidc/logout_confirm.html", params=dict(request.values.items()))
    upstream = sessions.upstream_of(sessions.current_session())
    response = server.create_endpoint_response("end_session", end_request)
    commit_request()   # the session's end with its tokens and the logouts owed (.logout.end_session)
    if response is None:
        response = make_response(render_template("oidc/logged_out.html"))
    sessions.clear_cookie(response)
    if upstream is not None:  # came through an upstream provider: end that session too, then come back
        response = after_local_logout(response, upstream)
    return response


@bp.route("/.well-known/openid-configuration")
def discovery():
    response = jsonify(metadata(g.tenant))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/jwks.json")
def jwks():
    response = jsonify(keyring(g.tenant.slug).jwks)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
