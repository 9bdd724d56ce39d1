"""Each tenant's signup with the keyboard alone, at 1280 px: every field reached with Tab
(typed into), every box and radio ticked with Space, every button pressed with Enter, from
the first step to "Votre compte est activé" (pages_support.Tour, mode "keyboard")."""

from __future__ import annotations

import pytest

from pages_journeys import JOURNEYS
from pages_signups import SIGNUPS
from pages_being_fixed import KEYBOARD, marks
from pages_support import site, walked  # noqa: F401  (fixtures)

@pytest.mark.parametrize("journey", [
    pytest.param(name, marks=marks(KEYBOARD, name))
    for name in SIGNUPS])
def test_signup_with_the_keyboard_alone(walked, journey):
    record = walked(journey, "keyboard")
    assert record.failure is None
    assert record.reached == JOURNEYS[journey][1]
