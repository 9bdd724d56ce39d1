"""Each journey without JavaScript (javaScriptEnabled=False): the same walks as the audit's,
every error state included, reach their end with the server alone, and no page shows a
control that does nothing without JavaScript (a box or field outside any form, or one
without a name, as the show/hide password box was)."""

from __future__ import annotations

import pytest

from pages_journeys import JOURNEYS
from pages_being_fixed import NOJS, marks
from pages_support import site, walked  # noqa: F401  (fixtures)

@pytest.mark.parametrize("journey", [
    pytest.param(name, marks=marks(NOJS, name))
    for name in JOURNEYS])
def test_journey_without_javascript(walked, journey):
    record = walked(journey, "nojs")
    assert record.failure is None
    assert record.reached == JOURNEYS[journey][1]
    assert {state: dead for state, dead in record.dead.items() if dead} == {}
