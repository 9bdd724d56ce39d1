"""Uploading a supporting document after a signup left the account ``pending_document``.

Accepted: PDF, JPEG or PNG (recognised by their first bytes, not by their name), at most
``MAX_BYTES``; stored sealed. An operator opens the account once the document is checked
(``idp users activate``). One document is kept per account, each new one replacing the
last; sending is limited per account and per address (``[signup_limits]``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

import logging

from flask import g, render_template, request, session

from idp.store.db import db, scoped_delete, scoped_first
from idp.store.models import Account, SupportingDocument
from idp.security.audit import audit
from idp.security.vault import vault
from idp.signup import limits

log = logging.getLogger("idp.signup")
MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _kind(head: bytes) -> str | None:
    return next((ctype for magic, ctype in SIGNATURES.items() if head.startswith(magic)), None)


def remember_pending(account) -> None:
    session[f"upload:{g.tenant.slug}"] = account.id


def upload_page():
    account_id = session.get(f"upload:{g.tenant.slug}")
    account = scoped_first(Account, id=account_id) if account_id else None
    if account is None or account.status != "pending_document":
        return render_template("signup/link_invalid.html", message=_l("Aucun dépôt de justificatif n'est attendu.")), 400
    error, done, status = None, False, 200
    if request.method == "POST":
        refused = limits.upload(account.id)      # every sending counts, accepted or not
        error = refused or _received(account, request.files.get("document"))
        done = error is None
        status = 429 if refused else 400 if error else 200
    return render_template("signup/upload.html", error=error, done=done), status


def _received(account, upload) -> str | None:
    """Check the file and keep it in place of any earlier one; the French refusal, else None."""
    data = upload.read(MAX_BYTES + 1) if upload else b""
    ctype = _kind(data[:8])
    if not data:
        return _l("Choisissez un fichier.")
    if len(data) > MAX_BYTES:
        return _l("Le fichier dépasse 5 Mo.")
    if ctype is None:
        return _l("Le fichier doit être au format PDF, JPEG ou PNG.")
    # one document per account: a new one replaces the last (several pages go in one PDF),
    # so that sending again and again never piles documents up
    db.session.execute(scoped_delete(SupportingDocument, account_id=account.id))
    db.session.add(SupportingDocument(tenant=g.tenant.slug, account_id=account.id, content_type=ctype,
                                      filename=(upload.filename or "justificatif")[:200],
                                      sealed=vault().seal(g.tenant.slug, data.hex())))
    db.session.commit()
    audit("signup.document_uploaded", account=account.id)
    return None
