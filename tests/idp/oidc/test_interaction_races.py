"""The interaction pages under races and faults (issue 12): simultaneous consent
submissions (a double click, two tabs) on a served instance with real threads all land on
one consent; a login and its code are one transaction."""

from __future__ import annotations

import pytest
import requests

from helpers import authorize, csrf, location, make_account, make_client, path_of, query, submit_login
from live import at_once, served  # noqa: F401  (fixture)

SCOPE = "openid profile email"


def browser_cookies(http) -> dict:
    """What this browser would send to the tenant: its SSO session, interaction and form session."""
    names = {"idp_session": "/caf/", "idp_interaction": "/caf/", "session": "/"}
    return {name: http.get_cookie(name, path=path).value for name, path in names.items()}


def test_simultaneous_consent_submissions_all_land_on_one_consent(http, app, served):
    from idp.store.db import db
    from idp.store.models import Consent

    client_id, _ = make_client(app)
    account_id = make_account(app)
    consent_url = location(submit_login(http, location(authorize(http, "caf", client_id, scope=SCOPE)),
                                        "1840312345678", "Allocation2024"))
    form = {"csrf_token": csrf(http.get(path_of(consent_url)).get_data(as_text=True)), "decision": "allow"}
    cookies = browser_cookies(http)
    answers = at_once(8, lambda _: requests.post(served + path_of(consent_url), data=form, cookies=cookies,
                                                 timeout=30, allow_redirects=False))
    assert [a.status_code for a in answers] == [302] * 8
    assert {a.headers["Location"] for a in answers} == {path_of(consent_url)[: -len("consent")] + "resume"}
    with app.app_context():
        rows = db.session.execute(db.select(Consent).where(Consent.account_id == account_id)).scalars().all()
        assert [(row.client_id, row.scopes) for row in rows] == [(client_id, sorted(SCOPE.split()))]
    assert query(location(http.get(path_of(consent_url)[: -len("consent")] + "resume")))["code"]


def died(*args, **kwargs):
    raise RuntimeError("the worker died here")


def test_a_login_that_dies_before_its_code_leaves_no_session(http, app, monkeypatch):
    """The session and the code are one transaction: a crash between them used to leave a
    session whose cookie no browser received."""
    from sqlalchemy import func, select

    from idp.store.db import db
    from idp.store.models import SsoSession

    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_url = location(authorize(http, "caf", client_id))
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.authorize.issue_code", died)
        with pytest.raises(RuntimeError):
            submit_login(http, login_url, "1840312345678", "Allocation2024")
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SsoSession)).scalar() == 0
    assert query(location(submit_login(http, login_url, "1840312345678", "Allocation2024")))["code"]
