"""The provider as the property test sees it: clients, accounts, browsers, interactions and
tokens per tenant, so that a malformed value reaches past the first check; and the sending
of one request, counted and checked (no 5xx)."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from helpers import authorize, csrf, exchange, location, login_flow, make_account, make_client, pkce_pair, query
from support import forget_counters

_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


@dataclass
class Request:
    browser: object
    method: str
    path: str
    query: list = field(default_factory=list)
    form: object = None            # list of pairs, bytes, or a dict (multipart)
    headers: dict = field(default_factory=dict)
    content_type: str | None = None
    cookies: dict = field(default_factory=dict)   # set on a fresh (anonymous) browser only


def fill(rule: str, values: dict[str, str]) -> str:
    """``/<tenant>/signup/<name>`` with each variable's value quoted into the path."""
    return _VARIABLE.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule)


def variables(rule: str) -> set[str]:
    return set(_VARIABLE.findall(rule))


class Site:
    """Everything a request needs, made once per tenant and remade when a request used it up
    (a logged-out browser, a finished interaction, a deleted account)."""

    def __init__(self, app):
        self.app = app
        self.sent, self.statuses = 0, {}
        self.tenants = list(app.extensions["idp_tenants"])
        self.clients, self.signing_key = {}, None
        self._browsers, self._tokens, self._pages, self._alive = {}, {}, {}, set()

    def populate(self, jwks_file: str, signing_key) -> "Site":
        """An account and clients of each kind in every tenant (``signing_key``: the
        ``private_key_jwt`` client's, published in ``jwks_file``)."""
        self.signing_key = signing_key
        for tenant in self.tenants:
            make_account(self.app, tenant)
            self.clients[tenant, "basic"] = make_client(self.app, tenant, first_party=True)
            self.clients[tenant, "post"] = make_client(self.app, tenant, first_party=True,
                                                       auth_method="client_secret_post")
            self.clients[tenant, "public"] = make_client(self.app, tenant, first_party=True, public=True)
            self.clients[tenant, "consent"] = make_client(self.app, tenant)
            self.clients[tenant, "jwt"] = make_client(self.app, tenant, auth_method="private_key_jwt",
                                                      jwks_file=jwks_file, grant_types=["client_credentials"])
        return self

    # -- sending --------------------------------------------------------------------------
    def send(self, request: Request):
        from werkzeug.datastructures import MultiDict

        kwargs = {"query_string": MultiDict(request.query), "headers": request.headers}
        if request.form is not None:
            kwargs["data"] = MultiDict(request.form) if isinstance(request.form, list) else request.form
        if request.content_type:
            kwargs["content_type"] = request.content_type
        for name, value in request.cookies.items():
            request.browser.set_cookie(name, value, path="/")
        response = request.browser.open(request.path, method=request.method, **kwargs)
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, request.method, request.path,
                                            response.get_data(as_text=True)[:300])
        return response

    def get(self, browser, path: str):
        self.sent += 1
        return browser.get(path)

    # -- browsers ---------------------------------------------------------------------------
    def anonymous(self):
        return self.app.test_client()

    def next_route(self) -> None:
        """Sessions are checked again before the next route's requests (one may have ended them)."""
        self._alive.clear()

    def _live(self, tenant: str) -> bool:
        if tenant not in self._alive:
            if self.get(self._browsers[tenant], f"/{tenant}/account").status_code != 200:
                return False
            self._alive.add(tenant)
        return True

    def logged_in(self, tenant: str, fresh: bool = False):
        """A browser with a live session (and its tokens); a new one when asked or needed."""
        browser = self._browsers.get(tenant)
        if fresh or browser is None or not self._live(tenant):
            browser = self.app.test_client()
            self._ensure_account(tenant)
            # the fuzz's own wrong passwords (login, /account) lock the identifier: the limits
            # work; this login is set-up, not fuzz (IDP_FUZZ_EXAMPLES=500 reaches the lock)
            forget_counters(self.app)
            verifier, challenge = pkce_pair()
            client_id, secret = self.clients[tenant, "basic"]
            url = login_flow(browser, tenant, client_id, scope="openid profile email offline_access",
                             code_challenge=challenge, code_challenge_method="S256")
            self.sent += 3
            self._tokens[tenant] = exchange(browser, tenant, client_id, secret, query(url)["code"], verifier).get_json()
            self._browsers[tenant] = browser
            self._alive.add(tenant)
        return browser

    def _ensure_account(self, tenant: str) -> None:
        from idp.accounts.service import find_account
        from helpers import ACCOUNTS

        with self.app.app_context():
            if find_account(tenant, ACCOUNTS[tenant][0]) is None:
                make_account(self.app, tenant)

    def tokens(self, tenant: str) -> dict:
        self.logged_in(tenant)
        return self._tokens[tenant]

    def csrf(self, browser, tenant: str) -> str:
        return csrf(self.get(browser, f"/{tenant}/login").get_data(as_text=True))

    def interaction(self, browser, tenant: str, kind: str = "basic") -> str:
        """A live interaction of ``browser`` (login, or consent for a logged-in browser)."""
        response = authorize(browser, tenant, self.clients[tenant, kind][0], scope="openid profile")
        self.sent += 1
        target = urlsplit(location(response)).path
        match = re.search(r"/interaction/([^/]+)", target)
        return match.group(1) if match else "none"

    def fields(self, browser, path: str, key=None) -> list[str]:
        """The names of the form fields a page shows (read once per ``key``, the path by default)."""
        key = key or path
        if key not in self._pages:
            page = self.get(browser, path)
            text = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
            self._pages[key] = sorted(set(_FIELD.findall(text)) - {"csrf_token"})
        return self._pages[key]

    def franceconnect_state(self, browser, tenant: str) -> str:
        """The ``state`` of a FranceConnect redirect this browser started."""
        response = browser.post(f"/{tenant}/franceconnect/start", data={"csrf_token": self.csrf(browser, tenant)})
        self.sent += 1
        if response.status_code not in (302, 303):
            return "none"
        return query(response.headers["Location"]).get("state", "none")

    def client_assertion(self, tenant: str, claims: dict) -> str:
        from joserfc import jwt

        client_id = self.clients[tenant, "jwt"][0]
        now = int(time.time())
        base = {"iss": client_id, "sub": client_id, "aud": f"http://idp.test/{tenant}/token", "iat": now,
                "exp": now + 60, "jti": uuid.uuid4().hex}
        return jwt.encode({"alg": "ES256", "kid": self.signing_key.kid}, {**base, **claims}, self.signing_key)


def claims_request() -> str:
    return json.dumps({"userinfo": {"email": {"essential": True}}, "id_token": {"birthdate": None}})

