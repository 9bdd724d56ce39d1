"""The Authlib authorization server shared by all tenants.

One server serves every tenant: each hook reads the tenant resolved for the request
(``g.tenant``), so clients, codes and tokens are always looked up within it.
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request

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
