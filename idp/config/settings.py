"""Typed settings, read from a TOML file and ``IDP_<SECTION>_<KEY>`` environment variables.

``IDP_CONFIG`` names the file (default ``config.toml``). An environment variable such as
``IDP_SERVER_PUBLIC_URL`` overrides the ``public_url`` key of ``[server]``, and ``IDP_LOG_LEVEL``
the top-level ``log_level``; values are parsed as TOML scalars when they look like one
(``IDP_TOKENS_CODE_TTL=30``) and as strings otherwise. A wrong or missing value stops the
start with a message naming the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from idp.notify.settings import NotifySettings
from providers.config import ENDPOINT_FIELDS

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


def _matching(value: str, pattern: str, message: str) -> str:
    """``value`` when empty or matching ``pattern``; else the validator's ``ValueError``."""
    if value and not re.match(pattern, value):
        raise ValueError(message)
    return value


RESERVED_SLUGS = frozenset({"admin"})   # {public_url}/admin/… is the admin API (idp/admin/)


class SettingsError(Exception):
    """The configuration cannot be used; the message names the key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(Strict):
    public_url: str = Field(description="Base URL; each tenant's issuer is {public_url}/{tenant}")
    secret_key: str = Field(min_length=32)
    key_encryption_key: str = Field(description="base64url, 32 bytes: seals private keys at rest")
    client_secret_pepper: str = Field(min_length=32, description="keys the client-secret hash")
    data_protection_key: str = Field(description="base64url, 32 bytes: blind index and sealing of identifiers")
    # keys the pairwise subjects (idp/oidc/subjects.py); empty: derived from data_protection_key.
    # Changing it changes every pairwise sub: pairwise clients then see their users as new people.
    pairwise_secret: str = Field("", description="keys pairwise sub identifiers; >= 32 chars when set")
    trust_proxy: bool = False
    # production (the default) refuses every development convenience at start-up
    # (idp/config/production.py); development is said explicitly by `make run`, the tests, the bench
    environment: Literal["production", "development"] = "production"
    max_request_bytes: int = Field(64 * 1024, ge=4096, le=1024 * 1024,
                                   description="largest request body; the document upload has its own limit")

    @field_validator("pairwise_secret")
    @classmethod
    def _pairwise_secret(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("must be at least 32 characters (or empty: derived from data_protection_key)")
        return value

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", value):
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")


class DatabaseSettings(Strict):
    url: str = "sqlite:///instance/idp.sqlite3"


class RedisSettings(Strict):
    url: str = ""


class AuditSettings(Strict):
    """The audit trail in the database (idp/security/audit.py): ``idp purge`` deletes events
    older than ``retention_days``."""
    retention_days: int = Field(365, ge=1, le=3650)


class AdminSettings(Strict):
    """The admin API (idp/admin/): the lifetime of an operator's bearer token, in seconds, and
    the pause after failed authentications at ``/admin/token`` (the login's rule: the pause
    doubles at each new threshold, up to an hour)."""
    token_ttl: int = Field(300, ge=30, le=3600)
    max_failures: int = Field(5, ge=1, description="failed authentications per operator client_id before a pause")
    max_failures_per_address: int = Field(20, ge=1, description="failed authentications per IP address before a pause")
    lockout_seconds: int = Field(60, ge=1, description="first pause; doubles at each new threshold, up to 1 h")


class TokenSettings(Strict):
    code_ttl: int = Field(60, ge=5, le=600)
    access_token_ttl: int = Field(600, ge=30, le=86400)
    id_token_ttl: int = Field(600, ge=30, le=86400)
    refresh_token_ttl: int = Field(30 * 86400, ge=60)
    refresh_rotation_grace_period: int = Field(
        5, ge=0, le=60, description="seconds a rotated refresh token still answers with its successor (0: off)")
    session_ttl: int = Field(8 * 3600, ge=60)
    remembered_session_ttl: int = Field(30 * 86400, ge=60, description='"Se souvenir de moi"')
    interaction_ttl: int = Field(3600, ge=60)
    key_retire_after: int = Field(2 * 86400, ge=60, description="seconds a retired key stays published")


# OWASP Password Storage Cheat Sheet: Argon2id configurations of equal strength, as
# (memory_cost KiB, time_cost) with parallelism 1. Parameters pass when they reach one pair
# in both memory and time; more lanes never lower the floor.
OWASP_ARGON2_FLOORS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))


class Argon2Settings(Strict):
    """Argon2id; at least one of OWASP's pairs (default m=19 MiB, t=2, p=1).

    ``allow_insecure_parameters`` (``[argon2]`` only) lets the test suite hash with tiny
    parameters; it is refused in production and announced at every start in development."""
    memory_cost: int = Field(19456, ge=8)
    time_cost: int = Field(2, ge=1)
    parallelism: int = Field(1, ge=1)
    allow_insecure_parameters: bool = False

    def below_owasp_minimum(self) -> bool:
        return not any(self.memory_cost >= m and self.time_cost >= t for m, t in OWASP_ARGON2_FLOORS)


class LoginSettings(Strict):
    max_failures: int = Field(5, ge=1, description="failed logins per identifier before a pause")
    max_failures_per_address: int = Field(30, ge=1, description="failed logins per IP address before a pause")
    lockout_seconds: int = Field(60, ge=1, description="first pause; doubles at each new threshold, up to 1 h")
    availability_checks_per_minute: int = Field(
        30, ge=1, description="identifier lookups (live check, suggestions, FranceConnect's completion page) "
                        "per IP address and minute (anti-enumeration)")


class SignupLimitSettings(Strict):
    """What an anonymous caller may make the signup do (idp/signup/limits.py): fixed windows in
    the shared counters, every attempt counted whatever its outcome."""
    checks_per_address: int = Field(
        30, ge=1, description="answers about a number or an address (directory, account exists, email in use) per IP and hour")
    checks_per_number: int = Field(10, ge=1, description="the same answers about one NIR per day")
    password_steps_per_address: int = Field(30, ge=1, description="password-step submissions per IP and hour")
    password_checks_per_address: int = Field(
        600, ge=1, description="live password-checklist requests (one per keystroke) per IP and hour")
    uploads_per_signup: int = Field(5, ge=1, description="supporting documents sent per pending account and day")
    uploads_per_address: int = Field(20, ge=1, description="supporting documents sent per IP and day")


class VerificationSettings(Strict):
    """Codes and links proving control of an email, a phone or a postal address."""
    code_ttl: int = Field(600, ge=60, description="seconds a code sent by SMS or email is valid")
    link_ttl: int = Field(86400, ge=300, description="seconds an emailed link is valid")
    letter_ttl_days: int = Field(30, ge=1, description="days a code sent by post is valid")
    max_attempts: int = Field(5, ge=1, description="wrong codes before the code is void")
    resend_interval: int = Field(60, ge=0, description="seconds between two sends")
    max_sends: int = Field(5, ge=1, description="sends of one code before giving up")
    send_window: int = Field(3600, ge=60, description="seconds over which the sends and tries of one "
                             "person's codes add up (a new request re-arms the same code, its tries kept)")
    max_sends_per_address: int = Field(30, ge=1, description="codes and reminders asked from one IP "
                                       "address per send_window (recovery, identifier reminder, contact change)")
    recent_authentication: int = Field(300, ge=30, le=3600, description="seconds after a login during which "
                                       "/account changes the email or mobile without asking the password again")


class SignupField(Strict):
    name: str = Field(description="a field of idp.signup.fields.CATALOGUE")
    required: bool = False
    when: dict[str, str] = Field({}, description="shown only when these earlier answers match")


class SignupStep(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$", description="the step's URL segment")
    title: str
    title_en: str = ""
    intro_en: str = ""
    kind: Literal["fields", "identifier", "nir", "directory", "access", "document", "contact", "password",
                  "consent", "recap", "activation"] = "fields"
    intro: str = ""
    fields: list[SignupField] = []


class SignupSettings(Strict):
    """The tenant's signup journey: its steps in order, rendered by one engine."""
    enabled: bool = True
    steps: list[SignupStep]
    activation_channels: list[Literal["email", "sms"]] = ["email"]
    unique_email: bool = Field(False, description="refuse a second account with the same email")
    cgu_version: str = "1"
    cgu_url: str = ""
    ttl: int = Field(3600, ge=300, description="seconds a signup in progress is kept")
    document_verifier: dict[str, Any] = Field({"kind": "embedded"}, description="embedded | http (base_url, token)")
    directory: dict[str, Any] = Field({"kind": "csv"}, description="reference directory: csv (path) | http (base_url, token)")


class DemoAccount(Strict):
    """The account ``idp init --demo`` creates for this tenant."""
    identifier: str
    password: str
    given_name: str = "Camille"
    family_name: str = "Martin"
    email: str | None = None
    birthdate: str | None = None


class SiteSettings(Strict):
    """``[tenants.<slug>.site]``: the DSFR header and footer of the tenant's pages
    (idp/web/frame.py). The footer's four links are mandatory in the DSFR: the start warns of
    each one missing."""
    service_name: str = Field("", description="the header's service name (display_name when empty)")
    tagline: str = Field("", description="the line under the service name")
    operator: str = Field("", description="the body running the service (named in the header's link title)")
    operator_logo_url: str = Field("", description="the operator's logo beside the bloc-marque: a path on this "
                                   "site (the CSP allows only this origin's images)")
    home_url: str = Field("", description="where the service name leads (the tenant's /account when empty)")
    accessibility_status: Literal["non conforme", "partiellement conforme", "totalement conforme"] = Field(
        "non conforme", description="the RGAA conformity status shown in the footer's accessibility link")
    accessibility_url: str = ""
    legal_notice_url: str = Field("", description="mentions légales")
    personal_data_url: str = Field("", description="données personnelles")
    cookies_url: str = Field("", description="gestion des cookies")

    @field_validator("operator_logo_url")
    @classmethod
    def _same_origin(cls, value: str) -> str:
        return _matching(value, r"^/(?!/)[^\s]*$", "must be a path on this site starting with / (img-src 'self')")

    @field_validator("home_url", "accessibility_url", "legal_notice_url", "personal_data_url",
                     "cookies_url")
    @classmethod
    def _target(cls, value: str) -> str:
        return _matching(value, r"^(https?://[^/\s]+(/[^\s]*)?|/(?!/)[^\s]*)$",
                         "must be an absolute http(s) URL or a path starting with /")


class MfaSettings(Strict):
    """``[tenants.<slug>.mfa]``: the second factor (idp/mfa). ``required``: every login of
    the tenant is at ``eidas2`` (an account without a factor enrols one after its password);
    otherwise only clients or requests asking ``eidas2`` need one. ``methods``: the factors
    offered, among ``totp`` and ``recovery_code`` (passkeys plug in the same registry).
    SMS and email codes are not offered as a second factor: weaker (SIM swap, a mailbox
    shared with the password's reset), they would not be eIDAS "substantiel".
    ``passkey_login``: a passkey with user verification stands in for the password at login."""
    required: bool = False
    methods: list[Literal["totp", "recovery_code", "passkey"]] = ["totp", "recovery_code"]
    issuer_name: str = Field("", description="the name authenticator apps show (display_name when empty)")
    passkey_login: bool = Field(False, description="a passkey with user verification stands in for the "
                                "password at login (acr eidas2; idp/mfa/passkeys.py)")


class TenantSettings(Strict):
    display_name: str
    description: str = ""
    logo_url: str = Field("", description="the tenant's logo (a /static/... path or an https URL)")
    # Bound by policies.bind_tenant: ``scheme`` / ``preset`` then the scheme's or policy's
    # parameters; validated there with messages naming tenants.<slug>.<table>.<key>.
    identifier: dict[str, Any] = {"scheme": "username"}
    password: dict[str, Any] = {"preset": "cnil"}
    validators: dict[str, Any] = {}
    acr_default: str = "eidas1"
    subject_type: Literal["public", "pairwise"] = Field(
        "public", description="what a client registered without --subject-type gets (OIDC Core §8)")
    password_label: str = Field("Mot de passe", description="what the pages call the password (ameli: \"Code personnel\")")
    franceconnect: bool = Field(False, description="offer FranceConnect ([providers.franceconnect] required)")
    franceconnect_client: dict[str, str] = Field({}, description="this tenant's client_id, client_secret, acr at FranceConnect")
    login_with_email: bool = Field(False, description="the login field also takes the account's verified email")
    support_url: str = Field("", description="the service's help or contact page, linked from the login page "
                                             "(FranceConnect asks it of an identity provider)")
    argon2: Argon2Settings | None = None
    demo_account: DemoAccount | None = None
    signup: SignupSettings | None = None
    site: SiteSettings = SiteSettings()
    require_pushed_authorization_requests: bool = Field(
        False, description="every client of the tenant sends its authorization requests through /par (RFC 9126)")
    mfa: MfaSettings = MfaSettings()


class FranceConnectSettings(Strict):
    """``[providers.franceconnect]``: the IdP as a FranceConnect service provider (FS).

    ``environment`` picks FranceConnect's published hosts (``integration``, ``production``,
    or ``integration-plus`` / ``production-plus`` for FranceConnect+); ``discovery_url`` (or
    the explicit endpoints) points elsewhere, such as the development stand-in. Each tenant
    with ``franceconnect = true`` uses it, with its own redirect URIs
    ``{issuer}/franceconnect/callback`` and ``{issuer}/franceconnect/logout-callback`` to
    register with FranceConnect, and may override ``client_id``/``client_secret``/``acr`` in
    ``[tenants.<slug>.franceconnect_client]`` (one FS per service)."""
    environment: Literal["integration", "production", "integration-plus", "production-plus", ""] = ""
    discovery_url: str = ""
    issuer: str = ""
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    userinfo_endpoint: str = ""
    jwks_uri: str = ""
    end_session_endpoint: str = ""
    client_id: str = ""
    client_secret: str = ""
    token_endpoint_auth_method: Literal["client_secret_post", "private_key_jwt"] = "client_secret_post"
    acr: Literal["eidas1", "eidas2", "eidas3"] = "eidas1"
    scopes: list[str] = ["openid", "identite_pivot", "email", "preferred_username"]
    idp_hint: str = ""
    timeout: float = Field(5.0, gt=0, le=60, description="seconds for each call to FranceConnect")
    leeway: int = Field(60, ge=0, le=300, description="clock skew tolerated on FranceConnect's tokens")
    use_pkce: bool = True
    encryption_keys_file: str = Field("", description="private JWKS (JSON) decrypting FranceConnect+ tokens")
    client_private_key_file: str = Field("", description="private JWK (JSON) signing the private_key_jwt assertion")

    @field_validator(*ENDPOINT_FIELDS)
    @classmethod
    def _url(cls, value: str) -> str:
        return _matching(value, r"^https?://[^/\s]+(/[^\s]*)?$", "must be an absolute http(s) URL")


class ProvidersSettings(Strict):
    franceconnect: FranceConnectSettings | None = None


class MetricsSettings(Strict):
    """``GET /metrics`` (idp/web/metrics.py): who may read it. A request from one of
    ``allowed_networks`` (its address as the server sees it: ``X-Forwarded-For`` only with
    ``[server] trust_proxy``), or carrying ``Authorization: Bearer`` with the value of the
    environment variable ``token_env`` (unset or empty: no token accepted)."""
    enabled: bool = True
    allowed_networks: list[str] = ["127.0.0.1/32", "::1/128"]
    token_env: str = "IDP_METRICS_TOKEN"

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for network in value:
            try:
                ipaddress.ip_network(network)
            except ValueError:
                raise ValueError(f"{network!r} is not a network (e.g. 10.0.0.0/8, ::1/128)") from None
        return value


class DemoSettings(Strict):
    enabled: bool = False   # development only (idp/config/production.py)
    client_id: str = "demo-rp"


class Settings(Strict):
    server: ServerSettings
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    audit: AuditSettings = AuditSettings()
    admin: AdminSettings = AdminSettings()
    tokens: TokenSettings = TokenSettings()
    argon2: Argon2Settings = Argon2Settings()
    login: LoginSettings = LoginSettings()
    verification: VerificationSettings = VerificationSettings()
    signup_limits: SignupLimitSettings = SignupLimitSettings()
    notify: NotifySettings = NotifySettings()
    demo: DemoSettings = DemoSettings()
    metrics: MetricsSettings = MetricsSettings()
    providers: ProvidersSettings = ProvidersSettings()
    tenants: dict[str, TenantSettings]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value):
        """``IDP_LOG_LEVEL=debug`` reads as ``DEBUG``, as the logging module's names are."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("tenants")
    @classmethod
    def _slugs(cls, value: dict) -> dict:
        if not value:
            raise ValueError("at least one tenant is required")
        for slug in value:
            if not SLUG.match(slug):
                raise ValueError(f"tenant name {slug!r} must be lower-case letters, digits or '-'")
            if slug in RESERVED_SLUGS:
                raise ValueError(f"tenant name {slug!r} is reserved (its paths are the admin API's)")
        return value

    @model_validator(mode="after")
    def _franceconnect_configured(self):
        for slug, tenant in self.tenants.items():
            if tenant.franceconnect and self.providers.franceconnect is None:
                raise ValueError(f"tenants.{slug}.franceconnect is true but [providers.franceconnect] is missing")
            unknown = set(tenant.franceconnect_client) - {"client_id", "client_secret", "acr"}
            if unknown:
                raise ValueError(f"tenants.{slug}.franceconnect_client: unknown keys {sorted(unknown)}")
        return self

    @model_validator(mode="after")
    def _argon2_floor(self):
        """Below OWASP's minimum only with ``[argon2] allow_insecure_parameters`` in development."""
        allowed = self.argon2.allow_insecure_parameters
        if allowed and self.server.environment != "development":
            raise ValueError('argon2.allow_insecure_parameters is for tests only: refused unless '
                             '[server] environment = "development"')
        sections = [("argon2", self.argon2)] + [
            (f"tenants.{slug}.argon2", t.argon2) for slug, t in self.tenants.items() if t.argon2 is not None]
        for key, params in sections:
            if key != "argon2" and params.allow_insecure_parameters:
                raise ValueError(f"{key}.allow_insecure_parameters: set it in [argon2] (it covers every tenant)")
            if params.below_owasp_minimum() and not allowed:
                raise ValueError(
                    f"{key}: memory_cost={params.memory_cost} time_cost={params.time_cost} is below OWASP's "
                    "minimum for Argon2id (memory_cost/time_cost of at least 47104/1, 19456/2, 12288/3, "
                    "9216/4 or 7168/5)")
        return self

    @property
    def development(self) -> bool:
        return self.server.environment == "development"

    def issuer(self, tenant: str) -> str:
        return f"{self.server.public_url}/{tenant}"

    def argon2_for(self, tenant: str) -> Argon2Settings:
        return self.tenants[tenant].argon2 or self.argon2


def _scalar(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def apply_environment(data: dict, environ: dict[str, str]) -> dict:
    """Override ``[section] key`` with ``IDP_SECTION_KEY`` for the top-level sections, and a
    top-level key (``log_level``) with ``IDP_KEY`` (``IDP_LOG_LEVEL=DEBUG``)."""
    for section, model in Settings.model_fields.items():
        annotation = model.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            if section != "tenants" and f"IDP_{section}".upper() in environ:   # tenants: a table of tables
                data[section] = _scalar(environ[f"IDP_{section}".upper()])
            continue
        for key in annotation.model_fields:
            name = f"IDP_{section}_{key}".upper()
            if name in environ:
                data.setdefault(section, {})[key] = _scalar(environ[name])
    # one level deeper for [providers.<name>]: IDP_PROVIDERS_FRANCECONNECT_CLIENT_SECRET
    for key in FranceConnectSettings.model_fields:
        name = f"IDP_PROVIDERS_FRANCECONNECT_{key}".upper()
        if name in environ:
            section = data.setdefault("providers", {}).setdefault("franceconnect", {})
            section[key] = _scalar(environ[name])
    return data


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"])
    return f"{key}: {error['msg']}" if key else error["msg"].removeprefix("Value error, ")


def load_settings(path: str | os.PathLike | None = None, environ=None, overrides: dict | None = None) -> Settings:
    """Read, override and validate; raise :class:`SettingsError` naming each bad key."""
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get("IDP_CONFIG", "config.toml"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"configuration file {path} not found (set IDP_CONFIG)") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    data = apply_environment(data, environ)
    for section, values in (overrides or {}).items():
        if isinstance(values, dict) and isinstance(data.get(section), dict):
            data[section] = {**data[section], **values}
        else:
            data[section] = values
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = "\n  ".join(_describe(e) for e in exc.errors())
        raise SettingsError(f"invalid configuration in {path}:\n  {lines}") from None
