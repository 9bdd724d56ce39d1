"""``GET /metrics``: Prometheus text, read from the allowed networks or with the bearer token
of ``[metrics] token_env``; 403 otherwise (401 for a wrong token); ``X-Forwarded-For`` is not
an address unless ``[server] trust_proxy``; not under a tenant."""

from __future__ import annotations

import pytest

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}
TOKEN = "metrics-token-0123456789abcdef0123456789"


def test_loopback_reads_the_metrics_in_prometheus_text(http):
    response = http.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    for name in ("idp_logins_total", "idp_tokens_issued_total", "idp_http_request_duration_seconds",
                 "idp_password_hash_seconds", "idp_backchannel_deliveries_total", "idp_signups_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in text


def test_another_network_is_refused(http):
    response = http.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 403 and response.get_data(as_text=True) == "forbidden\n"
    assert "idp_" not in response.get_data(as_text=True)


def test_ipv6_loopback_is_allowed_by_default(http):
    assert http.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_forwarded_for_is_no_address_without_trust_proxy(http):
    """Behind a proxy on the same machine every request comes from 127.0.0.1: one that went
    through a proxy (it says so) gets no network allowance unless the proxy is trusted."""
    for header in ({"X-Forwarded-For": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1"}):
        assert http.get("/metrics", headers=header).status_code == 403


def test_the_bearer_token_opens_from_anywhere(http, monkeypatch):
    monkeypatch.setenv("IDP_METRICS_TOKEN", TOKEN)
    assert http.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert http.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", "Bearer wrong"])
def test_a_wrong_token_is_401_even_from_loopback(http, monkeypatch, header):
    monkeypatch.setenv("IDP_METRICS_TOKEN", TOKEN)
    response = http.get("/metrics", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics", error="invalid_token"'


def test_no_token_configured_accepts_none(http, monkeypatch):
    monkeypatch.delenv("IDP_METRICS_TOKEN", raising=False)
    assert http.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer "}).status_code == 401


def test_the_token_is_compared_in_constant_time(http, monkeypatch):
    import idp.web.metrics as metrics

    compared = []
    real = metrics.hmac.compare_digest
    monkeypatch.setattr(metrics.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    monkeypatch.setenv("IDP_METRICS_TOKEN", TOKEN)
    assert http.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert compared == [(TOKEN.encode(), TOKEN.encode())]


def test_not_under_a_tenant(http):
    assert http.get("/caf/metrics").status_code == 404


def test_configured_networks_and_trusted_proxy(tmp_path):
    from idp.app import create_app
    from support import make_settings

    settings = make_settings(tmp_path, metrics={"allowed_networks": ["10.0.0.0/8"]}, server={"trust_proxy": True})
    http = create_app({"TESTING": True}, settings=settings).test_client()
    assert http.get("/metrics").status_code == 403                               # loopback no longer listed
    assert http.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    # through the trusted proxy, the client's address is the one it forwarded
    assert http.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"},
                    headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 403
    assert http.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.4"},
                    headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 200


def test_disabled_metrics_are_not_served(tmp_path):
    from idp.app import create_app
    from support import make_settings

    http = create_app({"TESTING": True}, settings=make_settings(tmp_path, metrics={"enabled": False})).test_client()
    assert http.get("/metrics").status_code == 404


def test_a_wrong_network_stops_the_start(tmp_path):
    from idp.config.settings import SettingsError
    from support import make_settings

    with pytest.raises(SettingsError, match="metrics.allowed_networks"):
        make_settings(tmp_path, metrics={"allowed_networks": ["10.0.0.300/8"]})


def test_idp_serve_gives_the_workers_an_empty_multiprocess_directory(tmp_path, monkeypatch):
    from idp.web.metrics import MULTIPROC_DIR, multiprocess_environ

    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    (folder / "histogram_123.db").write_bytes(b"old")
    (folder / "notes.txt").write_text("kept")
    monkeypatch.setenv(MULTIPROC_DIR, str(folder))
    assert multiprocess_environ() == {MULTIPROC_DIR: str(folder)}
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    monkeypatch.delenv(MULTIPROC_DIR)
    fresh = multiprocess_environ()[MULTIPROC_DIR]
    assert fresh != str(folder) and list(__import__("pathlib").Path(fresh).iterdir()) == []
    __import__("shutil").rmtree(fresh)


def test_gunicorn_tells_a_dead_worker_to_the_multiprocess_mode(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from idp.gunicorn_conf import child_exit
    from idp.web.metrics import MULTIPROC_DIR

    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")
    monkeypatch.setenv(MULTIPROC_DIR, str(tmp_path))
    child_exit(None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_4242.db"]   # its counts still count
