"""Every answer to "is this prénom.nom taken?" counts against one limit per address and
minute (``[login] availability_checks_per_minute``): the live check, the identifier step's
suggestion, and FranceConnect's completion page (its suggestion and the username typed)."""

from __future__ import annotations

import re

from franceconnect_support import franceconnect_for, start_from_rp, through_franceconnect
from helpers import csrf, location, make_client, page_text
from test_signup_mairie import IDENTITY, post_step

PROPOSED = re.compile(r'id="identifier" name="identifier" type="text" value="([^"]*)"')
RATE_LIMITED = "Trop de vérifications en peu de temps : réessayez dans une minute."


def _spend_the_limit(http, app):
    for _ in range(app.config["IDP_SETTINGS"].login.availability_checks_per_minute):
        assert http.get("/mairie/signup/availability?identifier=jean.dupont").status_code == 200


def test_the_identifier_steps_suggestion_counts_against_the_lookups_limit(http, app):
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", IDENTITY)
    for _ in range(app.config["IDP_SETTINGS"].login.availability_checks_per_minute):
        page = http.get("/mairie/signup/identifiant")
        assert PROPOSED.search(page_text(page)).group(1) == "elodie.durand"
    refused = http.get("/mairie/signup/availability?identifier=jean.dupont")
    assert refused.status_code == 429 and refused.get_json()["message"] == RATE_LIMITED
    page = http.get("/mairie/signup/identifiant")
    assert page.status_code == 200 and PROPOSED.search(page_text(page)).group(1) == ""


def test_franceconnects_completion_page_counts_against_the_lookups_limit(http, app):
    client_id, _ = make_client(app, "mairie", first_party=True)
    with franceconnect_for(app):
        _, fc_url = start_from_rp(http, "mairie", client_id)
        assert location(through_franceconnect(http, fc_url, "ines")).endswith("/mairie/franceconnect/complete")
        _spend_the_limit(http, app)
        page = http.get("/mairie/franceconnect/complete")
        html = page_text(page)
        assert page.status_code == 200 and PROPOSED.search(html).group(1) == ""   # no proposal beyond the limit
        typed = http.post("/mairie/franceconnect/complete", data={
            "csrf_token": csrf(html), "identifier": "ines.fernandez", "email": "ines.fernandez@exemple.fr",
            "cgu": "on"})
    assert typed.status_code == 429 and RATE_LIMITED in page_text(typed)
