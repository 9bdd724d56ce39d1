"""Client profiles are objects the engine asks (issue 14 item 4): a new kind of client is a
new :class:`~idp.clients.profile.ClientProfile` in the registry, and ``idp/oidc`` never
compares a client's profile name."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import ACCOUNTS, authorize, code_tokens, location, make_account, make_client, query, submit_login

from idp.clients.profile import ClientProfile
from idp.clients.profiles import DEFAULT, PROFILES, apply_profile, profile_of

IDP = Path(__file__).resolve().parents[3] / "idp"


class AgencyProfile(ClientProfile):
    """Made up for the test: a smaller ``profile`` scope, family names in capitals, 30 s
    access tokens, ES256 ID tokens by default."""

    name = "agence-test"
    title = "L'agence de test"
    scope_claims = {"openid": ("sub",), "profile": ("family_name",)}
    max_access_token_ttl = 30

    def claims_of(self, account) -> dict:
        return {"sub": account.id, "family_name": account.family_name.upper()}

    def registration(self, options: dict, host: str | None = None) -> dict:
        return {"id_token_signed_response_alg": "ES256", **options, "first_party": True}


class NeedsAnAddress(ClientProfile):
    name = "adresse-requise"
    title = "Le service postal"
    requires_claims = True
    incomplete_event = "adresse_requise.incomplete_identity"

    def missing_claims(self, account) -> list[str]:
        return [] if (account.profile or {}).get("address") else ["address"]


@pytest.fixture
def agency(monkeypatch):
    monkeypatch.setitem(PROFILES, AgencyProfile.name, AgencyProfile())
    return PROFILES[AgencyProfile.name]


def test_a_new_profile_changes_scopes_formats_lifetimes_and_registration(http, app, agency):
    client_id, _, tokens = code_tokens(http, app, scope="openid profile", profile=agency.name)

    assert tokens["expires_in"] == 30                      # the profile's cap, not the tenant's 600 s
    jwks = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    assert jwt.decode(tokens["id_token"], jwks, algorithms=["ES256"]).header["alg"] == "ES256"
    userinfo = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.get_json() == {"sub": userinfo.get_json()["sub"], "family_name": "MARTIN"}
    with app.app_context():
        from idp.clients.model import find_client

        assert find_client(client_id, "caf").profile is agency


def test_a_new_profile_can_require_claims_before_any_answer(http, app, monkeypatch, caplog):
    monkeypatch.setitem(PROFILES, NeedsAnAddress.name, NeedsAnAddress())
    client_id, _ = make_client(app, profile=NeedsAnAddress.name, first_party=True)
    make_account(app)
    caplog.set_level(logging.INFO)

    url = location(submit_login(http, location(authorize(http, "caf", client_id)), *ACCOUNTS["caf"]))

    answer = query(url)
    assert answer["error"] == "access_denied"
    assert answer["error_description"] == "The account lacks identity claims Le service postal requires: address."
    assert any('"event": "adresse_requise.incomplete_identity"' in r.getMessage() for r in caplog.records)


def test_clients_without_a_known_profile_get_the_default_one(app):
    class Row:
        profile = "gone"

    class Client:
        row = Row()

    assert profile_of(None) is DEFAULT and profile_of(Client()) is DEFAULT
    assert apply_profile(None, {"name": "RP"}) == {"name": "RP"}


def _profile_name_comparisons(path: Path) -> list[str]:
    """``==``/``!=`` comparisons with a profile's name, or with anything named ``profile``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Compare) or not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            continue
        for operand in (node.left, *node.comparators):
            named = getattr(operand, "id", None) or getattr(operand, "attr", None) or ""
            getattr_profile = (isinstance(operand, ast.Call) and getattr(operand.func, "id", None) == "getattr"
                               and any(getattr(a, "value", None) == "profile" for a in operand.args))
            if (isinstance(operand, ast.Constant) and operand.value in PROFILES) or "profile" in named.lower() \
                    or getattr_profile:
                found.append(f"{path.relative_to(IDP.parent)}:{node.lineno}")
    return found


def test_no_profile_name_is_compared_outside_the_profiles():
    """The engine (and the pages) ask ``client.profile``; only ``idp/clients`` knows names."""
    sources = [p for p in IDP.rglob("*.py") if "clients" not in p.relative_to(IDP).parts[:1]]
    assert any(p.parent.name == "oidc" for p in sources)
    assert [hit for p in sources for hit in _profile_name_comparisons(p)] == []
    templates = [f"{p.relative_to(IDP.parent)}" for p in IDP.rglob("*.html")
                 if re.search(r"profile\s*[!=]=", p.read_text())]
    assert templates == []
