"""A software WebAuthn authenticator for the tests: an EC P-256 key, and the
``attestationObject`` / ``authenticatorData`` / ``clientDataJSON`` a browser would post,
built by hand (WebAuthn §6.1, §6.5; "none" attestation)."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    def __init__(self, rp_id: str = "idp.test", origin: str = "http://idp.test", synced: bool = False):
        self.rp_id, self.origin, self.synced = rp_id, origin, synced
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.counter = 0
        self.user_handle: bytes | None = None

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _authenticator_data(self, attested: bool, rp_id: str | None, uv: bool) -> bytes:
        flags = UP | (UV if uv else 0) | ((BE | BS) if self.synced else 0) | (AT if attested else 0)
        data = hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags]) + self.counter.to_bytes(4, "big")
        if attested:
            data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key()
        return data

    def _client_data(self, kind: str, options: dict, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": options["challenge"], "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str | None = None, rp_id: str | None = None, uv: bool = True) -> str:
        """The JSON of ``navigator.credentials.create`` for ``options`` (the server's publicKey)."""
        self.user_handle = unb64(options["user"]["id"])
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {},
                                   "authData": self._authenticator_data(True, rp_id, uv)})
        return json.dumps({"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                           "response": {"clientDataJSON": b64(self._client_data("webauthn.create", options, origin)),
                                        "attestationObject": b64(attestation), "transports": ["internal"]},
                           "clientExtensionResults": {}})

    def get(self, options: dict, origin: str | None = None, rp_id: str | None = None, uv: bool = True,
            counter: int | None = None) -> str:
        """The JSON of ``navigator.credentials.get``; the counter grows by one unless given."""
        self.counter = self.counter + 1 if counter is None else counter
        client_data = self._client_data("webauthn.get", options, origin)
        data = self._authenticator_data(False, rp_id, uv)
        signature = self.key.sign(data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps({"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                           "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(data),
                                        "signature": b64(signature), "userHandle": b64(self.user_handle or b"")},
                           "clientExtensionResults": {}})
