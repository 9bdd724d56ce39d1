"""Identifiers that are personal data (NIR, document numbers, usernames, emails used as
identifiers) are never stored in clear: a keyed HMAC blind index finds an account, an
AES-256-GCM sealed copy lets the application show it (masked) or send it back to its owner.

Both keys are derived (HKDF-SHA256) from ``[server] data_protection_key``. The sealed value
is bound to its tenant (additional data), so a row copied to another tenant does not open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from keys.sealing import decode_kek


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class IdentifierVault:
    def __init__(self, master_key_b64: str):
        master = decode_kek(master_key_b64)
        self._index_key = _derive(master, b"idp identifier blind index v1")
        self._seal = AESGCM(_derive(master, b"idp identifier sealing v1"))
        self._mac_key = _derive(master, b"idp verification secrets v1")

    def index(self, tenant: str, value: str) -> str:
        """Deterministic lookup key for ``value`` (already normalised) within ``tenant``."""
        return hmac.new(self._index_key, f"{tenant}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def mac(self, purpose: str, value: str) -> str:
        """Keyed hash of a short secret (a 6-digit code) so a database copy cannot be searched."""
        return hmac.new(self._mac_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def seal(self, tenant: str, value: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._seal.encrypt(nonce, value.encode(), tenant.encode())

    def unseal(self, tenant: str, blob: bytes) -> str:
        return self._seal.decrypt(blob[:12], blob[12:], tenant.encode()).decode()


def vault() -> IdentifierVault:
    return current_app.extensions["idp_vault"]
