"""The endpoints the web plumbing treats by kind are named once (idp/web/endpoints.py): the
error pages, the body limits and the parameter checks read the same sets."""

from __future__ import annotations

from idp.web import body_limits, endpoints, errors, params


def test_one_definition_read_by_all():
    assert errors.JSON_ENDPOINTS is endpoints.JSON_ENDPOINTS
    assert body_limits.API_ENDPOINTS is endpoints.API_ENDPOINTS
    assert params.PROTOCOL_ENDPOINTS is endpoints.PROTOCOL_ENDPOINTS
    assert params.CLIENT_AUTHENTICATION_ENDPOINTS is endpoints.CLIENT_AUTHENTICATION_ENDPOINTS


def test_the_apis_answer_json_and_are_protocol_endpoints():
    assert endpoints.API_ENDPOINTS <= endpoints.JSON_ENDPOINTS
    assert endpoints.API_ENDPOINTS <= endpoints.PROTOCOL_ENDPOINTS
    assert endpoints.CLIENT_AUTHENTICATION_ENDPOINTS <= endpoints.API_ENDPOINTS


def test_every_named_endpoint_exists(app):
    known = set(app.view_functions)
    named = (endpoints.JSON_ENDPOINTS | endpoints.PROTOCOL_ENDPOINTS | endpoints.AUTHORIZATION_ENDPOINTS)
    assert named - known == set()
