"""An independent relying party: panva's openid-client (a certified RP library), in Node,
drives the provider over real HTTP for a confidential and a public client on two tenants.

Skipped, with the reason printed, only where Node is absent. node_modules is installed here
with `npm ci` (from the committed package-lock.json) when missing or stale."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import ACCOUNTS, make_account, make_client
from live import live_server  # noqa: F401  (fixture)

HERE = Path(__file__).parent
NODE = shutil.which("node")
SCRIPT_TIMEOUT = 60


def _installed_matches_lock() -> bool:
    locked = json.loads((HERE / "package-lock.json").read_text())["packages"]
    for path, entry in locked.items():
        if not path:
            continue
        manifest = HERE / path / "package.json"
        if not manifest.is_file() or json.loads(manifest.read_text()).get("version") != entry.get("version"):
            return False
    return True


@pytest.fixture(scope="session")
def node_modules():
    if not NODE:
        pytest.skip("Node.js is not installed: the openid-client interop run is skipped")
    with open(HERE / "package-lock.json") as lock:  # one installer at a time (parallel runs)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed_matches_lock():
            npm = shutil.which("npm")
            assert npm, "Node.js is installed but npm is not: cannot install openid-client"
            run = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE,
                                 capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, f"npm ci failed in {HERE}:\n{run.stdout}\n{run.stderr}"
            assert _installed_matches_lock(), "npm ci did not install the locked versions"
    return HERE / "node_modules"


@pytest.mark.parametrize("tenant", ["caf", "mairie"])
@pytest.mark.parametrize("kind", ["confidential", "public"])
def test_openid_client_drives_the_provider(live_server, node_modules, tenant, kind):
    base, _demo, app = live_server
    redirect_uri, post_logout = f"{base}/rp/cb", f"{base}/rp/bye"
    public = kind == "public"
    # the confidential client is a third party (consent page), the public one first-party
    client_id, secret = make_client(app, tenant, public=public, first_party=public,
                                    redirect_uris=[redirect_uri], post_logout_redirect_uris=[post_logout],
                                    scope="openid profile email offline_access",
                                    grant_types=["authorization_code", "refresh_token"])
    from idp.accounts.service import find_account

    with app.app_context():
        if find_account(tenant, ACCOUNTS[tenant][0]) is None:
            make_account(app, tenant)
    identifier, password = ACCOUNTS[tenant]
    enrolled = app.test_cli_runner().invoke(args=["users", "totp-enroll", "--tenant", tenant,
                                                  "--identifier", identifier, "--json"])
    assert enrolled.exit_code == 0, enrolled.output
    data = {"totp_secret": json.loads(enrolled.output)["secret"],"issuer": f"{base}/{tenant}", "client_id": client_id, "redirect_uri": redirect_uri,
            "post_logout_redirect_uri": post_logout, "identifier": identifier, "password": password,
            "expect_consent": not public, "label": f"{tenant} {kind}"}
    if not public:
        data["client_secret"] = secret
    try:
        run = subprocess.run([NODE, str(HERE / "rp.mjs"), json.dumps(data)], cwd=HERE,
                             capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
    except subprocess.TimeoutExpired as timeout:
        out = "".join(part.decode() if isinstance(part, bytes) else part
                      for part in (timeout.stdout or "", timeout.stderr or ""))
        pytest.fail(f"rp.mjs did not finish within {SCRIPT_TIMEOUT} s:\n{out}")
    print(run.stdout)
    output = f"rp.mjs exited {run.returncode}:\n{run.stdout}{run.stderr}"
    assert run.returncode == 0, output
    lines = run.stdout.strip().splitlines()
    assert lines and lines[-1].endswith(" 0 failed"), output
    assert not any(line.startswith("FAIL") for line in lines), output


def test_openid_client_drives_a_fapi2_client(live_server, node_modules, tmp_path):
    """FAPI 2.0 (the ``fapi2`` profile): private_key_jwt, PAR, DPoP-bound tokens (with the
    use_dpop_nonce retry), ES256 ID tokens, userinfo with the DPoP scheme, refresh,
    introspection (cnf), revocation, logout, and prompt=none pushed too."""
    from joserfc.jwk import ECKey

    base, _demo, app = live_server
    tenant, redirect_uri, post_logout = "caf", f"{base}/rp/cb", f"{base}/rp/bye"
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    client_id, _ = make_client(app, tenant, profile="fapi2", jwks_file=str(jwks_file), first_party=True,
                               redirect_uris=[redirect_uri], post_logout_redirect_uris=[post_logout],
                               scope="openid profile email offline_access",
                               grant_types=["authorization_code", "refresh_token"])
    from idp.accounts.service import find_account

    with app.app_context():
        if find_account(tenant, ACCOUNTS[tenant][0]) is None:
            make_account(app, tenant)
    identifier, password = ACCOUNTS[tenant]
    data = {"issuer": f"{base}/{tenant}", "client_id": client_id, "redirect_uri": redirect_uri,
            "post_logout_redirect_uri": post_logout, "identifier": identifier, "password": password,
            "expect_consent": False, "label": "caf fapi2", "private_jwk": key.as_dict(private=True)}
    run = subprocess.run([NODE, str(HERE / "rp.mjs"), json.dumps(data)], cwd=HERE,
                         capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
    print(run.stdout)
    output = f"rp.mjs exited {run.returncode}:\n{run.stdout}{run.stderr}"
    assert run.returncode == 0, output
    lines = run.stdout.strip().splitlines()
    assert lines and lines[-1].endswith(" 0 failed"), output
    assert not any(line.startswith("FAIL") for line in lines), output
    # the proof openid-client sends to /par bound the code to its key (RFC 9449 §10)
    from idp.store.db import db, unscoped
    from idp.store.models import AuthorizationCode

    with app.app_context():
        bound = db.session.execute(unscoped(AuthorizationCode, reason="test").where(
            AuthorizationCode.client_id == client_id)).scalars().all()
        assert bound and all(row.dpop_jkt for row in bound), output
