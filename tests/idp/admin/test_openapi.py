"""The admin API's OpenAPI 3.1 document (issue 17): valid, served, and naming exactly the
operations the issue lists, each at a route that exists."""

from __future__ import annotations

from openapi_spec_validator import validate

ISSUE_OPERATIONS = {"listClients", "createClient", "getClient", "updateClient", "deleteClient", "rotateClientSecret",
                    "findUser", "getUser", "lockUser", "unlockUser", "activateUser", "deleteUser",
                    "listUserSessions", "revokeUserSessions", "listKeys", "rotateKeys", "listAuditEvents"}


def test_the_document_validates_and_lists_the_issues_operations(http):
    response = http.get("/admin/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    found = {op["operationId"] for item in document["paths"].values() for name, op in item.items()
             if name != "parameters"}
    assert found == ISSUE_OPERATIONS


def test_every_documented_operation_is_routed(app):
    from idp.admin.openapi import document

    with app.test_request_context("/admin/openapi.json"):
        paths = document()["paths"]
    rules = {(rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    for path, item in paths.items():
        flask_rule = "/admin/api/v1" + path.replace("{", "<").replace("}", ">")
        for method in item:
            if method != "parameters":
                assert (flask_rule, method.upper()) in rules, (path, method)
