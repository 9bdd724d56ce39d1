"""Binding a tenant's configuration to its identifier scheme, password policy and validators.

The tenant table of the TOML file (tenants.md: "Nothing below may be hard-coded per tenant in
Python") has optional ``identifier``, ``password`` and ``validators`` sub-tables::

    [tenants.caf.identifier]
    scheme = "nir13"
    provisional_id_prefix = "P"

    [tenants.caf.password]
    preset = "caf"
    forbid_common = true

    [tenants.caf.validators.mobile_phone]   # the key is the validator's name...
    region = "FR"
    [tenants.caf.validators.contact_phone]  # ...unless ``validator`` names it
    validator = "phone"

Defaults: ``username`` and the ``cnil`` preset. A bad binding raises
:class:`PolicyConfigError` naming the key, e.g. ``tenants.caf.password.min_length: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from policies import registry
from policies.errors import PolicyConfigError
from policies.identifiers import IdentifierScheme, describe
from policies.passwords import PasswordPolicy
from policies.results import Result

DEFAULT_SCHEME = "username"
DEFAULT_PRESET = "cnil"


@dataclass(frozen=True)
class TenantPolicies:
    """What one tenant's pages and login use."""

    tenant: str
    identifier: IdentifierScheme
    password: PasswordPolicy
    validators: Mapping[str, Callable[..., Result]] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """JSON-ready, for ``idp policies describe --tenant T --json``."""
        return {
            "tenant": self.tenant,
            "identifier": describe(self.identifier),
            "password": self.password.describe(),
            "validators": sorted(self.validators),
        }


def _table(config: Mapping[str, Any], name: str, key: str) -> dict[str, Any]:
    table = config.get(name, {})
    if not isinstance(table, Mapping):
        raise PolicyConfigError(f"{key}.{name}", f"must be a table, got {type(table).__name__}")
    return dict(table)


def bind_identifier(table: Mapping[str, Any]) -> IdentifierScheme:
    params = dict(table)
    return registry.identifier_scheme(params.pop("scheme", DEFAULT_SCHEME), **params)


def bind_password(table: Mapping[str, Any]) -> PasswordPolicy:
    params = dict(table)
    preset = params.pop("preset", DEFAULT_PRESET)
    return registry.password_policy(preset, **params)


def bind_validators(table: Mapping[str, Any]) -> dict[str, Callable[..., Result]]:
    bound = {}
    for field_name, params in table.items():
        try:
            params = dict(params) if isinstance(params, Mapping) else {}
            name = params.pop("validator", field_name)
            bound[field_name] = registry.validator(name, **params)
        except PolicyConfigError as error:
            raise error.within(field_name) from None
    return bound


def bind_tenant(slug: str, config: Mapping[str, Any]) -> TenantPolicies:
    """Bind ``[tenants.<slug>]``; raises :class:`PolicyConfigError` naming the bad key."""
    key = f"tenants.{slug}"
    binders = (("identifier", bind_identifier), ("password", bind_password),
               ("validators", bind_validators))
    bound: dict[str, Any] = {}
    for name, bind in binders:
        try:
            bound[name] = bind(_table(config, name, key))
        except PolicyConfigError as error:
            if error.key.startswith(key):
                raise
            raise error.within(f"{key}.{name}") from None
    return TenantPolicies(slug, bound["identifier"], bound["password"], bound["validators"])
