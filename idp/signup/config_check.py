"""The signup table of a tenant's configuration, checked at start-up: steps name known
fields and free URL segments, the journey can end, its directory and document verifier can
be built. Called by :func:`idp.config.tenants.build_tenants` through the app factory."""

from __future__ import annotations

from idp.config.settings import SettingsError
from idp.signup.directory import directory_from_config
from idp.signup.documents import verifier_from_config
from idp.signup.fields import CATALOGUE

RESERVED_STEPS = {"availability", "password-check", "cancel", "activate", "justificatif"}


def check_signup(slug: str, signup) -> None:
    """Signup steps name known fields and free URL segments; stop the start otherwise."""
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
        verifier_from_config(signup.document_verifier)
        if "directory" in kinds:
            directory_from_config(signup.directory)
    except (ValueError, OSError) as exc:
        raise SettingsError(f"tenants.{slug}.signup.{exc}") from None
