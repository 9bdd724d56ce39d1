"""The operator CLI, in its exact forms (``--json`` prints one JSON object)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import write_config


def run(runner, *args):
    result = runner.invoke(args=list(args))
    return result


def test_clients_create_show_list_delete(runner, app):
    result = run(runner, "clients", "create", "--tenant", "caf", "--name", "Portail CAF",
                 "--redirect-uri", "https://caf.example/cb", "--redirect-uri", "https://caf.example/cb2",
                 "--post-logout-redirect-uri", "https://caf.example/", "--scope", "openid profile",
                 "--grant-type", "authorization_code", "--grant-type", "refresh_token",
                 "--backchannel-logout-uri", "https://caf.example/bc", "--json")
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["client_secret"] and created["redirect_uris"] == ["https://caf.example/cb", "https://caf.example/cb2"]
    client_id = created["client_id"]
    shown = json.loads(run(runner, "clients", "show", client_id, "--json").output)
    assert "client_secret" not in shown and shown["backchannel_logout_uri"] == "https://caf.example/bc"
    listed = json.loads(run(runner, "clients", "list", "--tenant", "caf", "--json").output)
    assert [c["client_id"] for c in listed["clients"]] == [client_id]
    assert json.loads(run(runner, "clients", "delete", client_id, "--json").output) == {"deleted": client_id}
    assert run(runner, "clients", "show", client_id).exit_code != 0


def test_client_secret_stored_hashed(runner, app):
    from idp.store.db import scoped_first
    from idp.store.models import Client

    created = json.loads(run(runner, "clients", "create", "--tenant", "caf", "--name", "x",
                             "--redirect-uri", "https://x.example/cb", "--json").output)
    with app.app_context():
        row = scoped_first(Client, "caf", client_id=created["client_id"])
        assert row.secret_hash and created["client_secret"] not in row.secret_hash


def test_public_client_has_no_secret(runner, app):
    created = json.loads(run(runner, "clients", "create", "--tenant", "mairie", "--name", "app", "--public",
                             "--redirect-uri", "http://127.0.0.1:8080/cb", "--json").output)
    assert "client_secret" not in created and created["token_endpoint_auth_method"] == "none"


def test_client_create_refuses_bad_uris(runner, app):
    for uri in ("http://rp.example/cb", "https://rp.example/cb#frag", "rp.example/cb"):
        result = run(runner, "clients", "create", "--tenant", "caf", "--name", "x", "--redirect-uri", uri)
        assert result.exit_code == 2 and "--redirect-uri" in result.output, uri


def test_client_create_unknown_tenant(runner, app):
    result = run(runner, "clients", "create", "--tenant", "msa", "--name", "x", "--redirect-uri", "https://x.example/cb")
    assert result.exit_code == 2 and "unknown tenant 'msa'" in result.output


def test_users_create_validates_with_tenant_policies(runner, app):
    ok = run(runner, "users", "create", "--tenant", "caf", "--identifier", "1 84 03 12 345 678",
             "--password", "Allocation2024", "--email", "c@example.fr", "--given-name", "Camille",
             "--family-name", "Martin", "--birthdate", "1984-03-12", "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["identifier"] == "1840312345678"
    bad_id = run(runner, "users", "create", "--tenant", "caf", "--identifier", "12", "--password", "Allocation2024", "--json")
    assert bad_id.exit_code == 1 and json.loads(bad_id.output)["codes"][0].startswith("nir")
    weak = run(runner, "users", "create", "--tenant", "caf", "--identifier", "2840312345678", "--password", "court", "--json")
    assert weak.exit_code == 1 and "password.too_short" in json.loads(weak.output)["codes"]
    dup = run(runner, "users", "create", "--tenant", "caf", "--identifier", "1840312345678", "--password", "Allocation2024", "--json")
    assert json.loads(dup.output)["codes"] == ["identifier.taken"]


def test_keys_list_and_rotate(runner, app):
    before = json.loads(run(runner, "keys", "list", "--tenant", "ameli", "--json").output)["keys"]
    nxt = {k["alg"]: k["kid"] for k in before if k["state"] == "next"}
    result = json.loads(run(runner, "keys", "rotate", "--tenant", "ameli", "--json").output)
    assert sorted(result["promoted"]) == sorted(nxt.values())
    after = json.loads(run(runner, "keys", "list", "--tenant", "ameli", "--json").output)["keys"]
    states = {k["kid"]: k["state"] for k in after}
    assert all(states[kid] == "active" for kid in nxt.values())
    assert sorted(k["state"] for k in after) == ["active", "active", "next", "next", "retired", "retired"]


def test_rotation_seen_by_jwks_and_old_tokens_still_verify(runner, app, http):
    from helpers import code_tokens
    from joserfc import jwt
    from joserfc.jwk import KeySet
    from idp.store.keystore import forget_rings

    _, _, tokens = code_tokens(http, app, tenant="mairie")
    run(runner, "keys", "rotate", "--tenant", "mairie")
    forget_rings()
    keys = KeySet.import_key_set(http.get("/mairie/jwks.json").get_json())
    assert jwt.decode(tokens["id_token"], keys).claims["iss"] == "http://idp.test/mairie"
    assert http.get("/mairie/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200


def test_idp_console_script_init_demo_is_idempotent(tmp_path):
    """The installed ``idp`` script on a fresh SQLite database, twice."""
    config = write_config(tmp_path)
    env = {**os.environ, "IDP_CONFIG": str(config), "IDP_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3",
           "IDP_ARGON2_MEMORY_COST": "64", "IDP_ARGON2_TIME_COST": "1",
           "IDP_ARGON2_ALLOW_INSECURE_PARAMETERS": "true"}
    idp = Path(sys.executable).with_name("idp")
    first = subprocess.run([str(idp), "init", "--demo", "--json"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["keys_created"] == {"caf": True, "ameli": True, "mairie": True}
    assert data["demo"]["caf"]["password"] == "Allocation2024"
    second = subprocess.run([str(idp), "init", "--demo", "--json"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(second.stdout)["keys_created"] == {"caf": False, "ameli": False, "mairie": False}


def test_bad_config_stops_start_naming_key(tmp_path):
    config = write_config(tmp_path)
    env = {**os.environ, "IDP_CONFIG": str(config), "IDP_SERVER_PUBLIC_URL": "nope"}
    idp = Path(sys.executable).with_name("idp")
    result = subprocess.run([str(idp), "clients", "list"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "server.public_url" in result.stderr


def test_policies_describe(runner, app):
    result = run(runner, "policies", "describe", "--tenant", "caf", "--json")
    data = json.loads(result.output)
    assert data["tenant"] == "caf" and data["password"]["parameters"]["min_length"] == 10
    text = run(runner, "policies", "describe", "--tenant", "mairie").output
    assert "Mot de passe :" in text and "8" in text


def test_policies_check_password_and_identifier(runner, app):
    refused = run(runner, "policies", "check", "--tenant", "caf", "--password", "Motdepasse", "--json")
    assert refused.exit_code == 1
    data = json.loads(refused.output)
    assert data["passing"] is False and "password.missing_digit" in data["password"]["codes"]
    ok = run(runner, "policies", "check", "--tenant", "caf", "--identifier", "1 84 03 12 345 678", "--json")
    assert ok.exit_code == 0 and json.loads(ok.output)["identifier"]["normalised"] == "1840312345678"
    bad = run(runner, "policies", "check", "--tenant", "caf", "--identifier", "1840312345")
    assert bad.exit_code == 1 and "Identifiant : refusé" in bad.output
    assert run(runner, "policies", "check", "--tenant", "caf").exit_code == 2


def test_identifiers_never_stored_in_clear(runner, app):
    from sqlalchemy import text

    from idp.store.db import db

    run(runner, "users", "create", "--tenant", "ameli", "--identifier", "2910775123456", "--password", "Sante-2024!")
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM accounts")).mappings().all()
        assert rows and all("2910775123456" not in str(dict(r)) for r in rows)
        from idp.accounts.service import account_identifier, find_account

        account = find_account("ameli", "2910775123456")
        assert account_identifier(account) == "2910775123456"
        assert find_account("caf", "2910775123456") is None  # the index is per tenant
