"""The Authlib authorization server shared by all tenants.

One server serves every tenant: each hook reads the tenant resolved for the request
(``g.tenant``), so clients, codes and tokens are always looked up within it.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.signals import client_authenticated
from authlib.oauth2.rfc6749 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749.util import extract_basic_authorization

from idp.oidc.client_assertion import PrivateKeyJWT
from idp.clients.model import find_client
from idp.oidc.grants import AuthorizationCodeGrant, ClientCredentialsGrant, OpenIDCode, RefreshTokenGrant, save_token
from idp.oidc.pkce import StrictCodeChallenge
from idp.oidc.tokens import AccessTokenGenerator
from idp.oidc.endpoints import EndSession, Introspection, Revocation


class TenantAuthorizationServer(AuthorizationServer):
    def query_client(self, client_id):
        return find_client(client_id)

    def save_token(self, token, request):
        return save_token(token, request)

    def create_oauth2_request(self, request):
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def client_credentials_response(self, request):
        """The answer to a well-formed, authorised client_credentials request with HTTP Basic
        credentials, or None: then :meth:`create_token_response` answers, as before.

        The client_credentials token is the endpoint's most frequent request, and Authlib's
        scaffolding around it (an ``OAuth2Request`` with the request's full URL rebuilt, the
        grant looked up through each registered grant, a grant object and its hooks, the
        client authentication trying each method) cost 228 of the token's 1,916 Python calls
        (bench/RESULTS.md, issue 15). This path does the same steps in the same order with
        the same objects: Authlib's Basic decoding, :meth:`query_client`, the client's secret,
        its authentication method and grant type, :meth:`validate_requested_scope`, the token
        generator with the scope as sent, :func:`.grants.save_token`, Authlib's JSON answer
        with its ``Cache-Control``/``Pragma`` headers. It takes only the request it is sure to
        answer the same: every condition it does not meet (another grant, credentials in the
        form, a query string, a repeated parameter, a wrong secret, a refused scope, plain
        HTTP where Authlib would refuse it, an extension or signal receiver that Authlib would
        call) sends the request to Authlib untouched, which then gives its error. Nothing it
        did before refusing writes anything (the client lookup is the cached read Authlib
        makes too). An error raised once the token is being made (a client that must send a
        DPoP proof) is Authlib's error answer, as Authlib renders it."""
        form = request.form
        if request.args or form.get("grant_type") != "client_credentials" or not _single(form, _CC_FIELDS):
            return None
        if request.scheme != "https" and not os.environ.get("AUTHLIB_INSECURE_TRANSPORT"):
            return None   # Authlib's InsecureTransportError
        if client_authenticated.receivers or self._cc_extensions():
            return None
        client_id, secret = extract_basic_authorization(request.headers)
        if not (client_id and secret):
            return None
        client = self.query_client(client_id)
        if (client is None or not client.check_client_secret(secret)
                or not client.check_endpoint_auth_method("client_secret_basic", "token")
                or not client.check_grant_type(ClientCredentialsGrant.GRANT_TYPE)):
            return None
        scope = form.get("scope")
        try:
            self.validate_requested_scope(scope)
        except OAuth2Error:
            return None
        try:
            token = self.generate_token(grant_type=ClientCredentialsGrant.GRANT_TYPE, client=client, user=None,
                                        scope=scope, expires_in=None, include_refresh_token=False)
            self.save_token(token, SimpleNamespace(
                payload=SimpleNamespace(grant_type=ClientCredentialsGrant.GRANT_TYPE), client=client, user=None,
                refresh_token=None))
        except OAuth2Error as error:
            return self.handle_error_response(None, error)
        return self.handle_response(200, token, ClientCredentialsGrant.TOKEN_RESPONSE_HEADER)

    def _cc_extensions(self) -> bool:
        """Whether client_credentials was registered with extensions (whose hooks Authlib runs)."""
        return any(extensions for grant, extensions in self._token_grants if grant is ClientCredentialsGrant)


_CC_FIELDS = frozenset({"grant_type", "scope"})


def _single(form, allowed: frozenset) -> bool:
    """Only ``allowed`` names, each once (Authlib reads the first of repeated values)."""
    names = [name for name, _ in form.items(multi=True)]
    return len(names) == len(set(names)) and allowed.issuperset(names)


def create_server(app) -> TenantAuthorizationServer:
    server = TenantAuthorizationServer()
    server.init_app(app)
    server.register_token_generator("default", AccessTokenGenerator())
    server.register_grant(AuthorizationCodeGrant, [StrictCodeChallenge(required=True), OpenIDCode(require_nonce=False)])
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_client_auth_method("private_key_jwt", PrivateKeyJWT())

    server.register_endpoint(Introspection)
    server.register_endpoint(Revocation)
    server.register_endpoint(EndSession)
    app.extensions["idp_oauth"] = server
    return server
