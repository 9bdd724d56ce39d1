"""The kinds of second factor, as a small registry the pages and the engine's step ask.

A kind is a :class:`FactorKind`: its ``name`` (what ``[tenants.<slug>.mfa] methods`` lists),
the ``amr`` values a use of it adds to the session (RFC 8176: ``otp`` for a one-time code;
a passkey would say ``hwk`` or ``swk`` and ``user``), whether an account has one
(``enrolled``), and ``verify(account, answer) -> bool``, which also burns what it accepts (a
TOTP step, a recovery code) so that it is accepted once. A new kind (passkeys,
``idp/mfa/passkeys.py``) is a new :class:`FactorKind` given to :func:`register`; the login
step offers every registered kind the tenant allows and the account holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import g

from idp.mfa import recovery, totp


@dataclass(frozen=True)
class FactorKind:
    name: str
    amr: tuple[str, ...]
    enrolled: Callable[[object], bool]
    verify: Callable[[object, str], bool] | None   # None: verified by its own page (a passkey)
    label: str = ""        # French, as the pages name it
    standalone: bool = True   # counts as the account's factor (a recovery code only backs one up)


KINDS: dict[str, FactorKind] = {}


def register(kind: FactorKind) -> None:
    KINDS[kind.name] = kind


def allowed() -> list[FactorKind]:
    """The registered kinds the tenant offers, in its order."""
    methods = g.tenant.config.mfa.methods
    return [KINDS[name] for name in methods if name in KINDS]


def kind(name: str) -> FactorKind | None:
    return next((k for k in allowed() if k.name == name), None)


def enrolled_kinds(account) -> list[FactorKind]:
    return [k for k in allowed() if k.enrolled(account)]


def has_factor(account) -> bool:
    """The account holds a second factor of its own (recovery codes alone do not make one:
    they back up a factor)."""
    return any(k.standalone for k in enrolled_kinds(account))


def _builtin() -> None:
    from flask_babel import lazy_gettext as _l


    register(FactorKind("totp", ("otp",), totp.enrolled, totp.verify, _l("Application d'authentification")))
    register(FactorKind("recovery_code", ("otp",), recovery.enrolled, recovery.verify, _l("Code de secours"),
                        standalone=False))


_builtin()
