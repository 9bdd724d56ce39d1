"""oidcc-config-certification-test-plan: oidcc-discovery-endpoint-verification."""

from __future__ import annotations

import re

REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
            "subject_types_supported", "id_token_signing_alg_values_supported")


def test_oidcc_discovery_endpoint_verification(http, app):
    for tenant in ("caf", "ameli", "mairie"):
        response = http.get(f"/{tenant}/.well-known/openid-configuration")
        assert response.status_code == 200 and response.mimetype == "application/json"
        doc = response.get_json()
        for name in REQUIRED:
            assert name in doc, name
        # the issuer is the URL the document was fetched from, minus the well-known suffix
        assert doc["issuer"] == f"http://idp.test/{tenant}"
        assert doc["userinfo_endpoint"].startswith(doc["issuer"] + "/")
        assert "RS256" in doc["id_token_signing_alg_values_supported"]
        assert "none" not in doc["id_token_signing_alg_values_supported"]
        assert "code" in doc["response_types_supported"]
        assert set(doc["subject_types_supported"]) <= {"public", "pairwise"}
        assert "openid" in doc["scopes_supported"]
        assert set(doc["grant_types_supported"]) >= {"authorization_code"}
        for url in (v for k, v in doc.items() if k.endswith("_endpoint") or k == "jwks_uri"):
            assert re.match(r"^https?://", url)
        jwks = http.get(doc["jwks_uri"].removeprefix("http://idp.test")).get_json()
        assert all({"kty", "kid", "use", "alg"} <= set(key) for key in jwks["keys"])
        assert {k["kid"] for k in jwks["keys"]}.__len__() == len(jwks["keys"])  # kids are unique
