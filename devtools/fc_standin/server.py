"""Serving the stand-in on loopback over real HTTP, for the IdP's flow tests.

``running_standin`` binds a free port first, so the issuer (which holds the port) is known
before the app is built, then serves it in a daemon thread until the block exits.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from flask import Flask
from werkzeug.serving import make_server

from devtools.fc_standin.app import create_app


@dataclass(frozen=True)
class RunningStandin:
    base_url: str
    app: Flask

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/api/v2"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def state(self):
        """The app's ``StandinState`` (authorize_requests, logouts, identities...)."""
        return self.app.extensions["fc_standin"]


@contextmanager
def running_standin(clients: list[dict], identities: list[dict] | None = None, *,
                    signing_jwk=None, host: str = "127.0.0.1"):
    server = make_server(host, 0, _not_ready, threaded=True)
    base_url = f"http://{host}:{server.server_port}"
    # werkzeug's handler calls ``server.app`` per request, so it can be set once the port is known
    server.app = create_app(issuer=f"{base_url}/api/v2", clients=clients, identities=identities,
                            signing_jwk=signing_jwk)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="fc-standin", daemon=True)
    thread.start()
    try:
        yield RunningStandin(base_url=base_url, app=server.app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def choose_identity(session, chooser, login: str, *, refuse: bool = False):
    """Submit the chooser page (a ``requests`` response) as a user would; the redirect is
    returned unfollowed, so its ``Location`` carries ``code``/``error`` and ``state``."""
    forms = _Forms()
    forms.feed(chooser.text)
    wanted = next((action for action, fields in forms.found
                   if (action.endswith("/abort") if refuse else fields.get("login") == login)), None)
    if wanted is None:
        raise LookupError(f"no form for {'refusal' if refuse else login!r} on the chooser page")
    data = {} if refuse else {"login": login}
    return session.post(urljoin(chooser.url, wanted), data=data, allow_redirects=False, timeout=10)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.found.append((attrs.get("action", ""), {}))
        elif tag == "input" and self.found and attrs.get("name"):
            self.found[-1][1][attrs["name"]] = attrs.get("value", "")
