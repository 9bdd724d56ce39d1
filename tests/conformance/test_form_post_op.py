"""oidcc-formpost-basic-certification-test-plan: the basic happy paths with form_post."""

from __future__ import annotations

import re

from helpers import REDIRECT, exchange, location


def _form_params(response) -> dict:
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'action="{REDIRECT}"' in html
    assert 'method="post"' in html
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_oidcc_server_form_post(op):
    op.login()
    params = _form_params(op.authorize(prompt="none", response_mode="form_post"))
    assert params["state"] == "st4te" and params["iss"] == op.issuer
    tokens = exchange(op.http, "caf", op.client_id, op.secret, params["code"]).get_json()
    op.id_token(tokens)


def test_oidcc_prompt_none_not_logged_in_form_post(op):
    params = _form_params(op.authorize(prompt="none", response_mode="form_post"))
    assert params["error"] == "login_required" and params["state"] == "st4te"


def test_oidcc_form_post_after_login_pages(op):
    """The login interaction resumes into a form_post response, too."""
    from helpers import submit_login

    url = location(op.authorize(response_mode="form_post"))
    params = _form_params(submit_login(op.http, url, "1840312345678", "Allocation2024"))
    assert params["code"]


def test_form_post_page_works_without_javascript(op):
    op.login()
    html = op.authorize(prompt="none", response_mode="form_post").get_data(as_text=True)
    assert 'type="submit">Continuer vers le service</button>' in html  # a person without JavaScript clicks it
