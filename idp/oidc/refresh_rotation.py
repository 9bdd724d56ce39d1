"""Refresh-token rotation with reuse detection and a grace period (RFC 9700 §4.14.2).

Each use of a refresh token rotates it: the token is marked rotated and a successor is
issued in the same transaction as the new access token. Presenting a rotated token again
is reuse: its whole family (one code exchange and its rotations) is revoked.

**Grace period** (``[tokens] refresh_rotation_grace_period``, 5 s by default, 0 turns it
off), as Hydra's ``rotation_grace_period`` and Okta's grace period. A relying party that
runs as several processes (mod_auth_openidc under a prefork Apache) refreshes the same
token from each of them at once; without a grace period all but one would count as reuse
and end the person's tokens. Within the period after its rotation, a rotated token answers
with *the same successor* (and a new access token of the family, revocable with it); after
the period, or once the successor has been used or revoked, it is reuse again.

**How the same successor is returned without keeping it.** The successor is not random:
it is derived from the token it replaces, HMAC-SHA256 under a key derived from ``[server]
data_protection_key`` (:meth:`idp.security.vault.IdentifierVault.mac`), encoded as a random
token is. The database keeps only its SHA-256, as for every refresh token; within the
period the provider recomputes it from the presented token and returns it if that row is
live and of the same family. So no refresh token is stored, in clear or sealed, not even
for the window, and nothing has to be erased when it closes. Only someone holding both an
old refresh token and the data-protection key (which already unseals every NIR) could
compute a successor; a random successor kept sealed for the window would instead be open to
whoever holds that key and a copy of the database.
"""

from __future__ import annotations

import base64
import functools
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam

from idp.store.db import WROTE, current_tenant, db, digest, scoped_first, scoped_update, utcnow
from idp.store.models import RefreshToken
from idp.security.vault import vault

PURPOSE = "refresh_token_successor"


def grace_period() -> int:
    return current_app.config["IDP_SETTINGS"].tokens.refresh_rotation_grace_period


def successor_of(presented: str) -> str:
    """The refresh token that replaces ``presented``: the same at every rotation of it."""
    mac = bytes.fromhex(vault().mac(PURPOSE, presented))
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def rotate(presented: str):
    """Mark the live refresh token ``presented`` rotated and return its row (a ``Row`` of the
    table's columns, read as a :class:`RefreshToken` is), in one
    statement (``UPDATE … RETURNING``: the row is read by the write that claims it, not
    before it and again after); None when it is not live and unrotated: unknown, revoked,
    expired, or rotated already (by another request: see :func:`successor_in_grace`).

    Not committed here: the rotation commits with the successor and the access token, the
    token request's one commit (:func:`idp.oidc.views.token`). Meanwhile the UPDATE holds the
    row, so a request presenting the same token waits for that commit, then matches nothing
    and finds the token rotated.

    Run on the session's connection (its transaction), as a Core statement: the ORM's
    execution layer (the bulk-UPDATE machinery, an entity made of the returned row) cost 200
    of a refresh's 3,250 Python calls, and nothing reads the row as an entity; the
    session is told it wrote, so the request's :func:`~idp.store.db.commit_request` commits."""
    db.session.info[WROTE] = True
    return db.session.connection().execute(
        _rotation(current_tenant()), {"presented_hash": digest(presented), "at": utcnow()}
    ).first()


@functools.cache
def _rotation(tenant: str):
    """The rotating UPDATE of ``tenant``, built once: its values are parameters, so a
    refresh neither builds the statement nor has SQLAlchemy coerce its values and compute a
    new cache key (bench/RESULTS.md, issue 15). Built with :func:`~idp.store.db.scoped_update`
    (the tenant in its WHERE); its ``RETURNING`` gives every column of the claimed row."""
    return (
        scoped_update(RefreshToken, tenant, token_hash=bindparam("presented_hash"))
        .where(RefreshToken.rotated_at.is_(None), RefreshToken.revoked_at.is_(None),
               RefreshToken.expires_at > bindparam("at"))
        .values(rotated_at=bindparam("at"))
        .returning(*RefreshToken.__table__.columns)
    )


def successor_in_grace(row: RefreshToken, presented: str) -> str | None:
    """The successor of a token rotated less than the grace period ago, while it is live
    (neither used, revoked nor expired); else None."""
    period = grace_period()
    if not period:
        return None
    if row.rotated_at is None or utcnow() - row.rotated_at > timedelta(seconds=period):
        return None
    successor = successor_of(presented)
    stored = scoped_first(RefreshToken, token_hash=digest(successor))
    if (stored is None or stored.family_id != row.family_id or stored.revoked_at is not None
            or stored.rotated_at is not None or stored.expires_at <= utcnow()):
        return None
    return successor
