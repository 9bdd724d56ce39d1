"""S'identifier avec FranceConnect in real Chromium (phone viewport): from the demo relying
party, through the FranceConnect stand-in, to an account created from the identité pivot,
and back to the relying party; then a second visit that goes straight through. Each page and
error state (the form's errors, a wrong password on the link page, FranceConnect's error
page, the cancelled page) is checked by axe-core (WCAG 2.1 AA) at 390 px."""

from __future__ import annotations

from a11y import axe_source  # noqa: F401  (fixture)
from franceconnect_support import franceconnect_for
from live import live_server  # noqa: F401  (fixture)
from test_signups import Walk

ELODIE_NIR = "2 84 03 75 107 012"


def _through_franceconnect(walk, tenant, login="elodie"):
    page = walk.page
    page.goto(f"{walk.base}/demo/{tenant}/")
    page.get_by_role("link", name="Se connecter avec").first.click()
    page.wait_for_load_state()
    walk.check("login-with-franceconnect")
    page.locator("button.fr-connect").click()
    page.wait_for_load_state()
    assert "/api/v2/authorize" in page.url
    page.locator(f'button[data-login="{login}"]').click()
    page.wait_for_load_state()


def test_franceconnect_new_then_returning_person(browser, live_server, axe_source):
    base, _, app = live_server
    with franceconnect_for(app):
        walk = Walk(browser, base, "franceconnect", axe_source)
        page = walk.page
        _through_franceconnect(walk, "caf")
        assert page.url.endswith("/caf/franceconnect/complete")
        walk.check("complete")
        assert "LEFÈVRE" in page.locator("#pivot").inner_text()
        page.get_by_role("button", name="Créer mon compte").click()
        page.wait_for_load_state()
        assert page.locator("#error-summary").is_visible()       # NIR and CGU are required
        walk.check("complete-errors")
        page.locator("#identifier").fill(ELODIE_NIR)
        # DSFR radios and checkboxes: the label is what a person clicks (it covers the input)
        page.locator('label[for="document_kind-cni"]').click()   # caf: the identity document its signup asks
        page.locator("#document_number").fill("AB12CD34E")
        page.locator('label[for="cgu"]').click()
        page.get_by_role("button", name="Créer mon compte").click()
        page.wait_for_load_state()
        if page.get_by_role("button", name="Autoriser").count():
            page.get_by_role("button", name="Autoriser").click()
        page.get_by_text("Connexion réussie").wait_for()
        walk.check("demo-rp")
        assert "LEFÈVRE" in page.locator("#userinfo").inner_text()
        assert "\"fc\"" in page.locator("#id-token-claims").inner_text()
        walk.context.close()

        again = Walk(browser, base, "franceconnect-again")     # a new browser: no IdP session
        _through_franceconnect(again, "caf")
        if again.page.get_by_role("button", name="Autoriser").count():
            again.page.get_by_role("button", name="Autoriser").click()
        again.page.get_by_text("Connexion réussie").wait_for()
        again.check("demo-rp")
        again.context.close()


def test_franceconnect_links_the_demo_account_after_its_password(browser, live_server, axe_source):
    """Camille Martin, caf's demo account holder, comes through FranceConnect: the account
    matches the identité pivot, and is linked once its password is typed."""
    base, _, app = live_server
    with franceconnect_for(app):
        walk = Walk(browser, base, "franceconnect-link", axe_source)
        page = walk.page
        _through_franceconnect(walk, "caf", login="camille")
        assert page.url.endswith("/caf/franceconnect/link")
        walk.check("link")
        page.locator("#identifier").fill("1 84 03 12 345 678")
        page.get_by_label("Mot de passe", exact=True).fill("pas-le-bon")
        page.get_by_role("button", name="Relier mon compte").click()
        page.wait_for_load_state()
        page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
        assert page.title().startswith("Erreur – ")
        assert "Identifiant ou mot de passe incorrect." in page.locator("#credentials-messages").inner_text()
        walk.check("link-error")
        page.get_by_label("Mot de passe", exact=True).fill("Allocation2024")
        page.get_by_role("button", name="Relier mon compte").click()
        page.wait_for_load_state()
        if page.get_by_role("button", name="Autoriser").count():
            page.get_by_role("button", name="Autoriser").click()
        page.get_by_text("Connexion réussie").wait_for()
        claims = page.locator("#id-token-claims").inner_text()
        assert '"fc"' in claims and '"pwd"' in claims
        walk.check("demo-rp")
        walk.context.close()


def test_franceconnect_error_and_cancelled_pages(browser, live_server, axe_source):
    """FranceConnect's error page (a callback this browser did not start) and the page of a
    journey cancelled on the complete page."""
    base, _, app = live_server
    with franceconnect_for(app):
        walk = Walk(browser, base, "franceconnect-error", axe_source)
        page = walk.page
        page.goto(f"{base}/caf/franceconnect/callback?code=x&state=y")
        assert "a expiré ou ne vient pas de ce navigateur" in page.locator("#franceconnect-error").inner_text()
        walk.check("error")
        _through_franceconnect(walk, "caf")
        page.get_by_role("button", name="Annuler").click()
        page.wait_for_load_state()
        assert "Aucun compte n'a été créé ni relié." in page.locator("main").inner_text()
        walk.check("cancelled")
        walk.context.close()
