"""The checks of the page suite known to fail on main because of a page defect being fixed:
each is marked ``xfail(strict=True)``, so it turns into a failure the moment its fix lands,
and the entry here is then removed. Keep this list
short-lived: an entry is a known defect of a page, not an exception to the rule."""

from __future__ import annotations

# Every page body is now made of DSFR components and announces its errors (the components
# branch landed): nothing is known to fail. A defect found later goes here with its reason,
# as an xfail(strict=True), until its fix lands.
NOT_YET_DSFR: dict[tuple[str, str], str] = {}
NOT_YET_ANNOUNCED: dict[tuple[str, str], str] = {}
ENTER: dict[str, str] = {}

# axe-core's violations (test_pages_axe), journeys without JavaScript (test_pages_nojs), the
# keyboard walks (test_pages_keyboard): none on main
AXE: dict[tuple[str, str], str] = {}
NOJS: dict[str, str] = {}
KEYBOARD: dict[str, str] = {}


def marks(table: dict, key) -> list:
    import pytest

    return [pytest.mark.xfail(strict=True, reason=table[key])] if key in table else []
