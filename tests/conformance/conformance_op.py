"""The conformance-suite client used by tests/conformance: the suite's client and browser."""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import REDIRECT, exchange, location, login_flow, make_account, make_client, query


class OP:
    """A conformance-suite client against one tenant: the suite's "client" and "browser"."""

    def __init__(self, app, http, tenant="caf", **client_options):
        self.app, self.http, self.tenant = app, http, tenant
        self.issuer = f"http://idp.test/{tenant}"
        options = {"first_party": True, **client_options}
        self.client_id, self.secret = make_client(app, tenant, **options)
        self.account_id = self._account()

    def _account(self) -> str:
        from idp.accounts.service import find_account
        from helpers import ACCOUNTS

        with self.app.app_context():
            found = find_account(self.tenant, ACCOUNTS[self.tenant][0])
            if found is not None:
                return found.id
        return make_account(self.app, self.tenant)

    def keys(self) -> KeySet:
        return KeySet.import_key_set(self.http.get(f"/{self.tenant}/jwks.json").get_json())

    def login(self, **params) -> str:
        return login_flow(self.http, self.tenant, self.client_id, **params)

    def code(self, **params) -> str:
        params = query(self.login(**params))
        assert params["iss"] == self.issuer
        return params["code"]

    def tokens(self, code=None, auth="basic", **params) -> dict:
        response = exchange(self.http, self.tenant, self.client_id, self.secret, code or self.code(**params), auth=auth)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def id_token(self, tokens) -> dict:
        decoded = jwt.decode(tokens["id_token"], self.keys(), algorithms=["RS256", "ES256"])
        claims = decoded.claims
        # what every module checks of an ID token (OIDC Core §3.1.3.7)
        assert claims["iss"] == self.issuer
        assert self.client_id in claims["aud"]
        assert claims["exp"] > time.time() >= claims["iat"] - 5
        assert claims["sub"]
        return claims

    def userinfo(self, access_token, how="get"):
        if how == "get":
            return self.http.get(f"/{self.tenant}/userinfo", headers={"Authorization": f"Bearer {access_token}"})
        if how == "post-header":
            return self.http.post(f"/{self.tenant}/userinfo", headers={"Authorization": f"Bearer {access_token}"})
        return self.http.post(f"/{self.tenant}/userinfo", data={"access_token": access_token})

    def authorize(self, method="GET", **params):
        from helpers import authorize

        return authorize(self.http, self.tenant, self.client_id, method=method, **params)
