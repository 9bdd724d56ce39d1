"""DPoP (RFC 9449): access tokens bound to a key the client proves it holds.

A proof is a JWS the client signs per request with a key of its own, whose public half is
in the header (``jwk``). Checked here, in this order (RFC 9449 §4.3), each refusal an
``invalid_dpop_proof`` (400 at the token endpoint, 401 with a ``DPoP`` challenge at userinfo):

- one proof, compact JWS, ``typ`` ``dpop+jwt``, ``alg`` one of :data:`ALGS` (asymmetric),
  ``jwk`` a public key only, the signature verified with it;
- ``htm`` the request's method, ``htu`` the endpoint's URL under the tenant's issuer (query
  and fragment ignored, as §4.3 says), ``iat`` within :data:`IAT_WINDOW` seconds of now;
- ``jti`` used once: remembered in the shared counters (:mod:`idp.security.counters`) for as
  long as the ``iat`` window accepts the proof. Should Redis be down, the counters are per
  process for a while; the server nonce below still bounds a replay to minutes;
- at the token endpoint a server nonce is **always** required (§8): a proof without it, or
  with an old one, is answered ``use_dpop_nonce`` with the nonce to use in ``DPoP-Nonce``,
  and every DPoP token response carries the current one. Clients that speak DPoP retry
  once (openid-client does); a pre-computed proof stolen from a client is useless past
  :data:`NONCE_WINDOW`. Nonces are stateless: an HMAC of the tenant and the time window
  under the server's secret key, valid for the current and the previous window. At
  userinfo a nonce is not required (the access token's own lifetime bounds the replay),
  but one given must be valid;
- at a resource endpoint, ``ath`` is the SHA-256 of the access token presented (§4.2) and
  the key is the one the token is bound to (``cnf.jkt``, the RFC 7638 thumbprint, §6.1);
- the authorization code is bound (§10) when the client names a key before it has one: a
  proof sent to ``/par`` or a ``dpop_jkt`` parameter; its token request must then prove it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from contextlib import contextmanager

from flask import current_app, g, request
from joserfc import jws
from joserfc.jws import JWSRegistry
from joserfc.errors import JoseError
from joserfc.jwk import import_key

from idp.oidc.errors import (
    DPOP_ALGS, InvalidDPoPProof, InvalidDPoPProofAtResource, InvalidDPoPToken, ProtocolError, UseDPoPNonce,
    UseDPoPNonceAtResource,
)
from idp.security.audit import audit

ALGS = DPOP_ALGS   # one list for the proofs checked and the challenges' algs
IAT_WINDOW = 60        # seconds a proof's iat may be off from now, either way
NONCE_WINDOW = 300     # seconds a server nonce is current (accepted one window more)
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
MAX_HEADER = 2048      # bytes: the header carries the key, an RSA 4096 one included (joserfc's default is 512)


def _registry(alg: str) -> JWSRegistry:
    registry = JWSRegistry(algorithms=[alg])
    registry.max_header_length = MAX_HEADER
    return registry


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token_hash(token: str) -> str:
    """``ath`` (RFC 9449 §4.2): base64url of the SHA-256 of the access token's ASCII."""
    return _b64(hashlib.sha256(token.encode("ascii", "replace")).digest())


# -- server nonces -----------------------------------------------------------------------------

def _nonce_for(window: int) -> str:
    key = current_app.config["IDP_SETTINGS"].server.secret_key.encode()
    mac = hmac.new(key, f"dpop-nonce\0{g.tenant.slug}\0{window}".encode(), hashlib.sha256).digest()[:18]
    return f"{window}.{_b64(mac)}"


def current_nonce() -> str:
    return _nonce_for(int(time.time()) // NONCE_WINDOW)


def nonce_is_valid(nonce) -> bool:
    if not isinstance(nonce, str):
        return False
    window = int(time.time()) // NONCE_WINDOW
    return any(hmac.compare_digest(nonce, _nonce_for(w)) for w in (window, window - 1))


# -- proofs ------------------------------------------------------------------------------------

class Refusal:
    """The two error classes of the endpoint: the token endpoint's, or a resource's."""

    def __init__(self, at_resource: bool):
        self.proof = InvalidDPoPProofAtResource if at_resource else InvalidDPoPProof
        self.nonce = UseDPoPNonceAtResource if at_resource else UseDPoPNonce

    def invalid(self, description: str):
        audit("dpop.refused", "failure", reason=description[:60])
        error = self.proof(description)
        error.nonce = current_nonce()
        return error

    def use_nonce(self, description: str):
        error = self.nonce(description)
        error.nonce = current_nonce()
        return error


def _header(proof: str) -> dict:
    try:
        head = proof.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, UnicodeDecodeError, IndexError):
        return {}
    return header if isinstance(header, dict) else {}


def _verified_claims(proof: str, refuse: Refusal) -> tuple[dict, str]:
    """The proof's claims and its key's thumbprint, once header and signature are checked."""
    if proof.count(".") != 2 or len(proof) > 3 * MAX_HEADER:
        raise refuse.invalid("The DPoP proof is not a compact JWS.")
    header = _header(proof)
    if header.get("typ") != "dpop+jwt":
        raise refuse.invalid("The DPoP proof's typ must be dpop+jwt.")
    if header.get("alg") not in ALGS:
        raise refuse.invalid(f"The DPoP proof's alg must be one of {', '.join(ALGS)}.")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or PRIVATE_MEMBERS & set(jwk):
        raise refuse.invalid("The DPoP proof's jwk must be a public key.")
    try:
        key = import_key(jwk)
        if key.key_type not in ("EC", "RSA"):
            raise ValueError(key.key_type)
        signed = jws.deserialize_compact(proof, key, registry=_registry(header["alg"]))
        claims = json.loads(signed.payload)
    except (JoseError, ValueError, TypeError, KeyError):
        raise refuse.invalid("The DPoP proof's signature does not verify with its jwk.") from None
    if not isinstance(claims, dict):
        raise refuse.invalid("The DPoP proof's payload is not a JSON object.")
    return claims, key.thumbprint()


def _check_claims(claims: dict, url: str, refuse: Refusal) -> None:
    if claims.get("htm") != request.method:
        raise refuse.invalid("The DPoP proof's htm is not the request's method.")
    htu = claims.get("htu")
    if not isinstance(htu, str) or htu.split("#")[0].split("?")[0] != url:
        raise refuse.invalid("The DPoP proof's htu is not this endpoint's URL.")
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool) or abs(time.time() - iat) > IAT_WINDOW:
        raise refuse.invalid("The DPoP proof's iat is missing or too far from now.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise refuse.invalid("The DPoP proof has no jti.")


def _first_use(jti: str, jkt: str) -> bool:
    digest = hashlib.sha256(f"{g.tenant.slug}\0{jkt}\0{jti}".encode("utf-8", "surrogatepass")).hexdigest()
    return current_app.extensions["idp_counters"].incr(f"dpop-jti:{digest}", 2 * IAT_WINDOW + 5) == 1


def check_proof(url: str, *, access_token: str | None = None, nonce_required: bool = True) -> str | None:
    """The thumbprint of the key of the request's DPoP proof, None without a proof; raises
    ``invalid_dpop_proof`` or ``use_dpop_nonce`` (token endpoint's or resource's kind as
    ``access_token`` is given) for a proof refused."""
    refuse = Refusal(at_resource=access_token is not None)
    proofs = request.headers.getlist("DPoP")
    if not proofs:
        return None
    if len(proofs) != 1 or "," in proofs[0]:   # repeated headers may arrive joined by commas
        raise refuse.invalid("Exactly one DPoP proof is allowed.")
    claims, jkt = _verified_claims(proofs[0], refuse)
    g.dpop_alg = _header(proofs[0]).get("alg")
    _check_claims(claims, url, refuse)
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise refuse.invalid("The DPoP proof's ath is not the hash of the access token.")
    nonce = claims.get("nonce")
    if nonce is None and nonce_required:
        raise refuse.use_nonce("A server nonce is required in the DPoP proof.")
    if nonce is not None and not nonce_is_valid(nonce):
        raise refuse.use_nonce("The DPoP proof's nonce is not current.")
    if not _first_use(claims["jti"], jkt):
        raise refuse.invalid("The DPoP proof has been used already.")
    return jkt


# -- pushed authorization requests (§10) -------------------------------------------------------

def bind_pushed_request(params: dict) -> None:
    """A DPoP proof sent to ``/par`` binds the code to its key: its thumbprint becomes the
    request's ``dpop_jkt`` (which a client may also send itself, there or at ``/authorize``),
    stored on the code. With both, they must agree (§10.1). Decision: no server nonce is
    required here (one given must be current): the binding only names a key, and the token
    request, which always requires a nonce, proves it again."""
    jkt = check_proof(f"{g.tenant.issuer}/par", nonce_required=False)
    if jkt is None:
        return
    if params.get("dpop_jkt", jkt) != jkt:
        raise Refusal(at_resource=False).invalid("The DPoP proof's key is not the one dpop_jkt names.")
    params["dpop_jkt"] = jkt


# -- the token endpoint ------------------------------------------------------------------------

def read_token_request_proof() -> None:
    """Check the token request's proof, before any grant runs (the view calls it); the key's
    thumbprint is kept for the token generator and the refresh grant (``g.dpop_jkt``)."""
    g.dpop_jkt = check_proof(f"{g.tenant.issuer}/token")


def proof_key() -> str | None:
    return getattr(g, "dpop_jkt", None)


def binding_for(client) -> str | None:
    """The thumbprint the tokens being issued to ``client`` are bound to, or None; a client
    registered with ``dpop_bound_access_tokens`` without a proof is refused (RFC 9449 §5.2)."""
    jkt = proof_key()
    if jkt is None and (client.row.dpop_bound_access_tokens or client.profile.requires_dpop):
        raise Refusal(at_resource=False).invalid("This client must send a DPoP proof.")
    algs = client.profile.signing_algs
    if jkt is not None and algs and getattr(g, "dpop_alg", None) not in algs:
        raise Refusal(at_resource=False).invalid(
            f"{client.profile.title} allows DPoP proofs in {' or '.join(algs)} only.")
    return jkt


def check_code_binding(bound_jkt: str | None) -> None:
    """A code bound to a key at ``/par`` or with ``dpop_jkt`` (§10) is exchanged only with a
    proof of that key; refused before the code is spent, so a thief without the key cannot
    burn the client's code."""
    if bound_jkt is not None and proof_key() != bound_jkt:
        raise Refusal(at_resource=False).invalid("The authorization code is bound to another DPoP key.")


def check_refresh_binding(bound_jkt: str | None) -> None:
    """A refresh token bound to a key (a public client's, §5) is only used with a proof of it."""
    if bound_jkt is not None and proof_key() != bound_jkt:
        raise Refusal(at_resource=False).invalid("The refresh token is bound to another DPoP key.")


def add_nonce(response) -> None:
    """The nonce for the client's next proof, on every response to a DPoP request (§8.2)."""
    if request.headers.get("DPoP"):
        response.headers["DPoP-Nonce"] = current_nonce()


# -- resource endpoints (userinfo) -------------------------------------------------------------

@contextmanager
def challenged_as(scheme: str):
    """A resource endpoint's refusals, challenged with the scheme the token came with: a token
    sent as ``DPoP`` that fails (expired, revoked, not ours, scope, account) gets a ``DPoP``
    challenge with ``algs`` (RFC 9449 §7.1), not a ``Bearer`` one a DPoP client would not
    read as meant for it."""
    try:
        yield
    except ProtocolError as error:
        if scheme == "dpop" and hasattr(error, "scheme"):
            error.scheme = "DPoP"
        raise


def check_resource_request(token: str, scheme: str, claims: dict, url: str) -> None:
    """A DPoP-bound token (``cnf.jkt``) only with the ``DPoP`` scheme and a proof of its key,
    ``ath`` its hash (RFC 9449 §7); a bound token sent as Bearer, or an unbound one as DPoP,
    is refused."""
    bound = (claims.get("cnf") or {}).get("jkt") if isinstance(claims.get("cnf"), dict) else None
    if bound is None:
        if scheme == "dpop":
            raise InvalidDPoPToken("The access token is not DPoP-bound: present it as Bearer.")
        return
    if scheme != "dpop":
        raise InvalidDPoPToken("The access token is DPoP-bound: present it with the DPoP scheme and a proof.")
    jkt = check_proof(url, access_token=token, nonce_required=False)
    if jkt is None:
        raise Refusal(at_resource=True).invalid("A DPoP proof is required with a DPoP-bound access token.")
    if jkt != bound:
        raise Refusal(at_resource=True).invalid("The DPoP proof's key is not the one the token is bound to.")
