"""Commits per password journey (issues 14 item 5 and 15): authorize → login POST → token
writes the interaction, then the session and the code with the interaction's end, then the
token's records; at most three commits. A hidden commit in ``mark_done`` or
``start_session`` (they take part in the caller's transaction) would show here."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from helpers import authorize, exchange, location, make_account, make_client, pkce_pair, query, submit_login


@pytest.fixture
def commits(app):
    """Every commit of the app's database sessions while the test runs."""
    from sqlalchemy.orm import Session

    seen = []

    def count(session):
        seen.append(session)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


def test_a_password_journey_commits_at_most_three_times(http, app, commits):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    del commits[:]                      # the client and the account are the test's, not the journey's
    login_url = location(authorize(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))
    answer = submit_login(http, login_url, "1840312345678", "Allocation2024")
    assert answer.status_code == 303    # straight to the client: nothing else was due
    response = exchange(http, "caf", client_id, secret, query(location(answer))["code"], verifier)
    assert response.status_code == 200, response.get_json()
    assert len(commits) <= 3, f"{len(commits)} commits"
