"""Upstream identity providers the IdP is a client of (FranceConnect, generic OIDC).

- ``oidc``: a generic OpenID Connect relying party (``OIDCProvider``, ``UpstreamConfig``);
- ``franceconnect``: FranceConnect v2 and FranceConnect+ on top of it;
- ``upstream`` (``PendingAuthorization``, ``UpstreamIdentity``) and ``errors``
  (``UpstreamError``): the values the IdP receives;
- ``config``, ``metadata``, ``nested_jwt``, ``token_client``: the pieces ``oidc`` is made of.

Like ``policies`` and ``keys`` it never imports ``idp`` nor Flask.
"""
