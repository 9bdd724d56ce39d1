"""The admin API's OpenAPI 3.1 document, served at ``{public_url}/admin/openapi.json``.

Written as data, next to the routes: the paths, methods and roles come from the
:func:`idp.admin.api.operation` declarations themselves (``OPERATIONS``), so the document
cannot name a route that does not exist; what each operation takes and answers is
``DESCRIBED`` below. ``tests/idp/admin/test_openapi.py`` validates it with
``openapi-spec-validator`` and checks both lists agree.
"""

from __future__ import annotations

from flask import current_app

from idp.admin.api import OPERATIONS

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


DESCRIBED = {
    "listClients": ("The tenant's relying parties.", None,
                    {"200": _json({"type": "object", "properties": {"clients": {"type": "array", "items": _ref("Client")}}},
                                  "The clients")}),
    "createClient": ("Register a relying party; its secret is in this answer only.", _ref("NewClient"),
                     {"201": _json(_ref("Client"), "The client, with client_secret when it has one")}),
    "getClient": ("One client.", None, {"200": _json(_ref("Client"), "The client")}),
    "updateClient": ("Change a client's metadata (name, URIs, scope, first_party).", _ref("ClientChanges"),
                     {"200": _json(_ref("Client"), "The changed client")}),
    "deleteClient": ("Remove a client.", None, {"204": {"description": "Removed"}}),
    "rotateClientSecret": ("A new secret; the old one is refused from now on.", None,
                           {"200": _json({"type": "object", "properties": {"client_id": {"type": "string"},
                                                                            "client_secret": {"type": "string"}}},
                                         "The new secret, shown once")}),
    "findUser": ("Find accounts by what a person types: NIR, prénom.nom or email (blind index, never a scan).",
                 {"type": "object", "required": ["identifier"], "properties": {"identifier": {"type": "string"}}},
                 {"200": _json({"type": "object", "properties": {"users": {"type": "array", "items": _ref("User")}}},
                               "The accounts found (none, one, or several sharing an email)")}),
    "getUser": ("One account.", None, {"200": _json(_ref("User"), "The account")}),
    "lockUser": ("Suspend an account: no login, sessions ended, tokens revoked, FranceConnect unlinked.", None,
                 {"200": _json(_ref("User"), "The suspended account")}),
    "unlockUser": ("Reopen a suspended account.", None, {"200": _json(_ref("User"), "The active account")}),
    "activateUser": ("Open an account waiting for activation or a document check.", None,
                     {"200": _json(_ref("User"), "The active account")}),
    "deleteUser": ("Erase an account (RGPD art. 17): tokens, sessions, consents, links, personal data.", None,
                   {"204": {"description": "Erased"}}),
    "listUserSessions": ("The account's SSO sessions.", None,
                         {"200": _json({"type": "object", "properties": {"sessions": {"type": "array",
                                                                                       "items": {"type": "object"}}}},
                                       "The sessions")}),
    "revokeUserSessions": ("End every session and revoke every token of the account.", None,
                           {"200": _json({"type": "object", "properties": {
                               "sessions_ended": {"type": "integer"}, "token_families_revoked": {"type": "integer"}}},
                               "What was ended")}),
    "listKeys": ("The tenant's signing keys (public parts and states).", None,
                 {"200": _json({"type": "object", "properties": {"keys": {"type": "array", "items": _ref("Key")}}},
                               "The keys")}),
    "rotateKeys": ("next → active, active → retired, a new next; old retired keys removed.", None,
                   {"200": _json({"type": "object"}, "The rotation done")}),
    "listAuditEvents": ("The tenant's audit trail, newest first, by type, account and time range.", None,
                        {"200": _json({"type": "object", "properties": {
                            "events": {"type": "array", "items": _ref("AuditEvent")},
                            "next": {"type": ["integer", "null"], "description": "the `before` of the next page"}}},
                            "A page of events")}),
}

AUDIT_PARAMETERS = [
    {"name": "type", "in": "query", "schema": {"type": "string"}, "description": "an event name, e.g. login.failure"},
    {"name": "account", "in": "query", "schema": {"type": "string"}},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1}},
]

STRINGS = {"type": "array", "items": {"type": "string"}}
SCHEMAS = {
    "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
        "type": {"type": "string", "format": "uri"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}}},
    "Client": {"type": "object", "properties": {
        "tenant": {"type": "string"}, "client_id": {"type": "string"}, "name": {"type": "string"},
        "public": {"type": "boolean"}, "token_endpoint_auth_method": {"type": "string"},
        "first_party": {"type": "boolean"}, "scope": {"type": "string"}, "redirect_uris": STRINGS,
        "post_logout_redirect_uris": STRINGS, "grant_types": STRINGS,
        "backchannel_logout_uri": {"type": ["string", "null"]}, "client_secret": {"type": "string"}}},
    "NewClient": {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
        "name": {"type": "string"}, "redirect_uris": STRINGS, "post_logout_redirect_uris": STRINGS,
        "public": {"type": "boolean"}, "token_endpoint_auth_method": {
            "enum": ["client_secret_basic", "client_secret_post"]},
        "first_party": {"type": "boolean"}, "scope": {"type": "string"}, "grant_types": STRINGS,
        "backchannel_logout_uri": {"type": "string"}, "client_id": {"type": "string"},
        "id_token_signed_response_alg": {"type": "string"}, "userinfo_signed_response_alg": {"type": "string"},
        "profile": {"type": "string"}}},
    "ClientChanges": {"type": "object", "additionalProperties": False, "properties": {
        "name": {"type": "string"}, "redirect_uris": STRINGS, "post_logout_redirect_uris": STRINGS,
        "scope": {"type": "string"}, "backchannel_logout_uri": {"type": ["string", "null"]},
        "first_party": {"type": "boolean"}}},
    "User": {"type": "object", "properties": {
        "id": {"type": "string"}, "tenant": {"type": "string"},
        "identifier": {"type": "string", "description": "masked by the tenant's scheme: never a NIR in clear"},
        "status": {"enum": ["active", "suspended", "pending_activation", "pending_document"]},
        "email": {"type": ["string", "null"], "description": "masked"}, "email_verified": {"type": "boolean"},
        "phone_number": {"type": ["string", "null"], "description": "masked"},
        "created_at": {"type": ["string", "null"], "format": "date-time"}}},
    "Key": {"type": "object", "properties": {
        "kid": {"type": "string"}, "alg": {"type": "string"}, "state": {"enum": ["next", "active", "retired"]}}},
    "AuditEvent": {"type": "object", "properties": {
        "id": {"type": "integer"}, "time": {"type": "string", "format": "date-time"}, "event": {"type": "string"},
        "outcome": {"enum": ["success", "failure", "declined"]}, "tenant": {"type": ["string", "null"]},
        "account": {"type": ["string", "null"]}, "client_id": {"type": ["string", "null"]},
        "ip": {"type": ["string", "null"]}, "fields": {"type": "object"}}},
}


def _operation(operation_id: str, spec: dict) -> dict:
    summary, body, responses = DESCRIBED[operation_id]
    described = {"operationId": operation_id, "summary": summary, "tags": [spec["role"]],
                 "security": [{"operatorToken": [spec["role"]]}],
                 "responses": {**responses, "4XX": PROBLEM, "5XX": PROBLEM}}
    if body is not None:
        described["requestBody"] = _body(body)
    if spec["keyed"]:
        described["parameters"] = [{"name": "Idempotency-Key", "in": "header", "required": True,
                                    "schema": {"type": "string", "maxLength": 200},
                                    "description": "a second request with the same key gets 409"}]
    if operation_id == "listAuditEvents":
        described["parameters"] = AUDIT_PARAMETERS
    return described


def _path_parameters(path: str) -> list[dict]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in names]


def document() -> dict:
    base = current_app.config["IDP_SETTINGS"].server.public_url.rstrip("/")
    paths: dict[str, dict] = {}
    for operation_id, spec in OPERATIONS.items():
        item = paths.setdefault(spec["path"], {"parameters": _path_parameters(spec["path"])})
        item[spec["method"]] = _operation(operation_id, spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Identity provider admin API", "version": "1.0.0",
                 "description": "Operator clients get a bearer token at /admin/token (client_credentials, "
                                "HTTP Basic); its scope lists role:tenant pairs. Errors are RFC 9457 problem details."},
        "servers": [{"url": f"{base}/admin/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": {"Problem": {"description": "RFC 9457 problem details",
                                      "content": {"application/problem+json": {"schema": _ref("Problem")}}}},
            "securitySchemes": {"operatorToken": {
                "type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": f"{base}/admin/token",
                    "scopes": {"clients": "relying parties", "users": "accounts", "keys": "signing keys",
                               "audit": "the audit trail"}}}}},
        },
    }
