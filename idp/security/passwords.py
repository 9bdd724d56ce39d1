"""Password hashing with Argon2id (argon2-cffi), per-tenant parameters, rehash on login.

The one place that turns a tenant's ``[argon2]`` settings into a hasher: :func:`hasher_for`
(CLI, services given the settings) and :func:`tenant_hasher` (the request's tenant).

Unknown identifiers are verified against a dummy hash so that "no such account" and "wrong
password" take the same time and give the same answer.
"""

from __future__ import annotations

import time
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, g

from idp.web.metrics import time_password_hash


class TimedHasher(PasswordHasher):
    """Argon2id whose every hash and verification is timed (``idp_password_hash_seconds``):
    its p95 tells when the parameters cost more than the machine can spare."""

    def hash(self, password, *args, **kwargs) -> str:
        started = time.perf_counter()
        try:
            return super().hash(password, *args, **kwargs)
        finally:
            time_password_hash(time.perf_counter() - started)

    def verify(self, hash, password) -> bool:   # noqa: A002  (argon2-cffi's parameter name)
        started = time.perf_counter()
        try:
            return super().verify(hash, password)
        finally:
            time_password_hash(time.perf_counter() - started)


@lru_cache(maxsize=16)
def hasher(memory_cost: int, time_cost: int, parallelism: int) -> PasswordHasher:
    return TimedHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def hasher_for(settings, tenant: str) -> PasswordHasher:
    """The hasher with ``tenant``'s parameters (``[argon2]``, overridden per tenant)."""
    params = settings.argon2_for(tenant)
    return hasher(params.memory_cost, params.time_cost, params.parallelism)


def tenant_hasher() -> PasswordHasher:
    """The hasher of the request's tenant (``g.tenant``)."""
    return hasher_for(current_app.config["IDP_SETTINGS"], g.tenant.slug)


@lru_cache(maxsize=16)
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash("dummy password for timing equalisation")


def verify_password(ph: PasswordHasher, stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; burns the same time when there is no hash."""
    try:
        return ph.verify(stored or _dummy_hash(ph), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(ph: PasswordHasher, stored: str) -> bool:
    return ph.check_needs_rehash(stored)
