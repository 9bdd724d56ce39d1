"""``idp users ...``"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from idp.accounts.service import create_account
from idp.cli.main import _emit, _tenant


@click.group("users")
def users():
    """Manage accounts."""


@users.command("create")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--password", required=True)
@click.option("--email")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--birthdate", help="YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def create(tenant, identifier, password, email, given_name, family_name, birthdate, as_json):
    """Create an active account; the identifier and password follow the tenant's policies."""
    t = _tenant(tenant)
    result = create_account(current_app.config["IDP_SETTINGS"], t, identifier, password, email=email,
                            given_name=given_name, family_name=family_name, birthdate=birthdate)
    if result.account is None:
        if as_json:
            _emit({"error": "invalid_account", "errors": result.errors, "codes": result.codes}, True, [])
        else:
            for name, messages in result.errors.items():
                for message in messages:
                    click.echo(f"{name}: {message}", err=True)
        raise SystemExit(1)
    a = result.account
    identifier = t.identifier_scheme.check(identifier).value
    _emit({"id": a.id, "tenant": a.tenant, "identifier": identifier, "status": a.status}, as_json,
          [f"Compte créé : {a.id} ({t.identifier_scheme.mask(identifier)})"])


@users.command("activate")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def activate(tenant, identifier, as_json):
    """Open an account waiting for activation or for its supporting document to be checked."""
    from idp.store.db import db

    _, account = _account_of(tenant, identifier)
    previous, account.status = account.status, "active"
    db.session.commit()
    _emit({"id": account.id, "previous_status": previous, "status": "active"}, as_json,
          [f"Compte {account.id} ouvert (était {previous})"])


def _account_of(tenant: str, identifier: str):
    from idp.accounts.service import find_account

    t = _tenant(tenant)
    checked = t.identifier_scheme.check(identifier)
    account = find_account(tenant, checked.value) if checked.passing else None
    if account is None:
        raise click.UsageError(f"no account {t.identifier_scheme.mask(checked.value or identifier)} in tenant {tenant!r}")
    return t, account


@users.command("pending")
@click.option("--tenant", required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def pending(tenant, as_json):
    """Accounts waiting for an operator: a supporting document to check, or an activation."""
    from idp.accounts.service import account_identifier
    from idp.store.db import db
    from idp.store.models import Account, SupportingDocument

    t = _tenant(tenant)
    rows = db.session.execute(db.select(Account).where(
        Account.tenant == tenant, Account.status.in_(("pending_document", "pending_activation")))
        .order_by(Account.created_at)).scalars().all()
    found = []
    for account in rows:
        documents = db.session.execute(db.select(db.func.count(SupportingDocument.id)).where(
            SupportingDocument.tenant == tenant, SupportingDocument.account_id == account.id)).scalar_one()
        found.append({"id": account.id, "identifier": t.identifier_scheme.mask(account_identifier(account)),
                      "status": account.status, "created_at": account.created_at, "documents": documents})
    _emit({"tenant": tenant, "accounts": found}, as_json,
          [f"{a['status']:18} {a['identifier']:24} {a['documents']} justificatif(s)  {a['id']}" for a in found]
          or ["Aucun compte en attente."])


@users.command("documents")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--out", "out", type=click.Path(file_okay=False), help="write the documents into this folder (0600)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def documents(tenant, identifier, out, as_json):
    """The supporting documents an account uploaded (caf, no French identity document): listed,
    and with --out unsealed into files for the operator to check before `users activate`."""
    import os
    from pathlib import Path

    from idp.store.db import db
    from idp.store.models import SupportingDocument
    from idp.security.vault import vault

    t, account = _account_of(tenant, identifier)
    rows = db.session.execute(db.select(SupportingDocument).where(
        SupportingDocument.tenant == tenant, SupportingDocument.account_id == account.id)
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
                handle.write(bytes.fromhex(vault().unseal(tenant, row.sealed)))
            item["written_to"] = str(target)
        listed.append(item)
    _emit({"account": account.id, "status": account.status, "documents": listed}, as_json,
          [f"{d['uploaded_at']}  {d['content_type']:16} {d['filename']!r}" + (f" → {d['written_to']}" if out else "")
           for d in listed] or ["Aucun justificatif."])


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _in_tenant(tenant: str):
    """A request context of ``tenant`` for the functions that act as its pages do (g.tenant)."""
    from flask import g

    context = current_app.test_request_context(f"/{tenant}/")
    context.push()
    g.tenant = _tenant(tenant)
    return context


@users.command("suspend")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def suspend(tenant, identifier, as_json):
    """Freeze an account whose number its real owner disputes (a NIR typed by someone else):
    no login, by password or FranceConnect; every session ended, every token revoked, the
    FranceConnect link removed. `users activate` reopens it, `users delete` frees the number."""
    from idp.accounts import credentials
    from idp.security.audit import audit
    from idp.store.db import commit_request
    from idp.federation.account_link import unlink

    _, account = _account_of(tenant, identifier)
    context = _in_tenant(tenant)
    try:
        previous, account.status = account.status, "suspended"
        sessions = credentials.end_other_sessions(account)
        credentials.revoke_refresh_tokens(account, "account_suspended")
        unlinked = unlink(account, "operator")
        commit_request()   # suspended, its sessions ended and its tokens revoked at once
        audit("account.suspended", account=account.id, previous_status=previous)
    finally:
        context.pop()
    _emit({"id": account.id, "previous_status": previous, "status": "suspended", "sessions_ended": sessions,
           "franceconnect_unlinked": unlinked}, as_json, [f"Compte {account.id} suspendu (était {previous})"])


@users.command("delete")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def delete(tenant, identifier, yes, as_json):
    """Erase an account as its holder's own deletion does (tokens, sessions, consents, links,
    personal data), freeing its identifier: after `users suspend`, once the number is known
    to be someone else's."""
    from idp.accounts.services import erase
    from idp.security.audit import audit
    from idp.store.db import commit_request

    t, account = _account_of(tenant, identifier)
    if not yes:
        click.confirm(f"Effacer définitivement le compte {account.id} ({t.identifier_scheme.mask(identifier)}) ?",
                      abort=True)
    context = _in_tenant(tenant)
    try:
        account_id = account.id
        erase(account)
        commit_request()
        audit("account.deleted_by_operator", account=account_id)
    finally:
        context.pop()
    _emit({"id": account_id, "deleted": True}, as_json, [f"Compte {account_id} effacé"])
