"""Registry of identifier schemes, password presets and validators, by name.

Built-ins are listed below. Third-party ones come from the ``idp.policies`` entry-point
group (``importlib.metadata``), named ``<kind>.<name>`` with kind ``scheme``, ``password``
or ``validator``, for example in a plugin's ``pyproject.toml``::

    [project.entry-points."idp.policies"]
    "scheme.msa" = "idp_msa.policies:MsaScheme"        # a factory taking the parameters
    "password.msa" = "idp_msa.policies:MSA_PRESET"     # a mapping of parameters, or a PasswordPolicy
    "validator.numero_msa" = "idp_msa.policies:numero_msa"   # value -> Result

A bare ``<name>`` is also found for any kind. Built-ins win over plugins of the same name.
A bad binding raises :class:`PolicyConfigError` naming the key.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from importlib import metadata
from typing import Any, Callable, Mapping

from policies.errors import PolicyConfigError
from policies.identifiers import (EmailScheme, IdentifierScheme, Nir13Scheme, NirScheme,
                                  ProvisionalScheme, UsernameScheme)
from policies.passwords import PasswordPolicy
from policies.presets import PRESETS
from policies.results import Result
from policies.validators import banking, dates, documents, insee, organisations, phone, postal

ENTRY_POINT_GROUP = "idp.policies"
KIND_LABELS = {"scheme": "identifier scheme", "password": "password preset", "validator": "validator"}

SCHEMES: dict[str, Callable[..., IdentifierScheme]] = {
    "nir": NirScheme,
    "nir13": Nir13Scheme,
    "provisional": ProvisionalScheme,
    "username": UsernameScheme,
    "email": EmailScheme,
}


def _email(raw: str, check_deliverability: bool = False) -> Result:
    return EmailScheme(check_deliverability=check_deliverability).check(raw)


VALIDATORS: dict[str, Callable[..., Result]] = {
    "phone": phone.phone,
    "mobile_phone": phone.mobile_phone,
    "postal_code": postal.postal_code,
    "birthdate": dates.birthdate,
    "iban": banking.iban,
    "iban_last7": banking.iban_last7,
    "vitale": documents.vitale,
    "identity_document": documents.identity_document,
    "siren": organisations.siren,
    "siret": organisations.siret,
    "rna": organisations.rna,
    "insee_commune": insee.insee_commune,
    "insee_country": insee.insee_country,
    "insee_birthplace": insee.insee_birthplace,
    "email": _email,
}


def plugin(kind: str, name: str) -> Any | None:
    """Load the ``idp.policies`` entry point ``<kind>.<name>`` (or ``<name>``), if any."""
    found = {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    entry = found.get(f"{kind}.{name}") or found.get(name)
    if entry is None:
        return None
    try:
        return entry.load()
    except Exception as error:  # a broken plugin must stop the start with its name
        reason = f"cannot load entry point {entry.name!r} = {entry.value!r}: {error}"
        raise PolicyConfigError("", reason) from error


def plugin_names(kind: str) -> list[str]:
    prefix = f"{kind}."
    names = metadata.entry_points(group=ENTRY_POINT_GROUP).names
    return sorted(n[len(prefix):] for n in names if n.startswith(prefix))


def _find(kind: str, name: str, builtins: Mapping[str, Any], key: str) -> Any:
    if not isinstance(name, str) or not name:
        raise PolicyConfigError(key, f"must name a {KIND_LABELS[kind]}, got {name!r}")
    try:
        found = builtins.get(name) or plugin(kind, name)
    except PolicyConfigError as error:
        raise PolicyConfigError(key, error.reason) from error
    if found is None:
        known = ", ".join(sorted({*builtins, *plugin_names(kind)}))
        raise PolicyConfigError(key, f"unknown {KIND_LABELS[kind]} {name!r} (known: {known})")
    return found


def _accepted(factory: Callable[..., Any], skip_first: bool) -> tuple[set[str] | None, dict[str, Any]]:
    """Parameter names (None when it takes ``**kwargs``) and their type hints."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None, {}
    params = list(signature.parameters.values())[1 if skip_first else 0:]
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None, {}
    try:
        hints = typing.get_type_hints(factory)
    except Exception:
        hints = {}
    return {p.name for p in params if p.kind is not p.VAR_POSITIONAL}, hints


def _matches(value: Any, hint: Any) -> bool:
    is_union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if is_union else (hint,)
    for option in options:
        option = typing.get_origin(option) or option
        if option is type(None) and value is None:
            return True
        if option is Any or not isinstance(option, type):
            return True
        if option is int and isinstance(value, bool):
            continue
        if isinstance(value, option):
            return True
    return False


def _type_name(hint: Any) -> str:
    if isinstance(hint, type):
        return {"bool": "true or false", "int": "an integer", "str": "a string"}.get(hint.__name__, hint.__name__)
    return str(hint).replace("typing.", "")


def check_parameters(factory: Callable[..., Any], params: Mapping[str, Any], skip_first: bool = False) -> None:
    """Raise :class:`PolicyConfigError` (key = the parameter) for unknown or ill-typed ones.

    ``skip_first`` leaves out a validator's first parameter (the value it checks).
    """
    accepted, hints = _accepted(factory, skip_first)
    for param, value in params.items():
        if accepted is not None and param not in accepted:
            known = ", ".join(sorted(accepted)) or "none"
            raise PolicyConfigError(param, f"unknown parameter (accepted: {known})")
        if param in hints and not _matches(value, hints[param]):
            raise PolicyConfigError(param, f"expected {_type_name(hints[param])}, got {value!r}")


def identifier_scheme(name: str, **params: Any) -> IdentifierScheme:
    """A scheme by name, bound with its parameters: ``identifier_scheme("nir13")``."""
    factory = _find("scheme", name, SCHEMES, "scheme")
    check_parameters(factory, params)
    try:
        scheme = factory(**params)
    except PolicyConfigError:
        raise
    except (TypeError, ValueError) as error:
        raise PolicyConfigError(next(iter(params), "scheme"), str(error)) from error
    if not isinstance(scheme, IdentifierScheme):
        raise PolicyConfigError("scheme", f"{name!r} does not implement IdentifierScheme")
    return scheme


def password_policy(preset: str | None = None, **overrides: Any) -> PasswordPolicy:
    """A password policy: a preset ("mairie", "ameli", "caf", "cnil") with overrides."""
    base: dict[str, Any] = {}
    if preset is not None:
        found = _find("password", preset, PRESETS, "preset")
        base = _preset_parameters(found)
    check_parameters(PasswordPolicy, overrides)
    if "preset" in overrides:
        raise PolicyConfigError("preset", "give the preset as the first argument")
    return PasswordPolicy(**{**base, **overrides, "preset": preset})


def _preset_parameters(found: Any) -> dict[str, Any]:
    if isinstance(found, PasswordPolicy):
        return {k: v for k, v in found.__dict__.items() if k != "preset"}
    if isinstance(found, Mapping):
        check_parameters(PasswordPolicy, found)
        return dict(found)
    raise PolicyConfigError("preset", f"a preset must be a mapping or a PasswordPolicy, got {type(found).__name__}")


def validator(name: str, **params: Any) -> Callable[..., Result]:
    """A validator by name; ``params`` are bound (``validator("phone", mobile=True)``)."""
    found = _find("validator", name, VALIDATORS, "validator")
    if not callable(found):
        raise PolicyConfigError("validator", f"{name!r} is not callable")
    if not params:
        return found
    check_parameters(found, params, skip_first=True)
    return functools.partial(found, **params)


def schemes() -> list[str]:
    return sorted({*SCHEMES, *plugin_names("scheme")})


def presets() -> list[str]:
    return sorted({*PRESETS, *plugin_names("password")})


def validators() -> list[str]:
    return sorted({*VALIDATORS, *plugin_names("validator")})
