"""The one exception of ``policies/``: a configuration that cannot be bound.

Checks never raise (they return :class:`policies.results.Result`); a bad tenant binding does,
at start-up, with a message naming the key: ``tenants.caf.password.min_length: ...``.
"""

from __future__ import annotations


class PolicyConfigError(ValueError):
    """A scheme, policy or validator binding is wrong; ``key`` names where."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}" if key else reason)

    def within(self, prefix: str) -> "PolicyConfigError":
        """The same error, its key prefixed (``password.min_length`` -> ``tenants.caf.password.min_length``)."""
        key = f"{prefix}.{self.key}" if self.key else prefix
        return PolicyConfigError(key, self.reason)
