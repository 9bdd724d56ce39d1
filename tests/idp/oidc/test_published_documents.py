"""Discovery and JWKS from precomputed copies (idp/oidc/published.py): ETag and 304
(RFC 9110 §8.8.3, §13.1.2), HEAD, the views' own headers and bytes, and a key rotation seen
at once by the process that rotated and within ``RING_TTL`` by every other."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

PATHS = ("/caf/.well-known/openid-configuration", "/caf/jwks.json")


@pytest.fixture
def mairie_keys(app):
    """The tests below rotate mairie's keys: a fresh key set afterwards for the next tests."""
    yield "mairie"
    from sqlalchemy import delete

    from idp.store.db import db
    from idp.store.keystore import ensure_keys, forget_rings
    from idp.store.models import SigningKey

    with app.app_context():
        db.session.execute(delete(SigningKey).where(SigningKey.tenant == "mairie"))
        db.session.commit()
        ensure_keys("mairie")
    forget_rings()


def _kids(response) -> set[str]:
    return {key["kid"] for key in response.get_json()["keys"]}


@pytest.mark.parametrize("path", PATHS)
def test_a_matching_if_none_match_gets_304(http, app, path):
    first = http.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    for validator in (etag, f"W/{etag}", "*", f'"elsewhere", {etag}'):
        again = http.get(path, headers={"If-None-Match": validator})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert again.headers["Access-Control-Allow-Origin"] == "*"
    other = http.get(path, headers={"If-None-Match": '"elsewhere"'})
    assert other.status_code == 200 and other.data == first.data and other.headers["ETag"] == etag


@pytest.mark.parametrize("path", PATHS)
def test_head_has_the_headers_without_the_body(http, app, path):
    body = http.get(path).data
    head = http.head(path)
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(body)


@pytest.mark.parametrize("path", PATHS)
def test_the_copy_is_the_views_own_answer(http, app, path):
    """The same bytes and headers as the Flask view, which the middleware does not run again."""
    from werkzeug.test import Client

    served = http.get(path)
    view = Client(app.wsgi_app.wsgi_app).get(path)   # below the middleware: the Flask view itself
    assert served.data == view.data
    assert {k: v for k, v in served.headers.items() if k != "ETag"} == dict(view.headers.items())
    assert "frame-ancestors 'none'" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_other_methods_and_tenants_go_to_flask(http, app):
    assert http.post("/caf/jwks.json").status_code == 405
    assert http.get("/nowhere/jwks.json").status_code == 404


def test_a_rotation_is_served_at_once_by_the_process_that_rotated(http, app, mairie_keys):
    from idp.store.keystore import rotate

    before = http.get("/mairie/jwks.json")
    with app.app_context():
        rotate("mairie")
    after = http.get("/mairie/jwks.json", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert _kids(after) > _kids(before)   # the new next keys, and the retired ones still published


def test_another_process_serves_a_rotation_within_the_ring_cache_time(http, app, mairie_keys, monkeypatch):
    from idp.store import keystore

    before = http.get("/mairie/jwks.json")
    held = keystore._rings["mairie"]
    with app.app_context():
        keystore.rotate("mairie")
    keystore._rings["mairie"] = held   # as a process that did not rotate still holds its ring
    assert http.get("/mairie/jwks.json").headers["ETag"] == before.headers["ETag"]
    monkeypatch.setattr(keystore, "time", SimpleNamespace(monotonic=lambda: held[0] + 0.001))
    after = http.get("/mairie/jwks.json")
    assert after.headers["ETag"] != before.headers["ETag"] and _kids(after) > _kids(before)


def test_the_previous_jwks_is_served_when_the_database_fails(http, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from idp.store import keystore

    before = http.get("/caf/jwks.json")
    deadline = keystore._rings["caf"][0]

    def unreachable(tenant):
        raise OperationalError("SELECT signing_keys", {}, Exception("connection refused"))

    monkeypatch.setattr(keystore, "records", unreachable)
    monkeypatch.setattr(keystore, "time", SimpleNamespace(monotonic=lambda: deadline + 1))
    during = http.get("/caf/jwks.json")
    assert during.status_code == 200 and during.data == before.data


def test_unchanged_keys_are_not_unsealed_again_when_the_ring_is_due(http, app, mairie_keys, monkeypatch):
    """Every RING_TTL the records are read again; the same keys keep the same ring (no
    unsealing, no PEM import) and the same JWKS copy; a rotation makes a new one."""
    from idp.store import keystore
    import keys.ring

    assert http.get("/mairie/jwks.json").status_code == 200
    held = keystore._rings["mairie"]
    built = []
    original = keys.ring.KeyRing.__init__
    monkeypatch.setattr(keys.ring.KeyRing, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    clock = SimpleNamespace(monotonic=lambda: held[0] + 0.001)
    monkeypatch.setattr(keystore, "time", clock)
    with app.app_context():
        assert keystore.keyring("mairie") is held[1] and built == []
        assert keystore._rings["mairie"][0] > held[0]   # fresh again for RING_TTL
        keystore.rotate("mairie")   # this process forgets its ring; another sees new records (test above)
        assert keystore.keyring("mairie") is not held[1] and built == [1]
