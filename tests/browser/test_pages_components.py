"""What axe-core does not see, on the same page states (test_pages_axe's walks): the pages
are made of the DSFR's components (its radios, boxes, fields and buttons, in sentence case,
with no class of our own restyling them), show no raw Python value, and an error state is
announced: the error summary has the focus and the title starts with "Erreur – "."""

from __future__ import annotations

import re

import pytest

from pages_being_fixed import NOT_YET_ANNOUNCED, NOT_YET_DSFR, marks
from pages_journeys import JOURNEYS
from pages_support import audited, axe_source, site  # noqa: F401  (fixtures)

ERROR_STATE = re.compile(r"(erreurs?|refusee?|vide|pris)$")


def _params(table, only=lambda state: True) -> list:
    return [pytest.param(journey, state, id=f"{journey}/{state}", marks=marks(table, (journey, state)))
            for journey, (_, states) in JOURNEYS.items() for state in states if only(state)]


@pytest.mark.parametrize("journey, state", _params(NOT_YET_DSFR))
def test_dsfr_components_and_no_raw_value(audited, journey, state):
    page = audited(journey).fact(f"page:{state}")
    assert (page["raw"], page["not_dsfr"]) == ([], [])


@pytest.mark.parametrize("journey, state", _params(NOT_YET_ANNOUNCED, ERROR_STATE.search))
def test_error_state_is_announced(audited, journey, state):
    page = audited(journey).fact(f"page:{state}")
    assert page["error_shown"], "the walk meant an error here, and the page shows none"
    assert page["error_announced"], "the error summary does not have the focus, or the title lacks 'Erreur – '"
