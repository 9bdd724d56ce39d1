"""Tenants: the relying services (caf, ameli, a mairie...) built from configuration.

The tenant is resolved once per request from the URL prefix into ``g.tenant``. Its policies
(identifier scheme, password policy, validators) are bound once, at start-up, by
:func:`policies.bind_tenant`: a bad binding stops the start with a message naming the tenant
and the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies import PolicyConfigError, TenantPolicies, bind_tenant

from idp.web.frame import warn_missing_links
from idp.config.settings import Settings, SettingsError, TenantSettings


@dataclass(frozen=True)
class Tenant:
    slug: str
    config: TenantSettings
    issuer: str
    policies: TenantPolicies

    @property
    def display_name(self) -> str:
        return self.config.display_name

    @property
    def identifier_scheme(self):
        return self.policies.identifier

    @property
    def password_policy(self):
        return self.policies.password


def build_tenants(settings: Settings, check_signup=None) -> dict[str, Tenant]:
    """The tenants of ``settings``, their policies bound; ``check_signup(slug, signup)``
    (the signup's own rules, :func:`idp.signup.config_check.check_signup`, passed by the
    app factory: configuration names no page) stops the start on a bad signup table."""
    tenants = {}
    for slug, config in settings.tenants.items():
        tables = {"identifier": config.identifier, "password": config.password,
                  "validators": config.validators}
        try:
            policies = bind_tenant(slug, tables)
        except PolicyConfigError as exc:
            raise SettingsError(str(exc)) from None
        if config.signup is not None and check_signup is not None:
            check_signup(slug, config.signup)
        warn_missing_links(slug, config.site)
        tenants[slug] = Tenant(slug, config, settings.issuer(slug), policies)
    return tenants
