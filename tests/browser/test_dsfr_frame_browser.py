"""The DSFR frame in Chromium, on a phone (390 px) and a desktop (1280 px): the header's
bloc-marque and service, the footer's mandatory links, the skip link, the DSFR's own CSS,
fonts and JavaScript module running under the CSP, and the FranceConnect button's logo
clear of its text. Screenshots go to test-output/screenshots (IDP_TEST_SCREENSHOTS)."""

from __future__ import annotations

import os

import pytest
from support import ROOT

from live import live_server  # noqa: F401  (fixture)

SHOTS = os.environ.get("IDP_TEST_SCREENSHOTS") or str(ROOT / "test-output" / "screenshots")
WIDTHS = {"phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
          "desktop": {"viewport": {"width": 1280, "height": 900}}}

# the FranceConnect logo (the button's ::before) and each line of text, as boxes
BOXES = """() => {
  const button = document.querySelector('.fr-connect'), b = button.getBoundingClientRect();
  const logo = getComputedStyle(button, '::before');
  const left = b.left + parseFloat(logo.left), top = b.top + parseFloat(logo.top);
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  return {logo: {left, right: left + parseFloat(logo.width), top, bottom: top + parseFloat(logo.height)},
          texts: [...button.querySelectorAll('span')].map(s => box(s.getBoundingClientRect()))};
}"""


def _overlap(a, b) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("device", WIDTHS)
def test_login_page_in_the_dsfr_frame(browser, live_server, device):
    base, _, _ = live_server
    context = browser.new_context(locale="fr-FR", **WIDTHS[device])
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{base}/caf/login")
    page.wait_for_function("document.documentElement.getAttribute('data-fr-js') === 'true'")   # the module ran
    assert page.evaluate("document.fonts.check('1em Marianne')")
    header = page.locator("header.fr-header")
    assert header.locator(".fr-logo").inner_text().split() == ["RÉPUBLIQUE", "FRANÇAISE"]
    assert header.locator(".fr-header__service-title").is_visible()
    assert header.locator(".fr-header__service-title").inner_text() == "Caf – Mon Compte"
    footer = page.locator("footer.fr-footer")
    for name in ("Accessibilité : non conforme", "Mentions légales", "Données personnelles", "Gestion des cookies"):
        assert footer.get_by_role("link", name=name).is_visible(), name
    boxes = page.evaluate(BOXES)
    assert boxes["texts"] and not any(_overlap(boxes["logo"], text) for text in boxes["texts"]), boxes
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"frame-login-{device}.png"), full_page=True)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Contenu")
    assert skip.evaluate("link => link === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert problems == []
    context.close()
