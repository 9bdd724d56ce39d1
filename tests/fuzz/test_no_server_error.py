"""No request produces a 5xx: malformed requests to every route, and to every signup step.

Routes come from ``app.url_map`` (every rule, every method but HEAD/OPTIONS), so a new
endpoint is fuzzed as soon as it exists; :mod:`fuzz_recipes` says how to build a request
that gets past the first checks. Each signup step of each tenant is reached with valid
answers, then sent malformed ones. Examples are derandomized (the same requests on every
run); the count of requests sent is printed and recorded as the test's ``requests`` property.
On SQLite and PostgreSQL (``app`` fixture), with the FranceConnect stand-in answering.
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from franceconnect_support import franceconnect_for
from fuzz_recipes import PATH_VALUES, request_for
from fuzz_site import Request, Site, variables
from fuzz_values import mutated
from helpers import csrf

# IDP_FUZZ_EXAMPLES=500 explores further (a nightly run, or after touching a boundary)
EXAMPLES_PER_ROUTE = int(os.environ.get("IDP_FUZZ_EXAMPLES", "20"))
EXAMPLES_PER_STEP = max(10, EXAMPLES_PER_ROUTE // 2)
# no shrinking: requests change the provider's state, so a shrunk example replays differently;
# the failing request is reported as sent
FUZZ = settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))


@pytest.fixture
def site(app, tmp_path):
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    with franceconnect_for(app):
        yield Site(app, str(jwks), key)


def _routes(app):
    only = os.environ.get("IDP_FUZZ_ONLY")   # an endpoint name, to chase one failure
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if only and rule.endpoint != only:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _fuzz_route(site, rule, method):
    tenants = site.tenants if "<tenant>" in rule.rule else ["caf"]

    @FUZZ
    @given(st.data())
    def run(data):
        tenant = data.draw(st.sampled_from(tenants))
        site.send(request_for(data.draw, site, tenant, method, rule.rule, rule.endpoint))

    run()


def test_every_route_answers_malformed_requests_without_a_server_error(site, app, record_property):
    started, missing = time.monotonic(), set()
    for rule, method in _routes(app):
        missing |= variables(rule.rule) - set(PATH_VALUES)
    assert not missing, f"describe these URL variables in fuzz_recipes.PATH_VALUES: {missing}"
    failures = []
    for rule, method in _routes(app):
        site.next_route()
        try:
            _fuzz_route(site, rule, method)
        except Exception as error:   # go on: one run lists every route that fails
            notes = "\n".join(getattr(error, "__notes__", []))
            failures.append(f"{method} {rule.rule}: {type(error).__name__}: {str(error)[:300]}\n{notes}")
    record_property("requests", site.sent)
    assert not failures, "\n\n".join(failures)
    print(f"\nfuzz: {site.sent} requests to {len(list(_routes(app)))} routes in {time.monotonic() - started:.1f} s;"
          f" answers {dict(sorted(site.statuses.items()))}")


# -- signup steps, each reached with valid answers --------------------------------------------
def _outbox_code(app, to: str) -> str:
    outbox = app.extensions["idp_notifier"].outbox()
    return re.search(r"\b(\d{6})\b", next(m for m in outbox if m["to"] == to)["text"]).group(1)


MAIRIE = [
    ("profil", {"profile_type": "citoyen"}),
    ("identite", {"civility": "madame", "birth_name": "Durand", "usage_name": "", "given_name": "Élodie",
                  "birthdate": "1990-04-12", "email": "elodie.durand@example.fr", "phone": "01.01.01.01.01",
                  "mobile": "06.12.34.56.78", "opt_in_email": "on"}),
    ("identifiant", {"identifier": "elodie.durand"}),
    ("mot-de-passe", {"password": "Citoyenne2026", "password_repeat": "Citoyenne2026"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
    ("activation", {"channel": "sms"}),
    ("activation/code", {"code": "000000"}),
]
CAF = [
    ("etat-civil", {"nir": "2 90 05 69 123 456", "civility": "madame", "birth_name": "Moreau",
                    "given_names": "Julie Anne", "birthdate": "1990-05-17", "birthplace": "Lyon"}),
    ("foyer", {"household_role": "responsable"}),
    ("piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"}),
    ("contact", "code:julie.moreau@example.fr"),
    ("mot-de-passe", {"password": "Allocataire2026", "password_repeat": "Allocataire2026"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
    ("recapitulatif", {}),
]
AMELI = [
    ("identite", {"birth_name": "Martin", "nir": "1 85 02 33 063 042", "birthdate": "14/02/1985",
                  "postal_code": "33000"}),
    ("acces", {"iban_last7": "0604 312", "vitale_serial": "12345678901"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
    ("code-personnel", {"password": "Securite-2026", "password_repeat": "Securite-2026"}),
    ("email", {"email": "pierre.martin@example.fr"}),
    ("activation", {"channel": "email"}),
]
JOURNEYS = {"mairie": MAIRIE, "caf": CAF, "ameli": AMELI}


def _reach(site, browser, tenant, number, fresh=False) -> bool:
    """Is step ``number``'s page shown? Walks the journey again when a malformed answer ended
    the signup (cancelled it, or finished it with a provisional identifier), or when asked;
    False once the step was passed for good (the account exists: its identity is taken)."""
    path = f"/{tenant}/signup/{JOURNEYS[tenant][number][0]}"
    if site.get(browser, path).status_code == 200 and not fresh:
        return True
    site.get(browser, f"/{tenant}/signup?restart=1")
    for step, answers in JOURNEYS[tenant][:number]:
        if _answer(site, browser, tenant, step, answers).status_code not in (302, 303):
            return False
    return site.get(browser, path).status_code == 200


def _answer(site, browser, tenant, step, answers):
    path = f"/{tenant}/signup/{step}"
    form = {"csrf_token": site.csrf_token, **_answers(site, browser, tenant, step, answers)}
    return site.send(Request(browser, "POST", path, form=form))


def _fuzz_step(site, browser, tenant, number):
    step, answers = JOURNEYS[tenant][number]
    known = sorted(answers if isinstance(answers, dict) else {}) + ["action", "code", "contact", "channel", "no_nir"]
    # a contact step gets codes sent elsewhere: its own code's attempts are kept for the end
    valid = {"action": "send", "contact": "fuzz@example.fr"} if isinstance(answers, str) else dict(answers)

    @settings(FUZZ, max_examples=EXAMPLES_PER_STEP)
    @given(st.data())
    def run(data):
        pairs = mutated(data.draw, {**valid, "csrf_token": site.csrf_token}, known)
        _reach(site, browser, tenant, number)
        site.send(Request(browser, "POST", f"/{tenant}/signup/{step}", form=pairs))

    run()


def _answers(site, browser, tenant, step, answers):
    """The valid answers of a step; for a contact step, a code sent to the contact now."""
    if isinstance(answers, str) and answers.startswith("code:"):
        contact = answers[5:]
        path = f"/{tenant}/signup/{step}"
        token = csrf(site.get(browser, path).get_data(as_text=True))
        site.send(Request(browser, "POST", path, form={"csrf_token": token, "action": "send", "contact": contact}))
        return {"code": _outbox_code(site.app, contact)}
    return answers


@pytest.mark.parametrize("tenant", sorted(JOURNEYS))
def test_every_signup_step_answers_malformed_input_without_a_server_error(app, tenant, record_property):
    site = Site.__new__(Site)
    site.app, site.sent, site.statuses, site._pages = app, 0, {}, {}
    browser = app.test_client()
    site.csrf_token = site.csrf(browser, tenant)   # one per browser session, valid for every form
    site.get(browser, f"/{tenant}/signup")
    journey = JOURNEYS[tenant]
    for number, (step, answers) in enumerate(journey):
        assert _reach(site, browser, tenant, number), step
        _fuzz_step(site, browser, tenant, number)
        if _reach(site, browser, tenant, number, fresh=isinstance(answers, str)):
            response = _answer(site, browser, tenant, step, answers)
            if number + 1 < len(journey):   # the valid answers go on to the next step: the fuzz went deep
                assert response.status_code in (302, 303), (step, response.get_data(as_text=True)[:300])
    record_property("requests", site.sent)
    print(f"\nfuzz {tenant} signup: {site.sent} requests")
