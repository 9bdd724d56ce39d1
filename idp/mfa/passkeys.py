"""Passkeys: WebAuthn registration and authentication (Duo Labs' py_webauthn).

What is checked, and why:

- **User verification is required** in both ceremonies (``userVerification: required``, and
  the UV flag checked by the server): a passkey used here always proves possession of the
  authenticator *and* the person's PIN, pattern or biometric checked on it.
- **The challenge is server-side and used once**: kept in the pending store
  (:mod:`idp.store.pending`, sealed, five minutes), bound to the tenant (its row is the
  tenant's) and to the account (registration, second factor) or the pending authorization
  request (login); taken out of the store *before* the response is verified, so a replayed
  response, right or wrong, finds nothing.
- **RP ID** is the host of ``[server] public_url``, **origin** its scheme and host: a
  response made for another site (phishing) is refused.
- **The signature counter** is stored and must grow (WebAuthn §6.1.1); one that goes back
  tells of a cloned authenticator and is refused. Authenticators that keep no counter (0
  each time, as synced passkeys do) are accepted, as the specification says.
- Several credentials per account, each named; the same credential twice in the tenant is
  refused (``excludeCredentials`` tells the browser, the unique constraint makes sure).

**Level (acr).** A passkey with user verification is a multi-factor authenticator in one
device: possession (the private key never leaves the authenticator or the person's synced
keychain) and knowledge or inherence (the PIN or biometric the authenticator checks before
signing, the UV flag). The eIDAS implementing regulation (EU) 2015/1502, annex §2.2.1,
asks, for "substantiel", two factors of different categories: what the authenticator
attests when it sets the UV flag (a passkey without it is refused here). Hence ``acr = eidas2`` and ``amr`` (RFC 8176):
``hwk`` for a device-bound key (not backed up: a security key, a platform authenticator),
``swk`` for a synced one (backup state flag set: the key lives in software keychains),
``user`` (user verification: presence and PIN/biometric on the authenticator), and ``mfa``.

Failures are counted with the shared counters (:mod:`idp.security.counters`), per address
and per account when known, locking as the password login does (``[login]`` thresholds).
Every registration, use, failure and removal is an audit event; registration and removal
are told to the person (``passkey_added``, ``passkey_removed``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import (base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json,
                              parse_registration_credential_json)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, CredentialDeviceType,
                                      PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from idp.accounts import credentials
from idp.accounts.service import account_identifier
from idp.security.audit import audit
from idp.store import pending
from idp.store.db import after_commit, db, scoped, scoped_all, scoped_delete, scoped_first, utcnow
from idp.store.models import Account, PasskeyCredential
from idp.web.metrics import count_login

CHALLENGE_TTL = 300           # seconds a ceremony may last (the browser's own timeout is shorter)
TIMEOUT_MS = 120_000
NAME_LENGTH = 64
REGISTER, LOGIN, SECOND_FACTOR = "passkey-register", "passkey-login", "passkey-2fa"
ACR = "eidas2"
# what a malformed answer may raise while parsed or verified: a refusal, never a 500
MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError)
CREDENTIAL_ID = re.compile(r"[A-Za-z0-9_-]{1,1400}")

MESSAGES = {
    "challenge_unknown": _l("Cette demande de clé d'accès a expiré ou a déjà servi. Recommencez."),
    "invalid_response": _l("La clé d'accès n'a pas pu être vérifiée. Recommencez."),
    "unknown_credential": _l("Cette clé d'accès n'est pas enregistrée pour ce compte."),
    "counter_regression": _l("Cette clé d'accès semble avoir été copiée : elle est refusée. "
                             "Contactez le service."),
    "already_registered": _l("Cette clé d'accès est déjà enregistrée."),
    "inactive": _l("Votre compte n'est pas actif."),
    "throttled": _l("Trop de tentatives. Réessayez dans {seconds} secondes."),
    "name": _l("Donnez un nom à cette clé d'accès (64 caractères au plus)."),
}


class PasskeyError(Exception):
    """A ceremony refused: ``code`` for the audit and the tests, ``message`` for the person."""

    def __init__(self, code: str, seconds: int = 0):
        super().__init__(code)
        self.code = code
        self.seconds = seconds

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]).format(seconds=self.seconds)


# -- the relying party ------------------------------------------------------------------

def rp_id() -> str:
    """The host of ``public_url``: every tenant shares it (one origin, tenants are paths)."""
    return urlsplit(current_app.config["IDP_SETTINGS"].server.public_url).hostname


def expected_origin() -> str:
    parts = urlsplit(current_app.config["IDP_SETTINGS"].server.public_url)
    return f"{parts.scheme}://{parts.netloc}"


def credentials_of(account: Account) -> list[PasskeyCredential]:
    return sorted(scoped_all(PasskeyCredential, account_id=account.id), key=lambda row: row.id)


def credential_of(account: Account, passkey_id) -> PasskeyCredential | None:
    if not isinstance(passkey_id, str) or not passkey_id.isascii() or not passkey_id.isdigit() or len(passkey_id) > 9:
        return None   # not a row id (and never an integer the database's column cannot hold)
    return scoped_first(PasskeyCredential, id=int(passkey_id), account_id=account.id)


def clean_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise PasskeyError("name")
    return name


# -- challenges: server-side, bound, once -------------------------------------------------

def _keep_challenge(challenge: bytes, step: str, **bound) -> str:
    """Kept sealed in the pending store (committed: the options are answered next)."""
    _, handle = pending.keep({"challenge": bytes_to_base64url(challenge), **bound}, CHALLENGE_TTL, step=step, kind="passkey")
    return handle


def _take_challenge(handle: str | None, step: str, **bound) -> bytes:
    """The challenge of ``handle``, used up whatever follows (the caller commits): a second
    try with the same response, or another tab's, finds nothing."""
    found = pending.find(handle, step=step, lock=True, kind="passkey")
    if found is None:
        raise PasskeyError("challenge_unknown")
    pending.discard(found, commit=False)
    if any(found.data.get(name) != value for name, value in bound.items()):
        raise PasskeyError("challenge_unknown")
    return base64url_to_bytes(found.data["challenge"])


def _options(options) -> dict:
    return json.loads(options_to_json(options))


# -- registration ----------------------------------------------------------------------

def _user_name(account: Account) -> str:
    """What the authenticator shows in its account list: never a NIR in clear (a synced
    keychain would hold it), the identifier otherwise."""
    value = account_identifier(account)
    scheme = g.tenant.identifier_scheme
    return scheme.mask(value) if scheme.name.startswith("nir") else value


def registration_options(account: Account) -> tuple[str, dict]:
    """``navigator.credentials.create`` options for a new passkey of ``account`` and the
    handle its answer comes back with. A discoverable credential (resident key), so that it
    logs in without typing the identifier; the user handle is the random account id."""
    names = " ".join(n for n in (account.given_name, account.family_name) if n)
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=g.tenant.display_name, user_name=_user_name(account),
        user_id=account.id.encode(), user_display_name=names or _user_name(account), timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.REQUIRED,
                                                               user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id))
                             for row in credentials_of(account)])
    return _keep_challenge(options.challenge, REGISTER, account=account.id), _options(options)


def register(account: Account, handle: str | None, response: str | None, name: str) -> PasskeyCredential:
    """Verify the authenticator's answer and store the credential (flushed, not committed).
    Raises :class:`PasskeyError`."""
    challenge = _take_challenge(handle, REGISTER, account=account.id)
    try:
        parsed = parse_registration_credential_json(response or "")
        verified = verify_registration_response(credential=parsed, expected_challenge=challenge,
                                                expected_rp_id=rp_id(), expected_origin=expected_origin(),
                                                require_user_verification=True)
    except MALFORMED as exc:
        raise PasskeyError("invalid_response") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if scoped_first(PasskeyCredential, credential_id=credential_id) is not None:
        raise PasskeyError("already_registered")
    row = PasskeyCredential(tenant=g.tenant.slug, account_id=account.id, credential_id=credential_id,
                            public_key=verified.credential_public_key, sign_count=verified.sign_count,
                            transports=[t.value for t in (parsed.response.transports or [])], name=name,
                            created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit("passkey.registered", account=account.id, passkey=row.id)
    after_commit(credentials.tell, account, "passkey_added", {"passkey_name": name, "when": credentials._now_text()})
    return row


# -- authentication --------------------------------------------------------------------

def login_options(interaction_handle: str | None) -> tuple[str, dict]:
    """Options for a login with a passkey (no identifier typed: any discoverable credential
    of this site), bound to the pending authorization request, if any."""
    options = generate_authentication_options(rp_id=rp_id(), timeout=TIMEOUT_MS,
                                              user_verification=UserVerificationRequirement.REQUIRED)
    return _keep_challenge(options.challenge, LOGIN, interaction=interaction_handle or ""), _options(options)


def second_factor_options(account: Account) -> tuple[str, dict]:
    """Options for ``account``'s passkeys only (a step up, a second factor after the password)."""
    options = generate_authentication_options(
        rp_id=rp_id(), timeout=TIMEOUT_MS, user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id))
                           for row in credentials_of(account)])
    return _keep_challenge(options.challenge, SECOND_FACTOR, account=account.id), _options(options)


@dataclass
class Used:
    """A verified use: the account, its credential, and the ``amr`` it proves."""
    account: Account
    credential: PasskeyCredential
    amr: list[str]


def _verify(handle, response, step: str, purpose: str, holder: Account | None = None, **bound) -> Used:
    challenge = _take_challenge(handle, step, **bound)
    try:
        parsed = parse_authentication_credential_json(response or "")
    except MALFORMED as exc:
        raise PasskeyError("invalid_response") from exc
    if not isinstance(parsed.id, str) or not CREDENTIAL_ID.fullmatch(parsed.id):
        raise PasskeyError("invalid_response")
    row = scoped_first(PasskeyCredential, credential_id=parsed.id)
    if row is None or (holder is not None and row.account_id != holder.id):
        raise PasskeyError("unknown_credential")
    check_throttle(purpose, row.account_id)   # the account's lock, once the passkey tells whose it is
    user_handle = parsed.response.user_handle
    if user_handle and user_handle != row.account_id.encode():
        raise PasskeyError("invalid_response")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=expected_origin(), credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count, require_user_verification=True)
    except MALFORMED as exc:
        code = "counter_regression" if "sign count" in str(exc) else "invalid_response"
        raise _failure_of(code, row) from exc
    owner = holder or scoped_first(Account, id=row.account_id)
    if owner is None or owner.status != "active":
        raise PasskeyError("inactive")
    row.sign_count, row.last_used_at = verified.new_sign_count, utcnow()
    synced = verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE or verified.credential_backed_up
    return Used(owner, row, ["swk" if synced else "hwk", "user", "mfa"])


def _failure_of(code: str, row: PasskeyCredential) -> PasskeyError:
    error = PasskeyError(code)
    error.account_id = row.account_id
    return error


def login(handle: str | None, response: str | None, interaction_handle: str | None) -> Used:
    """A login with a passkey standing in for the password (the tenant's ``passkey_login``)."""
    used = _verify(handle, response, LOGIN, "login", interaction=interaction_handle or "")
    audit("passkey.used", account=used.account.id, passkey=used.credential.id, purpose="login", amr=used.amr)
    count_login("passkey", "success")
    return used


def second_factor(account: Account, handle: str | None, response: str | None) -> Used:
    """``account``'s passkey as its second factor (after the password, or a step up)."""
    used = _verify(handle, response, SECOND_FACTOR, "second_factor", holder=account, account=account.id)
    audit("passkey.used", account=account.id, passkey=used.credential.id, purpose="second_factor", amr=used.amr)
    return used


# -- names and removal -----------------------------------------------------------------

def rename(account: Account, row: PasskeyCredential, name: str) -> None:
    row.name = name
    audit("passkey.renamed", account=account.id, passkey=row.id)


def remove(account: Account, row: PasskeyCredential) -> None:
    """Gone from the account (not committed); the person is told once it is."""
    name, passkey_id = row.name, row.id
    db.session.execute(scoped_delete(PasskeyCredential, id=passkey_id, account_id=account.id),
                       execution_options={"synchronize_session": False})
    db.session.expunge(row)
    audit("passkey.removed", account=account.id, passkey=passkey_id)
    after_commit(credentials.tell, account, "passkey_removed", {"passkey_name": name, "when": credentials._now_text()})


# -- throttling ------------------------------------------------------------------------

def _keys(account_id: str | None) -> list[tuple[str, str, int]]:
    settings = current_app.config["IDP_SETTINGS"].login
    keys = [("address", f"passkey-ip:{g.tenant.slug}:{request.remote_addr}", settings.max_failures_per_address)]
    if account_id:
        keys.append(("account", f"passkey:{g.tenant.slug}:{account_id}", settings.max_failures))
    return keys


def check_throttle(purpose: str, account_id: str | None = None) -> None:
    """Raises ``throttled`` while a lock of the address (or the account) lasts."""
    counters = current_app.extensions["idp_counters"]
    for scope, key, _ in _keys(account_id):
        wait = counters.locked_for("lock:" + key)
        if wait:
            audit("passkey.throttled", "failure", purpose=purpose, scope=scope)
            raise PasskeyError("throttled", seconds=wait)


def failed(purpose: str, error: PasskeyError, account_id: str | None = None) -> None:
    """Audit a refused ceremony and count it: at each threshold a lock doubling from
    ``[login] lockout_seconds``, as a wrong password."""
    account_id = account_id or getattr(error, "account_id", None)
    audit("passkey.failure", "failure", purpose=purpose, reason=error.code, account=account_id)
    if purpose == "login":
        count_login("passkey", "locked" if error.code == "throttled" else "failure")
    if error.code in ("throttled", "name"):
        return
    settings = current_app.config["IDP_SETTINGS"].login
    counters = current_app.extensions["idp_counters"]
    for _, key, threshold in _keys(account_id):
        failures = counters.incr(key, 86400)
        if failures % threshold == 0:
            counters.lock("lock:" + key, min(3600, settings.lockout_seconds * 2 ** (failures // threshold - 1)))


# -- the factor, for the second-factor registry (idp/mfa/factors.py) ---------------------

@dataclass(frozen=True)
class PasskeyFactor:
    """A passkey as one of the account's second factors: what the registry asks of a factor."""
    name: str = "passkey"
    amr: tuple[str, ...] = ("hwk", "swk", "user")   # one of hwk/swk, with user
    acr: str = ACR

    def enrolled(self, account: Account) -> bool:
        query = scoped(PasskeyCredential, account_id=account.id).with_only_columns(PasskeyCredential.id).limit(1)
        return db.session.execute(query).first() is not None

    def options(self, account: Account) -> tuple[str, dict]:
        return second_factor_options(account)

    def verify(self, account: Account, handle: str | None, response: str | None) -> Used:
        """Raises :class:`PasskeyError`; counts and audits the failure before raising."""
        check_throttle("second_factor", account.id)
        try:
            return second_factor(account, handle, response)
        except PasskeyError as error:
            failed("second_factor", error, account.id)
            raise


PASSKEY_FACTOR = PasskeyFactor()
