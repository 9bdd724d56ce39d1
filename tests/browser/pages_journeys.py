"""Every journey of the three tenants as steps of a :class:`pages_support.Tour`, and the
states each one shows (JOURNEYS): the test modules parametrize over these names, and a walk
that reaches a state not declared here fails, so no page goes unchecked unnoticed."""

from __future__ import annotations

import re

import sqlalchemy

from pages_signups import SIGNUPS, VALIDATE, enter_in_code_field
from pages_support import OWN_ACCOUNTS

TENANTS = ("caf", "ameli", "mairie")
LOG_IN = re.compile(r"^se connecter$", re.I)
NEW_PASSWORD = {"caf": "Renouveau{n}2026", "ameli": "Renouveau-{n}2026", "mairie": "Renouveau{n}2026"}
MODE_NUMBER = {"audit": 1, "nojs": 2, "keyboard": 3}


def login_journey(tenant: str):
    """Login and its errors, then through the demo relying party: login, consent, the
    service's answer; /account lists the service and takes its access back; logout."""
    def steps(tour):
        demo = tour.site.demo[tenant]
        tour.goto(f"/{tenant}/login")
        tour.state("connexion")
        tour.press(LOG_IN)
        tour.state("connexion-vide")
        tour.fill("#identifier", demo["identifier"])
        tour.fill("#password", "pas-le-bon-2026")
        tour.press(LOG_IN)
        tour.state("connexion-refusee")
        tour.goto(f"/demo/{tenant}/")
        tour.state("service-de-demonstration")
        tour.press(re.compile("^se connecter avec", re.I), role="link")
        tour.state("connexion-pour-le-service")
        tour.fill("#identifier", demo["identifier"])
        tour.fill("#password", demo["password"])
        tour.press(LOG_IN)
        tour.state("consentement")
        tour.press(re.compile("^autoriser$", re.I))
        tour.page.get_by_text("Connexion réussie").wait_for()
        tour.goto(f"/{tenant}/account")
        tour.state("mon-compte")
        tour.press(re.compile("^retirer l.accès de service de démonstration", re.I))   # the next walk sees the consent again
        tour.state("mon-compte-acces-retire")
        tour.goto(f"/{tenant}/logout")
        tour.state("deconnexion")
        tour.press(re.compile("^me déconnecter$", re.I))
        tour.state("deconnecte")
    return steps


def account_journey(tenant: str):
    """Forgot password and identifier with their errors, the reset by an emailed code (a
    wrong one sent with Enter), then /account's forms: contact change by a code, password
    change and deletion refused."""
    identifier, _ = OWN_ACCOUNTS[tenant]
    email = f"claire.petit@{tenant}.example.fr"

    def steps(tour):
        number = MODE_NUMBER[tour.mode]
        password = NEW_PASSWORD[tenant].format(n=number)
        mobile = f"06 1{number} 2{TENANTS.index(tenant)} 34 56"
        tour.goto(f"/{tenant}/password/forgot")
        tour.state("mot-de-passe-oublie")
        tour.press(re.compile("^recevoir un code$", re.I))
        tour.state("mot-de-passe-oublie-erreurs")
        tour.goto(f"/{tenant}/identifier/forgot")
        tour.state("identifiant-oublie")
        tour.fill("#email", "pas-une-adresse")
        tour.press(re.compile("^recevoir mon identifiant$", re.I))
        tour.state("identifiant-oublie-erreur")
        tour.fill("#email", email)
        tour.press(re.compile("^recevoir mon identifiant$", re.I))
        tour.state("identifiant-envoye")
        tour.goto(f"/{tenant}/password/forgot")
        tour.fill("#identifier", identifier)
        tour.tick("#channel-email")
        sent = len(tour.site.outbox())
        tour.press(re.compile("^recevoir un code$", re.I))
        tour.state("nouveau-mot-de-passe")
        code = tour.site.code_sent_to(email, after=sent)
        enter_in_code_field(tour, "#code", f"{tenant}-reset", email)
        tour.state("nouveau-mot-de-passe-code-refuse")
        tour.fill("#code", code)
        tour.fill("#password", password)
        tour.fill("#password_repeat", password)
        tour.press(VALIDATE)
        tour.state("mot-de-passe-modifie")
        tour.goto(f"/{tenant}/login")
        tour.fill("#identifier", identifier)
        tour.fill("#password", password)
        tour.press(LOG_IN)
        tour.state("mon-compte-infos")
        tour.press(re.compile("^recevoir un code$", re.I))
        tour.state("mon-compte-coordonnees-erreur")
        tour.fill("#contact", mobile)
        tour.press(re.compile("^recevoir un code$", re.I))
        tour.state("mon-compte-code-envoye")
        digits = re.sub(r"\D", "", mobile)[1:]
        enter_in_code_field(tour, "#contact_code", f"{tenant}-account-contact", digits)
        tour.state("mon-compte-code-refuse")
        tour.fill("#contact_code", tour.site.code_sent_to(digits))
        tour.press(re.compile("^confirmer$", re.I))
        tour.state("mon-compte-coordonnees-modifiees")
        tour.press(re.compile("^changer mon (mot de passe|code personnel)$", re.I))
        tour.state("mon-compte-mot-de-passe-erreurs")
        tour.press(re.compile("^supprimer mon compte$", re.I))
        tour.state("mon-compte-suppression-erreur")
    return steps


def franceconnect_journey(tour):
    """caf: a new person's account page with its errors and an email confirmed by a code,
    then cancelled; the demo account holder's link page with a wrong password, cancelled;
    a refusal at FranceConnect; the mairie's page for a new person. Nothing is created or
    linked, so every walk of the session meets the same pages."""
    page = tour.page

    def through_franceconnect(tenant, choose):
        tour.goto(f"/{tenant}/login")
        tour.press(re.compile("s.identifier avec franceconnect", re.I))
        assert "/api/v2/authorize" in page.url, page.url
        (page.locator("form.refus button") if choose is None else page.locator(f'button[data-login="{choose}"]')).click()
        page.wait_for_load_state()

    through_franceconnect("caf", "elodie")
    tour.state("franceconnect-creation")
    tour.press(re.compile("^créer mon compte$", re.I))
    tour.state("franceconnect-creation-erreurs")
    tour.fill("#identifier", "2 84 03 75 107 012")          # Élodie's, as the identité pivot says
    tour.tick("#document_kind-cni")
    tour.fill("#document_number", "AB12CD34E")
    tour.tick("#cgu")
    tour.fill("#email", f"elodie.{tour.mode}@example.fr")   # not FranceConnect's: confirmed by a code
    tour.press(re.compile("^créer mon compte$", re.I))
    tour.state("franceconnect-code-envoye")
    enter_in_code_field(tour, "#code", "franceconnect-email", f"elodie.{tour.mode}@example.fr")
    tour.state("franceconnect-code-refuse")
    tour.press(re.compile("^annuler$", re.I))
    tour.state("franceconnect-annule")
    through_franceconnect("caf", "camille")
    tour.state("franceconnect-liaison")
    tour.fill("#identifier", "1 84 03 12 345 678")
    tour.fill("#password", "pas-le-bon-2026")
    tour.press(re.compile("^relier mon compte$", re.I))
    tour.state("franceconnect-liaison-refusee")
    tour.press(re.compile("^annuler$", re.I))
    through_franceconnect("caf", None)
    tour.state("franceconnect-refus")
    through_franceconnect("mairie", "jean-noel")
    tour.state("franceconnect-creation-mairie")
    tour.press(re.compile("^annuler$", re.I))


def second_factor_journey(tour):
    """The second factor (issue 16), on caf's demo account: /account/mfa, an authenticator
    app added (a wrong first code, then the right one), recovery codes shown once, the
    login's second-factor step (a wrong code, the recovery-code form), the app removed
    (the next walk finds the account as it was)."""
    import pyotp

    demo = tour.site.demo["caf"]
    tour.goto("/caf/login")
    tour.fill("#identifier", demo["identifier"])
    tour.fill("#password", demo["password"])
    tour.press(LOG_IN)
    tour.goto("/caf/account/mfa")
    tour.state("double-authentification")
    tour.press(re.compile("^ajouter une application d.authentification$", re.I), role="link")
    tour.state("double-authentification-activation")
    secret = tour.page.locator("#secret").inner_text().strip()
    tour.fill("#code", "000000")
    tour.press(re.compile("^activer$", re.I))
    tour.state("double-authentification-activation-erreur")
    tour.fill("#code", pyotp.TOTP(secret).now())
    tour.press(re.compile("^activer$", re.I))
    tour.state("double-authentification-activee")
    tour.press(re.compile("^créer de nouveaux codes de secours$", re.I))
    tour.state("codes-de-secours")
    # a request asking eidas2 with max_age=0: the password again, then the second factor
    tour.goto(f"/caf/authorize?client_id={demo['client_id']}&response_type=code&scope=openid&state=s"
              f"&redirect_uri={tour.site.base}/demo/caf/callback&acr_values=eidas2&max_age=0"
              "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
    tour.fill("#password", demo["password"])
    tour.fill("#identifier", demo["identifier"])
    tour.press(LOG_IN)
    tour.state("second-facteur")
    tour.fill("#code", "000000")
    tour.press(re.compile("^valider$", re.I))
    tour.state("second-facteur-refuse")
    tour.press(re.compile("^utiliser un code de secours$", re.I), role="link")
    tour.state("second-facteur-code-de-secours")
    tour.goto("/caf/account/mfa")
    tour.press(re.compile("^retirer$", re.I))
    tour.state("double-authentification-retiree")


def error_pages(tour):
    """The pages of what went wrong: 404, 500, 503, a refused or expired request, a link
    that is not valid, a logout that cannot be done; and the list of tenants."""
    site = tour.site
    tour.goto("/")
    tour.state("accueil")
    tour.goto("/caf/nulle-part")
    tour.state("erreur-404")
    tour.goto("/nulle-part")
    tour.state("erreur-404-hors-service")
    with site.failing("recovery.forgot_identifier", RuntimeError("panne simulée")):
        tour.goto("/ameli/identifier/forgot")
        tour.state("erreur-500")
    outage = sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused (database stopped)"))
    with site.failing("recovery.forgot_identifier", outage):
        tour.goto("/mairie/identifier/forgot")
        tour.state("erreur-503")
    tour.goto("/caf/authorize?client_id=inconnu&response_type=code&redirect_uri=https://ailleurs.example/cb")
    tour.state("demande-non-acceptee")
    tour.goto("/caf/interaction/perimee")
    tour.state("demande-expiree")
    tour.goto("/mairie/signup/activate/inconnu/inconnu")
    tour.state("lien-non-valide")
    tour.goto("/caf/logout?id_token_hint=pas-un-jeton")
    tour.state("deconnexion-impossible")


def _states(*names):
    return list(names)


_SIGNUP_STATES = {
    "mairie-inscription": _states(
        "profil", "profil-erreurs", "identite", "identite-erreurs", "identifiant", "identifiant-pris",
        "mot-de-passe", "mot-de-passe-erreurs", "conditions", "conditions-erreurs", "activation",
        "activation-erreur", "code-sms", "code-sms-refuse", "compte-active"),
    "ameli-inscription": _states(
        "identite", "identite-erreurs", "identite-refusee", "acces", "acces-erreurs", "conditions",
        "conditions-erreurs", "mot-de-passe", "mot-de-passe-erreurs", "email", "email-erreur", "activation",
        "consultez-vos-courriels", "compte-active"),
    "caf-inscription": _states(
        "etat-civil", "etat-civil-erreurs", "foyer", "foyer-erreurs", "piece-identite", "piece-identite-erreurs",
        "coordonnees", "coordonnees-erreur", "coordonnees-code-envoye", "coordonnees-code-refuse",
        "mot-de-passe", "mot-de-passe-erreurs", "conditions", "conditions-erreurs", "recapitulatif",
        "compte-active"),
}
_LOGIN_STATES = _states("connexion", "connexion-vide", "connexion-refusee", "service-de-demonstration",
                        "connexion-pour-le-service", "consentement", "mon-compte", "mon-compte-acces-retire",
                        "deconnexion", "deconnecte")
_ACCOUNT_STATES = _states(
    "mot-de-passe-oublie", "mot-de-passe-oublie-erreurs", "identifiant-oublie", "identifiant-oublie-erreur",
    "identifiant-envoye", "nouveau-mot-de-passe", "nouveau-mot-de-passe-code-refuse", "mot-de-passe-modifie",
    "mon-compte-infos", "mon-compte-coordonnees-erreur", "mon-compte-code-envoye", "mon-compte-code-refuse",
    "mon-compte-coordonnees-modifiees", "mon-compte-mot-de-passe-erreurs", "mon-compte-suppression-erreur")

# name -> (steps, states shown)
JOURNEYS = {
    **{f"{t}-connexion": (login_journey(t), _LOGIN_STATES) for t in TENANTS},
    **{name: (SIGNUPS[name], states) for name, states in _SIGNUP_STATES.items()},
    **{f"{t}-compte": (account_journey(t), _ACCOUNT_STATES) for t in TENANTS},
    "franceconnect-parcours": (franceconnect_journey, _states(
        "franceconnect-creation", "franceconnect-creation-erreurs", "franceconnect-code-envoye",
        "franceconnect-code-refuse", "franceconnect-annule", "franceconnect-liaison",
        "franceconnect-liaison-refusee", "franceconnect-refus", "franceconnect-creation-mairie")),
    "double-authentification": (second_factor_journey, _states(
        "double-authentification", "double-authentification-activation", "double-authentification-activation-erreur",
        "double-authentification-activee", "codes-de-secours", "second-facteur", "second-facteur-refuse",
        "second-facteur-code-de-secours", "double-authentification-retiree")),
    "erreurs": (error_pages, _states(
        "accueil", "erreur-404", "erreur-404-hors-service", "erreur-500", "erreur-503", "demande-non-acceptee",
        "demande-expiree", "lien-non-valide", "deconnexion-impossible")),
}
