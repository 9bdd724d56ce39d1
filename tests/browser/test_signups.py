"""The three signups walked in real Chromium as a new user would (phone viewport, French),
then a login through the demo relying party. A screenshot of every step goes to the test
output (IDP_TEST_SCREENSHOTS, default test-output/screenshots), and every page and error
state is checked for inputs without a label and by axe-core (WCAG 2.1 AA, 0 violations)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

import a11y
from a11y import PHONE, axe_source  # noqa: F401  (fixture)
from live import live_server  # noqa: F401  (fixture)

class Walk:
    def __init__(self, browser, base, name, axe=None):
        self.context = browser.new_context(**PHONE)
        self.page = self.context.new_page()
        self.base, self.name, self.count, self.axe = base, name, 0, axe

    def check(self, label: str):
        """Every visible input has a label; axe (when given) finds no WCAG 2.1 AA violation; a
        screenshot."""
        unlabeled = self.page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label'))
            .map(el => el.name)""")
        assert unlabeled == [], f"{self.page.url}: inputs without label {unlabeled}"
        self.count += 1
        name = f"{self.name}-{self.count:02d}-{label}"
        if self.axe:
            a11y.check(self.page, self.axe, name)
        else:
            a11y.SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(a11y.SHOTS / f"{name}.png"), full_page=True)

    def fill(self, label, value):
        self.page.get_by_label(label, exact=True).fill(value)

    def submit(self, name="Valider"):
        self.page.get_by_role("button", name=name, exact=True).click()

    def date(self, name, day, month, year):
        for part, value in (("day", day), ("month", month), ("year", year)):
            self.page.locator(f"#{name}-{part}").fill(value)


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


def test_mairie_signup_with_sms(browser, live_server, axe_source):
    base, _, app = live_server
    walk = Walk(browser, base, "mairie", axe_source)
    page = walk.page
    page.goto(f"{base}/mairie/signup")
    walk.check("profil")
    page.get_by_label("Citoyen").check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    walk.check("identite")
    walk.submit()
    page.locator("#error-summary").wait_for()
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Erreur – ")
    walk.check("identite-erreurs")
    page.get_by_label("Madame").check(force=True)   # the DSFR draws the box on the label
    walk.fill("Nom de naissance *", "Durand")
    walk.fill("Prénom *", "Élodie")
    walk.date("birthdate", "12", "4", "1990")
    page.locator("#email").fill("elodie.durand@example.fr")
    page.locator("#mobile").fill("06 12 34 56 78")
    walk.submit()
    walk.check("identifiant")
    assert page.locator("#identifier").input_value() == "elodie.durand"
    walk.submit()
    walk.check("mot-de-passe")
    page.locator("#password").fill("Citoyenne2026")
    # the checklist says in words which rules are met (read by the live region), not by colour only
    rules = page.locator("#password-messages [data-code]")
    expect(rules.first.locator("[data-state]")).to_have_text(" : validé")
    assert all("fr-message--valid" in (rules.nth(i).get_attribute("class") or "") for i in range(rules.count()))
    assert page.locator("#password-messages").get_attribute("aria-live") == "polite"
    page.locator("#password_repeat").fill("Citoyenne2026")
    walk.submit()
    walk.check("conditions")
    page.locator("#cgu").check(force=True)   # the DSFR draws the box on the label
    page.locator("#rgpd").check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    walk.check("activation")
    page.get_by_label("Recevoir un code secret par SMS").check(force=True)   # the DSFR draws the box on the label
    walk.submit("Envoyer")
    walk.check("code")
    code = re.search(r"\b(\d{6})\b", _outbox(app)[0]["text"]).group(1)
    page.get_by_label("Code secret").fill("000000" if code != "000000" else "111111")
    walk.submit()
    page.locator("#code-error").wait_for()
    assert page.locator("#code-error").inner_text() == "Le code saisi est incorrect. Il vous reste 4 essais."
    walk.check("code-erreur")
    page.get_by_label("Code secret").fill(code)
    page.get_by_label("Code secret").press("Enter")         # Enter checks the code
    page.get_by_text("Votre compte est activé").wait_for()
    assert page.locator("#login-identifier").inner_text() == "elodie.durand"
    walk.check("active")
    _demo_login(walk, "mairie", "elodie.durand", "Citoyenne2026")  # the signup left a live session
    fresh = Walk(walk.context.browser, base, "mairie-relogin", walk.axe)
    _demo_login(fresh, "mairie", "elodie.durand", "Citoyenne2026")
    fresh.context.close()
    walk.context.close()


def test_ameli_immediate_access_signup(browser, live_server, axe_source):
    base, _, app = live_server
    walk = Walk(browser, base, "ameli", axe_source)
    page = walk.page
    page.goto(f"{base}/ameli/signup")
    walk.check("identite")
    page.locator("#birth_name").fill("Martin")
    page.locator("#nir").fill("1 85 02 33 063 042")
    walk.date("birthdate", "14", "2", "1985")
    page.locator("#postal_code").fill("33000")
    walk.submit()
    walk.check("acces")
    page.locator("#iban_last7").fill("0604312")
    page.locator("#vitale_serial").fill("12345678901")
    walk.submit()
    walk.check("conditions")
    page.locator("#cgu").check(force=True)   # the DSFR draws the box on the label
    page.locator("#rgpd").check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    walk.check("code-personnel")
    page.locator("#password").fill("Securite-2026")
    page.locator("#password_repeat").fill("Securite-2026")
    walk.submit()
    walk.check("email")
    page.locator("#email").fill("pierre.martin@example.fr")
    walk.submit()
    walk.check("activation")
    walk.submit("Envoyer")
    page.get_by_text("Consultez votre messagerie").wait_for()
    walk.check("email-envoye")
    link = re.search(r"(http://\S+/ameli/signup/activate/\S+)", _outbox(app)[0]["text"]).group(1)
    page.goto(link)
    page.get_by_text("Votre compte est activé").wait_for()
    walk.check("active")
    _demo_login(walk, "ameli", "1850233063042", "Securite-2026")
    walk.context.close()


def test_caf_three_step_signup(browser, live_server, axe_source):
    base, _, app = live_server
    walk = Walk(browser, base, "caf", axe_source)
    page = walk.page
    page.goto(f"{base}/caf/signup")
    walk.check("etat-civil")
    page.locator("#nir").fill("2 90 05 69 123 456")
    page.get_by_label("Madame").check(force=True)   # the DSFR draws the box on the label
    page.locator("#birth_name").fill("Moreau")
    page.locator("#given_names").fill("Julie Anne")
    walk.date("birthdate", "17", "5", "1990")
    page.locator("#birthplace").fill("Lyon")
    page.get_by_label("Monsieur").check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    page.locator("#nir-error").wait_for()
    walk.check("etat-civil-erreur")
    page.get_by_label("Madame").check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    walk.check("foyer")
    page.get_by_label("Responsable du dossier", exact=True).check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    walk.check("piece-identite")
    page.get_by_label("Carte nationale d'identité").check(force=True)   # the DSFR draws the box on the label
    page.locator("#document_number").fill("AB12CD34E")
    walk.submit()
    walk.check("contact")
    page.locator("#contact").fill("julie.moreau@example.fr")
    page.get_by_role("button", name="Envoyer le code").click()
    page.get_by_text("Le code a été envoyé").wait_for()
    walk.check("code-envoye")
    code = re.search(r"\b(\d{6})\b", _outbox(app)[0]["text"]).group(1)
    page.locator("#code").fill(code)
    page.locator("#code").press("Enter")                   # Enter in "Code reçu" checks the code
    page.wait_for_url("**/mot-de-passe")
    walk.check("mot-de-passe")
    page.locator("#password").fill("Allocataire2026")
    page.locator("#password_repeat").fill("Allocataire2026")
    walk.submit()
    walk.check("conditions")
    page.locator("#cgu").check(force=True)   # the DSFR draws the box on the label
    page.locator("#rgpd").check(force=True)   # the DSFR draws the box on the label
    walk.submit()
    walk.check("recapitulatif")
    assert "Moreau" in page.content()
    walk.submit("Créer mon compte")
    page.get_by_text("Votre compte est activé").wait_for()
    walk.check("active")
    _demo_login(walk, "caf", "2900569123456", "Allocataire2026")
    walk.context.close()


def test_caf_signup_without_a_document_then_the_upload_page(browser, live_server, axe_source):
    """Without a French identity document: pending page, upload page and its error (axe on
    each), then a cancelled signup's page."""
    base, _, app = live_server
    walk = Walk(browser, base, "caf-pending", axe_source)
    page = walk.page
    page.goto(f"{base}/caf/signup")
    page.locator("#nir").fill("2 90 05 69 123 456")
    page.get_by_label("Madame").check(force=True)   # the DSFR draws the box on the label
    page.locator("#birth_name").fill("Moreau")
    page.locator("#given_names").fill("Julie Anne")
    walk.date("birthdate", "17", "5", "1990")
    page.locator("#birthplace").fill("Lyon")
    walk.submit()
    page.get_by_label("Responsable du dossier", exact=True).check(force=True)
    walk.submit()
    page.locator("#no_document").check(force=True)
    walk.submit()
    page.locator("#contact").fill("06 12 34 56 78")
    page.locator("#contact").press("Enter")                 # before a code is sent, Enter sends it
    page.get_by_text("Le code a été envoyé").wait_for()
    code = re.search(r"\b(\d{6})\b", _outbox(app)[0]["text"]).group(1)
    page.locator("#code").fill(code)
    walk.submit()
    page.locator("#password").fill("Allocataire2026")
    page.locator("#password_repeat").fill("Allocataire2026")
    walk.submit()
    page.locator("#cgu").check(force=True)
    page.locator("#rgpd").check(force=True)
    walk.submit()
    walk.submit("Créer mon compte")
    page.get_by_role("heading", name="Votre compte est créé").wait_for()
    walk.check("pending")
    page.get_by_role("link", name="Déposer mon justificatif").click()
    walk.check("upload")
    page.get_by_role("button", name="Envoyer").click()
    page.locator("#document-error").wait_for()
    assert page.title().startswith("Erreur – ")
    walk.check("upload-error")
    other = Walk(browser, base, "caf-cancelled", axe_source)
    other.page.goto(f"{base}/caf/signup")
    other.submit("Annuler la demande")
    other.page.get_by_role("heading", name="Votre demande de création de compte a été annulée").wait_for()
    other.check("cancelled")
    other.context.close()
    walk.context.close()
