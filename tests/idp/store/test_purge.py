"""``idp purge``: expired rows of every kind go, in batches; live ones (and codes within
their day of grace) stay. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from helpers import make_account

KINDS = ["interactions", "authorization_codes", "sso_sessions", "signups", "verifications", "revoked_tokens",
         "issued_access_tokens", "refresh_tokens", "used_assertions", "backchannel_deliveries"]


def _rows(account_id: str, when, marker: str) -> list:
    """One row of each kind, all expiring (or created, for deliveries) at ``when``."""
    from idp.store.models import (AuthorizationCode, BackchannelDelivery, Interaction, IssuedAccessToken, RefreshToken,
                            RevokedToken, Signup, SsoSession, UsedAssertion, Verification)

    key = f"{marker}-{uuid.uuid4().hex}"
    owner = {"tenant": "caf"}
    grant = dict(owner, client_id="rp", account_id=account_id, scope="openid", auth_time=0, expires_at=when)
    return [
        Interaction(id=key, params={}, client_id="rp", expires_at=when, **owner),
        AuthorizationCode(code_hash=key, redirect_uri="https://rp.example/cb", **grant),
        SsoSession(id=key, sid=key[:60], account_id=account_id, auth_time=0, acr="eidas1", expires_at=when, **owner),
        Signup(id=key, step="x", data_sealed=b"x", expires_at=when, **owner),
        Verification(purpose="activation", subject=key[:60], channel="email", destination="a@example.fr",
                     secret_hash="x", expires_at=when, **owner),
        RevokedToken(jti=key, expires_at=when),
        IssuedAccessToken(jti=key, family_id="f", client_id="rp", expires_at=when, **owner),
        RefreshToken(token_hash=key, family_id="f", **grant),
        UsedAssertion(key=key[:64], expires_at=when, **owner),
        BackchannelDelivery(client_id="rp", sub="s", sid="x", created_at=when, next_attempt_at=when, **owner),
    ]


def test_purge_removes_the_dead_and_keeps_the_live(app, runner):
    from idp.store.db import db, utcnow

    account_id = make_account(app, "caf")
    with app.app_context():
        now = utcnow()
        dead = [row for _ in range(3) for row in _rows(account_id, now - timedelta(days=2), "dead")]
        live = _rows(account_id, now + timedelta(hours=1), "live")
        recent = _rows(account_id, now - timedelta(hours=1), "recent")   # expired an hour ago
        db.session.add_all(dead + live + recent)
        db.session.commit()
        ids = {name: [(type(row), _pk(row)) for row in rows]
               for name, rows in (("dead", dead), ("live", live), ("recent", recent))}
    result = runner.invoke(args=["purge", "--batch-size", "2", "--json"])   # 3 rows a kind: two batches
    assert result.exit_code == 0, result.output
    graced = {"authorization_codes", "verifications", "backchannel_deliveries"}
    expected = {kind: 3 + (0 if kind in graced else 1) for kind in KINDS}
    assert json.loads(result.output) == {**expected, "pending_accounts": 0, "audit_events": 0,
                                          "admin_requests": 0, "mfa_enrolments": 0}   # tests/idp/admin/test_audit_trail.py   # tests/flows/test_signup_abandoned.py
    with app.app_context():
        present = {name: [db.session.get(model, pk) is not None for model, pk in rows] for name, rows in ids.items()}
        assert not any(present["dead"]) and all(present["live"])
        assert present["recent"] == [model.__tablename__ in graced for model, _ in ids["recent"]]
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and "interactions supprimé(e)s : 0" in again.output
    assert "codes d'autorisation supprimé(e)s : 0" in again.output


def _pk(row):
    return getattr(row, type(row).__mapper__.primary_key[0].key)


def test_a_logout_after_the_purge_still_revokes_the_sessions_refresh_tokens(http, app, runner):
    """The purge deletes issued access-token rows once they expire (minutes); the logout
    found a session's token families only through them, so after the hourly purge a logout
    left the session's refresh tokens alive."""
    from helpers import code_tokens, csrf, page_text, token_request
    from idp.store.db import db
    from idp.store.models import IssuedAccessToken

    client_id, secret, tokens = code_tokens(http, app)
    with app.app_context():   # the access token has expired, the purge has run
        db.session.execute(db.update(IssuedAccessToken).values(expires_at=IssuedAccessToken.expires_at - timedelta(hours=1)))
        db.session.commit()
    assert json.loads(runner.invoke(args=["purge", "--json"]).output)["issued_access_tokens"] == 1
    page = page_text(http.get("/caf/logout"))
    assert http.post("/caf/logout", data={"csrf_token": csrf(page), "confirm": "yes"}).status_code == 200
    refreshed = token_request(http, "caf", client_id, secret,
                              {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant"


def test_a_verification_stays_while_its_send_window_lasts(app, monkeypatch):
    """A send_window longer than the day of grace: the row holding the person's tries for
    that window is kept, else the purge would hand out a fresh budget of guesses."""
    from idp.store.db import db, utcnow
    from idp.store.models import Verification
    from idp.store.purge import purge

    settings = app.config["IDP_SETTINGS"]
    monkeypatch.setitem(app.config, "IDP_SETTINGS", settings.model_copy(update={
        "verification": settings.verification.model_copy(update={"send_window": 3 * 86400})}))
    with app.app_context():
        now = utcnow()
        db.session.add(Verification(tenant="caf", purpose="password_reset", subject="a", channel="sms",
                                    destination="+33600000000", secret_hash="x", attempts=5,
                                    created_at=now - timedelta(days=2), expires_at=now - timedelta(days=2)))
        db.session.commit()
        assert purge()["verifications"] == 0
        assert purge(now=now + timedelta(days=1, hours=1))["verifications"] == 1


def test_unconfirmed_totp_enrolments_go_after_a_day_confirmed_ones_stay(app, runner):
    """A TOTP whose first code was never typed: its sealed secret is not kept past a day."""
    from idp.store.db import db, utcnow
    from idp.store.models import MfaFactor

    account_id = make_account(app, "caf")
    with app.app_context():
        now = utcnow()
        factor = dict(tenant="caf", account_id=account_id, kind="totp", label="app", secret_sealed=b"sealed")
        rows = {"abandoned": MfaFactor(created_at=now - timedelta(days=2), **factor),
                "in_progress": MfaFactor(created_at=now - timedelta(hours=2), **factor),
                "confirmed": MfaFactor(created_at=now - timedelta(days=30), confirmed_at=now - timedelta(days=30),
                                       **factor)}
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {name: row.id for name, row in rows.items()}
    result = runner.invoke(args=["purge", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mfa_enrolments"] == 1
    with app.app_context():
        assert {name for name, pk in ids.items() if db.session.get(MfaFactor, pk) is not None} == {
            "in_progress", "confirmed"}
    assert "enrôlements TOTP jamais confirmés supprimé(e)s : 0" in runner.invoke(args=["purge"]).output
