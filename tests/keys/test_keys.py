"""keys/: generation, sealing, rotation plan, JWKS, ring."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from keys import KeyRing, KeyState, generate_record, plan_initial, plan_rotation, publish_jwks
from keys.sealing import KeyEncryptionError, decode_kek, new_kek, seal_private_key, unseal_private_key

NOW = datetime(2026, 11, 1, 12, 0, 0)


@pytest.fixture(scope="module")
def kek():
    return decode_kek(new_kek())


def test_kek_must_be_32_bytes():
    with pytest.raises(KeyEncryptionError, match="must be 32 bytes, got 16"):
        decode_kek("AAAAAAAAAAAAAAAAAAAAAA")


def test_sealed_key_bound_to_tenant_and_kid(kek):
    blob = seal_private_key(b"secret pem", kek, "caf|k1")
    assert unseal_private_key(blob, kek, "caf|k1") == b"secret pem"
    with pytest.raises(KeyEncryptionError):
        unseal_private_key(blob, kek, "ameli|k1")
    with pytest.raises(KeyEncryptionError):
        unseal_private_key(blob, decode_kek(new_kek()), "caf|k1")


def test_initial_plan_creates_active_and_next_per_alg():
    plan = plan_initial([])
    assert sorted(plan.create) == sorted([("RS256", KeyState.ACTIVE), ("RS256", KeyState.NEXT),
                                          ("ES256", KeyState.ACTIVE), ("ES256", KeyState.NEXT)])


def test_initial_plan_is_idempotent(kek):
    records = [generate_record("caf", "ES256", state, kek, NOW) for state in (KeyState.ACTIVE, KeyState.NEXT)]
    assert plan_initial(records, algs=("ES256",)).empty


def test_rotation_next_active_retired_removed(kek):
    active = generate_record("caf", "ES256", KeyState.ACTIVE, kek, NOW)
    nxt = generate_record("caf", "ES256", KeyState.NEXT, kek, NOW)
    old = generate_record("caf", "ES256", KeyState.RETIRED, kek, NOW)
    old.retired_at = NOW - timedelta(days=3)
    recent = generate_record("caf", "ES256", KeyState.RETIRED, kek, NOW)
    recent.retired_at = NOW - timedelta(hours=1)
    plan = plan_rotation([active, nxt, old, recent], NOW, timedelta(days=2), algs=("ES256",))
    assert plan.promote == [nxt.kid] and plan.retire == [active.kid]
    assert plan.remove == [old.kid] and plan.create == [("ES256", KeyState.NEXT)]


def test_jwks_public_only_active_first(kek):
    records = [generate_record("caf", "RS256", KeyState.NEXT, kek, NOW),
               generate_record("caf", "RS256", KeyState.ACTIVE, kek, NOW)]
    jwks = publish_jwks(records)
    assert jwks["keys"][0]["kid"] == records[1].kid
    assert all("d" not in key for key in jwks["keys"])


def test_ring_signs_with_active_and_verifies(kek):
    records = [generate_record("caf", alg, KeyState.ACTIVE, kek, NOW) for alg in ("RS256", "ES256")]
    ring = KeyRing("caf", records, kek)
    for alg in ("RS256", "ES256"):
        token = ring.sign({"sub": "x"}, alg)
        assert ring.verify(token).claims == {"sub": "x"}
    other = KeyRing("ameli", [generate_record("ameli", "ES256", KeyState.ACTIVE, kek, NOW)], kek)
    with pytest.raises(Exception):
        other.verify(ring.sign({"sub": "x"}, "ES256"))


def test_ring_without_active_key_says_so(kek):
    ring = KeyRing("caf", [generate_record("caf", "ES256", KeyState.NEXT, kek, NOW)], kek)
    with pytest.raises(LookupError, match="no active RS256 key"):
        ring.sign({}, "RS256")


def test_ring_signs_what_joserfc_encode_signs_without_its_per_signature_checks(kek):
    """sign() checks the key once, at import, and assembles the JWS itself (issue 15): its
    tokens are jwt.encode's byte for byte (RS256 is deterministic; ES256's signature is
    random, so its header and payload are compared and the signature verified)."""
    from joserfc import jwt

    records = [generate_record("caf", alg, KeyState.ACTIVE, kek, NOW) for alg in ("RS256", "ES256")]
    ring = KeyRing("caf", records, kek)
    claims = {"iss": "https://idp.test/caf", "sub": "x", "iat": 1, "exp": 2, "name": "Zoé Ñúñez",
              "amr": ["pwd"], "cnf": {"jkt": "abc"}}
    for typ in (None, "", "at+jwt", "logout+jwt"):
        for alg in ("RS256", "ES256"):
            key = ring.signing_key(alg)
            header = {"alg": alg, "kid": key.kid, **({"typ": typ} if typ else {})}
            expected = jwt.encode(header, claims, key, algorithms=[alg])
            token = ring.sign(claims, alg, typ=typ)
            if alg == "RS256":
                assert token == expected
            else:
                assert token.rsplit(".", 1)[0] == expected.rsplit(".", 1)[0]
            decoded = ring.verify(token, algorithms=[alg])
            assert decoded.header == {"typ": typ or "JWT", "alg": alg, "kid": key.kid}
            assert list(decoded.header) == ["typ", "alg", "kid"]
            assert decoded.claims == claims


def test_ring_checks_its_keys_once_when_it_imports_them_not_per_signature(kek, monkeypatch):
    from joserfc._rfc7515.model import JWSAlgModel

    checked = []
    original = JWSAlgModel.check_key
    monkeypatch.setattr(JWSAlgModel, "check_key",
                        lambda self, key: checked.append(key.kid) or original(self, key))
    ring = KeyRing("caf", [generate_record("caf", "ES256", KeyState.ACTIVE, kek, NOW)], kek)
    assert checked == [ring.signing_key("ES256").kid]
    for _ in range(3):
        ring.sign({"sub": "x"}, "ES256")
    assert len(checked) == 1
