"""The login and consent pages in a real browser: a phone, with and without JavaScript."""

from __future__ import annotations

import os

import pytest

from live import live_server  # noqa: F401  (fixture)

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "fr-FR"}
SHOTS = os.environ.get("IDP_TEST_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_demo_login_on_a_phone(browser, live_server, javascript):
    base, demo, _ = live_server
    context = browser.new_context(java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto(f"{base}/demo/caf/")
    page.get_by_role("link", name="Se connecter avec Caf – Mon Compte").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    identifier = page.get_by_label("Numéro de sécurité sociale (13 caractères)")
    assert identifier.get_attribute("inputmode") == "numeric"
    _shot(page, f"login-{'js' if javascript else 'nojs'}")
    identifier.fill(demo["caf"]["identifier"])
    page.get_by_label("Mot de passe", exact=True).fill("wrong password")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."
    _shot(page, "login-error")
    page.get_by_label("Mot de passe", exact=True).fill(demo["caf"]["password"])
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Autoriser Service de démonstration").wait_for()
    _shot(page, "consent")
    page.get_by_role("button", name="Autoriser").click()
    page.get_by_text("Connexion réussie").wait_for()
    assert f'"iss": "{base}/caf"' in page.locator("#id-token-claims").inner_text()
    assert '"given_name": "Camille"' in page.locator("#userinfo").inner_text()
    _shot(page, "demo-result")
    context.close()


def test_every_input_has_a_label(browser, live_server):
    base, _, _ = live_server
    page = browser.new_page()
    page.goto(f"{base}/demo/mairie/login")
    inputs = page.locator("input:not([type=hidden])")
    assert inputs.count() == 3  # identifier, password, "Se souvenir de moi"
    for i in range(inputs.count()):
        field_id = inputs.nth(i).get_attribute("id")
        assert page.locator(f"label[for='{field_id}']").count() == 1
    page.close()
