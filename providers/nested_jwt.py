"""Opening the JWTs an upstream sends: optional JWE (RFC 7516) around a JWS (RFC 7515).

OIDC Core 1.0 §10.2 and §16.14: a token that is both signed and encrypted is signed first,
then encrypted ("nested JWT", JWE header ``cty: JWT``). FranceConnect+ sends its ID token and
userinfo that way (franceconnect.md §4). These helpers only do the JOSE part with joserfc;
the caller decides which error code a malformed token earns and refetches the JWKS on a
signature failure.

Keys are chosen by ``kid`` when the header carries one; without a ``kid`` every key of the
right type is tried, because some upstreams publish several keys and omit the ``kid``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence

from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import Key

from .errors import UpstreamError, safe_value

__all__ = [
    "ENCRYPTION_ALGS",
    "CONTENT_ENCRYPTION",
    "REFUSED_SIGNING_ALGS",
    "SignatureInvalid",
    "is_encrypted",
    "decrypt",
    "signing_alg",
    "verify",
]

#: Key management algorithms accepted for nested JWTs (franceconnect.md §4, FC+).
ENCRYPTION_ALGS = ("RSA-OAEP", "RSA-OAEP-256", "ECDH-ES")
#: Content encryption accepted for nested JWTs (franceconnect.md §4: A256GCM only).
CONTENT_ENCRYPTION = ("A256GCM",)
#: Never accepted for signatures: ``none`` is no signature; HS* would make the upstream's
#: client_secret (or, in an alg-confusion attack, its public key) a verification key.
REFUSED_SIGNING_ALGS = frozenset({"none", "HS256", "HS384", "HS512"})

_KEY_TYPE_FOR_ALG = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP", "RSA-OAEP": "RSA", "ECDH-ES": "EC"}


class SignatureInvalid(Exception):
    """No key of the set verifies the JWS: the caller may refetch the JWKS and retry."""


def is_encrypted(compact: str) -> bool:
    """A compact JWE has five parts, a compact JWS three."""
    return compact.count(".") == 4


def _key_type(alg: str) -> str | None:
    for prefix in sorted(_KEY_TYPE_FOR_ALG, key=len, reverse=True):
        if alg.startswith(prefix):
            return _KEY_TYPE_FOR_ALG[prefix]
    return None


def _candidates(keys: Iterable[Key], header: dict, use: str) -> list[Key]:
    """Keys that may have produced (or may open) a token with this header."""
    kty = _key_type(str(header.get("alg", "")))
    kid = header.get("kid")
    found = []
    for key in keys:
        if key.key_type != kty or key.get("use") not in (None, use):
            continue
        if key.get("alg") not in (None, header.get("alg")):
            continue
        if kid is None or key.kid == kid:
            found.append(key)
    return found


def decrypt(compact: str, keys: Sequence[Key], *, code: str) -> str:
    """Decrypt a compact JWE with our private keys and return the nested compact JWS.

    Only ``ENCRYPTION_ALGS`` with ``A256GCM`` are accepted; anything else, a missing key or a
    failed decryption raises ``UpstreamError(code)``.
    """
    try:
        header = _protected_header(compact)
    except ValueError:
        raise UpstreamError(code, "encrypted token is malformed") from None
    alg, enc = header.get("alg"), header.get("enc")
    if alg not in ENCRYPTION_ALGS or enc not in CONTENT_ENCRYPTION:
        raise UpstreamError(code, f"encryption {safe_value(alg)}/{safe_value(enc)} not allowed")
    for key in _candidates(keys, header, "enc"):
        try:
            plaintext = jwe.decrypt_compact(compact, key, algorithms=[*ENCRYPTION_ALGS, *CONTENT_ENCRYPTION])
        except (JoseError, ValueError):
            continue
        nested = (plaintext.plaintext or b"").decode("ascii", "replace")
        if nested.count(".") != 2:
            raise UpstreamError(code, "encrypted token does not contain a signed JWT")
        return nested
    raise UpstreamError(code, "encrypted token cannot be decrypted with our keys")


def _protected_header(compact: str) -> dict:
    """Decode the first part of a compact JOSE object without trusting it."""
    first = compact.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
        header = json.loads(raw)
    except (ValueError, TypeError):
        raise ValueError("bad header") from None
    if not isinstance(header, dict):
        raise ValueError("bad header")
    return header


def signing_alg(compact: str, *, code: str) -> tuple[dict, str]:
    """Return the (unverified) header and ``alg`` of a compact JWS, or raise ``UpstreamError(code)``."""
    if compact.count(".") != 2:
        raise UpstreamError(code, "token is not a compact JWS")
    try:
        header = _protected_header(compact)
    except ValueError:
        raise UpstreamError(code, "token header is malformed") from None
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise UpstreamError(code, "token header has no alg")
    return header, alg


def verify(compact: str, keys: Iterable[Key], header: dict, allowed_algs: Sequence[str], *, code: str) -> dict:
    """Verify a compact JWS with one of ``keys`` and return its JSON claims.

    Raises ``SignatureInvalid`` when no key verifies it (unknown ``kid`` included), so the
    caller can refetch a rotated JWKS; a payload that is not a JSON object raises
    ``UpstreamError(code)``.
    """
    for key in _candidates(keys, header, "sig"):
        try:
            token = jws.deserialize_compact(compact, key, algorithms=list(allowed_algs))
        except (JoseError, ValueError):
            continue
        return _claims(token.payload, code=code)
    raise SignatureInvalid()


def _claims(payload: bytes, *, code: str) -> dict:
    try:
        claims = json.loads(payload)
    except ValueError:
        raise UpstreamError(code, "token payload is not JSON") from None
    if not isinstance(claims, dict):
        raise UpstreamError(code, "token payload is not a JSON object")
    return claims
