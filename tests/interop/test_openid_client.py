"""An independent relying party: panva's openid-client (a certified RP library), in Node,
drives the provider over real HTTP for a confidential and a public client on two tenants."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import ACCOUNTS, make_account, make_client
from live import live_server  # noqa: F401  (fixture)

HERE = Path(__file__).parent
NODE = shutil.which("node")


@pytest.fixture(scope="session")
def node_modules():
    if not NODE or not shutil.which("npm"):
        pytest.skip("Node.js is not installed: the openid-client interop run is skipped")
    if not (HERE / "node_modules" / "openid-client").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True, timeout=300)
    return HERE / "node_modules"




@pytest.mark.parametrize("tenant", ["caf", "mairie"])
@pytest.mark.parametrize("kind", ["confidential", "public"])
def test_openid_client_drives_the_provider(live_server, node_modules, tenant, kind):
    base, _demo, app = live_server
    redirect_uri, post_logout = f"{base}/rp/cb", f"{base}/rp/bye"
    client_id, secret = make_client(app, tenant, public=(kind == "public"), first_party=(kind == "public"),
                                    redirect_uris=[redirect_uri], post_logout_redirect_uris=[post_logout],
                                    scope="openid profile email offline_access",
                                    grant_types=["authorization_code", "refresh_token"])
    from idp.accounts.service import find_account

    with app.app_context():
        if find_account(tenant, ACCOUNTS[tenant][0]) is None:
            make_account(app, tenant)
    identifier, password = ACCOUNTS[tenant]
    data = {"issuer": f"{base}/{tenant}", "client_id": client_id, "client_secret": secret,
            "redirect_uri": redirect_uri, "post_logout_redirect_uri": post_logout,
            "identifier": identifier, "password": password, "label": f"{tenant} {kind}"}
    run = subprocess.run([NODE, str(HERE / "rp.mjs"), json.dumps(data)], capture_output=True, text=True, timeout=60)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1].endswith(" 0 failed")
