"""The admin API: ``{public_url}/admin/api/v1/tenants/{tenant}/…``, for operator clients.

Not per tenant as the pages are: one API for the service, the tenant a path parameter of
each operation. Each view is declared with :func:`operation` (its operationId, the role it
needs), which checks the bearer token (401), the role on that tenant (403, before saying
whether the tenant exists), sets ``g.tenant`` for the services, and writes one
``admin.request`` audit event with the operator's id, the operation and the status, refused
calls included. The views parse, call the service the CLI calls, commit once
(:func:`idp.store.db.commit_request`) and answer; errors are problem details
(:mod:`idp.admin.problems`).

Writes are idempotent by their effect (locking a locked account, deleting sessions twice,
PATCHing the same fields) or, when they are not (``createClient``, ``rotateClientSecret``,
``rotateKeys``), need an ``Idempotency-Key`` header: a second request of the same operator
with the same key is refused with 409 ``replayed`` (remembered a day, ``admin_requests``),
428 without one. A write that failed does not keep its key: the corrected request may reuse it.

``findUser`` is a POST: the NIR a person reads out goes in the body, never in a URL that
access logs and proxies keep.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from idp.accounts.credentials import mask_contact
from idp.accounts.service import account_identifier, accounts_named
from idp.accounts.lifecycle import (
    AccountStateError, activate, erase_by_operator, revoke_sessions, sessions_of, suspend, unlock,
)
from idp.admin import operators
from idp.admin.problems import Problem, from_exception, from_http, render, unauthorized
from idp.clients.admin import (
    ClientError, create_client, delete_client, describe, list_clients, rotate_client_secret, show_client, update_client,
)
from idp.oidc.errors import ProtocolError
from idp.security.audit import audit
from idp.store.db import commit_request, db, digest, inserted_once, scoped, scoped_get, utcnow
from idp.store.keystore import listing, rotate_and_audit
from idp.store.models import Account, AdminRequest, AuditEvent
from idp.web.params import basic_credentials, strict_json

bp = Blueprint("admin", __name__, url_prefix="/admin")
OPERATIONS: dict[str, dict] = {}   # operationId -> {"path", "method", "role"}: read by idp.admin.openapi


# -- the token endpoint -----------------------------------------------------------------

@bp.post("/token")
def token():
    """client_credentials with HTTP Basic (RFC 6749 §4.4): an operator's bearer token.

    Failed authentications are throttled (:func:`operators.locked_for`): during a pause the
    answer is 429 with ``Retry-After`` and the RFC 6749 error ``temporarily_unavailable``
    (RFC 6749 defines no throttling code for the token endpoint; this registered one says
    "try later" without saying whether the credentials were right), the secret unchecked."""

    credentials = None
    try:
        credentials = basic_credentials(request.headers.get("Authorization", ""))
    except Exception:  # noqa: BLE001  (malformed Basic: the same refusal as a wrong secret)
        credentials = None
    if request.form.get("grant_type") != "client_credentials":
        raise Problem("bad-request", "grant_type must be client_credentials.", error="unsupported_grant_type")
    presented = credentials[0][:64] if credentials else None
    wait = operators.locked_for(presented)
    if wait:
        audit("admin.token", "failure", operator=presented, reason="throttled")
        raise Problem("too-many-requests", "Too many failed authentications: try again later.",
                      {"Retry-After": str(wait)}, error="temporarily_unavailable")
    row = operators.authenticate(*credentials) if credentials else None
    if row is None:
        operators.record_failure(presented)
        audit("admin.token", "failure", operator=presented, reason="invalid_client")
        raise Problem("unauthorized", "Operator client authentication failed.",
                      {"WWW-Authenticate": 'Basic realm="idp-admin"'}, error="invalid_client")
    audit("admin.token", operator=row.client_id)
    response = jsonify(operators.issue_token(row))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi_document():
    from idp.admin.openapi import document   # here: that module reads this one's OPERATIONS at import

    return jsonify(document())


# -- how an operation is declared --------------------------------------------------------

def _caller() -> tuple[dict, str]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("A bearer token from /admin/token is required.")
    claims = operators.verify_token(value.strip())
    if claims is None or operators.find_operator(claims["sub"]) is None:
        raise unauthorized("The bearer token is invalid, expired or not an operator's.")
    return claims, claims["sub"]


def _remember_key(operator: str) -> None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        raise Problem("idempotency-key-required", "This write needs an Idempotency-Key header (1 to 200 characters).")
    if not inserted_once(AdminRequest, ("key",), key=digest(f"{operator}\n{key}"), created_at=utcnow()):
        raise Problem("replayed", "A request with this Idempotency-Key was already made.")


def operation(operation_id: str, method: str, path: str, role: str, *, keyed: bool = False):
    """Declare the view of ``operation_id`` (its route, the role it needs on the tenant,
    whether it needs an ``Idempotency-Key``)."""
    OPERATIONS[operation_id] = {"path": path, "method": method.lower(), "role": role, "keyed": keyed}

    def declare(view):
        @functools.wraps(view)
        def guarded(tenant: str, **params):
            operator, status, noted = None, 500, {}
            known = current_app.extensions["idp_tenants"].get(tenant)
            try:
                claims, operator = _caller()
                if (role, tenant) not in operators.scopes(claims):
                    raise Problem("forbidden", f"This token does not hold the {role!r} role on this tenant.")
                if known is None:
                    raise Problem("not-found", "No such tenant.")
                g.tenant = known
                if keyed:
                    _remember_key(operator)
                response = view(noted=noted, **params)
                status = response.status_code
                return response
            except Problem as problem:
                db.session.rollback()
                status = problem.status
                return render(problem)
            except HTTPException as error:
                db.session.rollback()
                status = error.code or 500
                return from_http(error)
            except Exception as error:  # noqa: BLE001  (a bug or an outage: 500 or 503, logged there)
                response = from_exception(error)
                status = response.status_code
                return response
            finally:
                audit("admin.request", "success" if status < 400 else "failure", tenant=known and known.slug,
                      operator=operator, operation=operation_id, status=status, **noted)
        guarded.operation_id = operation_id
        bp.add_url_rule("/api/v1" + path.replace("{", "<").replace("}", ">"), operation_id, guarded,
                        methods=[method])
        return guarded
    return declare


def _body() -> dict:

    if request.mimetype != "application/json":
        raise Problem("unsupported-media-type", "The body must be application/json.")
    try:
        body = strict_json(request.get_data(as_text=True) or "null")
    except (ValueError, UnicodeDecodeError):
        raise Problem("bad-request", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Problem("bad-request", "The body must be a JSON object.")
    return body


def _answer(data, status: int = 200):
    response = jsonify(data) if data is not None else current_app.response_class(status=status)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


# -- clients -------------------------------------------------------------------------------

def _client_or_404(client_id: str):

    row = show_client(g.tenant.slug, client_id)
    if row is None:
        raise Problem("not-found", "No such client in this tenant.")
    return row


CLIENT_FIELDS = {"name": "name", "redirect_uris": "redirect_uris", "post_logout_redirect_uris": "post_logout_redirect_uris",
                 "public": "public", "token_endpoint_auth_method": "auth_method", "first_party": "first_party",
                 "scope": "scope", "grant_types": "grant_types", "backchannel_logout_uri": "backchannel_logout_uri",
                 "client_id": "client_id", "id_token_signed_response_alg": "id_token_signed_response_alg",
                 "userinfo_signed_response_alg": "userinfo_signed_response_alg", "profile": "profile"}


@operation("listClients", "GET", "/tenants/{tenant}/clients", "clients")
def list_clients_view(noted):

    return _answer({"clients": [describe(r) for r in list_clients(g.tenant.slug)]})


@operation("createClient", "POST", "/tenants/{tenant}/clients", "clients", keyed=True)
def create_client_view(noted):

    body = _body()
    unknown = sorted(set(body) - set(CLIENT_FIELDS))
    if unknown or not isinstance(body.get("name"), str) or not body["name"].strip():
        raise Problem("validation", "The client's metadata is not valid.",
                      errors=[{"field": f, "message": "unknown field"} for f in unknown]
                      or [{"field": "name", "message": "required"}])
    if body.get("token_endpoint_auth_method") == "private_key_jwt":
        raise Problem("validation", "private_key_jwt clients are registered with `idp clients create --jwks-file`.",
                      errors=[{"field": "token_endpoint_auth_method", "message": "not through the API"}])
    try:
        row, secret = create_client(g.tenant.slug, **{CLIENT_FIELDS[k]: v for k, v in body.items()})
    except ClientError as exc:
        kind = "conflict" if "already exists" in str(exc) else "validation"
        raise Problem(kind, str(exc), **({} if kind == "conflict" else {"errors": [{"message": str(exc)}]})) from None
    except (TypeError, AttributeError):
        raise Problem("validation", "A field has the wrong type.", errors=[]) from None
    noted["client_id"] = row.client_id
    data = describe(row)
    if secret:
        data["client_secret"] = secret
    return _answer(data, 201)


@operation("getClient", "GET", "/tenants/{tenant}/clients/{client_id}", "clients")
def get_client_view(noted, client_id):

    noted["client_id"] = client_id
    return _answer(describe(_client_or_404(client_id)))


@operation("updateClient", "PATCH", "/tenants/{tenant}/clients/{client_id}", "clients")
def update_client_view(noted, client_id):

    noted["client_id"] = client_id
    body = _body()
    try:
        row = update_client(g.tenant.slug, client_id, body)
    except ClientError as exc:
        raise Problem("validation", str(exc), errors=[{"message": str(exc)}]) from None
    except (TypeError, AttributeError):
        raise Problem("validation", "A field has the wrong type.", errors=[]) from None
    if row is None:
        raise Problem("not-found", "No such client in this tenant.")
    return _answer(describe(row))


@operation("deleteClient", "DELETE", "/tenants/{tenant}/clients/{client_id}", "clients")
def delete_client_view(noted, client_id):

    noted["client_id"] = client_id
    if not delete_client(g.tenant.slug, client_id):
        raise Problem("not-found", "No such client in this tenant.")
    return _answer(None, 204)


@operation("rotateClientSecret", "POST", "/tenants/{tenant}/clients/{client_id}/secret", "clients", keyed=True)
def rotate_client_secret_view(noted, client_id):

    noted["client_id"] = client_id
    try:
        row, secret = rotate_client_secret(g.tenant.slug, client_id)
    except ClientError as exc:
        raise Problem("conflict", str(exc)) from None
    if row is None:
        raise Problem("not-found", "No such client in this tenant.")
    return _answer({"client_id": client_id, "client_secret": secret})


# -- users ---------------------------------------------------------------------------------

def user_view(account: Account) -> dict:
    """An account as an operator sees it: the identifier masked by the tenant's scheme (a NIR
    never in clear), the contacts masked."""

    return {"id": account.id, "tenant": account.tenant,
            "identifier": g.tenant.identifier_scheme.mask(account_identifier(account)),
            "status": account.status, "email": mask_contact(account.email) if account.email else None,
            "email_verified": account.email_verified,
            "phone_number": mask_contact(account.phone_number) if account.phone_number else None,
            "created_at": account.created_at.isoformat() + "Z" if account.created_at else None}


def _account_or_404(account_id: str, noted: dict) -> Account:
    account = scoped_get(Account, account_id)
    if account is None:
        raise Problem("not-found", "No such user in this tenant.")
    noted["account"] = account.id
    return account


@operation("findUser", "POST", "/tenants/{tenant}/users/search", "users")
def find_user_view(noted):

    typed = _body().get("identifier")
    if not isinstance(typed, str) or not typed.strip() or len(typed) > 255:
        raise Problem("validation", "identifier: the identifier (NIR, prénom.nom) or the email a person types.",
                      errors=[{"field": "identifier", "message": "required"}])
    return _answer({"users": [user_view(a) for a in accounts_named(g.tenant, typed)]})


@operation("getUser", "GET", "/tenants/{tenant}/users/{user_id}", "users")
def get_user_view(noted, user_id):
    return _answer(user_view(_account_or_404(user_id, noted)))


@operation("lockUser", "POST", "/tenants/{tenant}/users/{user_id}/lock", "users")
def lock_user_view(noted, user_id):

    account = _account_or_404(user_id, noted)
    done = suspend(account)
    commit_request()
    return _answer({**user_view(account), **done})


@operation("unlockUser", "POST", "/tenants/{tenant}/users/{user_id}/unlock", "users")
def unlock_user_view(noted, user_id):

    account = _account_or_404(user_id, noted)
    try:
        previous = unlock(account)
    except AccountStateError as exc:
        raise Problem("conflict", str(exc)) from None
    commit_request()
    return _answer({**user_view(account), "previous_status": previous})


@operation("activateUser", "POST", "/tenants/{tenant}/users/{user_id}/activate", "users")
def activate_user_view(noted, user_id):

    account = _account_or_404(user_id, noted)
    previous = activate(account)
    commit_request()
    return _answer({**user_view(account), "previous_status": previous})


@operation("deleteUser", "DELETE", "/tenants/{tenant}/users/{user_id}", "users")
def delete_user_view(noted, user_id):

    erase_by_operator(_account_or_404(user_id, noted))
    commit_request()
    return _answer(None, 204)


@operation("listUserSessions", "GET", "/tenants/{tenant}/users/{user_id}/sessions", "users")
def list_user_sessions_view(noted, user_id):

    sessions = sessions_of(_account_or_404(user_id, noted))
    for item in sessions:
        for name in ("created_at", "expires_at"):
            item[name] = item[name].isoformat() + "Z" if item[name] else None
    return _answer({"sessions": sessions})


@operation("revokeUserSessions", "DELETE", "/tenants/{tenant}/users/{user_id}/sessions", "users")
def revoke_user_sessions_view(noted, user_id):

    done = revoke_sessions(_account_or_404(user_id, noted))
    commit_request()
    return _answer(done)


# -- keys ----------------------------------------------------------------------------------

def _times(rows: list[dict]) -> list[dict]:
    return [{k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in row.items()} for row in rows]


@operation("listKeys", "GET", "/tenants/{tenant}/keys", "keys")
def list_keys_view(noted):

    return _answer({"keys": _times(listing(g.tenant.slug))})


@operation("rotateKeys", "POST", "/tenants/{tenant}/keys/rotation", "keys", keyed=True)
def rotate_keys_view(noted):

    return _answer(rotate_and_audit(g.tenant.slug))


# -- the audit trail -----------------------------------------------------------------------

MAX_PAGE = 200


def _time_param(name: str) -> datetime | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Problem("validation", f"{name}: an ISO 8601 time.", errors=[{"field": name, "message": "invalid"}]) from None
    return parsed if parsed.tzinfo is None else parsed.astimezone(timezone.utc).replace(tzinfo=None)


def _int_param(name: str, default: int | None, low: int, high: int) -> int | None:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise Problem("validation", f"{name}: an integer from {low} to {high}.",
                      errors=[{"field": name, "message": "invalid"}])
    return int(value)


def event_view(row: AuditEvent) -> dict:
    return {"id": row.id, "time": row.time.isoformat() + "Z", "tenant": row.tenant, "event": row.event,
            "outcome": row.outcome, "account": row.account_id, "client_id": row.client_id, "ip": row.ip,
            "fields": row.fields or {}}


@operation("listAuditEvents", "GET", "/tenants/{tenant}/audit-events", "audit")
def list_audit_events_view(noted):
    """Newest first, ``limit`` a page (50, at most 200); ``before`` the ``next`` cursor of the
    previous page (an event id: stable while events are added)."""
    limit = _int_param("limit", 50, 1, MAX_PAGE)
    before = _int_param("before", None, 1, 2**62)
    since, until = _time_param("since"), _time_param("until")
    query = scoped(AuditEvent, g.tenant.slug)
    if request.args.get("type"):
        query = query.where(AuditEvent.event == request.args["type"])
    if request.args.get("account"):
        query = query.where(AuditEvent.account_id == request.args["account"])
    if since is not None:
        query = query.where(AuditEvent.time >= since)
    if until is not None:
        query = query.where(AuditEvent.time < until)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = list(db.session.execute(query.order_by(AuditEvent.id.desc()).limit(limit + 1)).scalars())
    page = rows[:limit]
    return _answer({"events": [event_view(r) for r in page],
                    "next": page[-1].id if len(rows) > limit else None})


# -- errors and set-up ---------------------------------------------------------------------

def _protocol_refusal(error):
    return render(Problem("bad-request", error.get_error_description() or "The request is malformed."))


for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 500):
    bp.register_error_handler(code, from_http)
bp.register_error_handler(Problem, render)
bp.register_error_handler(ProtocolError, _protocol_refusal)
bp.register_error_handler(Exception, from_exception)


def setup_admin(app) -> None:
    """The blueprint (CSRF-exempt: bearer tokens, no cookie), protocol refusals of the
    boundary and the paths under ``/admin/`` that match no route, as problems."""
    app.register_blueprint(bp)
    app.extensions["csrf"].exempt(bp)
    unrouted_405 = app.error_handler_spec[None].get(405, {}).get(None)

    def method_not_allowed(error):
        if request.path.startswith("/admin/"):
            return from_http(error)
        return unrouted_405(error) if unrouted_405 else error
    app.register_error_handler(405, method_not_allowed)


def unrouted(error):
    """404 of a path under /admin/ that matches no route (called by the app's 404 handler)."""
    return from_http(error)
