"""Signing keys: generation, states, rotation plan, encryption at rest and JWKS.

A key is ``next`` (published, not yet signing), ``active`` (signing) or ``retired``
(published so that tokens it signed still verify, then removed). ``keys`` holds the rules
and the cryptography; the application stores :class:`KeyRecord` values and runs the plan.
This package imports neither Flask nor the database layer.
"""

from .records import SUPPORTED_ALGS, KeyRecord, KeyState, generate_record
from .ring import KeyRing, publish_jwks
from .rotation import RotationPlan, plan_initial, plan_rotation
from .sealing import KeyEncryptionError, seal_private_key, unseal_private_key

__all__ = [
    "KeyRecord", "KeyState", "SUPPORTED_ALGS", "generate_record",
    "RotationPlan", "plan_initial", "plan_rotation",
    "KeyRing", "publish_jwks",
    "KeyEncryptionError", "seal_private_key", "unseal_private_key",
]
