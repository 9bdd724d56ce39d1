"""A relying party on another origin, in Chromium: the login and consent forms end, through
redirects, at its redirect_uri. Browsers apply CSP form-action to those redirects, so a
page that allowed only 'self' would stop the person right after the password (the demo RP,
on the provider's own origin, could not show it)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from helpers import make_client, pkce_pair
from live import live_server  # noqa: F401  (fixture)
from test_signups import PHONE


class _RelyingParty(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"RP callback")

    def log_message(self, *args):
        pass


@pytest.fixture
def other_origin():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = HTTPServer(("127.0.0.1", port), _RelyingParty)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.mark.parametrize("first_party", [True, False], ids=["login", "login-and-consent"])
def test_login_reaches_a_relying_party_on_another_origin(browser, live_server, other_origin, first_party):
    base, _, app = live_server
    redirect_uri = f"{other_origin}/cb"
    client_id, _ = make_client(app, "caf", first_party=first_party, redirect_uris=[redirect_uri])
    _, challenge = pkce_pair()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(f"{base}/caf/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid email",
        "state": "xo-state", "nonce": "xo-nonce", "code_challenge": challenge, "code_challenge_method": "S256"}))
    page.locator("#identifier").fill("1 84 03 12 345 678")
    page.get_by_label("Mot de passe", exact=True).fill("Allocation2024")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if not first_party:
        page.get_by_role("button", name="Autoriser").click()
    page.wait_for_url(f"{redirect_uri}?*")
    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == ["xo-state"] and params["code"], page.url
    assert blocked == []
    context.close()


def test_logout_confirmation_reaches_a_relying_party_on_another_origin(browser, live_server, other_origin):
    """RP-initiated logout without id_token_hint asks for confirmation; the confirmed form
    then ends at the registered post_logout_redirect_uri, on the client's origin."""
    base, _, app = live_server
    bye = f"{other_origin}/bye"
    client_id, _ = make_client(app, "caf", first_party=True, redirect_uris=[f"{other_origin}/cb"],
                               post_logout_redirect_uris=[bye])
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}/caf/login")
    page.locator("#identifier").fill("1 84 03 12 345 678")
    page.get_by_label("Mot de passe", exact=True).fill("Allocation2024")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/caf/account")
    page.goto(f"{base}/caf/logout?" + urlencode({"client_id": client_id, "post_logout_redirect_uri": bye,
                                                  "state": "bye-state"}))
    page.get_by_role("button", name="Me déconnecter").click()
    page.wait_for_url(f"{bye}?*")
    assert parse_qs(urlsplit(page.url).query)["state"] == ["bye-state"]
    context.close()
