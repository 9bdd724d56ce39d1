"""One vocabulary of events: every ``audit()`` call of ``idp/`` names an event of the table in
:mod:`idp.security.audit` with the fields the table gives it, and the security events once
written as format strings (``log.info("login_failed tenant=%s ...")``) are gone."""

from __future__ import annotations

import ast
from pathlib import Path

import idp
from idp.security.audit import COMMON_FIELDS, vocabulary

PACKAGE = Path(idp.__file__).parent
# the format-string events of before, each now an audit() event
FORMER = ("login_failed", "login_succeeded", "login_throttled", "reauthentication_", "password_rehashed",
          "password_%s", "password_reset_code", "identifier_reminder_sent", "consent_revoked",
          "account_deleted", "contact_changed", "tokens_revoked", "backchannel_logout_", "code_replayed",
          "refresh_token_reused", "session_ended", "authorize_refused", "code_issued", "claims_not_registered",
          "signup_existing_account", "supporting_document_uploaded", "directory_unavailable",
          "directory_mismatch", "provisional_code_sent", "signup_identifier_taken", "signup_account_created",
          "account_activated", "document_verifier_unavailable")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


def _calls(name_of):
    for module in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call) and name_of(node.func):
                yield f"{module.relative_to(PACKAGE)}:{node.lineno}", node


def _audit_calls():
    return _calls(lambda f: isinstance(f, ast.Name) and f.id == "audit")


def test_the_table_is_read():
    events = vocabulary()
    assert len(events) > 50
    assert events["login.failure"] == {"identifier"}
    assert events["signup.identifier_taken"] == frozenset()


def test_every_audit_call_names_an_event_of_the_vocabulary_with_its_fields():
    events, wrong = vocabulary(), []
    for place, call in _audit_calls():
        if not call.args or not isinstance(call.args[0], ast.Constant):
            continue   # a name chosen by the caller: the flows check what it emits
        name = call.args[0].value
        fields = {k.arg for k in call.keywords if k.arg} - COMMON_FIELDS
        if name not in events or not fields <= events[name]:
            wrong.append(f"{place} {name} {sorted(fields - events.get(name, frozenset()))}")
    assert wrong == []


def test_no_security_event_is_a_format_string_any_more():
    found = []
    for place, call in _calls(lambda f: isinstance(f, ast.Attribute) and f.attr in LOG_METHODS):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            found += [f"{place} {first.value}" for former in FORMER if first.value.startswith(former)]
    assert found == []
