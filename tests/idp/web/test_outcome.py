"""The page-error model (idp/web/outcome.py): what a form comes to, and no control flow
through fake keys of an errors dict (``_sent``, ``_throttled``, ``_finish``, ``_taken``)."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from idp.web.outcome import Outcome

IDP = Path(__file__).resolve().parents[3] / "idp"


def test_each_constructor_says_what_the_form_came_to():
    assert Outcome.next().kind == "next" and Outcome.next().accepted and Outcome.next().status == 200
    invalid = Outcome.invalid({"email": "Adresse invalide."})
    assert invalid.kind == "invalid" and invalid.status == 400 and invalid.errors == {"email": "Adresse invalide."}
    limited = Outcome.limited("identity", "Réessayez dans 60 minutes.")
    assert limited.kind == "invalid" and limited.throttled and limited.status == 429
    told = Outcome.told("Le code a été envoyé.")
    assert told.kind == "notice" and not told.accepted and told.status == 200 and not told.errors
    page = Outcome.page_error("Trop de demandes.")
    assert page.errors == {"form": "Trop de demandes."} and page.status == 400
    finished = Outcome.finish("provisional")
    assert finished.kind == "finish" and finished.finished == "provisional" and finished.status == 200


def test_a_collector_keeps_field_order_and_throttling():
    outcome = Outcome()
    outcome.refuse("identifier", "Pris.").refuse("email", "Trop de vérifications.", throttled=True)
    outcome.merge({"cgu": "Acceptez."}).merge(Outcome.invalid({"code": "Faux."}))
    assert list(outcome.errors) == ["identifier", "email", "cgu", "code"] and outcome.status == 429
    assert not outcome.accepted and not Outcome.told("envoyé").accepted


@pytest.mark.parametrize("key", ["_sent", "_throttled", "_finish", "_taken", "", None])
def test_a_key_that_is_not_a_field_is_refused(key):
    with pytest.raises(ValueError):
        Outcome.invalid({key: True})
    with pytest.raises(ValueError):
        Outcome().refuse(key, "x")


def _state(**answers):
    return SimpleNamespace(answers=dict(answers), data={}, row=SimpleNamespace(id="s1", tenant="caf"))


def test_signup_steps_return_outcomes():
    """Steps that refuse before touching the tenant: their refusals are Outcomes, by field."""
    from idp.signup.identity_steps import check_contact
    from idp.signup.steps import REQUIRED, check_consent, check_identifier

    consent = check_consent(None, {}, _state())
    assert isinstance(consent, Outcome) and list(consent.errors) == ["cgu", "rgpd"]
    identifier = check_identifier(None, {}, _state())
    assert isinstance(identifier, Outcome) and identifier.errors == {"identifier": REQUIRED}
    contact = check_contact(None, {"action": "send", "contact": ""}, _state())
    assert isinstance(contact, Outcome) and contact.errors == {"contact": REQUIRED}


def _fake_keys(tree: ast.AST) -> list[str]:
    """``errors["_x"] = ...``, ``errors.pop("_x")``, ``return {"_x": ...}``: a key starting with
    ``_`` put in or read from a dict of errors, or returned by a function in a dict."""
    found = []

    def underscored(node) -> bool:
        return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("_")

    def errorish(node) -> bool:
        return isinstance(node, ast.Name) and any(w in node.id for w in ("error", "taken", "refus", "outcome"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and errorish(node.value) and underscored(node.slice):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and errorish(node.func.value) \
                and node.func.attr in ("pop", "get") and node.args and underscored(node.args[0]):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Dict) \
                and any(underscored(k) for k in node.value.keys):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_control_flow_through_fake_error_keys():
    """A step or page that says "code sent", "throttled", "finished" or "taken" says it with
    an Outcome's attribute, never with a ``_`` key among the field errors."""
    offenders = {}
    for path in sorted(IDP.rglob("*.py")):
        found = _fake_keys(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(IDP))] = found
    assert offenders == {}
