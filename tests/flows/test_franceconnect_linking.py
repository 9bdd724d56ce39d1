"""Which local account an identité pivot is offered, through the stand-in, as an attacker
would try it: the same names and birthdate with another sex, birthplace or country of birth
is not the account's holder (its NIR says so even when its profile is silent); compound first
names written differently are; several matching accounts ask which one; a link written is
told to the account's holder and audited."""

from __future__ import annotations

import json
import logging

import pytest

from franceconnect_support import franceconnect_for, rows, start_from_rp, through_franceconnect
from helpers import csrf, location, make_account, make_client, page_text
from messages_support import last_message

LOUISE = dict(identifier="2910775123456", given_name="Louise", family_name="Bernard", birthdate="1991-07-05",
              email="louise.bernard@example.fr")      # ameli's demo holder: born in Paris (NIR 75…), a woman
JEAN_NOEL = dict(identifier="1721169123045", family_name="Béranger", birthdate="1972-11-05")
INES = dict(identifier="2910799134012", given_name="Inès", family_name="Fernández Ruiz", birthdate="1991-07-28")
DOMINIQUE = dict(identifier="1580120004012", given_name="Dominique", family_name="Santoni", birthdate="1958-01-01")


@pytest.fixture
def standin(app):
    with franceconnect_for(app) as running:
        yield running


def _arrive(http, app, tenant: str, login: str):
    """Through FranceConnect as ``login``; returns where the IdP sends the person."""
    client_id, _ = make_client(app, tenant, first_party=True)
    _, fc_url = start_from_rp(http, tenant, client_id)
    return location(through_franceconnect(http, fc_url, login)).rsplit("/", 1)[1]


@pytest.mark.parametrize("tenant, account, login, offered", [
    pytest.param("ameli", LOUISE, "louise", "link", id="the-holder"),
    pytest.param("ameli", LOUISE, "louise-marseille", "complete", id="another-sex-and-birthplace"),
    pytest.param("ameli", LOUISE, "louise-lyon", "complete", id="another-birthplace"),
    pytest.param("caf", {**JEAN_NOEL, "given_name": "Jean Noël"}, "jean-noel", "link", id="compound-without-hyphen"),
    pytest.param("caf", {**JEAN_NOEL, "given_name": "Jean-Noël"}, "jean-noel-sans-trait", "link",
                 id="hyphen-only-locally"),
    pytest.param("caf", {**JEAN_NOEL, "given_name": "Jean-Noël Théo"}, "jean-noel", "link", id="first-two-names"),
    pytest.param("caf", {**JEAN_NOEL, "given_name": "Jean"}, "jean-noel", "complete", id="part-of-a-compound"),
    pytest.param("caf", INES, "ines", "link", id="born-abroad"),
    pytest.param("caf", INES, "ines-italie", "complete", id="born-in-another-country"),
    pytest.param("caf", DOMINIQUE, "dominique", "link", id="corsica-before-1976"),
    pytest.param("caf", DOMINIQUE, "dominique-bastia", "complete", id="another-corsican-commune"),
])
def test_the_pivot_is_offered_only_the_account_of_its_holder(http, app, standin, tenant, account, login, offered):
    """The accounts hold no sex nor place of birth in their profile: their NIR gives them."""
    make_account(app, tenant, **account)
    assert _arrive(http, app, tenant, login) == offered


def test_another_sex_never_reaches_the_password_prompt_even_by_typing_the_nir(http, app, standin):
    """The issue's case: a man born in Marseille, with a woman's names and birthdate, typing
    her NIR at account creation is refused on the number itself (its sex), not sent to her
    account's password page."""
    make_account(app, "ameli", **LOUISE)
    assert _arrive(http, app, "ameli", "louise-marseille") == "complete"
    page = page_text(http.get("/ameli/franceconnect/complete"))
    typed = http.post("/ameli/franceconnect/complete", data={"csrf_token": csrf(page), "identifier": LOUISE["identifier"],
                                                            "email": "l.bernard.marseille@exemple.fr", "cgu": "on"})
    assert typed.status_code == 400
    assert "Ce numéro ne correspond pas au sexe transmis par FranceConnect." in page_text(typed)
    assert "/franceconnect/link" not in typed.headers.get("Location", "")


def test_several_matching_accounts_ask_which_one_is_yours(http, app, standin):
    from idp.store.models import Account, FederatedIdentity

    first = make_account(app, "caf", **{**JEAN_NOEL, "given_name": "Jean-Noël"})
    second = make_account(app, "caf", **{**JEAN_NOEL, "identifier": "1721169123046", "given_name": "Jean-Noël"})
    make_account(app, "caf", identifier="2840375107012", given_name="Élodie", family_name="Lefèvre",
                 birthdate="1984-03-17")
    assert _arrive(http, app, "caf", "jean-noel") == "link"
    page = page_text(http.get("/caf/franceconnect/link"))
    assert "Plusieurs comptes Caf – Mon Compte correspondent à votre identité" in page
    assert "Aucun n'est mon compte : créer un nouveau compte" in page
    elsewhere = http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "identifier": "2840375107012",
                                                          "password": "Allocation2024"})
    assert elsewhere.status_code == 400
    assert "Ce compte ne correspond pas à l'identité transmise par FranceConnect." in page_text(elsewhere)
    assert rows(app, FederatedIdentity) == []
    linked = http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "identifier": "1721169123046",
                                                       "password": "Allocation2024"})
    assert location(linked)
    [link] = rows(app, FederatedIdentity, tenant="caf")
    assert link.account_id == second != first and len(rows(app, Account, tenant="caf")) == 3


def test_none_of_several_goes_on_to_a_new_account(http, app, standin):
    make_account(app, "caf", **{**JEAN_NOEL, "given_name": "Jean-Noël"})
    make_account(app, "caf", **{**JEAN_NOEL, "identifier": "1721169123046", "given_name": "Jean-Noël"})
    assert _arrive(http, app, "caf", "jean-noel") == "link"
    page = page_text(http.get("/caf/franceconnect/link"))
    declined = http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "action": "not_mine"})
    assert location(declined).endswith("/caf/franceconnect/complete")
    assert location(http.get("/caf/franceconnect/link")).endswith("/caf/franceconnect/complete")
    assert http.get("/caf/franceconnect/complete").status_code == 200


def test_a_link_written_is_told_to_the_holder_and_audited(http, app, standin, caplog):
    caplog.set_level(logging.INFO, logger="idp.audit")
    account_id = make_account(app, "ameli", **LOUISE)
    assert _arrive(http, app, "ameli", "louise") == "link"
    page = page_text(http.get("/ameli/franceconnect/link"))
    http.post("/ameli/franceconnect/link", data={"csrf_token": csrf(page), "identifier": LOUISE["identifier"],
                                                 "password": "Sante-2024!"})
    told = last_message(app, "email", LOUISE["email"])
    assert told["template"] == "franceconnect_linked"
    assert "vient d'être relié à une identité FranceConnect" in told["text"]
    assert "retirez le lien dans « Mon compte »" in told["text"]
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]
    assert any({"event": "franceconnect.link", "outcome": "success", "account": account_id}.items() <= e.items()
               for e in events)
