"""Identity-document verification, behind one connector interface.

``EmbeddedDocumentVerifier`` (the default) relies on the format and ICAO 9303 check digit
that ``policies`` verifies, and refuses the numbers of a local list of documents declared
lost or stolen (demo data); ``HttpDocumentVerifier`` asks the production service:
``POST {base_url}/verifications`` with ``{"kind", "number", "birth_name", "given_names",
"birthdate"}`` and a bearer token, answering ``{"valid": true|false}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests


class VerifierUnavailable(Exception):
    pass


@dataclass(frozen=True)
class EmbeddedDocumentVerifier:
    reported: frozenset[str] = frozenset({"X4RTBPFW4"})  # the public specimen is never valid

    def verify(self, kind: str, number: str, identity: dict) -> bool:
        return number not in self.reported


@dataclass(frozen=True)
class HttpDocumentVerifier:
    base_url: str
    token: str
    timeout: float = 5.0

    def verify(self, kind: str, number: str, identity: dict) -> bool:
        try:
            response = requests.post(f"{self.base_url.rstrip('/')}/verifications", timeout=self.timeout,
                                     headers={"Authorization": f"Bearer {self.token}"},
                                     json={"kind": kind, "number": number, **identity})
            if response.status_code >= 500:
                raise VerifierUnavailable(f"status {response.status_code}")
            response.raise_for_status()
            return bool(response.json()["valid"])
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise VerifierUnavailable(type(exc).__name__) from exc


def verifier_from_config(config: dict):
    kind = config.get("kind", "embedded")
    if kind == "embedded":
        return EmbeddedDocumentVerifier()
    if kind == "http":
        for key in ("base_url", "token"):
            if not config.get(key):
                raise ValueError(f"document_verifier.{key}: required for kind 'http'")
        return HttpDocumentVerifier(config["base_url"], config["token"], float(config.get("timeout", 5)))
    raise ValueError(f"document_verifier.kind: unknown {kind!r} (embedded or http)")
