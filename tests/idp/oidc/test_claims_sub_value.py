"""A ``claims`` request naming a ``sub`` value (OIDC Core §5.5.1): the authorization server
"MUST NOT reply with an ID Token or Access Token for a different user, even if they have an
active session". Another person's session logs in again (``login_required`` with
``prompt=none``); a login as someone else is refused; the right person gets the code."""

from __future__ import annotations

import json

import pytest

from helpers import ACCOUNTS, authorize, location, login_flow, make_account, make_client, query, submit_login

OTHER_PERSON = ("2840312345678", "Allocation2024")


def _sub_of(app, account_id, client_id):
    from idp.clients.model import find_client
    from idp.oidc.subjects import sub_for

    with app.test_request_context("/caf/"):
        from flask import g

        g.tenant = app.extensions["idp_tenants"]["caf"]
        return sub_for(find_client(client_id), account_id)


def _claims(sub, target="id_token", member="value"):
    return json.dumps({target: {"sub": {member: sub if member == "value" else [sub]}}})


@pytest.fixture
def two_people(app):
    mine = make_account(app)
    other = make_account(app, identifier=OTHER_PERSON[0], password=OTHER_PERSON[1], email="dominique@example.fr")
    client_id, _ = make_client(app, first_party=True)
    return client_id, mine, other


@pytest.mark.parametrize("target,member", [("id_token", "value"), ("userinfo", "value"), ("id_token", "values")])
def test_a_session_of_another_person_is_not_answered(http, app, two_people, target, member):
    client_id, mine, other = two_people
    assert "code" in query(login_flow(http, "caf", client_id))          # my session
    wanted = _claims(_sub_of(app, other, client_id), target, member)
    silent = query(location(authorize(http, "caf", client_id, prompt="none", claims=wanted)))
    assert silent["error"] == "login_required" and "code" not in silent
    asked = location(authorize(http, "caf", client_id, claims=wanted))
    assert "/interaction/" in asked                                      # the other person must log in


def test_the_named_person_gets_the_code_and_the_session_is_reused(http, app, two_people):
    client_id, mine, _ = two_people
    assert "code" in query(login_flow(http, "caf", client_id))
    answer = query(location(authorize(http, "caf", client_id, prompt="none",
                                      claims=_claims(_sub_of(app, mine, client_id)))))
    assert "code" in answer


def test_a_login_as_someone_else_is_refused(http, app, two_people):
    client_id, mine, other = two_people
    login_url = location(authorize(http, "caf", client_id, claims=_claims(_sub_of(app, other, client_id))))
    back = query(location(submit_login(http, login_url, *ACCOUNTS["caf"])))   # logs in as "mine"
    assert back["error"] == "access_denied" and "code" not in back
    assert back["error_description"] == "The end-user is not the one the 'claims' request names."
    assert back["state"] == "st4te"


def test_a_login_as_the_named_person_gets_the_code(http, app, two_people):
    client_id, _, other = two_people
    login_url = location(authorize(http, "caf", client_id, claims=_claims(_sub_of(app, other, client_id))))
    back = query(location(submit_login(http, login_url, *OTHER_PERSON)))
    assert "code" in back


@pytest.mark.parametrize("claims", [{"id_token": {"sub": {"value": 42}}}, {"id_token": {"sub": {"values": []}}},
                                    {"userinfo": {"sub": {"value": ""}}}])
def test_a_sub_value_that_is_not_a_string_is_an_invalid_request(http, app, two_people, claims):
    client_id, _, _ = two_people
    answer = query(location(authorize(http, "caf", client_id, claims=json.dumps(claims))))
    assert answer["error"] == "invalid_request"
    assert answer["error_description"] == "The 'sub' value of 'claims' must be a string."


def test_sub_asked_without_a_value_changes_nothing(http, app, two_people):
    client_id, _, _ = two_people
    assert "code" in query(login_flow(http, "caf", client_id))
    answer = query(location(authorize(http, "caf", client_id, prompt="none",
                                      claims=json.dumps({"id_token": {"sub": {"essential": True}}}))))
    assert "code" in answer
