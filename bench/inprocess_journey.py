"""The password journey in one process, for deterministic figures (issue 15).

authorize → login page → login POST (303 to the client) → token → userinfo, through the Flask
test client over a fresh SQLite database seeded like the suites' (``tests/support.py``; Argon2
at the suites' fast parameters, so the hash is out of the figures). Run from a source tree
(``PYTHONPATH`` on it to measure another commit exported with ``git archive``)::

    python bench/inprocess_journey.py counts        # per request: SQL statements, session commits,
                                                    # database transactions, Python calls (cProfile)
    python bench/inprocess_journey.py cpu 60 9      # CPU ms per journey, best of 9 rounds of 60
    python bench/inprocess_journey.py steps 300     # median CPU ms of each request

The counts are the same on every run (give or take a few calls: random tokens); CPU moves
with the machine's load, so compare commits interleaved, best of several rounds.
"""

from __future__ import annotations

import base64
import cProfile
import gc
import logging
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(os.getcwd())
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from helpers import REDIRECT, csrf, make_account, make_client, path_of, pkce_pair, query  # noqa: E402
from support import make_settings, reset_schema  # noqa: E402

IDENTIFIER, PASSWORD = "1840312345678", "Allocation2024"
STEPS = ("authorize", "login page", "login POST", "token", "userinfo")


def build_app():
    from idp.app import create_app
    from idp.store.keystore import ensure_keys

    logging.disable(logging.WARNING)   # the audit lines of every journey
    app = create_app({"TESTING": False}, settings=make_settings(Path(tempfile.mkdtemp(prefix="journey-")), "sqlite"))
    reset_schema(app)
    with app.app_context():
        for slug in app.extensions["idp_tenants"]:
            ensure_keys(slug)
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    return app, client_id, "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def journey(app, client_id, basic, after=lambda step: None) -> None:
    """One journey in a fresh browser; ``after(step)`` is called once each request is answered."""
    http = app.test_client()
    verifier, challenge = pkce_pair()
    answer = http.get("/caf/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid profile email",
        "state": "st4te", "nonce": "n0nce", "code_challenge": challenge, "code_challenge_method": "S256"}))
    assert answer.status_code == 302, answer.status_code
    after("authorize")
    login = path_of(answer.headers["Location"])
    page = http.get(login)
    assert page.status_code == 200
    after("login page")
    answer = http.post(login, data={"csrf_token": csrf(page.get_data(as_text=True)), "identifier": IDENTIFIER,
                                    "password": PASSWORD})
    assert answer.status_code == 303, answer.status_code
    after("login POST")
    tokens = http.post("/caf/token", headers={"Authorization": basic}, data={
        "grant_type": "authorization_code", "code": query(answer.headers["Location"])["code"],
        "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert tokens.status_code == 200, tokens.get_json()
    after("token")
    info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens.get_json()['access_token']}"})
    assert info.status_code == 200
    after("userinfo")


def counts(app, client_id, basic) -> None:
    statements, commits, transactions = [], [], []
    event.listen(Engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: statements.append(statement))
    event.listen(Session, "after_commit", lambda session: commits.append(session))
    event.listen(Engine, "commit", lambda connection: transactions.append(connection))
    seen, profile = {}, [cProfile.Profile()]

    def after(step):
        profile[0].disable()
        seen[step] = (len(statements), len(commits), len(transactions), pstats.Stats(profile[0]).total_calls)
        del statements[:], commits[:], transactions[:]
        profile[0] = cProfile.Profile()
        profile[0].enable()

    del statements[:], commits[:], transactions[:]
    profile[0].enable()
    journey(app, client_id, basic, after)
    profile[0].disable()
    total = [0, 0, 0, 0]
    for step in STEPS:
        print(f"{step:11s} statements={seen[step][0]:3d} session-commits={seen[step][1]} "
              f"db-transactions={seen[step][2]} calls={seen[step][3]}")
        total = [a + b for a, b in zip(total, seen[step])]
    print(f"{'journey':11s} statements={total[0]:3d} session-commits={total[1]} db-transactions={total[2]} "
          f"calls={total[3]}")


def cpu(app, client_id, basic, per_round: int, rounds: int) -> None:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        started = time.process_time()
        for _ in range(per_round):
            journey(app, client_id, basic)
        best = min(best, (time.process_time() - started) / per_round)
        app.extensions["idp_counters"].__dict__.get("_data", {}).clear()   # in-memory counters
    print(f"CPU per journey, best of {rounds} rounds of {per_round}: {best * 1000:.2f} ms")


def steps(app, client_id, basic, journeys: int) -> None:
    spent = {step: [] for step in STEPS}
    last = [0.0]

    def after(step):
        now = time.process_time()
        spent[step].append(now - last[0])
        last[0] = now

    for _ in range(journeys):
        last[0] = time.process_time()
        journey(app, client_id, basic, after)
    for step in STEPS:
        values = sorted(spent[step])
        print(f"{step:11s} median {values[len(values) // 2] * 1000:.3f} ms")


def main(argv: list[str]) -> None:
    app, client_id, basic = build_app()
    for _ in range(20):   # templates compiled, statements cached, the client read once
        journey(app, client_id, basic)
    mode = argv[0] if argv else "counts"
    if mode == "counts":
        counts(app, client_id, basic)
    elif mode == "cpu":
        cpu(app, client_id, basic, int(argv[1]) if len(argv) > 1 else 60, int(argv[2]) if len(argv) > 2 else 9)
    elif mode == "steps":
        steps(app, client_id, basic, int(argv[1]) if len(argv) > 1 else 300)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
