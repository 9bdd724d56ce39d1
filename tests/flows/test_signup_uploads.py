"""Supporting documents after a caf signup: one kept per account (a new one replaces the
last), and sending is limited per account and per address."""

from __future__ import annotations

import io

from helpers import csrf, make_account, page_text

LIMIT = "Trop de justificatifs envoyés. Réessayez dans 24 heures."


def pending_account(app, browser, identifier: str) -> str:
    """An account waiting for its document, as the end of a caf signup leaves it."""
    from idp.store.db import db, scoped_first
    from idp.store.models import Account

    account_id = make_account(app, "caf", identifier=identifier)
    with app.app_context():
        scoped_first(Account, "caf", id=account_id).status = "pending_document"
        db.session.commit()
    with browser.session_transaction() as session:
        session["upload:caf"] = account_id
    return account_id


def send(browser, content: bytes, name="titre.pdf"):
    token = csrf(page_text(browser.get("/caf/signup/justificatif")))
    return browser.post("/caf/signup/justificatif", content_type="multipart/form-data",
                        data={"csrf_token": token, "document": (io.BytesIO(content), name)})


def stored(app, account_id):
    from idp.store.db import db
    from idp.store.models import SupportingDocument
    from idp.security.vault import vault

    with app.app_context():
        rows = db.session.execute(db.select(SupportingDocument).where(
            SupportingDocument.account_id == account_id)).scalars().all()
        return [(r.filename, bytes.fromhex(vault().unseal("caf", r.sealed))) for r in rows]


def test_a_new_document_replaces_the_last(http, app):
    account_id = pending_account(app, http, "2900569123456")
    assert "bien été reçu" in page_text(send(http, b"%PDF-1.7 first", "premier.pdf"))
    assert "bien été reçu" in page_text(send(http, b"\x89PNG\r\n\x1a\n second", "second.png"))
    assert stored(app, account_id) == [("second.png", b"\x89PNG\r\n\x1a\n second")]


def test_sending_is_limited_per_account(http, app):
    account_id = pending_account(app, http, "2900569123456")
    for i in range(4):
        assert send(http, b"%PDF-1.7 scan " + str(i).encode()).status_code == 200
    assert send(http, b"MZ not a document").status_code == 400          # a refused file counts too
    blocked = send(http, b"%PDF-1.7 one more")
    assert blocked.status_code == 429 and LIMIT in page_text(blocked)
    assert stored(app, account_id) == [("titre.pdf", b"%PDF-1.7 scan 3")]


def test_sending_is_limited_per_address(app):
    browser = app.test_client()
    for n in range(4):
        pending_account(app, browser, f"29005691234{n + 10}")
        for _ in range(5):
            assert send(browser, b"%PDF-1.7 scan").status_code == 200
    pending_account(app, browser, "2900569123499")
    blocked = send(browser, b"%PDF-1.7 scan")
    assert blocked.status_code == 429 and LIMIT in page_text(blocked)
