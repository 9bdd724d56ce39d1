"""Thread-safe caches of an upstream's metadata: discovery document and JWKS.

- Discovery: OpenID Connect Discovery 1.0 §4; the document's ``issuer`` must be the one we
  expect (§4.3), otherwise an attacker able to serve the document could impersonate another
  issuer. Cached for ``ttl`` seconds.
- JWKS: RFC 7517, fetched from ``jwks_uri`` and cached for ``ttl`` seconds. Upstreams rotate
  their signing keys (franceconnect.md §10: "cache with refetch-on-failure"), so a token signed
  with an unknown key triggers one refetch (:meth:`JWKSCache.refreshed`). Refetches forced this
  way are spaced by ``min_refresh_interval`` so that a stream of forged tokens cannot turn the
  IdP into a traffic amplifier against the upstream.

The IdP serves requests from several threads: each cache holds a lock, and the network fetch
happens under it so that concurrent logins cause a single fetch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from .errors import UpstreamError

__all__ = ["DiscoveryCache", "JWKSCache"]

FetchJSON = Callable[[str], dict]
Clock = Callable[[], float]


class DiscoveryCache:
    """The discovery document of one issuer, refetched after ``ttl`` seconds."""

    def __init__(self, fetch: FetchJSON, url: str, expected_issuer: str | None, ttl: float, clock: Clock) -> None:
        self._fetch, self._url, self._ttl, self._clock = fetch, url, ttl, clock
        self._expected_issuer = expected_issuer or _issuer_from_discovery_url(url)
        self._lock = threading.Lock()
        self._document: dict | None = None
        self._fetched_at = 0.0

    def get(self) -> dict:
        """Return the cached document, fetching it when absent or older than the TTL."""
        with self._lock:
            if self._document is None or self._clock() - self._fetched_at >= self._ttl:
                document = self._fetch(self._url)
                self._check(document)
                self._document, self._fetched_at = document, self._clock()
            return self._document

    def _check(self, document: dict) -> None:
        if document.get("issuer") != self._expected_issuer:
            raise UpstreamError("config", "discovery issuer differs from the expected issuer")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str):
                raise UpstreamError("config", f"discovery document lacks {name}")


def _issuer_from_discovery_url(url: str) -> str:
    """Discovery §4: the document lives at ``<issuer>/.well-known/openid-configuration``."""
    suffix = "/.well-known/openid-configuration"
    return url[: -len(suffix)] if url.endswith(suffix) else url


class JWKSCache:
    """The upstream's public signing keys, with one refetch on rotation."""

    def __init__(self, fetch: FetchJSON, ttl: float, clock: Clock, min_refresh_interval: float = 10.0) -> None:
        self._fetch, self._ttl, self._clock = fetch, ttl, clock
        self._min_refresh_interval = min_refresh_interval
        self._lock = threading.Lock()
        self._uri: str | None = None
        self._keys: tuple[Key, ...] | None = None
        self._fetched_at = 0.0
        self._forced_at: float | None = None

    def get(self, uri: str) -> tuple[Key, ...]:
        """Return the cached keys of ``uri``, fetching them when absent, stale or moved."""
        with self._lock:
            if self._keys is None or uri != self._uri or self._clock() - self._fetched_at >= self._ttl:
                self._load(uri)
            return self._keys

    def refreshed(self, uri: str, seen: tuple[Key, ...]) -> tuple[Key, ...] | None:
        """Keys newer than ``seen``, or None when there is nothing new to try.

        When another thread already refreshed the set, its result is returned without a fetch;
        otherwise the JWKS is refetched, unless a forced refetch happened too recently.
        """
        with self._lock:
            if self._keys is not seen and self._uri == uri:
                return self._keys
            now = self._clock()
            if self._forced_at is not None and now - self._forced_at < self._min_refresh_interval:
                return None
            self._forced_at = now
            self._load(uri)
            return self._keys

    def _load(self, uri: str) -> None:
        self._keys = _import_signing_keys(self._fetch(uri))
        self._uri, self._fetched_at = uri, self._clock()


def _import_signing_keys(document: dict) -> tuple[Key, ...]:
    """Import the keys of a JWKS document, leaving out encryption keys (``use: enc``)."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise UpstreamError("config", "JWKS document has no keys array")
    signing = [entry for entry in entries if isinstance(entry, dict) and entry.get("use", "sig") == "sig"]
    try:
        return tuple(KeySet.import_key_set({"keys": signing}).keys) if signing else ()
    except (JoseError, ValueError, TypeError):
        raise UpstreamError("config", "JWKS document holds an unreadable key") from None
