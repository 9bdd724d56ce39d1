"""oidcc-rp-initiated-logout-certification-test-plan, one test per module."""

from __future__ import annotations

from urllib.parse import urlencode

from helpers import POST_LOGOUT, csrf, location, query


def logout(op, method="GET", **params):
    if method == "POST":
        return op.http.post(f"/{op.tenant}/logout", data=params)
    return op.http.get(f"/{op.tenant}/logout?" + urlencode(params))


def logged_out(op) -> bool:
    return query(location(op.authorize(prompt="none"))).get("error") == "login_required"


def test_oidcc_rp_initiated_logout(op):
    tokens = op.tokens()
    response = logout(op, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT, state="xyz")
    assert location(response) == f"{POST_LOGOUT}?state=xyz"
    assert logged_out(op)


def test_oidcc_rp_initiated_logout_post(op):
    tokens = op.tokens()
    response = logout(op, "POST", id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT, state="s")
    assert location(response) == f"{POST_LOGOUT}?state=s" and logged_out(op)


def test_oidcc_rp_initiated_logout_bad_id_token_hint(op):
    op.tokens()
    response = logout(op, id_token_hint="not.a.jwt", post_logout_redirect_uri=POST_LOGOUT, state="s")
    assert response.status_code == 400 and "Location" not in response.headers
    assert not logged_out(op)


def test_oidcc_rp_initiated_logout_modified_id_token_hint(op):
    tokens = op.tokens()
    header, payload, signature = tokens["id_token"].split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    response = logout(op, id_token_hint=f"{header}.{payload}.{flipped}", post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400 and "Location" not in response.headers


def test_oidcc_rp_initiated_logout_no_id_token_hint(op):
    op.tokens()
    page = logout(op, post_logout_redirect_uri=POST_LOGOUT, client_id=op.client_id, state="s")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Voulez-vous vous déconnecter ?" in html  # asks the person
    done = logout(op, "POST", csrf_token=csrf(html), confirm="yes", post_logout_redirect_uri=POST_LOGOUT,
                  client_id=op.client_id, state="s")
    assert location(done) == f"{POST_LOGOUT}?state=s" and logged_out(op)


def test_oidcc_rp_initiated_logout_no_params(op):
    op.tokens()
    page = logout(op)
    assert page.status_code == 200 and "Voulez-vous vous déconnecter ?" in page.get_data(as_text=True)
    done = logout(op, "POST", csrf_token=csrf(page.get_data(as_text=True)), confirm="yes")
    assert done.status_code == 200 and "Vous êtes déconnecté" in done.get_data(as_text=True)
    assert logged_out(op)


def test_oidcc_rp_initiated_logout_no_post_logout_redirect_uri(op):
    tokens = op.tokens()
    response = logout(op, id_token_hint=tokens["id_token"])
    assert response.status_code == 200 and "Location" not in response.headers
    assert logged_out(op)


def test_oidcc_rp_initiated_logout_bad_post_logout_redirect_uri(op):
    tokens = op.tokens()
    response = logout(op, id_token_hint=tokens["id_token"], post_logout_redirect_uri="https://rp.example/other")
    assert response.status_code == 400 and "Location" not in response.headers


def test_oidcc_rp_initiated_logout_query_added_to_post_logout_redirect_uri(app, http):
    from conformance_op import OP

    uri = "https://rp.example/bye?foo=bar"
    op = OP(app, http, post_logout_redirect_uris=[uri])
    tokens = op.tokens()
    assert location(logout(op, id_token_hint=tokens["id_token"], post_logout_redirect_uri=uri, state="s")) == uri + "&state=s"


def test_oidcc_rp_initiated_logout_no_state(op):
    tokens = op.tokens()
    assert location(logout(op, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)) == POST_LOGOUT


def test_oidcc_rp_initiated_logout_only_state(op):
    tokens = op.tokens()
    response = logout(op, id_token_hint=tokens["id_token"], state="s")
    assert response.status_code == 200 and "Location" not in response.headers
    assert logged_out(op)
