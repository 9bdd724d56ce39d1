"""The work no implementation can avoid, measured on this machine with this configuration.

- one Argon2id verification with the tenant's configured parameters (argon2-cffi, as the
  login does);
- one ES256 and one RS256 signature of a token-sized input (``cryptography``, the raw
  signature: the floor), and the same through the provider's own key ring (joserfc JWT
  encoding, what the token endpoint really calls).

Run with the provider's environment (IDP_CONFIG, IDP_DATABASE_URL...): it reads the settings
and the tenant's active keys through the application. Prints JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import time


def median_time(fn, repeat: int, inner: int = 1) -> float:
    """Median seconds per call over ``repeat`` batches of ``inner`` calls."""
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t) / inner)
    return statistics.median(samples)


def main(tenant: str = "caf") -> dict:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    from idp.app import create_app
    from idp.store.keystore import keyring
    from idp.security.passwords import hasher

    app = create_app()
    with app.app_context():
        params = app.config["IDP_SETTINGS"].argon2_for(tenant)
        ph = hasher(params.memory_cost, params.time_cost, params.parallelism)
        stored = ph.hash("Allocation2024")
        argon2_s = median_time(lambda: ph.verify(stored, "Allocation2024"), repeat=15)

        ring = keyring(tenant)
        now = int(time.time())
        claims = {"iss": f"http://127.0.0.1/{tenant}", "aud": f"http://127.0.0.1/{tenant}",
                  "client_id": "x" * 43, "iat": now, "exp": now + 600, "jti": "f" * 32, "scope": "",
                  "sub": "x" * 43}
        es_key = ring.signing_key("ES256").private_key
        rs_key = ring.signing_key("RS256").private_key
        message = ring.sign(claims, "ES256", typ="at+jwt").rsplit(".", 1)[0].encode()
        es256_s = median_time(lambda: es_key.sign(message, ec.ECDSA(hashes.SHA256())), repeat=20, inner=100)
        rs256_s = median_time(lambda: rs_key.sign(message, padding.PKCS1v15(), hashes.SHA256()), repeat=20, inner=20)
        es256_jwt_s = median_time(lambda: ring.sign(claims, "ES256", typ="at+jwt"), repeat=20, inner=50)
        rs256_jwt_s = median_time(lambda: ring.sign(claims, "RS256"), repeat=20, inner=20)
    return {
        "argon2": {"memory_cost_kib": params.memory_cost, "time_cost": params.time_cost,
                   "parallelism": params.parallelism, "verify_ms": argon2_s * 1000},
        "es256_sign_ms": es256_s * 1000, "rs256_sign_ms": rs256_s * 1000,
        "es256_jwt_encode_ms": es256_jwt_s * 1000, "rs256_jwt_encode_ms": rs256_jwt_s * 1000,
        "rsa_bits": rs_key.key_size,
    }


if __name__ == "__main__":
    json.dump(main(*sys.argv[1:]), sys.stdout, indent=2)
