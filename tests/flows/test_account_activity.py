"""A person's /account shows their own recent security events (issue 17), from the audit
trail, in a DSFR table with French labels; never another person's."""

from __future__ import annotations

from helpers import login_flow, make_account, make_client, page_text


def test_the_overview_lists_the_accounts_own_recent_events(app, http):
    make_account(app, "caf")
    make_account(app, "caf", identifier="2750512345678", email="autre@example.fr")
    client_id, _ = make_client(app, "caf", first_party=True)
    login_flow(http, "caf", client_id)
    other = app.test_client()
    login_flow(other, "caf", client_id, identifier="2750512345678")
    login_flow(other, "caf", client_id, identifier="2750512345678", prompt="login")

    page = http.get("/caf/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = page_text(page)
    assert "Activité récente de mon compte" in text
    table = html.split("Activité récente de mon compte", 1)[1].split("</table>", 1)[0]
    assert 'class="fr-table' in table
    assert table.count("<td>Connexion</td>") == 1   # one login of their own, not the other's two


def test_no_event_yet_says_so(app):
    from flask import g

    from idp.accounts.activity import recent_events
    from idp.store.db import scoped_get
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        assert recent_events(scoped_get(Account, account_id)) == []
