"""Audit events: one JSON line per security-relevant event on the ``idp.audit`` logger.

Operators route that logger to their SIEM (it is a plain ``logging`` logger). Every record has
``event``, ``outcome`` (``success``, ``failure``; ``declined`` when the person said no),
``time`` and, in a request, ``tenant`` and ``ip``; commands and background work pass
``tenant`` themselves. Events carry short machine codes and the random account id, never a
password, a code, a token, a full NIR or an upstream identity's personal data (OWASP ASVS
V7.1): identifiers are masked (``identifier``, ``nir``), clients named by ``client_id``.

**In the database too** (``audit_events``, :class:`~idp.store.models.AuditEvent`), for
``listAuditEvents`` (:mod:`idp.admin.api`) and the person's own /account, kept ``[audit]
retention_days`` (``idp purge``). Which transaction it is written in decides whether it can
lie:

- when the session holds changes not yet committed (the change the event reports: a
  password changed, an account suspended), the event joins them: it commits with them, or
  goes with them if the request fails. No event for a change that did not happen, no change
  without its event. It is inserted by that commit (:func:`_join_commit`), with the
  request's other events in one statement, rather than as an ORM object flushed on its own;
- otherwise (a refusal that writes nothing: a failed login, a throttled one, a replayed
  code; an event after the commit; a command), in its own short transaction: it stands even
  if the request then fails, and never waits on the request's lock (SQLite's one writer). In
  a request whose session still holds its connection, that transaction runs once the request
  has given the connection back (:func:`write_deferred`, at teardown, before the answer
  leaves): one pooled connection per request at a time, so simultaneous requests cannot hold
  every connection of the pool while each waits for a second one. A request that commits
  anyway takes those events into its commit instead (:func:`_join_commit`): a login's
  ``login.success`` commits with its session and code, one transaction rather than two
  (issue 15); should that commit fail, they are still written on their own at teardown.

A failure to store is logged, never raised: the JSON line is written first and stays the
record of last resort.

Operational lines (start-up warnings, outages, failed jobs) stay ordinary log lines of their
module; what a SIEM alerts on is here. The vocabulary (``tests/idp/security/test_audit_vocabulary.py``
holds every emitted event to it):

===================================  ============================================================
event                                fields
===================================  ============================================================
login.success                        account, identifier (masked)
login.failure                        identifier (masked)
login.throttled                      identifier (masked)
login.locked                         scope (identifier or address), seconds
reauthentication.failure             identifier (masked)
reauthentication.throttled           identifier (masked)
password.rehashed                    account
password.changed                     account, sessions_ended, token_families_revoked
password.reset                       account, sessions_ended, token_families_revoked
password_reset.code                  channel, reason (the verification code when refused)
identifier.reminder_sent             account
contact.changed                      account, channel
consent.given                        account, client_id, scopes
consent.withdrawn                    account, client_id, token_families_revoked
account.activated                    account, channel (email, sms or operator), previous_status
account.suspended                    account, previous_status
account.deleted                      account
account.deleted_by_operator          account
signup.created                       account, status
signup.identifier_taken              —
signup.existing_account              account, reason (unreachable when it could not be told)
signup.document_uploaded             account
signup.document_check                reason
signup.directory                     reason, nir (masked)
signup.provisional_code_sent         account
verification.sent                    purpose, channel
verification.refused                 purpose, channel, reason
verification.failure                 purpose, reason
authorize.refused                    error
code.issued                          client_id
code.replayed                        client_id
refresh_token.reused                 client_id
refresh_token.reused_in_grace        client_id
tokens.revoked                       family, reason, count
claims.not_registered                client_id, count
client_assertion                     client_id, reason
par.pushed                           client_id
par.refused                          client_id, error
dpop.refused                         reason
id_token_hint                        client_id, reason
session.ended                        account, clients
logout.confirmation_asked            reason
backchannel_logout.sent              client_id, attempt
backchannel_logout.failed            client_id, attempt, reason
backchannel_logout.abandoned         client_id, attempts, count, path (purge: removed by idp purge)
audit.purged                         count
admin.request                        operator, operation, status, account, client_id
admin.token                          operator, reason (invalid_client, throttled)
admin.locked                         scope (operator or address), operator, seconds
client.updated                       client_id
client.secret_rotated                client_id
account.unlocked                     account, previous_status
sessions.revoked_by_operator         account, sessions_ended, token_families_revoked
client.registered                    client_id, profile
client.deleted                       client_id
client.subject_type_changed          client_id, subject_type (every sub of its users changes)
keys.rotated                         promoted, retired, removed, created
franceconnect.redirect               client_id
franceconnect.callback               path, reason, candidates
franceconnect.login                  account, path, acr, reason, detail
franceconnect.cancelled              —
franceconnect.account                reason
franceconnect.account_created        account, status
franceconnect.link                   account, status, reason, candidates
franceconnect.link_notice            account, reason
franceconnect.unlink                 account, reason
franceconnect.nir                    reason
franceconnect.directory              reason
franceconnect.logout                 path, reason, detail
franceconnect_fi.incomplete_identity  client_id, missing
mfa.enrolled                         account, method
mfa.verified                         account, method
mfa.failure                          account, method
mfa.throttled                        account, method
mfa.locked                           account, seconds
mfa.removed                          account, method
mfa.recovery_codes_generated         account, count
mfa.reset_by_operator                account, factors, recovery_codes
passkey.registered                   account, passkey
passkey.used                         account, passkey, purpose (login or second_factor), amr
passkey.failure                      purpose, reason, account
passkey.throttled                    purpose, scope (account or address)
passkey.renamed                      account, passkey
passkey.removed                      account, passkey
===================================  ============================================================
"""

from __future__ import annotations

import json
import logging
import re
import time
from functools import lru_cache

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from idp.store.db import WROTE, db
from idp.store.models import AuditEvent

log = logging.getLogger("idp.audit")

COMMON_FIELDS = frozenset({"event", "outcome", "time", "tenant", "ip"})


def audit(event: str, outcome: str = "success", **fields) -> dict:
    """Log ``event`` and return the record (tests read it back through ``caplog``)."""
    record = {"event": event, "outcome": outcome, "time": int(time.time())}
    tenant = g.get("tenant") if has_app_context() else None   # work after the answer has no request
    if tenant is not None:
        record["tenant"] = tenant.slug
    if has_request_context():
        record["ip"] = request.remote_addr
    record.update({k: v for k, v in fields.items() if v is not None})
    log.log(logging.WARNING if outcome == "failure" else logging.INFO, "%s", json.dumps(record, sort_keys=True))
    if has_app_context():
        _store(record)
    return record


def _row(record: dict) -> dict:
    from datetime import datetime, timezone

    fields = {k: v for k, v in record.items() if k not in COMMON_FIELDS | {"account", "client_id"}}
    return {"tenant": record.get("tenant"), "event": record["event"], "outcome": record["outcome"],
            "account_id": _text(record.get("account")), "client_id": _text(record.get("client_id")),
            "fields": json.loads(json.dumps(fields, default=str)), "ip": record.get("ip"),
            "time": datetime.fromtimestamp(record["time"], timezone.utc).replace(tzinfo=None)}


def _text(value) -> str | None:
    return None if value is None else str(value)[:64]


def _store(record: dict) -> None:
    """The event in the database: joining the session's uncommitted changes, else in its own
    transaction (the module's docstring says why)."""

    try:
        session = db.session() if db.session.registry.has() else None
        if session is not None and (session.info.get(WROTE) or session.new or session.dirty or session.deleted):
            session.info.setdefault(WITH_CHANGES, []).append(_row(record))   # inserted at its commit
            return
        if has_request_context() and session is not None and session.in_transaction():
            # The request holds a pooled connection: taking a second one here would let as many
            # simultaneous requests as the pool has connections each hold one and wait for another
            # (a pool deadlock, until pool_timeout). Written once the request has given its
            # connection back (write_deferred), in its own transaction: it still stands whatever
            # the request did, and before the answer leaves.
            g.setdefault(DEFERRED, []).append(_row(record))
            return
        _insert([_row(record)])
    except Exception as error:  # noqa: BLE001  (the log line above stands; the request goes on)
        logging.getLogger("idp.security.audit").error("audit event not stored (%s)", type(error).__name__)


DEFERRED = "idp_audit_deferred"   # flask.g key: events to write once the request's connection is back


def _insert(rows: list[dict]) -> None:

    with db.engine.begin() as connection:
        connection.execute(_INSERT, rows)


WITH_CHANGES = "idp_audit_with_changes"   # Session.info key: events of the changes the session holds
JOINED = "idp_audit_joined"   # Session.info key: the deferred events added to the commit under way
_INSERT = AuditEvent.__table__.insert()


@event.listens_for(Session, "before_commit")
def _join_commit(session) -> None:
    """A session commits: the events of its changes, and (the request's session) the events
    its request deferred, go with that commit in one executemany, as :func:`_insert` (no ORM
    object, no id read back; the request's own connection, no second transaction). Deferred
    events leave ``g`` only once the commit succeeded (:func:`_joined`); a failed commit
    drops them with the rest and :func:`write_deferred` writes them on their own, as if
    nothing had been committed."""
    with_changes = session.info.pop(WITH_CHANGES, [])
    ours = has_request_context() and db.session.registry.has() and db.session.registry() is session
    deferred = list(g.get(DEFERRED) or []) if ours else []
    if with_changes or deferred:
        session.execute(_INSERT, with_changes + deferred)
    if deferred:
        session.info[JOINED] = deferred


@event.listens_for(Session, "after_commit")
def _joined(session) -> None:
    rows = session.info.pop(JOINED, None)
    if rows and has_request_context():
        waiting = g.get(DEFERRED) or []
        waiting[:] = [row for row in waiting if not any(row is done for done in rows)]


@event.listens_for(Session, "after_rollback")
def _not_joined(session) -> None:
    session.info.pop(JOINED, None)


@event.listens_for(Session, "after_transaction_end")
def _gone_with_their_changes(session, transaction) -> None:
    """A transaction that ends without its commit (rolled back, the session closed) takes the
    events of its changes with it, as it took the changes (no savepoints are used here)."""
    if transaction.parent is None:
        session.info.pop(WITH_CHANGES, None)


def write_deferred(error=None) -> None:
    """``teardown_request``: the request's session closed first (what it did not commit is
    rolled back, its connection returned), then its deferred events in one transaction."""

    rows = g.pop(DEFERRED, None)
    if not rows:
        return
    try:
        db.session.remove()
        _insert(rows)
    except Exception as failure:  # noqa: BLE001  (their log lines stand)
        logging.getLogger("idp.security.audit").error("audit events not stored (%s)", type(failure).__name__)


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, frozenset[str]]:
    """The table above as ``{event: fields}``: the one list of events, read by the tests."""
    table = __doc__.split("\n===")[2].split("\n===")[0]
    events = {}
    for line in table.splitlines()[1:]:
        name, _, described = line.partition(" ")
        fields = re.sub(r"\([^)]*\)", "", described).replace("—", "")
        events[name] = frozenset(f.strip() for f in fields.split(",") if f.strip())
    return events
