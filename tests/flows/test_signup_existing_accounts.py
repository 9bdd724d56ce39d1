"""caf and ameli signups do not tell a stranger who has an account: a NIR's account is said
to exist only after every check that would create it, its holder is told by message, and
the checks that answer about a number are limited per address and per number."""

from __future__ import annotations

import re

from helpers import make_account, page_text, location
from messages_support import messages
from test_signup_ameli import ACCESS, CODE, IDENTITY as AMELI_IDENTITY, post as ameli
from test_signup_caf import ETAT_CIVIL, PASSWORD, contact_step, post as caf

CAF_TAKEN = "Un compte existe déjà avec ce numéro. Connectez-vous ou utilisez « Mot de passe oublié ? »."
AMELI_TAKEN = "Un compte existe déjà avec ce numéro. Connectez-vous ou utilisez « Code oublié ? »."
MISMATCH = "Les informations saisies ne correspondent pas à nos données."
CHECKS_LIMIT = "Trop de vérifications en peu de temps. Réessayez dans "
HOLDER = "camille@example.fr"


def client_from(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def holder_notices(app):
    return [m for m in messages(app) if m["template"] == "account_exists"]


def accounts(app, tenant):
    from idp.store.db import db
    from idp.store.models import Account

    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Account).where(Account.tenant == tenant)).scalar()


def caf_until_recap(http, app):
    http.get("/caf/signup")
    steps = [("etat-civil", ETAT_CIVIL), ("foyer", {"household_role": "responsable"}),
             ("piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"})]
    for name, data in steps:
        assert location(caf(http, name, data))                      # goes on, existing account or not
    assert location(contact_step(http, app)).endswith("/mot-de-passe")
    caf(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    caf(http, "conditions", {"cgu": "on", "rgpd": "on"})


def test_caf_existing_nir_is_said_only_at_the_end_and_its_holder_told(http, app):
    make_account(app, "caf", identifier="2900569123456", email=HOLDER)
    caf_until_recap(http, app)
    assert holder_notices(app) == []
    refused = caf(http, "recapitulatif", {})
    assert refused.status_code == 400 and CAF_TAKEN in page_text(refused)
    [notice] = holder_notices(app)
    assert notice["to"] == HOLDER and "Vous avez déjà un compte" in notice["text"]
    assert "2900569123456" not in notice["text"] and "2 90 05" not in notice["text"]
    assert accounts(app, "caf") == 1


def test_ameli_directory_step_answers_the_same_with_or_without_an_account(http, app):
    answers = []
    for exists in (False, True):
        if exists:
            make_account(app, "ameli", identifier="1850233063042", email=HOLDER)
        browser = app.test_client()
        browser.get("/ameli/signup")
        right = ameli(browser, "identite", AMELI_IDENTITY)
        wrong = ameli(browser, "identite", {**AMELI_IDENTITY, "postal_code": "33100"})
        answers.append((location(right), wrong.status_code, MISMATCH in page_text(wrong)))
    assert answers[0] == answers[1] == ("/ameli/signup/acces", 400, True)


def test_ameli_existing_account_said_after_the_access_check(http, app):
    make_account(app, "ameli", identifier="1850233063042", email=HOLDER)
    http.get("/ameli/signup")
    ameli(http, "identite", AMELI_IDENTITY)
    wrong = ameli(http, "acces", {**ACCESS, "vitale_serial": "99999999999"})
    assert MISMATCH in page_text(wrong) and AMELI_TAKEN not in page_text(wrong)
    refused = ameli(http, "acces", ACCESS)
    assert refused.status_code == 400 and AMELI_TAKEN in page_text(refused)
    assert [n["to"] for n in holder_notices(app)] == [HOLDER]


def test_ameli_provisional_code_same_page_and_a_letter_to_the_holder(http, app):
    make_account(app, "ameli", identifier="1850233063042", email=None)
    pages = []
    for _ in range(2):
        browser = app.test_client()
        browser.get("/ameli/signup")
        ameli(browser, "identite", AMELI_IDENTITY)
        pages.append(re.sub(r'nonce="[^"]+"', "", page_text(ameli(browser, "acces", {"action": "provisional"}))))
    assert pages[0] == pages[1] and "Vous recevrez votre code provisoire sous 8 jours" in pages[0]
    [letter] = holder_notices(app)                                   # once a day, however often asked
    assert letter["channel"] == "letter" and letter["to"]["lines"] == ["12 cours de l'Intendance", "33000 Bordeaux"]
    assert "Vous avez déjà un compte" in letter["text"]
    assert [m for m in messages(app) if m["template"] == "provisional_code_letter"] == []
    assert accounts(app, "ameli") == 1


def _other_nir(i: int) -> str:
    return f"1 85 02 33 063 {100 + i:03d}"


def test_directory_checks_are_limited_per_address(http, app):
    http.get("/ameli/signup")
    for i in range(30):
        assert MISMATCH in page_text(ameli(http, "identite", {**AMELI_IDENTITY, "nir": _other_nir(i)}))
    blocked = ameli(http, "identite", AMELI_IDENTITY)
    assert blocked.status_code == 429 and CHECKS_LIMIT + "60 minutes." in page_text(blocked)
    other_address = client_from(app, "192.0.2.8")
    other_address.get("/ameli/signup")
    assert location(ameli(other_address, "identite", AMELI_IDENTITY)).endswith("/acces")


def test_directory_checks_are_limited_per_number_across_addresses(app):
    for i in range(10):
        browser = client_from(app, f"192.0.2.{i + 1}")
        browser.get("/ameli/signup")
        assert MISMATCH in page_text(ameli(browser, "identite", {**AMELI_IDENTITY, "birthdate": f"{i + 1:02d}/03/1985"}))
    last = client_from(app, "198.51.100.1")
    last.get("/ameli/signup")
    blocked = ameli(last, "identite", AMELI_IDENTITY)
    assert blocked.status_code == 429 and CHECKS_LIMIT + "24 heures." in page_text(blocked)
    another_number = ameli(last, "identite", {**AMELI_IDENTITY, "nir": _other_nir(1)})
    assert another_number.status_code == 400 and MISMATCH in page_text(another_number)


def test_email_in_use_checks_are_limited_per_address(http, app):
    make_account(app, "ameli", identifier="2910775123456", email="louise@example.fr")
    http.get("/ameli/signup")
    ameli(http, "identite", AMELI_IDENTITY)
    ameli(http, "acces", ACCESS)
    ameli(http, "conditions", {"cgu": "on", "rgpd": "on"})
    ameli(http, "code-personnel", {"password": CODE, "password_repeat": CODE})
    for i in range(28):           # two checks already spent: the directory and the access steps
        assert "déjà utilisée" in page_text(ameli(http, "email", {"email": "louise@example.fr"}))
    blocked = ameli(http, "email", {"email": "pierre.martin@example.fr"})
    assert blocked.status_code == 429 and CHECKS_LIMIT in page_text(blocked)


def test_caf_end_of_journey_check_is_limited_per_number(app):
    make_account(app, "caf", identifier="2900569123456", email=HOLDER)
    for i in range(10):
        browser = client_from(app, f"192.0.2.{i + 1}")
        caf_until_recap(browser, app)
        assert CAF_TAKEN in page_text(caf(browser, "recapitulatif", {}))
    browser = client_from(app, "198.51.100.2")
    caf_until_recap(browser, app)
    blocked = caf(browser, "recapitulatif", {})
    assert blocked.status_code == 429 and CHECKS_LIMIT + "24 heures." in page_text(blocked)
    assert len(holder_notices(app)) == 1                            # told once a day, not at each try


def test_username_taken_meanwhile_is_chosen_again_on_its_step_with_what_was_typed(http, app):
    """Taken since its step (or by a simultaneous signup: tests/flows/test_races_two_workers.py):
    the identifier step's page again, the name typed kept and a free one proposed; the rest
    of the signup (the sealed password included) is kept."""
    from test_signup_mairie import post_step, signup_until_activation

    identifier = signup_until_activation(http)
    make_account(app, "mairie", identifier=identifier)              # someone else took it meanwhile
    refused = post_step(http, "activation", {"channel": "sms"})
    assert refused.status_code == 400
    text = page_text(refused)
    assert "Cet identifiant est déjà pris. Suggestion : elodie.durand2" in text
    assert f'name="identifier" type="text" value="{identifier}"' in text
    assert 'action="/mairie/signup/identifiant"' in text
    assert accounts(app, "mairie") == 1
    assert location(post_step(http, "identifiant", {"identifier": "elodie.durand2"})).endswith("/mot-de-passe")
    assert location(post_step(http, "activation", {"channel": "sms"})).endswith("/activation/code")
    assert accounts(app, "mairie") == 2


def check_misses_once(monkeypatch, module):
    """``check_free`` answers "free" once, as when another signup writes its account just
    after this one looked (the unique index then decides, at the INSERT)."""
    from idp.signup import existing
    from idp.web.outcome import Outcome

    real, calls = existing.check_free, []

    def once(state):
        calls.append(state)
        return Outcome.next() if len(calls) == 1 else real(state)

    monkeypatch.setattr(module, "check_free", once)


def test_username_taken_at_the_instant_of_creation_is_chosen_again(http, app, monkeypatch):
    from idp.signup import existing
    from test_signup_mairie import post_step, signup_until_activation

    identifier = signup_until_activation(http)
    make_account(app, "mairie", identifier=identifier)
    check_misses_once(monkeypatch, existing)
    refused = post_step(http, "activation", {"channel": "sms"})
    assert refused.status_code == 400
    assert "Cet identifiant est déjà pris. Suggestion : elodie.durand2" in page_text(refused)
    assert f'name="identifier" type="text" value="{identifier}"' in page_text(refused)
    assert accounts(app, "mairie") == 1


def test_nir_taken_at_the_instant_of_creation_is_said_as_after_the_check(http, app, monkeypatch):
    from idp.signup import steps

    make_account(app, "caf", identifier="2900569123456", email=HOLDER)
    caf_until_recap(http, app)
    check_misses_once(monkeypatch, steps)
    refused = caf(http, "recapitulatif", {})
    assert refused.status_code == 400 and CAF_TAKEN in page_text(refused)
    assert len(holder_notices(app)) == 1 and accounts(app, "caf") == 1
    assert caf(http, "recapitulatif", {}).status_code == 400       # the signup is still there, unchanged


def test_no_live_check_answers_whether_a_nir_has_an_account(http, app):
    """The signups' live identifier check (``/signup/availability``, a GET: no signup, no
    CSRF, 30 a minute per address) answered « Cet identifiant est déjà pris » for any NIR
    on caf and ameli; it exists only where an identifier is chosen in the open (mairie)."""
    make_account(app, "caf", email=HOLDER)
    make_account(app, "ameli", identifier="2910775123456", email="louise@example.fr")
    for tenant, nir in (("caf", "1 84 03 12 345 678"), ("ameli", "2 91 07 75 123 456")):
        assert http.get(f"/{tenant}/signup/availability?identifier={nir}").status_code == 404
    assert http.get("/mairie/signup/availability?identifier=jean.dupont").get_json()["available"] is True
    make_account(app, "mairie")
    assert http.get("/mairie/signup/availability?identifier=jean.dupont").get_json()["available"] is False
