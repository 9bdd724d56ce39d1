"""Upstream identity providers the IdP is a client of (FranceConnect, generic OIDC).

Empty until the FranceConnect work lands; like ``policies`` and ``keys`` it never imports
``idp`` nor Flask.
"""
