"""The DSFR frame on each tenant's pages that carry the FranceConnect button (login, first
signup step), on a phone (390 px) and a desktop (1280 px): the header's bloc-marque, service
name and tagline apart from one another, the footer's four mandatory links, the
FranceConnect logo's box clear of the button's text, and nothing wider than the screen."""

from __future__ import annotations

import pytest

from pages_support import DESKTOP, PHONE, site  # noqa: F401  (fixture)

SERVICES = {"caf": ("Caf – Mon Compte", "Accessibilité : non conforme"),
            "ameli": ("ameli – Compte assuré", "Accessibilité : partiellement conforme"),
            "mairie": ("Mairie – Espace citoyen", "Accessibilité : non conforme")}
MANDATORY = ("Mentions légales", "Données personnelles", "Gestion des cookies")

BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: el.textContent.trim()}; };
  const pseudo = (el, which) => { const r = el.getBoundingClientRect(), s = getComputedStyle(el, which);
    const left = r.left + parseFloat(s.left), top = r.top + parseFloat(s.top);
    return {left, right: left + parseFloat(s.width), top, bottom: top + parseFloat(s.height), text: which}; };
  const button = document.querySelector('.fr-connect');
  return {
    logo: box(document.querySelector('.fr-header .fr-logo')),
    service: [...document.querySelectorAll('.fr-header__service-title, .fr-header__service-tagline')].map(box),
    // a link that wraps has one box per line (its bounding box would cover its neighbours)
    footer: [...document.querySelectorAll('.fr-footer__bottom-link')].flatMap(el =>
      [...el.getClientRects()].map(r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                                           text: el.textContent.trim()}))),
    franceconnect: button && {logo: pseudo(button, '::before'), texts: [...button.querySelectorAll('span')].map(box)},
    width: document.documentElement.scrollWidth,
  };
}"""


def _overlap(a, b) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def _overlapping(boxes) -> list:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["text"] != b["text"] and _overlap(a, b)]


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("tenant", list(SERVICES))
def test_frame_and_franceconnect_button(browser, site, tenant, device):
    options = PHONE if device == "phone" else DESKTOP
    context = browser.new_context(**options)
    page = context.new_page()
    service, accessibility = SERVICES[tenant]
    for path in (f"/{tenant}/login", f"/{tenant}/signup"):
        page.goto(site.base + path)
        header, footer = page.locator("header.fr-header"), page.locator("footer.fr-footer")
        assert header.locator(".fr-logo").first.inner_text().split() == ["RÉPUBLIQUE", "FRANÇAISE"]
        assert header.locator(".fr-header__service-title").inner_text() == service
        assert header.locator(".fr-header__service-tagline").is_visible()
        for name in (accessibility, *MANDATORY):
            assert footer.get_by_role("link", name=name, exact=True).is_visible(), (path, name)
        boxes = page.evaluate(BOXES)
        assert _overlapping([boxes["logo"], *boxes["service"]]) == [], (path, boxes)
        assert _overlapping(boxes["footer"]) == [], (path, boxes["footer"])
        franceconnect = boxes["franceconnect"]
        assert franceconnect and len(franceconnect["texts"]) == 2, path
        assert [t["text"] for t in franceconnect["texts"] if _overlap(franceconnect["logo"], t)] == [], path
        assert boxes["width"] <= options["viewport"]["width"], f"{path}: {boxes['width']} px wide"
    context.close()


def test_a_page_missing_under_a_tenant_keeps_its_frame(browser, site):
    """/caf/… that matches no page is still the caf's: its header, and a way on (the DSFR's 404)."""
    page = browser.new_page(**PHONE)
    response = page.goto(f"{site.base}/caf/nulle-part")
    assert response.status == 404
    assert page.locator(".fr-header__service-title").inner_text() == "Caf – Mon Compte"
    assert page.title() == "Page introuvable – Caf – Mon Compte"
    assert page.get_by_text("Erreur 404").is_visible()
    page.get_by_role("link", name="Se connecter", exact=True).click()
    assert page.url == f"{site.base}/caf/login"
    page.close()
