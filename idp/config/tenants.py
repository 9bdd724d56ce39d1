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


def build_tenants(settings: Settings) -> dict[str, Tenant]:
    tenants = {}
    for slug, config in settings.tenants.items():
        tables = {"identifier": config.identifier, "password": config.password,
                  "validators": config.validators}
        try:
            policies = bind_tenant(slug, tables)
        except PolicyConfigError as exc:
            raise SettingsError(str(exc)) from None
        if config.signup is not None:
            check_signup(slug, config.signup)
        warn_missing_links(slug, config.site)
        tenants[slug] = Tenant(slug, config, settings.issuer(slug), policies)
    return tenants


RESERVED_STEPS = {"availability", "password-check", "cancel", "activate", "justificatif"}


def check_signup(slug: str, signup) -> None:
    """Signup steps name known fields and free URL segments; stop the start otherwise."""
    from idp.signup.fields import CATALOGUE

    for i, step in enumerate(signup.steps):
        key = f"tenants.{slug}.signup.steps[{i}]"
        if step.name in RESERVED_STEPS:
            raise SettingsError(f"{key}.name: {step.name!r} is reserved")
        for field in step.fields:
            if field.name not in CATALOGUE:
                raise SettingsError(f"{key}.fields: unknown field {field.name!r}; known: {', '.join(sorted(CATALOGUE))}")
    kinds = [s.kind for s in signup.steps]
    ends = kinds[-1] == "activation" or (kinds[-1] == "recap" and "contact" in kinds)
    if "password" not in kinds or not {"identifier", "nir", "directory"} & set(kinds) or not ends:
        raise SettingsError(f"tenants.{slug}.signup.steps: needs an 'identifier' (or 'nir') and a 'password' "
                            "step, and ends with 'activation' (or 'recap' after a 'contact' step)")
    try:
        from idp.signup.directory import directory_from_config
        from idp.signup.documents import verifier_from_config

        verifier_from_config(signup.document_verifier)
        if "directory" in kinds:
            directory_from_config(signup.directory)
    except (ValueError, OSError) as exc:
        raise SettingsError(f"tenants.{slug}.signup.{exc}") from None
