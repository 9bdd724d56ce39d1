"""Encryption of private keys at rest: AES-256-GCM under a key-encryption key (KEK).

The KEK comes from configuration (32 bytes, base64url). The additional authenticated data
binds a sealed key to its tenant and ``kid``, so a sealed blob copied onto another record
fails to open instead of silently signing for another tenant.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_SIZE = 12


class KeyEncryptionError(Exception):
    """The KEK is malformed, or a sealed key does not open under it."""


def decode_kek(value: str) -> bytes:
    """Decode a base64url KEK and check it is 256 bits."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyEncryptionError("the key-encryption key is not base64url") from exc
    if len(raw) != 32:
        raise KeyEncryptionError(
            f"the key-encryption key must be 32 bytes, got {len(raw)}"
        )
    return raw


def new_kek() -> str:
    """A fresh random KEK, base64url without padding."""
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def seal_private_key(pem: bytes, kek: bytes, aad: str) -> bytes:
    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(kek).encrypt(nonce, pem, aad.encode())


def unseal_private_key(blob: bytes, kek: bytes, aad: str) -> bytes:
    try:
        return AESGCM(kek).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad.encode())
    except InvalidTag as exc:
        raise KeyEncryptionError(
            "a private key does not open under the configured key-encryption key"
        ) from exc
