"""``idp_logins_total{method="franceconnect"}`` moves with a FranceConnect login (against the
development stand-in, over real HTTP) and with a refusal at FranceConnect."""

from __future__ import annotations

import pytest

from franceconnect_support import create_account, franceconnect_for, start_from_rp, through_franceconnect
from helpers import location, make_client
from metrics_support import moved, scrape

ELODIE_NIR = "2840375107012"


@pytest.fixture
def standin(app):
    with franceconnect_for(app) as running:
        yield running


def test_a_franceconnect_login_and_a_refusal_count(http, app, standin):
    client_id, _ = make_client(app, "caf", first_party=True)
    before = scrape(http)
    _, fc_url = start_from_rp(http, "caf", client_id)
    create_account(http, "caf", through_franceconnect(http, fc_url, "elodie"), identifier=ELODIE_NIR)
    second = app.test_client()
    _, fc_url = start_from_rp(second, "caf", client_id)
    assert "/franceconnect/" not in location(through_franceconnect(second, fc_url, "elodie"))
    third = app.test_client()
    _, fc_url = start_from_rp(third, "caf", client_id)
    refused = through_franceconnect(third, fc_url, "", refuse=True)
    assert refused.status_code == 400
    after = scrape(http)
    assert moved(before, after, "idp_logins_total", tenant="caf", method="franceconnect", result="success") == 2
    assert moved(before, after, "idp_logins_total", tenant="caf", method="franceconnect", result="failure") == 1
    assert moved(before, after, "idp_logins_total", tenant="caf", method="password", result="success") == 0
