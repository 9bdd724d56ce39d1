"""The Flask app of the FranceConnect v2 stand-in: thin views over the protocol modules.

Routes are mounted under the issuer's path (``/api/v2``), as FC mounts its provider
(design note §1). Discovery follows OIDC Discovery 1.0 §3 with fcp-low's values.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request

from devtools.fc_standin import pages
from devtools.fc_standin.authorize import begin_interaction, issue_code
from devtools.fc_standin.errors import StandinError
from devtools.fc_standin.identities import SUPPORTED_SCOPES, load_identities, normalise_identities
from devtools.fc_standin.logout import end_session
from devtools.fc_standin.signing import SigningKey
from devtools.fc_standin.state import Client, StandinState
from devtools.fc_standin.tokens import authenticate_client, exchange_code, userinfo_jwt

EXTENSION = "fc_standin"

CLAIMS_SUPPORTED = ("sub", "given_name", "given_name_array", "family_name", "birthdate", "gender",
                    "birthplace", "birthcountry", "email", "preferred_username", "amr", "acr")

api = Blueprint("fc_standin", __name__)


def create_app(*, issuer: str, clients: list[dict], identities: list[dict] | None = None,
               signing_jwk=None) -> Flask:
    """The stand-in for ``issuer`` (``<base>/api/v2``); identities default to identities.csv."""
    issuer = issuer.rstrip("/")
    app = Flask(__name__)
    app.extensions[EXTENSION] = StandinState(
        issuer=issuer,
        clients={registration["client_id"]: Client.from_dict(registration) for registration in clients},
        identities=normalise_identities(identities) if identities is not None else load_identities(),
        signing_key=SigningKey(signing_jwk),
    )
    app.register_blueprint(api, url_prefix=urlparse(issuer).path)
    return app


def standin() -> StandinState:
    return current_app.extensions[EXTENSION]


def discovery_document(issuer: str) -> dict:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "end_session_endpoint": f"{issuer}/session/end",
        "jwks_uri": f"{issuer}/jwks",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "acr_values_supported": ["eidas1"],
        "scopes_supported": list(SUPPORTED_SCOPES),
        "claims_supported": list(CLAIMS_SUPPORTED),
        "claims_parameter_supported": True,
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "userinfo_signing_alg_values_supported": ["ES256", "RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": False,
    }


@api.get("/.well-known/openid-configuration")
def discovery():
    return jsonify(discovery_document(standin().issuer))


@api.get("/jwks")
def jwks():
    return jsonify(standin().signing_key.jwks())


@api.route("/authorize", methods=["GET", "POST"])
def authorize():
    params = {name: request.values[name] for name in request.values}
    standin().authorize_requests.append(dict(params))
    try:
        interaction = begin_interaction(params, standin())
    except StandinError as error:
        return _authorize_error(error, params)
    return pages.chooser_page(interaction, standin().identities, _prefix())


@api.post("/interaction/<uid>/login")
def interaction_login(uid):
    interaction = standin().take_interaction(uid)
    identity = standin().identity(request.form.get("login", ""))
    if interaction is None or identity is None:
        return _error_page(StandinError("invalid_request", "interaction expirée ou identité inconnue"))
    code = issue_code(interaction, identity, standin())
    return redirect(_with_query(interaction.redirect_uri, code=code.code, state=interaction.state), 302)


@api.post("/interaction/<uid>/abort")
def interaction_abort(uid):
    interaction = standin().take_interaction(uid)
    if interaction is None:
        return _error_page(StandinError("invalid_request", "interaction expirée ou inconnue"))
    return redirect(_with_query(interaction.redirect_uri, error="access_denied",
                                error_description="End-User aborted interaction", state=interaction.state), 303)


@api.post("/token")
def token():
    try:
        client = authenticate_client(request.form, request.headers.get("Authorization"), standin())
        body, status = exchange_code(request.form, client, standin()), 200
    except StandinError as error:
        body, status = error.as_json(), error.status
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@api.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    try:
        return Response(userinfo_jwt(request.headers.get("Authorization"), standin()),
                        content_type="application/jwt")
    except StandinError as error:
        response = jsonify(error.as_json())
        response.status_code = error.status
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
        return response


@api.route("/session/end", methods=["GET", "POST"])
def session_end():
    try:
        logout, redirect_uri = end_session({name: request.values[name] for name in request.values}, standin())
    except StandinError as error:
        return _error_page(error)
    if redirect_uri is None:
        return pages.logged_out_page()
    extra = {"state": logout["state"]} if logout["state"] is not None else {}
    return redirect(_with_query(redirect_uri, **extra), 302)


def _authorize_error(error: StandinError, params: dict):
    if not error.allow_redirect:
        return _error_page(error)
    return redirect(_with_query(params["redirect_uri"], error=error.error,
                                error_description=error.description, state=params["state"]), 303)


def _error_page(error: StandinError):
    return pages.error_page(error), error.status


def _prefix() -> str:
    return urlparse(standin().issuer).path


def _with_query(uri: str, **params) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"
