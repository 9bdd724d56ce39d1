"""``idp users ...``"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app, g
from flask.cli import with_appcontext

from idp.accounts import lifecycle
from idp.accounts.lifecycle import erase_by_operator
from idp.accounts.service import account_identifier, create_account
from idp.cli.common import emit, json_option, with_account, with_tenant
from idp.mfa import service, totp
from idp.security.audit import audit
from idp.security.vault import vault
from idp.store.db import commit_request, db, scoped, utcnow
from idp.store.models import Account, SupportingDocument


@click.group("users")
def users():
    """Manage accounts."""


@users.command("create")
@with_appcontext
@with_tenant
@click.option("--identifier", required=True)
@click.option("--password", required=True)
@click.option("--email")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--birthdate", help="YYYY-MM-DD")
@json_option
def create(tenant, identifier, password, email, given_name, family_name, birthdate, as_json):
    """Create an active account; the identifier and password follow the tenant's policies."""
    result = create_account(current_app.config["IDP_SETTINGS"], tenant, identifier, password, email=email,
                            given_name=given_name, family_name=family_name, birthdate=birthdate)
    if result.account is None:
        if as_json:
            emit({"error": "invalid_account", "errors": result.errors, "codes": result.codes}, True, [])
        else:
            for name, messages in result.errors.items():
                for message in messages:
                    click.echo(f"{name}: {message}", err=True)
        raise SystemExit(1)
    a = result.account
    identifier = tenant.identifier_scheme.check(identifier).value
    emit({"id": a.id, "tenant": a.tenant, "identifier": identifier, "status": a.status}, as_json,
         [f"Compte créé : {a.id} ({tenant.identifier_scheme.mask(identifier)})"])


@users.command("activate")
@with_appcontext
@with_account
@json_option
def activate(tenant, account, identifier, as_json):
    """Open an account waiting for activation or for its supporting document to be checked."""
    context = _in_tenant(tenant)
    try:
        previous = lifecycle.activate(account)
        commit_request()
    finally:
        context.pop()
    emit({"id": account.id, "previous_status": previous, "status": "active"}, as_json,
         [f"Compte {account.id} ouvert (était {previous})"])


@users.command("pending")
@with_appcontext
@with_tenant
@json_option
def pending(tenant, as_json):
    """Accounts waiting for an operator: a supporting document to check, or an activation."""
    rows = db.session.execute(scoped(Account, tenant.slug).where(
        Account.status.in_(("pending_document", "pending_activation")))
        .order_by(Account.created_at)).scalars().all()
    found = []
    for account in rows:
        documents = db.session.execute(scoped(SupportingDocument, tenant.slug, account_id=account.id)
                                       .with_only_columns(db.func.count(SupportingDocument.id))).scalar_one()
        found.append({"id": account.id, "identifier": tenant.identifier_scheme.mask(account_identifier(account)),
                      "status": account.status, "created_at": account.created_at, "documents": documents})
    emit({"tenant": tenant.slug, "accounts": found}, as_json,
         [f"{a['status']:18} {a['identifier']:24} {a['documents']} justificatif(s)  {a['id']}" for a in found]
         or ["Aucun compte en attente."])


@users.command("documents")
@with_appcontext
@with_account
@click.option("--out", "out", type=click.Path(file_okay=False), help="write the documents into this folder (0600)")
@json_option
def documents(tenant, account, identifier, out, as_json):
    """The supporting documents an account uploaded (caf, no French identity document): listed,
    and with --out unsealed into files for the operator to check before `users activate`."""

    rows = db.session.execute(scoped(SupportingDocument, tenant.slug, account_id=account.id)
        .order_by(SupportingDocument.uploaded_at)).scalars().all()
    listed = []
    for row in rows:
        item = {"id": row.id, "filename": row.filename, "content_type": row.content_type,
                "uploaded_at": row.uploaded_at}
        if out:
            # named by us, with the extension of the type the upload was checked to be: the
            # uploader's file name is shown, never used (length, extension, control characters)
            folder = Path(out)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = folder / f"{account.id}-{row.id}{EXTENSIONS.get(row.content_type, '.bin')}"
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                raise click.UsageError(f"{target} exists: choose an empty --out folder") from None
            with os.fdopen(fd, "wb") as handle:
                handle.write(bytes.fromhex(vault().unseal(tenant.slug, row.sealed)))
            item["written_to"] = str(target)
        listed.append(item)
    emit({"account": account.id, "status": account.status, "documents": listed}, as_json,
         [f"{d['uploaded_at']}  {d['content_type']:16} {d['filename']!r}" + (f" → {d['written_to']}" if out else "")
          for d in listed] or ["Aucun justificatif."])


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _in_tenant(tenant):
    """A request context of ``tenant`` for the functions that act as its pages do (g.tenant)."""
    context = current_app.test_request_context(f"/{tenant.slug}/")
    context.push()
    g.tenant = tenant
    return context


@users.command("suspend")
@with_appcontext
@with_account
@json_option
def suspend(tenant, account, identifier, as_json):
    """Freeze an account whose number its real owner disputes (a NIR typed by someone else):
    no login, by password or FranceConnect; every session ended, every token revoked, the
    FranceConnect link removed. `users activate` reopens it, `users delete` frees the number."""
    context = _in_tenant(tenant)
    try:
        done = lifecycle.suspend(account)
        commit_request()   # suspended, its sessions ended and its tokens revoked at once
    finally:
        context.pop()
    previous, sessions, unlinked = done["previous_status"], done["sessions_ended"], done["franceconnect_unlinked"]
    emit({"id": account.id, "previous_status": previous, "status": "suspended", "sessions_ended": sessions,
          "franceconnect_unlinked": unlinked}, as_json, [f"Compte {account.id} suspendu (était {previous})"])


@users.command("delete")
@with_appcontext
@with_account
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@json_option
def delete(tenant, account, identifier, yes, as_json):
    """Erase an account as its holder's own deletion does (tokens, sessions, consents, links,
    personal data), freeing its identifier: after `users suspend`, once the number is known
    to be someone else's."""
    if not yes:
        click.confirm(f"Effacer définitivement le compte {account.id} ({tenant.identifier_scheme.mask(identifier)}) ?",
                      abort=True)
    context = _in_tenant(tenant)
    try:
        account_id = erase_by_operator(account)
        commit_request()
    finally:
        context.pop()
    emit({"id": account_id, "deleted": True}, as_json, [f"Compte {account_id} effacé"])


@users.command("totp-enroll")
@with_appcontext
@with_account
@json_option
def totp_enroll(tenant, account, identifier, as_json):
    """Enrol a TOTP for an account, confirmed at once (a counter clerk with the person, tests):
    prints the secret and the otpauth:// URI to load into the person's app."""

    context = _in_tenant(tenant)
    try:
        factor = totp.begin(account)
        factor.confirmed_at = utcnow()
        secret, link = totp.secret_of(factor), totp.uri(factor, service.account_label(account))
        audit("mfa.enrolled", account=account.id, method="totp")
        service._notify(account, "enrolled", "totp")
        commit_request()
    finally:
        context.pop()
    emit({"secret": secret, "uri": link}, as_json,
         [f"Application d'authentification ajoutée au compte {account.id}", f"Clé : {secret}", link])


@users.command("mfa-reset")
@with_appcontext
@with_account
@json_option
def mfa_reset(tenant, account, identifier, as_json):
    """Remove every second factor and recovery code of an account (a person who lost them,
    after checking who they are): audited, and the person is told."""

    context = _in_tenant(tenant)
    try:
        count = service.reset(account)
        commit_request()
    finally:
        context.pop()
    emit({"id": account.id, "factors_removed": count}, as_json,
         [f"Double authentification du compte {account.id} réinitialisée ({count} facteur(s) retiré(s))"])
