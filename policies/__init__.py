"""Per-tenant rules of the identity provider: identifier schemes, password policies and the
validators of the French signup forms. A plain library (no Flask, no database): values in,
:class:`Result` out, with coded messages in French and English.

Entry points::

    from policies import identifier_scheme, password_policy, validator, bind_tenant
    identifier_scheme("nir13").check("1 84 12 76 451 089")      # Result(passing=True, value="1841276451089")
    password_policy("caf").check("Motdepasse2024")               # Result(passing=True)
    validator("mobile_phone")("06.12.34.56.78").value             # "+33612345678"

Provisional identifier (decision, :mod:`policies.identifiers.provisional`). For people
without a NIR the tenant issues ``PREFIX + 10 random digits + 2-digit key``:

- ``PREFIX`` is one to three letters, ``P`` by default (parameter ``prefix``); no NIR starts
  with a letter, so one login field can accept both (``nir13`` with
  ``provisional_id_prefix = "P"``, as the CAF login does);
- 13 characters with the default prefix, the length of the NIR body the CAF login asks for;
- the key is the NIR's rule applied to the 10 digits, ``97 - (digits mod 97)`` on two
  digits, so any single wrong digit or swapped pair is caught;
- spaces, dots and dashes are ignored and letters upper-cased (``p 01234 56789 58`` is
  ``P012345678958``); logs show ``P 01*** ***** **``.

Sources for every rule are named in each module's docstring; see also
shared/design/french-identifiers.md and tenants.md.
"""

from policies.errors import PolicyConfigError
from policies.identifiers import (EmailScheme, IdentifierScheme, Nir13Scheme, NirScheme,
                                  ProvisionalScheme, UsernameScheme)
from policies.passwords import PasswordPolicy
from policies.registry import identifier_scheme, password_policy, validator
from policies.results import Message, Requirement, Result
from policies.strength import Strength
from policies.tenants import TenantPolicies, bind_tenant

__all__ = [
    "EmailScheme",
    "IdentifierScheme",
    "Message",
    "Nir13Scheme",
    "NirScheme",
    "PasswordPolicy",
    "PolicyConfigError",
    "ProvisionalScheme",
    "Requirement",
    "Result",
    "Strength",
    "TenantPolicies",
    "UsernameScheme",
    "bind_tenant",
    "identifier_scheme",
    "password_policy",
    "validator",
]
