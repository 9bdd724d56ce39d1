"""Passkeys in a real Chromium (issue 16): registration in /account, then a login with it,
through a virtual authenticator (Chrome DevTools Protocol ``WebAuthn.addVirtualAuthenticator``,
with user verification), against a served instance. WebAuthn needs a secure context and an
RP ID that is a domain (an IP address is refused), so the instance is served as
``http://localhost``."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

import a11y
from a11y import PHONE, axe_source  # noqa: F401  (fixture)
from live import _free_port
from support import make_settings


@pytest.fixture
def localhost_server(tmp_path):
    """The demo on ``http://localhost:<port>``, its caf tenant allowing the passkey login."""
    from idp.app import create_app
    from idp.config.settings import MfaSettings
    from idp.demo.setup import install_demo
    from idp.store.db import db
    from idp.store.keystore import ensure_keys

    port = _free_port()
    base = f"http://localhost:{port}"
    app = create_app(settings=make_settings(tmp_path, "sqlite", server={"public_url": base}))
    tenants = app.extensions["idp_tenants"]
    tenants["caf"] = dataclasses.replace(tenants["caf"], config=tenants["caf"].config.model_copy(
        update={"mfa": MfaSettings(passkey_login=True)}))
    with app.app_context():
        db.create_all()
        for slug in tenants:
            ensure_keys(slug)
        demo = install_demo()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, demo, app
    server.shutdown()


def _virtual_authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, found["authenticatorId"]


def _claims(page) -> dict:
    return json.loads(page.locator("#id-token-claims").inner_text())


def test_register_a_passkey_then_log_in_with_it(browser, localhost_server):
    base, demo, app = localhost_server
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    cdp, authenticator = _virtual_authenticator(context, page)

    page.goto(f"{base}/demo/caf/")
    page.locator("#demo-login").click()
    page.get_by_label("Numéro de sécurité sociale (13 caractères)").fill(demo["caf"]["identifier"])
    page.get_by_label("Mot de passe", exact=True).fill(demo["caf"]["password"])
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.get_by_role("button", name="Autoriser").click()
    page.get_by_text("Connexion réussie").wait_for()
    assert _claims(page)["acr"] == "eidas1"

    page.goto(f"{base}/caf/account")
    page.get_by_role("link", name="Mes clés d'accès").click()
    page.get_by_label("Nom de la clé d'accès").fill("Ordinateur de test")
    page.get_by_role("button", name="Ajouter une clé d'accès").click()
    expect(page.get_by_text("La clé d'accès a été ajoutée.")).to_be_visible()
    expect(page.locator("#passkeys")).to_contain_text("Ordinateur de test")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"]

    context.clear_cookies()              # another visit: no session, the passkey only
    page.goto(f"{base}/demo/caf/")
    page.locator("#demo-login").click()
    page.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    page.get_by_text("Connexion réussie").wait_for()
    claims = _claims(page)
    assert claims["acr"] == "eidas2" and claims["amr"] == ["hwk", "user", "mfa"]
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert stored[0]["signCount"] >= 1
    context.close()


def test_without_webauthn_the_login_page_keeps_the_password_only(browser, localhost_server):
    base, _, _ = localhost_server
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base}/demo/caf/")
    page.locator("#demo-login").click()
    expect(page.get_by_role("button", name="Se connecter avec une clé d'accès")).to_be_hidden()
    expect(page.get_by_role("button", name="Se connecter", exact=True)).to_be_visible()
    context.close()


def test_the_passkey_pages_pass_axe_and_the_keyboard(browser, localhost_server, axe_source):
    """The login page with its passkey section and /account/passkeys, at phone size: no WCAG
    2.1 AA violation; the passkey button and the name field are reached with the keyboard."""
    base, demo, _ = localhost_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _virtual_authenticator(context, page)
    page.goto(f"{base}/caf/login")
    button = page.get_by_role("button", name="Se connecter avec une clé d'accès")
    expect(button).to_be_visible()
    a11y.check(page, axe_source, "passkey-login")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Se connecter avec une clé d'accès":
            break
    else:
        pytest.fail("the passkey button is not reached with Tab")
    page.get_by_label("Numéro de sécurité sociale (13 caractères)").fill(demo["caf"]["identifier"])
    page.get_by_label("Mot de passe", exact=True).fill(demo["caf"]["password"])
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.goto(f"{base}/caf/account/passkeys")
    a11y.check(page, axe_source, "passkeys-empty")
    page.get_by_label("Nom de la clé d'accès").focus()
    page.keyboard.type("Téléphone")
    page.keyboard.press("Enter")                    # the form sent from the keyboard
    expect(page.get_by_text("La clé d'accès a été ajoutée.")).to_be_visible()
    a11y.check(page, axe_source, "passkeys-one")
    context.close()
