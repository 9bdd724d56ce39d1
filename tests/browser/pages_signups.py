"""The three signups as journeys (pages_support.Tour): each step, then its error state (the
step sent empty, or with what the step refuses), then the step filled in. A person per
walk mode, so that the walks of one session do not meet (each creates an account)."""

from __future__ import annotations

import re

VALIDATE = re.compile(r"^valider$", re.I)
SEND = re.compile(r"^envoyer$", re.I)
MODES = ("audit", "nojs", "keyboard")


def enter_in_code_field(tour, field: str, key: str, destination: str) -> None:
    """Type a wrong code in ``field`` and press Enter there: the code must be checked (its
    refusal shown), not a new one sent. Records ``enter:<key>`` = (refused shown, codes sent)."""
    page, site = tour.page, tour.site
    before = len(site.outbox())
    tour.fill(field, "000000")
    tour.enter()                                    # the focus is in the field
    refused = page.get_by_text(re.compile(r"code (saisi )?(est )?incorrect", re.I)).count() > 0
    sent = [m for m in site.outbox()[:len(site.outbox()) - before] if destination in str(m.get("to"))]
    tour.fact(f"enter:{key}", {"code refused": refused, "codes sent": len(sent)})


MAIRIE = {"audit": ("Durand", "Élodie", "06 12 34 56 78"), "nojs": ("Lefort", "Margaux", "06 23 45 67 89"),
          "keyboard": ("Moreau", "Inès", "06 34 56 78 90")}


def mairie_signup(tour) -> None:
    family, given, mobile = MAIRIE[tour.mode]
    email = f"{given.lower()}.{family.lower()}@example.fr"
    tour.goto("/mairie/signup")
    tour.state("profil")
    tour.press(VALIDATE)
    tour.state("profil-erreurs")
    tour.tick("#profile_type-citoyen")
    tour.press(VALIDATE)
    tour.state("identite")
    tour.press(VALIDATE)
    tour.state("identite-erreurs")
    tour.tick("#civility-madame")
    tour.fill("#birth_name", family)
    tour.fill("#given_name", given)
    tour.date("birthdate", "04", "04", "1990")   # day = month: a native field types either order
    tour.fill("#email", email)
    tour.fill("#mobile", mobile)
    tour.press(VALIDATE)
    tour.state("identifiant")
    suggestion = tour.page.locator("#identifier").input_value()
    tour.fill("#identifier", "jean.dupont")                 # the demo account's
    tour.press(VALIDATE)
    tour.state("identifiant-pris")
    tour.fill("#identifier", suggestion)
    tour.press(VALIDATE)
    _password_step(tour, "Citoyenne2026")
    _consent_step(tour)
    tour.state("activation")
    tour.press(SEND)
    tour.state("activation-erreur")
    tour.tick("#channel-sms")
    tour.press(SEND)
    tour.state("code-sms")
    digits = re.sub(r"\D", "", mobile)[1:]
    enter_in_code_field(tour, "#code", "mairie-sms", digits)
    tour.state("code-sms-refuse")
    tour.fill("#code", tour.site.code_sent_to(digits))
    tour.press(VALIDATE)
    tour.state("compte-active")
    tour.page.get_by_text("Votre compte est").first.wait_for()


AMELI = {"audit": ("Martin", "1 85 02 33 063 042", ("14", "02", "1985"), "33000", "0604312", "12345678901"),
         "nojs": ("Payet", "2 78 11 97 411 123", ("03", "11", "1978"), "97400", "3300157", "23456789012"),
         "keyboard": ("Schmidt", "1 90 03 99 109 321", ("21", "03", "1990"), "99109", "9100011", "34567890123")}


def ameli_signup(tour) -> None:
    name, nir, (day, month, year), postal, iban, vitale = AMELI[tour.mode]
    email = f"{name.lower()}.{tour.mode}@example.fr"
    tour.goto("/ameli/signup")
    tour.state("identite")
    tour.press(VALIDATE)
    tour.state("identite-erreurs")
    tour.fill("#birth_name", name)
    tour.fill("#nir", nir)
    tour.date("birthdate", day, month, year)
    tour.fill("#postal_code", "75001")                      # not the directory's
    tour.press(VALIDATE)
    tour.state("identite-refusee")
    tour.fill("#postal_code", postal)
    tour.press(VALIDATE)
    tour.state("acces")
    tour.press(VALIDATE)
    tour.state("acces-erreurs")
    tour.fill("#iban_last7", iban)
    tour.fill("#vitale_serial", vitale)
    tour.press(VALIDATE)
    _consent_step(tour)
    _password_step(tour, "Securite-2026")
    tour.state("email")
    tour.press(VALIDATE)
    tour.state("email-erreur")
    tour.fill("#email", email)
    tour.press(VALIDATE)
    tour.state("activation")
    tour.press(SEND)
    tour.state("consultez-vos-courriels")
    tour.goto(tour.site.link_sent_to(email).removeprefix(tour.site.base))
    tour.state("compte-active")
    tour.page.get_by_text("Votre compte est").first.wait_for()


CAF = {"audit": ("2 90 05 69 123 456", "Moreau", "Julie Anne"), "nojs": ("2 90 05 69 123 457", "Garnier", "Léa"),
       "keyboard": ("2 90 05 69 123 458", "Fontaine", "Chloé")}


def caf_signup(tour) -> None:
    nir, family, given = CAF[tour.mode]
    email = f"{family.lower()}.{tour.mode}@example.fr"
    tour.goto("/caf/signup")
    tour.state("etat-civil")
    tour.press(VALIDATE)
    tour.state("etat-civil-erreurs")
    tour.fill("#nir", nir)
    tour.tick("#civility-madame")
    tour.fill("#birth_name", family)
    tour.fill("#given_names", given)
    tour.date("birthdate", "05", "05", "1990")   # the NIR's month; day = month (native field)
    tour.fill("#birthplace", "Lyon")
    tour.press(VALIDATE)
    tour.state("foyer")
    tour.fill("#household_file", "12")                     # 7 digits expected
    tour.press(VALIDATE)
    tour.state("foyer-erreurs")
    tour.fill("#household_file", "1234567")
    tour.tick("#household_role-responsable")
    tour.press(VALIDATE)
    tour.state("piece-identite")
    tour.press(VALIDATE)
    tour.state("piece-identite-erreurs")
    tour.tick("#document_kind-cni")
    tour.fill("#document_number", "AB12CD34E")
    tour.press(VALIDATE)
    tour.state("coordonnees")
    tour.press(re.compile("envoyer le code", re.I))
    tour.state("coordonnees-erreur")
    tour.fill("#contact", email)
    tour.press(re.compile("envoyer le code", re.I))
    tour.state("coordonnees-code-envoye")
    enter_in_code_field(tour, "#code", "caf-contact", email)
    tour.state("coordonnees-code-refuse")
    tour.fill("#code", tour.site.code_sent_to(email))
    tour.press(VALIDATE)
    _password_step(tour, "Allocataire2026")
    _consent_step(tour)
    tour.state("recapitulatif")
    tour.press(re.compile("^créer mon compte$", re.I))
    tour.state("compte-active")
    tour.page.get_by_text("Votre compte est").first.wait_for()


def _password_step(tour, password: str) -> None:
    tour.state("mot-de-passe")
    tour.fill("#password", password)
    tour.fill("#password_repeat", password + "x")
    tour.press(VALIDATE)
    tour.state("mot-de-passe-erreurs")
    tour.fill("#password", password)
    tour.fill("#password_repeat", password)
    tour.press(VALIDATE)


def _consent_step(tour) -> None:
    tour.state("conditions")
    tour.press(VALIDATE)
    tour.state("conditions-erreurs")
    tour.tick("#cgu")
    tour.tick("#rgpd")
    tour.press(VALIDATE)


SIGNUPS = {"mairie-inscription": mairie_signup, "ameli-inscription": ameli_signup, "caf-inscription": caf_signup}
