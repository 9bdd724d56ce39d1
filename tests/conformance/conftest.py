"""The OpenID Foundation conformance plans, module by module, as our own tests.

The suite itself cannot run here (it needs container and Maven registries), so each module
of the Basic, Config, RP-Initiated Logout, Back-Channel Logout and Form Post OP plans is a
test named after it, asserting what the module asserts (node-oidc-provider, certified for
all of them, is the reference for expected behaviour).
"""

from __future__ import annotations

import pytest

from conformance_op import OP


@pytest.fixture
def op(app, http):
    return OP(app, http)
