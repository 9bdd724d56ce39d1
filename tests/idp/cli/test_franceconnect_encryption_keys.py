"""FranceConnect+ encrypts ID tokens and userinfo to keys the IdP publishes: `idp keys
encryption-keys` makes them; {issuer}/franceconnect/jwks.json serves their public halves."""

from __future__ import annotations

import json
import os
import stat

from joserfc import jwe
from joserfc.jwk import KeySet


def test_encryption_keys_are_generated_private_and_published_public(app, runner, http, tmp_path):
    from providers.franceconnect import FranceConnect, FranceConnectConfig

    out = tmp_path / "fc-enc.json"
    result = runner.invoke(args=["keys", "encryption-keys", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    private = json.loads(out.read_text())["keys"]
    assert {k["alg"] for k in private} == {"RSA-OAEP-256", "ECDH-ES"} and all("d" in k for k in private)
    printed = json.loads(result.output)["keys"]
    assert all("d" not in k for k in printed)

    plus = FranceConnect(FranceConnectConfig(environment="integration-plus", client_id="fs", client_secret="s" * 32,
                                             acr="eidas2", encryption_jwks=tuple(private)))
    app.extensions.setdefault("idp_franceconnect", {})["caf"] = plus
    try:
        published = http.get("/caf/franceconnect/jwks.json").get_json()
    finally:
        app.extensions["idp_franceconnect"].clear()
    assert {k["kid"] for k in published["keys"]} == {k["kid"] for k in private}
    assert all(k["use"] == "enc" and "d" not in k for k in published["keys"])
    # what FranceConnect+ encrypts to the published key, the private key opens
    public = KeySet.import_key_set(published)
    rsa = next(k for k in published["keys"] if k["alg"] == "RSA-OAEP-256")
    token = jwe.encrypt_compact({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": rsa["kid"]}, b"hello",
                                public.get_by_kid(rsa["kid"]), algorithms=["RSA-OAEP-256", "A256GCM"])
    opened = jwe.decrypt_compact(token, KeySet.import_key_set({"keys": private}).get_by_kid(rsa["kid"]),
                                 algorithms=["RSA-OAEP-256", "A256GCM"])
    assert opened.plaintext == b"hello"
