"""Redis configured but down: counters fall back to this process's memory, logins keep
working (never a 500), the error is logged once, /healthz says why; Redis is used again
when it is back."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time

import pytest
import redis as redis_lib

from helpers import authorize, location, make_account, make_client, page_text, submit_login
from live import _free_port
from support import make_settings, reset_schema

WRONG = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives. Réessayez dans"
REASON = "redis: ConnectionError: counters fall back to per-process memory"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FlakyRedis:
    """Stands in for the Redis client: fails while ``down``, counts the calls it gets."""

    def __init__(self):
        self.down, self.calls, self.values = True, 0, {}

    def get(self, name):
        self.calls += 1
        if self.down:
            raise redis_lib.ConnectionError("refused")
        return self.values.get(name)

    def ping(self):
        return self.get("ping") is None


def _counters(clock, retry_after=5.0):
    from idp.security.counters import RedisCounters

    counters = RedisCounters(f"redis://127.0.0.1:{_free_port()}/0", retry_after=retry_after, clock=clock)
    counters._redis = FlakyRedis()
    return counters


def test_fallback_logs_once_a_minute_waits_before_retrying_and_recovers(caplog):
    clock = Clock()
    counters = _counters(clock)
    counters._fallback.incr("k", 60)
    assert counters.get("k") == 1 and counters._redis.calls == 1    # Redis failed, memory answered
    assert counters.get("k") == 1 and counters._redis.calls == 1    # within RETRY_AFTER: Redis left alone
    clock.now += 6
    assert counters.get("k") == 1 and counters._redis.calls == 2    # tried again, still down
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["redis unavailable (ConnectionError): counters fall back to this process's memory"]
    clock.now += 61
    counters.get("k")
    assert sum(r.levelno == logging.ERROR for r in caplog.records) == 2   # once a minute, not silenced
    assert counters.health() == (False, "ConnectionError: counters fall back to per-process memory")
    counters._redis.down = False
    assert counters.health() == (True, "") and counters.get("k") == 0   # Redis's count, not memory's
    assert "redis available again: counters shared again" in caplog.text


def _app_with_redis(tmp_path, url):
    from idp.app import create_app
    from idp.store.keystore import ensure_keys

    app = create_app({"TESTING": True}, settings=make_settings(tmp_path, "sqlite", redis={"url": url}))
    reset_schema(app)
    with app.app_context():
        ensure_keys("caf")
    return app


def _login(http, client_id, password):
    return submit_login(http, location(authorize(http, "caf", client_id)), "1 84 03 12 345 678", password)


def test_logins_work_with_redis_at_a_closed_port(tmp_path, caplog):
    app = _app_with_redis(tmp_path, f"redis://127.0.0.1:{_free_port()}/0")
    client_id, _ = make_client(app, "caf", first_party=True)
    make_account(app, "caf")
    http = app.test_client()
    for _ in range(5):   # [login] max_failures
        refused = _login(http, client_id, "Mauvais-mot-2024")
        assert refused.status_code == 400 and WRONG in page_text(refused)
    assert THROTTLED in page_text(_login(http, client_id, "Mauvais-mot-2024"))   # counted in memory
    app.extensions["idp_counters"]._fallback._data.clear()
    assert "code=" in location(_login(http, client_id, "Allocation2024"))
    health = http.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "ok", "redis": "unavailable", "reason": REASON}
    assert sum("redis unavailable" in r.getMessage() for r in caplog.records) == 1   # not once per request


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, on a free port; stopped and restarted at will."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    procs = []

    def start():
        proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                 "--appendonly", "no"], stdout=subprocess.DEVNULL)
        procs.append(proc)
        client = redis_lib.Redis(port=port, socket_connect_timeout=1)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis_lib.ConnectionError:
                time.sleep(0.05)   # waiting for it to listen, not timing anything
        raise RuntimeError("redis-server did not start")

    def stop():
        procs[-1].terminate()
        procs[-1].wait(10)

    start()
    yield port, start, stop
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


def test_redis_stopping_mid_run_and_coming_back(tmp_path, own_redis):
    port, start, stop = own_redis
    app = _app_with_redis(tmp_path, f"redis://127.0.0.1:{port}/0")
    app.extensions["idp_counters"]._retry_after = 0   # try Redis again at every call
    client_id, _ = make_client(app, "caf", first_party=True)
    make_account(app, "caf")
    http = app.test_client()
    shared = redis_lib.Redis(port=port)
    assert WRONG in page_text(_login(http, client_id, "Mauvais-mot-2024"))
    assert [int(shared.get(k)) for k in shared.scan_iter("idp:login:*")] == [1]   # counted in Redis
    stop()
    refused = _login(http, client_id, "Mauvais-mot-2024")
    assert refused.status_code == 400 and WRONG in page_text(refused)
    assert http.get("/healthz").get_json()["reason"] == REASON
    start()
    assert http.get("/healthz").status_code == 200
    assert WRONG in page_text(_login(http, client_id, "Mauvais-mot-2024"))
    shared = redis_lib.Redis(port=port)
    assert [int(shared.get(k)) for k in shared.scan_iter("idp:login:*")] == [1]   # shared again
