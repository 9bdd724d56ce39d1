"""Tenants: the relying services (caf, ameli, a mairie...) built from configuration.

The tenant is resolved once per request from the URL prefix into ``g.tenant``. Its policies
(identifier scheme, password policy) are bound here, once, at start-up: a bad binding stops
the start with a message naming the tenant and the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies import PolicyConfigError, identifier_scheme, password_policy

from .settings import Settings, SettingsError, TenantSettings


@dataclass(frozen=True)
class Tenant:
    slug: str
    config: TenantSettings
    issuer: str
    identifier_scheme: object
    password_policy: object

    @property
    def display_name(self) -> str:
        return self.config.display_name


def _bind(slug: str, config: TenantSettings):
    try:
        scheme = identifier_scheme(config.identifier.scheme, **config.identifier.params)
    except PolicyConfigError as exc:
        raise SettingsError(f"tenants.{slug}.identifier: {exc}") from None
    password = config.password.model_dump(exclude_none=True)
    preset = password.pop("preset", None)
    try:
        policy = password_policy(preset, **password)
    except PolicyConfigError as exc:
        raise SettingsError(f"tenants.{slug}.password: {exc}") from None
    return scheme, policy


def build_tenants(settings: Settings) -> dict[str, Tenant]:
    tenants = {}
    for slug, config in settings.tenants.items():
        scheme, policy = _bind(slug, config)
        tenants[slug] = Tenant(slug, config, settings.issuer(slug), scheme, policy)
    return tenants
