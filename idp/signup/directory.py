"""The insurer's reference directory that ameli's signup checks an identity against
(seed 002), behind one connector interface.

- ``CsvDirectory``: the embedded default, reading ``data/demo_beneficiaries.csv`` (fictional
  demo beneficiaries; columns: nir (13-character body), birth_name, usage_name,
  given_names, birthdate, postal_code, iban_last7, vitale_serials (``;``-separated),
  address (lines separated by ``|``)).
- ``HttpDirectory``: production, ``GET {base_url}/beneficiaries/{nir}`` with a bearer token,
  answering the same fields as JSON (``vitale_serials`` a list, ``address`` a list of lines);
  404 means unknown; timeouts, 5xx and malformed answers raise ``DirectoryUnavailable``.

A mismatch never tells the person which field was wrong (one message); the reason is kept
for the audit log.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

import csv
import hmac
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import requests

DEMO_FILE = Path(__file__).parent / "data" / "demo_beneficiaries.csv"
MISMATCH = _l("Les informations saisies ne correspondent pas à nos données.")


class DirectoryUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Beneficiary:
    nir: str
    birth_name: str
    given_names: str
    birthdate: str
    postal_code: str
    iban_last7: str
    vitale_serials: frozenset[str]
    usage_name: str = ""
    address: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Match:
    ok: bool
    reason: str = ""          # for the audit log only: not_found, name, birthdate, postal_code, iban, vitale

    @property
    def message(self) -> str:
        return "" if self.ok else MISMATCH


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().upper()
    return "".join(ch for ch in text if ch.isalpha())


def match_identity(beneficiary: Beneficiary | None, name: str, birthdate: str, postal_code: str) -> Match:
    if beneficiary is None:
        return Match(False, "not_found")
    if _fold(name) not in {_fold(beneficiary.birth_name), _fold(beneficiary.usage_name)} - {""}:
        return Match(False, "name")
    if birthdate != beneficiary.birthdate:
        return Match(False, "birthdate")
    if postal_code != beneficiary.postal_code:
        return Match(False, "postal_code")
    return Match(True)


def match_documents(beneficiary: Beneficiary, iban_last7: str, vitale_serial: str) -> Match:
    if not hmac.compare_digest(iban_last7.upper(), beneficiary.iban_last7.upper()):
        return Match(False, "iban")
    if not any(hmac.compare_digest(vitale_serial, s) for s in beneficiary.vitale_serials):
        return Match(False, "vitale")
    return Match(True)


def _beneficiary(row: dict) -> Beneficiary:
    serials = row.get("vitale_serials") or []
    address = row.get("address") or []
    return Beneficiary(
        nir=row["nir"][:13], birth_name=row["birth_name"], usage_name=row.get("usage_name") or "",
        given_names=row["given_names"], birthdate=row["birthdate"], postal_code=row["postal_code"],
        iban_last7=row["iban_last7"],
        vitale_serials=frozenset(serials.split(";") if isinstance(serials, str) else serials),
        address=tuple(address.split("|") if isinstance(address, str) else address),
    )


class CsvDirectory:
    def __init__(self, path: str | Path = DEMO_FILE):
        with open(path, encoding="utf-8", newline="") as f:
            self._rows = {row["nir"][:13]: _beneficiary(row) for row in csv.DictReader(f)}

    def find(self, nir13: str) -> Beneficiary | None:
        return self._rows.get(nir13)


class HttpDirectory:
    def __init__(self, base_url: str, token: str, timeout: float = 5.0):
        self.base_url, self.token, self.timeout = base_url.rstrip("/"), token, timeout

    def find(self, nir13: str) -> Beneficiary | None:
        try:
            response = requests.get(f"{self.base_url}/beneficiaries/{nir13}", timeout=self.timeout,
                                    headers={"Authorization": f"Bearer {self.token}"})
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise DirectoryUnavailable(f"status {response.status_code}")
            return _beneficiary(response.json())
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise DirectoryUnavailable(type(exc).__name__) from exc


def directory_from_config(config: dict):
    kind = config.get("kind", "csv")
    if kind == "csv":
        return CsvDirectory(config.get("path") or DEMO_FILE)
    if kind == "http":
        for key in ("base_url", "token"):
            if not config.get(key):
                raise ValueError(f"directory.{key}: required for kind 'http'")
        return HttpDirectory(config["base_url"], config["token"], float(config.get("timeout", 5)))
    raise ValueError(f"directory.kind: unknown {kind!r} (csv or http)")
