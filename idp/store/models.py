"""Durable state: clients, accounts, keys, interactions, sessions, codes, tokens, consents.

All rows but the deny list belong to a tenant and are read through :func:`idp.store.db.scoped`.
Times are naive UTC.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, false, func)
from sqlalchemy.orm import Mapped, mapped_column

from idp.store.db import db, utcnow


def _uuid() -> str:
    return str(uuid.uuid4())


class TenantOwned:
    tenant: Mapped[str] = mapped_column(String(32), index=True)


class Client(TenantOwned, db.Model):
    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("tenant", "client_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    auth_method: Mapped[str] = mapped_column(String(40))
    first_party: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(Text)
    redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    grant_types: Mapped[list] = mapped_column(JSON, default=list)
    backchannel_logout_uri: Mapped[str | None] = mapped_column(Text)
    jwks: Mapped[dict | None] = mapped_column(JSON)
    id_token_signed_response_alg: Mapped[str] = mapped_column(String(10), default="RS256")
    # None: userinfo as JSON; an alg: userinfo as a signed JWT (application/jwt, OIDC Core 5.3.2)
    userinfo_signed_response_alg: Mapped[str | None] = mapped_column(String(10))
    # "franceconnect": the client is FranceConnect, this IdP being one of its identity providers
    profile: Mapped[str | None] = mapped_column(String(32))
    # RFC 9126 §6: /authorize only with a request_uri from /par
    require_pushed_authorization_requests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # RFC 9449 §5.2: every token request of this client carries a DPoP proof
    dpop_bound_access_tokens: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the lowest level this client accepts ("eidas2": every login with a second factor)
    require_acr: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    # OIDC Core §8: "public" (the account id) or "pairwise" (idp/oidc/subjects.py)
    subject_type: Mapped[str] = mapped_column(String(10), default="public", server_default="public")
    sector_identifier_uri: Mapped[str | None] = mapped_column(Text)


class Account(TenantOwned, db.Model):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("tenant", "identifier_index"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    # never the identifier in clear (it may be a NIR): see idp.security.vault
    identifier_index: Mapped[str] = mapped_column(String(64))
    identifier_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="active")
    email: Mapped[str | None] = mapped_column(String(255))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_number: Mapped[str | None] = mapped_column(String(32))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    birthdate: Mapped[str | None] = mapped_column(String(10))
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)


# accounts are looked up by email case-insensitively (login by email, email already in use,
# "identifiant oublié"): without this index each lookup reads every account of the tenant
Index("ix_accounts_tenant_lower_email", Account.tenant, func.lower(Account.email))


class SigningKey(TenantOwned, db.Model):
    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("tenant", "kid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(100))
    alg: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict] = mapped_column(JSON)
    sealed_private: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[object | None] = mapped_column(DateTime)
    retired_at: Mapped[object | None] = mapped_column(DateTime)


class Interaction(TenantOwned, db.Model):
    """A pending authorization request waiting for the login or consent pages."""
    __tablename__ = "interactions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the handle
    params: Mapped[dict] = mapped_column(JSON)
    client_id: Mapped[str] = mapped_column(String(64))
    prompt_done: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(DateTime)


class SsoSession(TenantOwned, db.Model):
    __tablename__ = "sso_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the cookie value
    sid: Mapped[str] = mapped_column(String(64), index=True)       # public id in ID tokens
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str] = mapped_column(String(64))
    amr: Mapped[list] = mapped_column(JSON, default=list)
    client_ids: Mapped[list] = mapped_column(JSON, default=list)
    # came through an upstream provider: its name, and its ID token sealed (the
    # id_token_hint of the upstream logout, RP-initiated logout §2)
    upstream_provider: Mapped[str | None] = mapped_column(String(32))
    upstream_id_token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # when the second factor was last given in this session (max_age applies to it too)
    mfa_time: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(DateTime)


class AuthorizationCode(TenantOwned, db.Model):
    __tablename__ = "authorization_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(64))
    amr: Mapped[list] = mapped_column(JSON, default=list)
    sid: Mapped[str | None] = mapped_column(String(64), index=True)  # a logout voids the session's codes
    claims_request: Mapped[dict | None] = mapped_column(JSON)
    family_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(DateTime)
    used_at: Mapped[object | None] = mapped_column(DateTime)
    # RFC 9449 §10: the key (JWK thumbprint) a proof at /par or dpop_jkt at /authorize named;
    # the token request must prove it (idp/oidc/dpop.py check_code_binding)
    dpop_jkt: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(TenantOwned, db.Model):
    """One refresh token; rotation chains tokens of a ``family`` (one per code exchange)."""
    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(Text)
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(64))
    amr: Mapped[list] = mapped_column(JSON, default=list)
    sid: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(DateTime)
    rotated_at: Mapped[object | None] = mapped_column(DateTime)
    revoked_at: Mapped[object | None] = mapped_column(DateTime)
    # RFC 9449 §5: a public client's refresh token is bound to its DPoP key (RFC 7638 thumbprint)
    dpop_jkt: Mapped[str | None] = mapped_column(String(64))


class IssuedAccessToken(TenantOwned, db.Model):
    """Access tokens issued to a user (not client_credentials): needed to revoke them when
    their code is replayed or their session ends. Written once per code or refresh grant."""
    __tablename__ = "issued_access_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    sid: Mapped[str | None] = mapped_column(String(64), index=True)
    expires_at: Mapped[object] = mapped_column(DateTime)


class Consent(TenantOwned, db.Model):
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("tenant", "account_id", "client_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    # claims granted by name (the ``claims`` parameter) beyond those of the scopes
    claims: Mapped[list] = mapped_column(JSON, default=list)
    granted_at: Mapped[object] = mapped_column(DateTime, default=utcnow)


class RevokedToken(db.Model):
    """Deny list of access-token ``jti`` until their expiry (checked by userinfo and
    introspection). Not tenant-owned: a jti is globally unique and a token is checked
    against the issuing tenant's keys first."""
    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[object] = mapped_column(DateTime, index=True)


class UsedAssertion(TenantOwned, db.Model):
    """``private_key_jwt`` assertions already used (RFC 7523 §3 item 7), until they expire:
    the key is a SHA-256 of tenant, client and ``jti`` (idp/oidc/client_assertion.py). In the
    database, as Hydra's jti blacklist, not in the counters, which forget during a Redis outage."""
    __tablename__ = "used_assertions"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[object] = mapped_column(DateTime, index=True)


class Verification(TenantOwned, db.Model):
    """A code or a link proving control of an email, a phone or a postal address.

    Stored as a keyed hash; single use; expiring; a bounded number of attempts."""
    __tablename__ = "verifications"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    purpose: Mapped[str] = mapped_column(String(40))          # activation, password_reset, ...
    subject: Mapped[str] = mapped_column(String(64), index=True)  # account id or signup id
    channel: Mapped[str] = mapped_column(String(10))          # email | sms | letter
    destination: Mapped[str] = mapped_column(String(255))     # where it was sent (for resend)
    secret_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sends: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    last_sent_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(DateTime)
    used_at: Mapped[object | None] = mapped_column(DateTime)


class Signup(TenantOwned, db.Model):
    """A signup in progress: the steps done and what was typed, sealed (it may hold a NIR);
    the password sealed apart inside it, hashed (Argon2id) once, when the account is created."""
    __tablename__ = "signups"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the cookie handle
    step: Mapped[str] = mapped_column(String(40))
    data_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    interaction_handle: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(DateTime)


class SupportingDocument(TenantOwned, db.Model):
    """A supporting document uploaded by a person without a French identity document
    (caf, seed 003); sealed at rest, checked by an operator before the account opens."""
    __tablename__ = "supporting_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[object] = mapped_column(DateTime, default=utcnow)


class FederatedIdentity(TenantOwned, db.Model):
    """An upstream identity (FranceConnect ``sub``) linked to an account of the tenant.

    The upstream ``sub`` is pairwise (one per relying party), so provider + subject is
    unique within a tenant; it is stored as is (it is not a NIR)."""
    __tablename__ = "federated_identities"
    __table_args__ = (UniqueConstraint("tenant", "provider", "subject"),
                      UniqueConstraint("tenant", "provider", "account_id", name="uq_federated_identities_account"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[object | None] = mapped_column(DateTime)


class PairwiseSubject(TenantOwned, db.Model):
    """A pairwise ``sub`` issued in an access token, and its account (idp/oidc/subjects.py):
    an HMAC cannot be inverted, and userinfo must find the account of the token's ``sub``."""
    __tablename__ = "pairwise_subjects"
    sub: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)


class BackchannelDelivery(TenantOwned, db.Model):
    """A back-channel logout still owed to a client (OIDC Back-Channel Logout §2.5).

    Written with the logout, deleted once the client answered 200/204: a restart between
    the two loses nothing (``idp backchannel deliver`` sends what is due). It holds no token:
    a fresh logout token is signed at each attempt, since they live two minutes."""
    __tablename__ = "backchannel_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    sub: Mapped[str] = mapped_column(String(64))
    sid: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(100))
    next_attempt_at: Mapped[object] = mapped_column(DateTime, default=utcnow, index=True)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)


class PasskeyCredential(TenantOwned, db.Model):
    """A passkey (WebAuthn credential) of an account (idp/mfa/passkeys.py).

    ``credential_id`` is the authenticator's id, base64url (not a secret: the browser sends
    it with every use); ``public_key`` the COSE key it signs with; ``sign_count`` the last
    counter seen (a counter that goes back is refused: a cloned authenticator)."""
    __tablename__ = "passkey_credentials"
    __table_args__ = (UniqueConstraint("tenant", "credential_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[list] = mapped_column(JSON, default=list)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[object | None] = mapped_column(DateTime)


class MfaFactor(TenantOwned, db.Model):
    """A second factor of an account (idp/mfa): its kind (``totp``), a name the person
    reads, its secret sealed under the tenant's key, and for TOTP the last time step
    accepted (a code is accepted once: the step only moves forward, by a conditional UPDATE).
    Unconfirmed (``confirmed_at`` NULL) while the person has not typed the first code."""
    __tablename__ = "mfa_factors"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100))
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[object | None] = mapped_column(DateTime)
    last_used_at: Mapped[object | None] = mapped_column(DateTime)


class RecoveryCode(TenantOwned, db.Model):
    """A single-use recovery code of an account, as a keyed hash (shown once, when made)."""
    __tablename__ = "mfa_recovery_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[object | None] = mapped_column(DateTime)


class AuditEvent(db.Model):
    """A security event kept for ``[audit] retention_days`` (:mod:`idp.security.audit`), as the
    ``idp.audit`` log line says it: for ``listAuditEvents`` and the person's own /account.

    ``tenant`` is None for an event of no tenant (an operator command across tenants); read
    through :func:`idp.store.db.scoped` like every tenant-owned row."""
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str | None] = mapped_column(String(32), index=True)
    event: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))
    time: Mapped[object] = mapped_column(DateTime, index=True)


class OperatorClient(db.Model):
    """A caller of the admin API (:mod:`idp.admin.operators`): not a relying party, and of no
    one tenant: its ``roles`` hold on each of its ``tenants``. The secret as client secrets
    are stored (:func:`idp.clients.model.hash_client_secret`)."""
    __tablename__ = "operator_clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(128))
    tenants: Mapped[list] = mapped_column(JSON, default=list)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow)


class AdminRequest(db.Model):
    """An ``Idempotency-Key`` an operator sent with a write that is not idempotent by itself
    (create a client, rotate a secret or keys): a second request with the same key is refused
    (409) instead of acting twice. Purged after a day (``idp purge``)."""
    __tablename__ = "admin_requests"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)   # digest of operator + key
    created_at: Mapped[object] = mapped_column(DateTime, default=utcnow, index=True)
