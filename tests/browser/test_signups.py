"""The three signups walked in real Chromium as a new user would (phone viewport, French),
then a login through the demo relying party. A screenshot of every step goes to the test
output (IDP_TEST_SCREENSHOTS, default test-output/screenshots), and every page is checked
for inputs without a label."""

from __future__ import annotations

import os
import re
from pathlib import Path

from live import live_server  # noqa: F401  (fixture)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "fr-FR"}
SHOTS = Path(os.environ.get("IDP_TEST_SCREENSHOTS", "test-output/screenshots"))


class Walk:
    def __init__(self, browser, base, name):
        self.context = browser.new_context(**PHONE)
        self.page = self.context.new_page()
        self.base, self.name, self.count = base, name, 0

    def check(self, label: str):
        """Every visible input has a label; then a screenshot."""
        unlabeled = self.page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label'))
            .map(el => el.name)""")
        assert unlabeled == [], f"{self.page.url}: inputs without label {unlabeled}"
        self.count += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{self.count:02d}-{label}.png"), full_page=True)

    def fill(self, label, value):
        self.page.get_by_label(label, exact=True).fill(value)

    def submit(self, name="VALIDER"):
        self.page.get_by_role("button", name=name, exact=True).click()


def _outbox(app):
    return app.extensions["idp_notifier"].outbox()


def _demo_login(walk, tenant, identifier, password):
    page = walk.page
    page.goto(f"{walk.base}/demo/{tenant}/")
    page.get_by_role("link", name=re.compile("^Se connecter avec")).click()
    page.wait_for_load_state()
    if page.locator("#identifier").count():  # no live session: log in
        page.locator("#identifier").fill(identifier)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
    if page.get_by_role("button", name="Autoriser").count():
        page.get_by_role("button", name="Autoriser").click()
    page.get_by_text("Connexion réussie").wait_for()
    walk.check("demo-rp")


def test_mairie_signup_with_sms(browser, live_server):
    base, _, app = live_server
    walk = Walk(browser, base, "mairie")
    page = walk.page
    page.goto(f"{base}/mairie/signup")
    walk.check("profil")
    page.get_by_label("Citoyen").check()
    walk.submit()
    walk.check("identite")
    page.get_by_label("Madame").check()
    walk.fill("Nom de naissance *", "Durand")
    walk.fill("Prénom *", "Élodie")
    page.locator("#birthdate").fill("1990-04-12")
    page.locator("#email").fill("elodie.durand@example.fr")
    page.locator("#mobile").fill("06 12 34 56 78")
    walk.submit()
    walk.check("identifiant")
    assert page.locator("#identifier").input_value() == "elodie.durand"
    walk.submit()
    walk.check("mot-de-passe")
    page.locator("#password").fill("Citoyenne2026")
    page.locator("#password_repeat").fill("Citoyenne2026")
    walk.submit()
    walk.check("conditions")
    page.locator("#cgu").check()
    page.locator("#rgpd").check()
    walk.submit()
    walk.check("activation")
    page.get_by_label("Recevez un code secret par SMS").check()
    walk.submit("ENVOYER")
    walk.check("code")
    code = re.search(r"\b(\d{6})\b", _outbox(app)[0]["text"]).group(1)
    page.get_by_label("Code secret").fill(code)
    walk.submit()
    page.get_by_text("Votre compte est activé").wait_for()
    walk.check("active")
    _demo_login(walk, "mairie", "elodie.durand", "Citoyenne2026")  # the signup left a live session
    fresh = Walk(walk.context.browser, base, "mairie-relogin")
    _demo_login(fresh, "mairie", "elodie.durand", "Citoyenne2026")
    fresh.context.close()
    walk.context.close()


def test_ameli_immediate_access_signup(browser, live_server):
    base, _, app = live_server
    walk = Walk(browser, base, "ameli")
    page = walk.page
    page.goto(f"{base}/ameli/signup")
    walk.check("identite")
    page.locator("#birth_name").fill("Martin")
    page.locator("#nir").fill("1 85 02 33 063 042")
    page.locator("#birthdate").fill("14/02/1985")
    page.locator("#postal_code").fill("33000")
    walk.submit()
    walk.check("acces")
    page.locator("#iban_last7").fill("0604312")
    page.locator("#vitale_serial").fill("12345678901")
    walk.submit()
    walk.check("conditions")
    page.locator("#cgu").check()
    page.locator("#rgpd").check()
    walk.submit()
    walk.check("code-personnel")
    page.locator("#password").fill("Securite-2026")
    page.locator("#password_repeat").fill("Securite-2026")
    walk.submit()
    walk.check("email")
    page.locator("#email").fill("pierre.martin@example.fr")
    walk.submit()
    walk.check("activation")
    walk.submit("ENVOYER")
    page.get_by_text("Consultez votre messagerie").wait_for()
    walk.check("email-envoye")
    link = re.search(r"(http://\S+/ameli/signup/activate/\S+)", _outbox(app)[0]["text"]).group(1)
    page.goto(link)
    page.get_by_text("Votre compte est activé").wait_for()
    walk.check("active")
    _demo_login(walk, "ameli", "1850233063042", "Securite-2026")
    walk.context.close()


def test_caf_three_step_signup(browser, live_server):
    base, _, app = live_server
    walk = Walk(browser, base, "caf")
    page = walk.page
    page.goto(f"{base}/caf/signup")
    walk.check("etat-civil")
    page.locator("#nir").fill("2 90 05 69 123 456")
    page.get_by_label("Madame").check()
    page.locator("#birth_name").fill("Moreau")
    page.locator("#given_names").fill("Julie Anne")
    page.locator("#birthdate").fill("1990-05-17")
    page.locator("#birthplace").fill("Lyon")
    walk.submit()
    walk.check("foyer")
    page.get_by_label("Responsable du dossier", exact=True).check()
    walk.submit()
    walk.check("piece-identite")
    page.get_by_label("Carte nationale d'identité").check()
    page.locator("#document_number").fill("AB12CD34E")
    walk.submit()
    walk.check("contact")
    page.locator("#contact").fill("julie.moreau@example.fr")
    page.get_by_role("button", name="Envoyer le code").click()
    page.get_by_text("Le code a été envoyé").wait_for()
    walk.check("code-envoye")
    code = re.search(r"\b(\d{6})\b", _outbox(app)[0]["text"]).group(1)
    page.locator("#code").fill(code)
    walk.submit()
    walk.check("mot-de-passe")
    page.locator("#password").fill("Allocataire2026")
    page.locator("#password_repeat").fill("Allocataire2026")
    walk.submit()
    walk.check("conditions")
    page.locator("#cgu").check()
    page.locator("#rgpd").check()
    walk.submit()
    walk.check("recapitulatif")
    assert "Moreau" in page.content()
    walk.submit("CRÉER MON COMPTE")
    page.get_by_text("Votre compte est activé").wait_for()
    walk.check("active")
    _demo_login(walk, "caf", "2900569123456", "Allocataire2026")
    walk.context.close()
