"""Enter in a code field checks the code: a wrong code typed in it and Enter pressed there
shows the code's refusal and sends nothing (the form's default action is the one the person
is doing, not "send another code"). Measured on the way by the audit walks (test_pages_axe)."""

from __future__ import annotations

import pytest

from pages_being_fixed import ENTER, marks
from pages_support import audited, axe_source, site  # noqa: F401  (fixtures)

CODE_FIELDS = {   # the code field -> the journey whose walk types in it
    "mairie-sms": "mairie-inscription",
    "caf-contact": "caf-inscription",
    "caf-reset": "caf-compte", "ameli-reset": "ameli-compte", "mairie-reset": "mairie-compte",
    "caf-account-contact": "caf-compte", "ameli-account-contact": "ameli-compte",
    "mairie-account-contact": "mairie-compte",
    "franceconnect-email": "franceconnect-parcours",
}
@pytest.mark.parametrize("field", [
    pytest.param(name, marks=marks(ENTER, name))
    for name in CODE_FIELDS])
def test_enter_in_a_code_field_checks_the_code(audited, field):
    assert audited(CODE_FIELDS[field]).fact(f"enter:{field}") == {"code refused": True, "codes sent": 0}
