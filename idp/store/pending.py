"""Pending state kept between two requests of one browser: sealed data, a deadline, used once.

A signup in progress (``idp/signup/state.py``) and the FranceConnect journey
(``idp/federation/state.py``) are both this: a row of the ``signups`` table whose id is the
SHA-256 of a random handle the browser holds in a cookie scoped to the tenant
(:mod:`idp.web.cookies`), its data sealed under the tenant's key (it may hold a NIR, an
upstream ID token), refused after its deadline, and discarded once used. The pending
authorization requests (``idp/oidc/interactions.py``) share the handle and the deadline, not
the rest: their row is read by the protocol engine (parameters in clear, no personal data)
and lives until the interaction finishes.

Each row says, inside its sealed data, which kind of state it is (``kind``: ``signup``,
FranceConnect's slots, a pushed authorization request): a handle of one kind never loads as
another (a ``request_uri`` handle put in the signup cookie is no signup). Rows written before
the kinds were recorded count as signups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g
from sqlalchemy import inspect

from idp.security.vault import vault
from idp.store.db import db, digest, new_secret, scoped, scoped_delete, utcnow
from idp.store.models import Signup


def new_handle() -> tuple[str, str]:
    """A random handle for the browser and the row id it is stored under (its digest: the
    database alone never gives a handle that resumes anything)."""
    handle = new_secret(24)
    return handle, digest(handle)


def deadline(ttl: int) -> datetime:
    return utcnow() + timedelta(seconds=ttl)


def alive(row) -> bool:
    """A row found and not past its deadline."""
    return row is not None and row.expires_at > utcnow()


SIGNUP = "signup"
KIND = "_pending_kind"   # the key of the kind in the sealed data (not in ``Pending.data``)


@dataclass
class Pending:
    """A pending row and its data, unsealed."""
    row: Signup
    data: dict
    kind: str = SIGNUP

    def save(self, commit: bool = True) -> None:
        sealed = {**self.data, KIND: self.kind}
        self.row.data_sealed = vault().seal(self.row.tenant, json.dumps(sealed))
        if commit:
            db.session.commit()


def keep(data: dict, ttl: int, step: str = "", interaction_handle: str | None = None,
         kind: str = SIGNUP) -> tuple[Pending, str]:
    """Store ``data`` sealed until ``ttl`` seconds from now (committed), as a state of
    ``kind``; returns it and the handle for the cookie."""
    handle, row_id = new_handle()
    row = Signup(tenant=g.tenant.slug, id=row_id, step=step, interaction_handle=interaction_handle,
                 data_sealed=b"", expires_at=deadline(ttl))
    db.session.add(row)
    pending = Pending(row, data, kind)
    pending.save()
    return pending, handle


def find(handle: str | None, step: str | None = None, lock: bool = False, kind: str = SIGNUP) -> Pending | None:
    """The live pending state of ``handle`` in this tenant, of ``kind`` (and at ``step`` when
    given).

    ``lock``: the requests of one browser on the same state take turns (a double click, two
    tabs): each sees what the one before committed, none overwrites what another changed."""
    if not handle:
        return None
    query = scoped(Signup, id=digest(handle)).limit(1)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = db.session.execute(query).scalar_one_or_none()
    if not alive(row) or (step is not None and row.step != step):
        return None
    data = json.loads(vault().unseal(row.tenant, row.data_sealed))
    if data.pop(KIND, SIGNUP) != kind:
        return None
    return Pending(row, data, kind)


def discard(pending: Pending, commit: bool = True) -> None:
    """Use the state up; already gone is fine (a twin request of a double click did it)."""
    row_id = inspect(pending.row).identity[0]   # without reloading a row that may be gone
    db.session.execute(scoped_delete(Signup, id=row_id), execution_options={"synchronize_session": False})
    db.session.expunge(pending.row)
    if commit:
        db.session.commit()
