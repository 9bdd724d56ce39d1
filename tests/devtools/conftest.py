"""Fixtures for the development tools' tests: a FranceConnect stand-in on real HTTP."""

from __future__ import annotations

import pytest

from devtools.fc_standin import running_standin
from fc_standin_support import CLIENT, OTHER_CLIENT


@pytest.fixture
def standin():
    with running_standin([CLIENT, OTHER_CLIENT]) as running:
        yield running
