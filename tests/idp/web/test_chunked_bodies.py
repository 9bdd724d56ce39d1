"""Chunked request bodies on real servers (gunicorn, as `idp serve` runs it, and Werkzeug's):
one over ``[server] max_request_bytes`` is refused with 413, never cut and processed; one
the server cannot decode (a malformed chunk) is a 400, never a 500."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from werkzeug.serving import make_server

from live import _free_port
from support import make_settings, write_config

LIMIT = 64 * 1024   # the default [server] max_request_bytes


def _gunicorn(tmp_path):
    pytest.importorskip("gunicorn")
    port = _free_port()
    env = {**os.environ, "IDP_CONFIG": str(write_config(tmp_path)), "IDP_REDIS_URL": "",
           "IDP_DATABASE_URL": f"sqlite:///{tmp_path}/idp.sqlite3", "IDP_SERVER_ENVIRONMENT": "development"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:idp.gunicorn_conf", "--workers", "1",
                                "--bind", f"127.0.0.1:{port}", "idp.wsgi:app"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):   # until it accepts connections (not a timing assertion)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.1)
    return port, lambda: (process.terminate(), process.wait(timeout=30))


def _werkzeug(tmp_path):
    from idp.app import create_app

    port = _free_port()
    server = make_server("127.0.0.1", port, create_app(settings=make_settings(tmp_path)), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return port, server.shutdown


@pytest.fixture(scope="module", params=["gunicorn", "werkzeug"])
def port(request, tmp_path_factory):
    port, stop = (_gunicorn if request.param == "gunicorn" else _werkzeug)(tmp_path_factory.mktemp(request.param))
    yield port
    stop()


def send_chunked(port: int, path: str, chunks: bytes) -> tuple[int, str]:
    """POST a form whose body is ``chunks`` as sent (chunked framing included): status, body."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head + chunks)
        received = b""
        while data := conn.recv(65536):
            received += data
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def chunked(body: bytes, size: int = 8192) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def test_a_chunked_body_over_the_limit_is_refused_not_cut(port):
    form = b"grant_type=client_credentials&client_id=c&padding=" + b"a" * LIMIT
    status, body = send_chunked(port, "/caf/token", chunked(form))
    assert status == 413 and '"error":"invalid_request"' in body.replace(" ", "")
    assert "request body too large" in body


def test_a_chunked_form_page_over_the_limit_gets_the_french_page(port):
    status, body = send_chunked(port, "/caf/password/forgot", chunked(b"identifier=" + b"a" * LIMIT))
    assert status == 413 and "Envoi trop volumineux" in body


def test_a_chunked_body_within_the_limit_is_read_whole(port):
    status, body = send_chunked(port, "/caf/token", chunked(b"grant_type=client_credentials&client_id=c"))
    assert status == 401 and '"error":"invalid_client"' in body.replace(" ", "")


@pytest.mark.parametrize("framing", [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcdef\r\n0\r\n\r\n"],
                         ids=["chunk-size", "chunk-terminator"])
def test_a_malformed_chunk_is_a_400(port, framing):
    status, body = send_chunked(port, "/caf/token", framing)
    assert status == 400 and '"error":"invalid_request"' in body.replace(" ", "")
    assert "request body could not be read" in body


def test_a_malformed_chunk_on_a_page_is_a_french_400(port):
    status, body = send_chunked(port, "/caf/password/forgot", b"zz\r\nabc\r\n0\r\n\r\n")
    assert status == 400 and "Envoi interrompu" in body
