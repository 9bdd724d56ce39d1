"""A demo relying party, served beside the provider, to see a login end to end.

For each tenant, ``/demo/<tenant>/`` starts the code flow with PKCE, state and nonce; the
callback exchanges the code over HTTP like any relying party, verifies the ID token against
the published JWKS and shows the claims and the userinfo it received. Its client secret is
derived from the server secret so that ``idp init --demo`` and the demo agree without
storing a secret in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import requests
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from joserfc import jwt
from joserfc.jwk import KeySet

bp = Blueprint("demo", __name__, url_prefix="/demo/<tenant>")


@bp.app_template_filter("readable_json")
def readable_json(value) -> str:
    """Claims as a person reads them: accents kept (Jinja's tojson writes \\u00c8)."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
DEMO_SCOPE = "openid profile email phone"


def demo_secret(settings, tenant: str) -> str:
    mac = hmac.new(settings.server.secret_key.encode(), f"demo-rp:{tenant}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def _settings():
    return current_app.config["IDP_SETTINGS"]


def _tenant(tenant: str):
    if not _settings().demo.enabled or tenant not in current_app.extensions["idp_tenants"]:
        abort(404)
    return current_app.extensions["idp_tenants"][tenant]


def redirect_uri(settings, tenant: str) -> str:
    return f"{settings.server.public_url}/demo/{tenant}/callback"


def post_logout_uri(settings, tenant: str) -> str:
    return f"{settings.server.public_url}/demo/{tenant}/"


@bp.route("/")
def home(tenant):
    t = _tenant(tenant)
    result = session.get(f"demo:{tenant}:result")
    return render_template("demo/home.html", tenant=t, result=result)


@bp.route("/login")
def login(tenant):
    t = _tenant(tenant)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    session[f"demo:{tenant}:pending"] = {"state": state, "nonce": nonce, "verifier": verifier}
    params = {
        "response_type": "code", "client_id": _settings().demo.client_id,
        "redirect_uri": redirect_uri(_settings(), tenant), "scope": DEMO_SCOPE, "state": state,
        "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
    }
    return redirect(requests.Request("GET", f"{t.issuer}/authorize", params=params).prepare().url)


def _verify_id_token(t, id_token: str, nonce: str) -> dict:
    jwks = requests.get(f"{t.issuer}/jwks.json", timeout=10).json()
    claims = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256", "ES256"]).claims
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": t.issuer}, aud={"essential": True, "value": _settings().demo.client_id},
        nonce={"essential": True, "value": nonce}, exp={"essential": True},
    )
    registry.validate(claims)
    return claims


@bp.route("/callback")
def callback(tenant):
    t = _tenant(tenant)
    pending = session.pop(f"demo:{tenant}:pending", None)
    if request.args.get("error"):
        return render_template("demo/home.html", tenant=t, error=request.args["error"]), 400
    if not pending or request.args.get("state") != pending["state"] or request.args.get("iss") != t.issuer:
        return render_template("demo/home.html", tenant=t, error="state ou iss invalide"), 400
    response = requests.post(f"{t.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": request.args.get("code"),
        "redirect_uri": redirect_uri(_settings(), tenant), "code_verifier": pending["verifier"],
    }, auth=(_settings().demo.client_id, demo_secret(_settings(), tenant)))
    if response.status_code != 200:
        return render_template("demo/home.html", tenant=t, error=response.json().get("error")), 400
    tokens = response.json()
    id_claims = _verify_id_token(t, tokens["id_token"], pending["nonce"])
    userinfo = requests.get(f"{t.issuer}/userinfo", timeout=10,
                            headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    session[f"demo:{tenant}:result"] = {"id_token_claims": id_claims, "userinfo": userinfo,
                                        "id_token": tokens["id_token"], "at": int(time.time())}
    return redirect(url_for("demo.home", tenant=tenant))


@bp.route("/logout")
def logout(tenant):
    t = _tenant(tenant)
    result = session.pop(f"demo:{tenant}:result", None) or {}
    params = {"post_logout_redirect_uri": post_logout_uri(_settings(), tenant), "state": secrets.token_urlsafe(8)}
    if result.get("id_token"):
        params["id_token_hint"] = result["id_token"]
    return redirect(requests.Request("GET", f"{t.issuer}/logout", params=params).prepare().url)
