"""A signup in progress, kept server-side (sealed) behind a cookie scoped to the tenant."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from flask import g, request

from sqlalchemy import inspect

from idp.store.db import db, digest, new_secret, scoped, scoped_delete, utcnow
from idp.store.models import Signup
from idp.security.vault import vault

COOKIE = "idp_signup"


@dataclass
class SignupState:
    row: Signup
    data: dict = field(default_factory=dict)

    @property
    def done(self) -> list[str]:
        return self.data.setdefault("_done", [])

    @property
    def answers(self) -> dict:
        return self.data.setdefault("answers", {})

    def save(self) -> None:
        self.row.data_sealed = vault().seal(self.row.tenant, json.dumps(self.data))
        db.session.commit()


def start(ttl: int, interaction_handle: str | None) -> tuple[SignupState, str]:
    handle = new_secret(24)
    row = Signup(tenant=g.tenant.slug, id=digest(handle), step="", interaction_handle=interaction_handle,
                 data_sealed=b"", expires_at=utcnow() + timedelta(seconds=ttl))
    state = SignupState(row, {"_done": [], "answers": {}})
    db.session.add(row)
    state.save()
    return state, handle


def load() -> SignupState | None:
    handle = request.cookies.get(COOKIE)
    if not handle:
        return None
    query = scoped(Signup, id=digest(handle)).limit(1)
    if request.method == "POST":
        # the answers to one signup take turns (a double click, two tabs): each sees what the
        # one before it committed (the account it wrote, the signup it ended), and none
        # overwrites a signup another has changed or finished meanwhile
        query = query.with_for_update().execution_options(populate_existing=True)
    row = db.session.execute(query).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return SignupState(row, json.loads(vault().unseal(row.tenant, row.data_sealed)))


def discard(state: SignupState, commit: bool = True) -> None:
    """Erase the signup; already erased is fine (a twin request of a double click did it)."""
    signup_id = inspect(state.row).identity[0]   # without reloading a row that may be gone
    db.session.execute(scoped_delete(Signup, id=signup_id),
                       execution_options={"synchronize_session": False})
    db.session.expunge(state.row)
    if commit:
        db.session.commit()


def set_cookie(response, handle: str, ttl: int) -> None:
    from idp.oidc.sessions import _settings

    response.set_cookie(COOKIE, handle, path=f"/{g.tenant.slug}/", httponly=True, samesite="Lax",
                        secure=_settings().server.public_url.startswith("https://"), max_age=ttl)


def clear_cookie(response) -> None:
    response.delete_cookie(COOKIE, path=f"/{g.tenant.slug}/")
