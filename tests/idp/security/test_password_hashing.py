"""Argon2id is configured in one place: :mod:`idp.security.passwords` turns a tenant's
[argon2] settings into a hasher, and every page, service and command hashes through it."""

from __future__ import annotations

import ast
from pathlib import Path

import idp
from idp.security import passwords

PACKAGE = Path(idp.__file__).parent


def test_the_tenant_hasher_has_the_tenant_parameters(app):
    settings = app.config["IDP_SETTINGS"]
    for slug in app.extensions["idp_tenants"]:
        params = settings.argon2_for(slug)
        ph = passwords.hasher_for(settings, slug)
        assert (ph.memory_cost, ph.time_cost, ph.parallelism) == (
            params.memory_cost, params.time_cost, params.parallelism)


def test_the_request_hasher_is_the_tenant_hasher(app):
    from flask import g

    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        assert passwords.tenant_hasher() is passwords.hasher_for(app.config["IDP_SETTINGS"], "caf")


def _hashing_outside(module: Path) -> list[str]:
    """Places of ``module`` that build a hasher themselves: ``PasswordHasher(...)``,
    ``hasher(...)`` or ``argon2_for(...)``."""
    found = []
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in {"PasswordHasher", "hasher", "argon2_for"}:
                found.append(f"{module.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_no_module_but_passwords_builds_a_hasher():
    outside = [place for module in PACKAGE.rglob("*.py") if module != PACKAGE / "security" / "passwords.py"
               for place in _hashing_outside(module)]
    assert outside == []
