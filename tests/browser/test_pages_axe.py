"""axe-core (WCAG 2.1 A and AA) finds nothing on any page state of any journey of the three
tenants: each step, its error states, the code pages, consent, logout, /account and its
forms, FranceConnect's pages, the 404, 500 and 503 pages. Walked at 390 px with
JavaScript, a screenshot of each state in test-output/screenshots (pages_support.py)."""

from __future__ import annotations

import pytest

from pages_being_fixed import AXE, marks
from pages_journeys import JOURNEYS
from pages_support import audited, axe_source, site  # noqa: F401  (fixtures)



def _params() -> list:
    return list(_each_state())


def _each_state():
    for journey, (_, states) in JOURNEYS.items():
        for state in states:
            yield pytest.param(journey, state, id=f"{journey}/{state}", marks=marks(AXE, (journey, state)))


@pytest.mark.parametrize("journey, state", _params())
def test_no_wcag_violation(audited, journey, state):
    record = audited(journey)
    unknown = [s for s in record.reached if s not in JOURNEYS[journey][1]]
    assert unknown == [], f"states walked but not declared in JOURNEYS: {unknown}"
    assert record.state(state) == []
