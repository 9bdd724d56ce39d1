"""In-process CPU per token request (issue 15): client_credentials and refresh, called
through the WSGI application (no server, no network), on SQLite.

Prints, per scenario: the best of ``--rounds`` rounds of ``--ops`` requests in CPU time
(``time.process_time``), the Python function calls per request (cProfile over 50 requests:
deterministic, the figure to compare on a noisy machine) and the SQL statements per request
(a ``before_cursor_execute`` hook). ``--freeze`` does what ``idp.wsgi`` does after building
the app (``gc.freeze()``); ``--profile cc --top 40`` prints the cProfile listing
(``SORT=tottime`` to sort by own time); each profile is dumped to
``/tmp/harness/<scenario>.prof`` when that folder exists.

Run it against any tree (the "before" one a ``git archive`` export)::

    PYTHONPATH=$TREE:$TREE/tests .venv/bin/python bench/inprocess.py --ops 400 --rounds 5 [--freeze]
"""
import argparse, base64, cProfile, gc, os, pstats, sys, tempfile, time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--ops", type=int, default=400)
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--freeze", action="store_true")
ap.add_argument("--profile", default="")
ap.add_argument("--scenarios", default="cc,refresh")
ap.add_argument("--top", type=int, default=0)
ap.add_argument("--threshold", default="")
a = ap.parse_args()

import logging
from support import make_settings, reset_schema
from helpers import code_tokens, make_client
tmp = Path(tempfile.mkdtemp())
settings = make_settings(tmp, "sqlite")
from idp.app import create_app
from idp.store.keystore import ensure_keys
app = create_app({"TESTING": False}, settings=settings)
logging.getLogger().setLevel(logging.WARNING)
reset_schema(app)
with app.app_context():
    for slug in app.extensions["idp_tenants"]:
        ensure_keys(slug)
http = app.test_client()
client_id, secret, tokens = code_tokens(http, app, scope="openid offline_access")
http = app.test_client()   # no cookies
basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
state = {"rt": tokens["refresh_token"]}

import io, json
from urllib.parse import urlencode
from werkzeug.test import EnvironBuilder
def environ_for(body):
    b = EnvironBuilder(path="/caf/token", method="POST", data=body, headers={"Authorization": basic},
                       content_type="application/x-www-form-urlencoded", base_url="http://idp.test")
    env = b.get_environ(); b.close()
    return env
out = {}
def start_response(status, headers, exc_info=None):
    out["status"] = status
def call(body):
    env = environ_for(body)
    chunks = app(env, start_response)
    data = b"".join(chunks)
    if hasattr(chunks, "close"): chunks.close()
    assert out["status"].startswith("200"), data
    return data
CC = urlencode({"grant_type": "client_credentials"})
def cc():
    call(CC)

def refresh():
    data = call(urlencode({"grant_type": "refresh_token", "refresh_token": state["rt"]}))
    state["rt"] = json.loads(data)["refresh_token"]

ops = {"cc": cc, "refresh": refresh}
for f in ops.values():
    for _ in range(30):
        f()
if a.freeze:
    gc.collect(); gc.freeze()
if a.threshold:
    gc.set_threshold(*map(int, a.threshold.split(',')))

from sqlalchemy import event
from idp.store.db import db
with app.app_context():
    engine = db.engine
for name in a.scenarios.split(","):
    f = ops[name]
    stmts = []
    h = lambda *args: stmts.append(args[2].split()[0])
    event.listen(engine, "before_cursor_execute", h)
    for _ in range(10): f()
    event.remove(engine, "before_cursor_execute", h)
    p = cProfile.Profile(); p.enable()
    for _ in range(50): f()
    p.disable()
    st = pstats.Stats(p)
    calls = st.total_calls / 50
    if os.path.isdir("/tmp/harness"):
        p.dump_stats(f"/tmp/harness/{name}.prof")
    if a.top and name == a.profile:
        st.sort_stats(os.environ.get("SORT","cumulative")).print_stats(a.top)
    best = 1e9
    for _ in range(a.rounds):
        t = time.process_time()
        for _ in range(a.ops): f()
        best = min(best, (time.process_time() - t) / a.ops)
    print(f"{name}: best {best*1000:.3f} ms/op  calls/op {calls:.0f}  sql/op {len(stmts)/10:.1f} {sorted(set(stmts))}")
