"""Identifier schemes: how a tenant's login field is labelled, normalised, checked, masked.

Built-in schemes (registered by name in :mod:`policies.registry`):

- ``nir``: the 15-character NIR with its key (:mod:`.nir`);
- ``nir13``: the 13-character body typed at the CAF and ameli logins (:mod:`.nir`);
- ``provisional``: the tenant's provisional identifier (:mod:`.provisional`);
- ``username``: ``prénom.nom`` with suggestions (:mod:`.username`);
- ``email``: an email address (:mod:`.email`).
"""

from policies.identifiers.base import IdentifierScheme, compact, describe
from policies.identifiers.email import EmailScheme
from policies.identifiers.nir import Nir13Scheme, NirScheme
from policies.identifiers.provisional import ProvisionalScheme
from policies.identifiers.username import UsernameScheme, slug

__all__ = [
    "IdentifierScheme",
    "EmailScheme",
    "Nir13Scheme",
    "NirScheme",
    "ProvisionalScheme",
    "UsernameScheme",
    "compact",
    "describe",
    "slug",
]
