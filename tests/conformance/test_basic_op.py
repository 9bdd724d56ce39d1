"""oidcc-basic-certification-test-plan, one test per module."""

from __future__ import annotations

import json
import time

from conformance_op import OP
from helpers import REDIRECT, exchange, location, path_of, query


def test_oidcc_server(op):
    tokens = op.tokens()
    claims = op.id_token(tokens)
    assert claims["nonce"] == "n0nce"
    assert op.userinfo(tokens["access_token"]).get_json()["sub"] == claims["sub"]


def test_oidcc_response_type_missing(op):
    params = query(location(op.authorize(response_type=None)))
    assert params["error"] == "unsupported_response_type" and params["state"] == "st4te"


def test_oidcc_idtoken_signature(op):
    tokens = op.tokens()
    header = json.loads(__import__("base64").urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["kid"] in {k.kid for k in op.keys()}
    op.id_token(tokens)


def test_oidcc_userinfo_get(op):
    assert op.userinfo(op.tokens()["access_token"], "get").status_code == 200


def test_oidcc_userinfo_post_header(op):
    assert op.userinfo(op.tokens()["access_token"], "post-header").status_code == 200


def test_oidcc_userinfo_post_body(op):
    assert op.userinfo(op.tokens()["access_token"], "post-body").status_code == 200


def test_oidcc_ensure_request_without_nonce_succeeds_for_code_flow(op):
    claims = op.id_token(op.tokens(nonce=None))
    assert "nonce" not in claims


def _scope_userinfo(op, scope):
    tokens = op.tokens(scope=scope)
    assert tokens["scope"].split() == scope.split()
    return op.userinfo(tokens["access_token"]).get_json()


def test_oidcc_scope_profile(op):
    info = _scope_userinfo(op, "openid profile")
    assert {"name", "given_name", "family_name", "birthdate"} <= set(info)


def test_oidcc_scope_email(op):
    assert _scope_userinfo(op, "openid email")["email"] == "camille@example.fr"


def test_oidcc_scope_address(op):
    info = _scope_userinfo(op, "openid address")
    assert set(info) == {"sub"}  # no address on file: the scope is accepted, nothing released


def test_oidcc_scope_phone(op):
    info = _scope_userinfo(op, "openid phone")
    assert set(info) == {"sub"}


def test_oidcc_scope_all(op):
    info = _scope_userinfo(op, "openid profile email address phone")
    assert "email" in info and "given_name" in info


def test_oidcc_ensure_other_scope_order_succeeds(op):
    tokens = op.tokens(scope="email openid")
    op.id_token(tokens)


def test_oidcc_display_page(op):
    op.id_token(op.tokens(display="page"))


def test_oidcc_display_popup(op):
    op.id_token(op.tokens(display="popup"))


def test_oidcc_prompt_login(op):
    first = op.id_token(op.tokens())
    time.sleep(1.1)
    url = location(op.authorize(prompt="login"))
    assert "/interaction/" in url  # a fresh login is required
    second = op.id_token(op.tokens(prompt="login"))
    assert second["auth_time"] > first["auth_time"]


def test_oidcc_prompt_none_not_logged_in(op):
    params = query(location(op.authorize(prompt="none")))
    assert params["error"] == "login_required" and params["state"] == "st4te"


def test_oidcc_prompt_none_logged_in(op):
    first = op.id_token(op.tokens())
    code = query(location(op.authorize(prompt="none")))["code"]
    second = op.id_token(op.tokens(code=code))
    assert second["sub"] == first["sub"] and second["auth_time"] == first["auth_time"]


def test_oidcc_max_age_1(op):
    first = op.id_token(op.tokens())
    time.sleep(2)
    assert "/interaction/" in location(op.authorize(max_age="1"))
    second = op.id_token(op.tokens(max_age="1"))
    assert second["auth_time"] > first["auth_time"]


def test_oidcc_max_age_10000(op):
    first = op.id_token(op.tokens())
    code = query(location(op.authorize(max_age="10000")))["code"]
    assert op.id_token(op.tokens(code=code))["auth_time"] == first["auth_time"]


def test_oidcc_ensure_request_with_unknown_parameter_succeeds(op):
    op.id_token(op.tokens(extra="foobar"))


def test_oidcc_id_token_hint(op):
    first = op.tokens()
    code = query(location(op.authorize(prompt="none", id_token_hint=first["id_token"])))["code"]
    assert op.id_token(op.tokens(code=code))["sub"] == op.id_token(first)["sub"]


def test_oidcc_login_hint(op):
    url = location(op.authorize(login_hint="1840312345678"))
    assert 'value="1840312345678"' in op.http.get(path_of(url)).get_data(as_text=True)


def test_oidcc_ui_locales(op):
    op.id_token(op.tokens(ui_locales="fr-FR"))


def test_oidcc_claims_locales(op):
    op.id_token(op.tokens(claims_locales="fr-FR"))


def test_oidcc_ensure_request_with_acr_values_succeeds(op):
    claims = op.id_token(op.tokens(acr_values="eidas1 eidas2"))
    assert claims["acr"] == "eidas1"


def test_oidcc_codereuse(op):
    code = op.code()
    assert exchange(op.http, "caf", op.client_id, op.secret, code).status_code == 200
    again = exchange(op.http, "caf", op.client_id, op.secret, code)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_oidcc_codereuse_30seconds(op, monkeypatch):
    code = op.code()
    tokens = op.tokens(code=code)
    real = time.time
    monkeypatch.setattr("idp.oidc.tokens.time.time", lambda: real() + 30)
    again = exchange(op.http, "caf", op.client_id, op.secret, code)
    assert again.get_json()["error"] == "invalid_grant"
    # the access token issued from the reused code is revoked (or has expired)
    info = op.userinfo(tokens["access_token"])
    assert info.status_code == 401 and info.get_json()["error"] == "invalid_token"


def test_oidcc_ensure_registered_redirect_uri(op):
    response = op.authorize(redirect_uri="https://rp.example/cb/not-registered")
    assert response.status_code == 400 and "Location" not in response.headers


def test_oidcc_ensure_post_request_succeeds(op):
    op.login()
    response = op.authorize(method="POST", prompt="none")
    assert query(location(response))["code"]


def test_oidcc_server_client_secret_post(app, http):
    post_op = OP(app, http, auth_method="client_secret_post")
    post_op.id_token(post_op.tokens(auth="post"))


def test_oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported(op):
    unsigned = "eyJhbGciOiJub25lIn0." + "eyJzY29wZSI6Im9wZW5pZCJ9" + "."
    params = query(location(op.authorize(request=unsigned)))
    assert params["error"] == "request_not_supported"


def test_oidcc_request_uri_unsigned_supported_correctly_or_rejected_as_unsupported(op):
    params = query(location(op.authorize(request_uri="https://rp.example/request.jwt")))
    assert params["error"] == "request_uri_not_supported"


def test_oidcc_claims_essential(op):
    claims = json.dumps({"userinfo": {"name": {"essential": True}}})
    tokens = op.tokens(scope="openid", claims=claims)
    assert op.userinfo(tokens["access_token"]).get_json()["name"] == "Camille Martin"


def test_oidcc_refresh_token(op):
    tokens = op.tokens(scope="openid offline_access")
    from helpers import token_request

    response = token_request(op.http, "caf", op.client_id, op.secret,
                             {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    refreshed = response.get_json()
    assert op.userinfo(refreshed["access_token"]).status_code == 200


def test_oidcc_ensure_pkce_code_verifier_required_and_valid(app, http):
    from helpers import pkce_pair

    public = OP(app, http, public=True)
    verifier, challenge = pkce_pair()
    code = public.code(code_challenge=challenge, code_challenge_method="S256")
    response = exchange(http, "caf", public.client_id, None, code, verifier=verifier, auth="none")
    assert response.status_code == 200
    public.secret = None
    public.id_token(response.get_json())
