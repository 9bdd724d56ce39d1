"""Access logs never carry a code, a token, a state or a login_hint (a NIR, maybe)."""

from __future__ import annotations

import logging
import re

import pytest

from idp.web.logredact import WerkzeugRedactor, redact_request_line, redact_target


@pytest.mark.parametrize("target, expected", [
    ("/caf/franceconnect/callback?code=SECRETCODE&state=abc", "/caf/franceconnect/callback?[…]"),
    ("/caf/authorize?login_hint=1840312345678&client_id=x", "/caf/authorize?[…]"),
    ("/mairie/signup/activate/42/SECRETTOKEN", "/mairie/signup/activate/42/[…]"),
    ("/caf/jwks.json", "/caf/jwks.json"),
])
def test_redact_target(target, expected):
    assert redact_target(target) == expected


def test_werkzeug_request_lines_are_redacted():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] %s',
                               ("127.0.0.1", "30/Nov/2026", '"GET /demo/caf/callback?code=SECRETCODE HTTP/1.1" 302 -'),
                               None)
    WerkzeugRedactor().filter(record)
    assert "SECRETCODE" not in record.getMessage() and "/demo/caf/callback?[…]" in record.getMessage()


def test_gunicorn_access_log_atoms_are_redacted():
    pytest.importorskip("gunicorn")
    from types import SimpleNamespace

    from gunicorn.config import Config

    from idp.web.logredact import GunicornLogger

    logger = GunicornLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/mairie/signup/activate/7/SECRETTOKEN",
               "QUERY_STRING": "x=1", "SERVER_PROTOCOL": "HTTP/1.1", "RAW_URI": "/mairie/signup/activate/7/SECRETTOKEN?x=1",
               "HTTP_REFERER": "https://rp.example/cb?code=SECRETCODE"}
    request = SimpleNamespace(headers=[("REFERER", "https://rp.example/cb?code=SECRETCODE")], method="GET",
                              path=environ["PATH_INFO"], query="x=1", uri=environ["RAW_URI"], version=(1, 1))
    response = SimpleNamespace(status="200 OK", headers=[], response_length=10, sent=10)
    atoms = logger.atoms(response, request, environ, __import__("datetime").timedelta(seconds=0.01))
    line = " ".join(str(v) for v in atoms.values())
    assert "SECRETTOKEN" not in line and "SECRETCODE" not in line and "x=1" not in line
    assert atoms["r"] == "GET /mairie/signup/activate/7/[…]?[…] HTTP/1.1"


def test_redact_request_line_keeps_the_rest():
    line = '127.0.0.1 - - [x] "POST /caf/token HTTP/1.1" 200 -'
    assert redact_request_line(line) == line


def test_werkzeug_coloured_request_lines_are_redacted():
    """Werkzeug wraps non-200 request lines in ANSI colours inside the quotes."""
    line = '"\x1b[32mGET /caf/franceconnect/callback?code=SECRETCODE HTTP/1.1\x1b[0m" 302 -'
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s - - [%s] %s",
                               ("127.0.0.1", "30/Nov/2026", line), None)
    WerkzeugRedactor().filter(record)
    assert "SECRETCODE" not in record.getMessage() and "callback?[…]" in record.getMessage()


def test_werkzeug_real_request_log_is_redacted(caplog):
    """Through Werkzeug's own request handler logging, as `idp serve` without gunicorn runs."""
    import threading

    import requests
    from werkzeug.serving import make_server

    from idp.web.logredact import install_werkzeug_filter

    def app(environ, start_response):
        start_response("302 Found", [("Location", "/elsewhere")])
        return [b""]

    install_werkzeug_filter()
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    requests.get(f"http://127.0.0.1:{server.server_port}/caf/authorize?login_hint=1840312345678",
                 allow_redirects=False, timeout=5)
    thread.join(timeout=5)
    server.server_close()
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    assert "/caf/authorize?[…]" in logged and "1840312345678" not in logged


def test_granian_access_log_atoms_are_redacted(caplog):
    """Through Granian's own access-log builder, with a custom format naming headers."""
    pytest.importorskip("granian")
    import time

    from granian.log import DEFAULT_ACCESSLOG_FMT, log_request_builder

    from idp.web.logredact import install_granian_filter

    install_granian_filter()
    caplog.set_level(logging.INFO, logger="granian.access")
    fmt = DEFAULT_ACCESSLOG_FMT + ' %(query_string)s %(header{authorization})s %(header{cookie})s %(header{referer})s'
    headers = {"authorization": "Basic c2VjcmV0OnNlY3JldA==", "cookie": "idp_session=SECRETSESSION",
               "referer": "https://rp.example/cb?code=SECRETCODE"}
    request = {"addr_remote": "127.0.0.1", "path": "/mairie/signup/activate/7/SECRETTOKEN", "qs": "code=SECRETCODE",
               "method": "GET", "scheme": "http", "protocol": "HTTP/1.1", "headers": headers.get}
    log_request_builder(fmt)(time.time(), time.perf_counter(), request, 200)
    line = " ".join(r.getMessage() for r in caplog.records if r.name == "granian.access")
    assert '"GET /mairie/signup/activate/7/[…] HTTP/1.1" 200' in line and "https://rp.example/cb?[…]" in line
    for secret in ("SECRETTOKEN", "SECRETCODE", "SECRETSESSION", "c2VjcmV0"):
        assert secret not in line


def test_the_applications_access_log_is_redacted():
    """idp.web.access_log, which idp serve uses under Granian instead of Granian's own."""
    import io

    from idp.web.access_log import AccessLog

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("boom")
        start_response("302 Found", [("Location", "/caf/authorize?code=SECRETCODE")])
        return [b""]

    stream = io.StringIO()
    logged = AccessLog(app, stream)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/mairie/signup/activate/7/SECRETTOKEN",
               "QUERY_STRING": "login_hint=1840312345678", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.7",
               "HTTP_AUTHORIZATION": "Basic c2VjcmV0", "HTTP_COOKIE": "idp_session=SECRETSESSION"}
    logged(environ, lambda status, headers, exc_info=None: None)
    with pytest.raises(RuntimeError):
        logged({**environ, "PATH_INFO": "/boom", "QUERY_STRING": ""}, lambda *args: None)
    first, second = stream.getvalue().splitlines()
    assert re.fullmatch(r'\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] 192\.0\.2\.7 - '
                        r'"GET /mairie/signup/activate/7/\[…\]\?\[…\] HTTP/1\.1" 302 \d+\.\d{3}', first)
    assert ' - "GET /boom HTTP/1.1" 500 ' in second
    for secret in ("SECRETTOKEN", "SECRETCODE", "1840312345678", "SECRETSESSION", "c2VjcmV0"):
        assert secret not in stream.getvalue()
