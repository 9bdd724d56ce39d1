"""The login, consent, recovery and account pages in a real browser, at phone size (390 px),
with and without JavaScript: axe-core finds no WCAG 2.1 AA violation on each page and error
state, errors take the focus, "Afficher" shows only where it works, and a screenshot of each
goes to test-output/screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import a11y
from a11y import PHONE, axe_source  # noqa: F401  (fixture)
from live import live_server  # noqa: F401  (fixture)


def _outbox(app):
    return app.extensions["idp_notifier"].outbox()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_demo_login_on_a_phone(browser, live_server, axe_source, javascript):
    base, demo, _ = live_server
    suffix = "js" if javascript else "nojs"
    context = browser.new_context(java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto(f"{base}/demo/caf/")
    page.get_by_role("link", name="Se connecter avec Caf – Mon Compte").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    identifier = page.get_by_label("Numéro de sécurité sociale (13 caractères)")
    assert identifier.get_attribute("inputmode") == "numeric"
    page.wait_for_load_state()
    show = page.locator("div.fr-password__checkbox")
    if javascript:
        expect(show).to_be_visible()
    else:
        expect(show).to_be_hidden()                  # no box that does nothing without JavaScript
    if javascript:
        a11y.check(page, axe_source, f"login-{suffix}")
    else:                                           # axe itself needs JavaScript
        page.screenshot(path=str(a11y.SHOTS / f"login-{suffix}.png"), full_page=True)
    identifier.fill(demo["caf"]["identifier"])
    page.get_by_label("Mot de passe", exact=True).fill("wrong password")
    page.get_by_role("button", name="Se connecter").click()
    assert page.locator("#credentials-error").inner_text() == "Identifiant ou mot de passe incorrect."
    assert page.title().startswith("Erreur – ")
    if javascript:
        expect(page.locator("#error-summary")).to_be_focused()
        page.locator("#password-show").check(force=True)      # "Afficher" shows what was typed
        assert page.locator("#password").get_attribute("type") == "text"
        page.locator("#password-show").uncheck(force=True)
        a11y.check(page, axe_source, "login-error")
    page.get_by_label("Mot de passe", exact=True).fill(demo["caf"]["password"])
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Autoriser Service de démonstration").wait_for()
    if javascript:
        a11y.check(page, axe_source, "consent")
    page.get_by_role("button", name="Autoriser").click()
    page.get_by_text("Connexion réussie").wait_for()
    assert f'"iss": "{base}/caf"' in page.locator("#id-token-claims").inner_text()
    assert '"given_name": "Camille"' in page.locator("#userinfo").inner_text()
    if javascript:
        a11y.check(page, axe_source, "demo-result")
    context.close()


def test_every_input_has_a_label(browser, live_server):
    base, _, _ = live_server
    page = browser.new_page()
    page.goto(f"{base}/demo/mairie/login")
    inputs = page.locator("input:not([type=hidden])")
    assert inputs.count() == 4  # identifier, password, "Afficher", "Se souvenir de moi"
    for i in range(inputs.count()):
        field_id = inputs.nth(i).get_attribute("id")
        assert page.locator(f"label[for='{field_id}']").count() == 1
    page.close()


def test_recovery_and_account_pages(browser, live_server, axe_source):
    """Forgot, reset (with its errors), back to the login page, /account (with an error): axe
    on each state, the error summary focused."""
    base, demo, app = live_server
    context = browser.new_context(**PHONE)
    page = context.new_page()

    def errors_focused(name):
        page.locator("#error-summary").wait_for()
        expect(page.locator("#error-summary")).to_be_focused()       # autofocus, once the page is in
        assert page.title().startswith("Erreur – ")
        a11y.check(page, axe_source, name)

    page.goto(f"{base}/caf/password/forgot")
    a11y.check(page, axe_source, "forgot")
    page.get_by_role("button", name="Recevoir un code").click()
    errors_focused("forgot-errors")
    page.locator("#identifier").fill(demo["caf"]["identifier"])
    page.get_by_label("Par courriel", exact=False).check(force=True)
    page.get_by_role("button", name="Recevoir un code").click()
    page.wait_for_url("**/password/reset")
    a11y.check(page, axe_source, "reset")
    page.locator("#code").fill("000000x")
    page.get_by_role("button", name="Valider").click()
    errors_focused("reset-errors")
    assert "Il vous reste 4 essais." in page.locator("#code-error").inner_text()
    code = re.search(r"\b(\d{6})\b", _outbox(app)[-1]["text"]).group(1)
    page.locator("#code").fill(code)
    page.locator("#password").fill("Nouveau2026Caf")
    page.locator("#password_repeat").fill("Nouveau2026Caf")
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Votre mot de passe a été modifié").wait_for()
    a11y.check(page, axe_source, "reset-done")
    page.locator("#continue").click()
    page.locator("#identifier").fill(demo["caf"]["identifier"])
    page.get_by_label("Mot de passe", exact=True).fill("Nouveau2026Caf")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Mon compte", exact=True).wait_for()
    a11y.check(page, axe_source, "account")
    page.locator("#current_password").fill("not the password")
    page.locator("#new_password").fill("Autre2026Caf")
    page.locator("#new_password_repeat").fill("Autre2026Caf")
    page.get_by_role("button", name="Changer mon mot de passe").click()
    errors_focused("account-errors")
    context.close()
