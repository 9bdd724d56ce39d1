"""A NIR typed after FranceConnect must prove its holder as the tenant's own signup does, and
the page says an account exists for it only as the signups do (after every other check,
counted per address and per number, the holder told), through the stand-in."""

from __future__ import annotations

import json
import logging

import pytest

from franceconnect_support import CNI, franceconnect_for, rows, start_from_rp, through_franceconnect
from helpers import csrf, location, make_account, make_client, page_text
from messages_support import messages

ELODIE_NIR = "2840375107012"       # the stand-in's Élodie: female, born 1984-03 in Paris 7e
TAKEN = "Un compte existe déjà avec ce numéro."
CHECKS_LIMIT = "Trop de vérifications en peu de temps. Réessayez dans "


@pytest.fixture
def standin(app):
    with franceconnect_for(app) as running:
        yield running


def _at_complete(http, app, tenant: str, login: str):
    client_id, _ = make_client(app, tenant, first_party=True)
    _, fc_url = start_from_rp(http, tenant, client_id)
    back = through_franceconnect(http, fc_url, login)
    assert location(back).endswith(f"/{tenant}/franceconnect/complete")
    return back


def _post(http, tenant: str, **fields):
    page = page_text(http.get(f"/{tenant}/franceconnect/complete"))
    return http.post(f"/{tenant}/franceconnect/complete", data={"csrf_token": csrf(page), **fields})


def _audit(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]


def test_caf_asks_the_identity_document_its_signup_asks(http, app, standin):
    from idp.store.models import Account, FederatedIdentity

    _at_complete(http, app, "caf", "elodie")
    page = page_text(http.get("/caf/franceconnect/complete"))
    assert "Votre pièce d'identité" in page and 'name="document_number"' in page
    typed = dict(identifier=ELODIE_NIR, email="elodie.lefevre@exemple.fr", cgu="on")
    missing = _post(http, "caf", **typed)
    assert missing.status_code == 400 and "Choisissez le type de pièce d'identité." in page_text(missing)
    reported = _post(http, "caf", **typed, document_kind="cni", document_number="X4RTBPFW4")
    assert reported.status_code == 400
    assert "Cette pièce d'identité n'a pas pu être vérifiée. Vérifiez le numéro saisi." in page_text(reported)
    assert rows(app, Account, tenant="caf") == [] and rows(app, FederatedIdentity) == []
    created = _post(http, "caf", **typed, document_kind="cni", document_number=CNI)
    assert "/franceconnect/" not in location(created)
    [account] = rows(app, Account, tenant="caf")
    assert account.status == "active" and account.profile["document"]["kind"] == "cni"
    assert account.profile["document"]["masked"] == "AB*******" and CNI not in json.dumps(account.profile)


def test_without_a_french_document_the_account_waits_for_an_operator(http, app, standin, runner):
    """As in caf's signup: the account is created, linked, not opened; FranceConnect leads to
    "sera ouvert après la vérification" until `idp users activate`."""
    from idp.store.models import Account, FederatedIdentity

    _at_complete(http, app, "caf", "elodie")
    waiting = _post(http, "caf", identifier=ELODIE_NIR, email="elodie.lefevre@exemple.fr", cgu="on", no_document="on")
    assert waiting.status_code == 200 and "Déposer mon justificatif" in page_text(waiting)
    [account] = rows(app, Account, tenant="caf")
    assert account.status == "pending_document" and len(rows(app, FederatedIdentity, tenant="caf")) == 1
    assert location(http.get("/caf/account")).endswith("/caf/login")     # not logged in
    assert http.get("/caf/signup/justificatif").status_code == 200

    again = app.test_client()
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = start_from_rp(again, "caf", client_id)
    refused = through_franceconnect(again, fc_url, "elodie")
    assert refused.status_code == 403
    assert "Votre compte sera ouvert après la vérification de votre justificatif d'identité." in page_text(refused)
    assert runner.invoke(args=["users", "activate", "--tenant", "caf", "--identifier", ELODIE_NIR]).exit_code == 0
    _, fc_url = start_from_rp(again, "caf", client_id)
    assert "/franceconnect/" not in location(through_franceconnect(again, fc_url, "elodie"))


def test_an_existing_nir_is_told_only_after_every_other_check(http, app, standin, caplog):
    """Someone else's account under the NIR typed: nothing on the page says so while the
    document, the email or the CGU are missing; then "Un compte existe déjà", the way out
    for the number's real owner, and a message to the account's holder."""
    from idp.store.models import Account, FederatedIdentity

    caplog.set_level(logging.INFO, logger="idp.audit")
    make_account(app, "caf", identifier=ELODIE_NIR, given_name="Sophie", family_name="Lefèvre",
                 birthdate="1984-03-02", email="sophie@example.fr")
    _at_complete(http, app, "caf", "elodie")
    typed = dict(identifier=ELODIE_NIR, email="elodie.lefevre@exemple.fr")
    for incomplete in ({"cgu": "on"}, {"document_kind": "cni", "document_number": CNI}):
        answer = _post(http, "caf", **typed, **incomplete)
        assert answer.status_code == 400 and TAKEN not in page_text(answer)
    assert [m for m in messages(app) if m["template"] == "account_exists"] == []
    taken = _post(http, "caf", **typed, cgu="on", document_kind="cni", document_number=CNI)
    text = page_text(taken)
    assert taken.status_code == 400 and TAKEN in text
    assert "Ce numéro est le vôtre et vous n'avez jamais créé ce compte ? Contactez Caf – Mon Compte" in text
    assert '<a href="https://www.caf.fr/nous-contacter">Contacter le service</a>' in text
    [notice] = [m for m in messages(app) if m["template"] == "account_exists"]
    assert notice["to"] == "sophie@example.fr"
    assert any(e["event"] == "franceconnect.account" and e.get("reason") == "identifier_taken" for e in _audit(caplog))
    assert len(rows(app, Account, tenant="caf")) == 1 and rows(app, FederatedIdentity) == []


def test_answers_about_a_number_are_limited_per_number(http, app, standin):
    """Each POST answering about a NIR counts (per number, a day), as in the signups."""
    limit = app.config["IDP_SETTINGS"].signup_limits.checks_per_number
    for i in range(limit):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 1}"
        _at_complete(browser, app, "caf", "elodie")
        assert _post(browser, "caf", identifier=ELODIE_NIR, email="elodie.lefevre@exemple.fr").status_code == 400
    _at_complete(http, app, "caf", "elodie")
    blocked = _post(http, "caf", identifier=ELODIE_NIR, email="elodie.lefevre@exemple.fr", cgu="on",
                    document_kind="cni", document_number=CNI)
    assert blocked.status_code == 429 and CHECKS_LIMIT + "24 heures." in page_text(blocked)


def test_email_in_use_answers_are_limited_per_address(http, app, standin):
    limit = app.config["IDP_SETTINGS"].signup_limits.checks_per_address
    _at_complete(http, app, "mairie", "ines")
    for _ in range(limit):
        assert _post(http, "mairie", email="ines.fernandez@exemple.fr").status_code == 400
    blocked = _post(http, "mairie", email="ines.fernandez@exemple.fr")
    assert blocked.status_code == 429 and CHECKS_LIMIT + "60 minutes." in page_text(blocked)


@pytest.mark.parametrize("login, nir, message", [
    # born in Bordeaux, a NIR naming Paris or Lyon as a whole city (was a 500: KeyError)
    ("pierre", "1850275056012", "Ce numéro ne correspond pas à votre lieu de naissance."),
    ("pierre", "1850269123012", "Ce numéro ne correspond pas à votre lieu de naissance."),
    ("louise-marseille", "1910775056012", "Ce numéro ne correspond pas à votre lieu de naissance."),
    # born in Spain, a NIR of someone born in La Réunion (overseas places were never compared)
    ("ines", "2910797411012", "Ce numéro ne correspond pas à votre lieu de naissance."),
    # born in Spain, a NIR of Algeria before 1962 (idem)
    ("ines", "2910791352012", "Ce numéro ne correspond pas à votre lieu de naissance."),
    ("ines", "2910799127012", "Ce numéro ne correspond pas à votre lieu de naissance."),
])
def test_a_nir_of_another_place_is_refused_in_french(http, app, standin, caplog, login, nir, message):
    from idp.store.models import Account

    caplog.set_level(logging.INFO, logger="idp.audit")
    _at_complete(http, app, "caf", login)
    refused = _post(http, "caf", identifier=nir, email="x@exemple.fr", cgu="on", document_kind="cni",
                    document_number=CNI)
    assert refused.status_code == 400 and message in page_text(refused)
    assert any(e["event"] == "franceconnect.nir" and e["reason"] == "place" for e in _audit(caplog))
    assert rows(app, Account, tenant="caf") == []


def test_ameli_refuses_a_twins_number(http, app, standin, caplog):
    """Pierre Martin's twin has his birth name, birthdate, sex and commune, not his first
    names: the directory says the number is Pierre's."""
    from idp.store.models import Account

    caplog.set_level(logging.INFO, logger="idp.audit")
    _at_complete(http, app, "ameli", "paul-jumeau")
    refused = _post(http, "ameli", identifier="1850233063042", email="paul.martin@exemple.fr", cgu="on")
    assert refused.status_code == 400
    assert "Ce numéro ne correspond à aucun assuré de cette identité." in page_text(refused)
    assert any(e["event"] == "franceconnect.directory" and e["reason"] == "given_names" for e in _audit(caplog))
    assert rows(app, Account, tenant="ameli") == []


def test_the_operator_procedure_frees_a_number_taken_by_someone_else(http, app, standin, runner):
    """Someone of the owner's sex, year, month and commune of birth opened an account with
    the owner's NIR (no order number is checked anywhere): the operator suspends it, which
    ends its FranceConnect access at once, then erases it, and the number is free again."""
    from idp.store.models import Account, FederatedIdentity, SsoSession

    owners_nir = "2840375107555"
    _at_complete(http, app, "caf", "elodie")
    taken = _post(http, "caf", identifier=owners_nir, email="elodie.lefevre@exemple.fr", cgu="on",
                  document_kind="cni", document_number=CNI)
    assert "/franceconnect/" not in location(taken) and len(rows(app, SsoSession)) == 1
    suspended = runner.invoke(args=["users", "suspend", "--tenant", "caf", "--identifier", owners_nir, "--json"])
    assert suspended.exit_code == 0, suspended.output
    assert json.loads(suspended.output)["franceconnect_unlinked"] is True
    [account] = rows(app, Account, tenant="caf")
    assert account.status == "suspended" and rows(app, FederatedIdentity) == [] and rows(app, SsoSession) == []
    assert location(http.get("/caf/account")).endswith("/caf/login")
    deleted = runner.invoke(args=["users", "delete", "--tenant", "caf", "--identifier", owners_nir, "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert rows(app, Account, tenant="caf") == []
