"""The DSFR frame of the pages (idp/web/frame.py, base.html): the tenant's header and footer,
skip links, the DSFR files shipped in the package and loaded under the CSP, and idp.css
leaving the DSFR's components alone."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from support import ROOT

DSFR = ROOT / "idp/static/dsfr"


def _page(http, path="/caf/login"):
    response = http.get(path)
    assert response.status_code == 200
    return response, response.get_data(as_text=True)


def test_header_has_the_bloc_marque_and_the_tenants_service(http):
    _, html = _page(http)
    header = html.split('<header role="banner" class="fr-header">')[1].split("</header>")[0]
    assert '<p class="fr-logo">République<br>Française</p>' in header
    assert '<p class="fr-header__service-title">Caf – Mon Compte</p>' in header
    assert '<p class="fr-header__service-tagline">Connexion à votre espace allocataire</p>' in header
    assert 'href="https://caf.example.fr/" title="Accueil – Caf – Mon Compte – Caisse d&#39;allocations familiales"' \
        in header


def test_footer_has_the_mandatory_links_of_the_tenant(http):
    _, html = _page(http, "/ameli/login")
    footer = html.split('<footer class="fr-footer" role="contentinfo" id="footer">')[1].split("</footer>")[0]
    links = dict((text, href) for href, text in re.findall(
        r'<a class="fr-footer__bottom-link" href="([^"]+)"[^>]*>([^<]+)</a>', footer))
    assert links == {"Accessibilité : partiellement conforme": "https://ameli.example.fr/accessibilite",
                     "Mentions légales": "https://ameli.example.fr/mentions-legales",
                     "Données personnelles": "https://ameli.example.fr/donnees-personnelles",
                     "Gestion des cookies": "https://ameli.example.fr/cookies", "English": "?lang=en"}
    for host in ("info.gouv.fr", "service-public.gouv.fr", "legifrance.gouv.fr", "data.gouv.fr"):
        assert f'href="https://{host}"' in footer


def test_skip_links_lead_to_the_content_and_the_footer(http):
    _, html = _page(http)
    skip = html.split('<div class="fr-skiplinks">')[1].split("</div>")[0]
    assert re.findall(r'href="(#[^"]+)"', skip) == ["#contenu", "#footer"]
    assert html.index('class="fr-skiplinks"') < html.index('class="fr-header"')   # first thing tabbed to
    assert '<main role="main" id="contenu" tabindex="-1">' in html and 'id="footer"' in html


def test_dsfr_module_carries_the_csp_nonce(http):
    response, html = _page(http)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script type="module" nonce="{nonce}" src="/static/dsfr/dsfr.module.min.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/dsfr/dsfr.min.css">' in html
    assert 'href="/static/dsfr/favicon/favicon.svg"' in html


def test_a_page_outside_a_tenant_carries_the_providers_name(http):
    _, html = _page(http, "/")
    assert '<p class="fr-header__service-title">Fournisseur d&#39;identité</p>' in html
    assert 'class="fr-footer__bottom-link" href="https' not in html     # no tenant's links


def test_a_mandatory_link_not_set_is_not_drawn_and_is_warned_of(app, caplog):
    from dataclasses import replace

    from flask import g

    from idp.web.frame import page_frame, warn_missing_links
    from idp.config.settings import SiteSettings

    site = SiteSettings(legal_notice_url="/mentions")
    caf = app.extensions["idp_tenants"]["caf"]
    with app.test_request_context("/caf/login"):
        g.tenant = replace(caf, config=caf.config.model_copy(update={"site": site}))
        frame = page_frame()
    assert [(link.label, link.url) for link in frame.links] == [("Mentions légales", "/mentions")]
    assert frame.service_name == "Caf – Mon Compte" and frame.home_url == "/caf/account"
    with caplog.at_level(logging.WARNING, logger="idp.frame"):
        warn_missing_links("caf", site)
    assert caplog.messages == ["DSFR footer: mandatory links not set, not shown: tenants.caf.site.accessibility_url "
                               "(accessibilité), tenants.caf.site.personal_data_url (données personnelles), "
                               "tenants.caf.site.cookies_url (gestion des cookies)"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//autre.example", "caf.example.fr/x"])
def test_a_footer_target_must_be_a_url_or_a_path(tmp_path, url):
    from support import write_config

    from idp.config.settings import SettingsError, load_settings

    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'cookies_url = "https://caf.example.fr/cookies"', f'cookies_url = "{url}"'), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"tenants\.caf\.site\.cookies_url.*absolute http\(s\) URL or a path"):
        load_settings(path, environ={})


def _rules(css: str) -> list[str]:
    return [selector.strip() for block in re.findall(r"([^{}]+)\{[^}]*\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
            for selector in block.split(",")]


def test_idp_css_restyles_no_dsfr_component():
    """Neither a DSFR class (outside :not()) nor a bare element the DSFR styles: the old
    .fr-connect padding hid "S'identifier avec" under the logo, .alert-error's put the
    alert's icon over its first word, input[type=text] beat .fr-input."""
    for selector in _rules((ROOT / "idp/static/idp.css").read_text(encoding="utf-8")):
        outside_not = re.sub(r":not\([^)]*\)", "", selector)
        assert ".fr-" not in outside_not, selector
        bare = re.match(r"^(body|html|label|input|button|select|textarea|fieldset|legend|a|p|h\d)\b", selector)
        assert not bare or ":not(.fr-" in selector, selector      # only elements left outside the DSFR's
        assert not re.search(r"\.(alert|alert-error|button|secondary|danger)\b", selector), selector


def test_every_file_the_dsfr_stylesheet_draws_is_shipped():
    css = (DSFR / "dsfr.min.css").read_text(encoding="utf-8")
    drawn = {u.strip("'\"") for u in re.findall(r"url\(([^)]+)\)", css)} - {None}
    files = sorted(u for u in drawn if not u.startswith("data:"))
    assert files and all((DSFR / name).is_file() for name in files), [n for n in files if not (DSFR / n).is_file()]
    for name in ("dsfr.module.min.js", "LICENSE.md", "favicon/favicon.svg", "favicon/apple-touch-icon.png",
                 "favicon/favicon.ico", "favicon/manifest.webmanifest"):
        assert (DSFR / name).is_file(), name


def test_the_shipped_copy_is_the_locked_release():
    """`make assets` was run after the version in assets/ changed."""
    locked = json.loads((ROOT / "assets/package-lock.json").read_text())["packages"]["node_modules/@gouvfr/dsfr"]
    assert (DSFR / "VERSION").read_text().strip() == locked["version"]
    assert "Etalab" in (DSFR / "LICENSE.md").read_text(encoding="utf-8")


def _fake_release(root: Path, css: str) -> Path:
    package = root / "dsfr"
    (package / "dist/favicon").mkdir(parents=True)
    (package / "dist/fonts").mkdir()
    (package / "dist/dsfr.min.css").write_text(css)
    (package / "dist/dsfr.module.min.js").write_text("export {}")
    (package / "dist/favicon/favicon.svg").write_text("<svg/>")
    (package / "dist/fonts/M.woff2").write_bytes(b"font")
    (package / "dist/unused.css").write_text("")
    (package / "LICENSE.md").write_text("Licence Ouverte / Etalab 2.0")
    (package / "package.json").write_text('{"version": "9.9.9"}')
    return package


def _copier():
    import importlib.util

    spec = importlib.util.spec_from_file_location("copy_dsfr", ROOT / "assets/copy_dsfr.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_assets_copies_what_the_pages_use_and_nothing_older(tmp_path):
    package = _fake_release(tmp_path, '@font-face{src:url(fonts/M.woff2)}.x{mask:url("data:image/svg+xml,a")}')
    target = tmp_path / "static/dsfr"
    (target / "icons").mkdir(parents=True)
    (target / "icons/of-an-older-release.svg").write_text("")
    assert _copier().copy(package, target) == 4
    shipped = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert shipped == ["LICENSE.md", "VERSION", "dsfr.min.css", "dsfr.module.min.js", "favicon/favicon.svg",
                       "fonts/M.woff2"]
    assert (target / "VERSION").read_text() == "9.9.9\n"


def test_make_assets_stops_when_a_drawn_file_is_missing(tmp_path):
    package = _fake_release(tmp_path, ".x{mask:url(icons/system/gone.svg)}")
    with pytest.raises(SystemExit, match="icons/system/gone.svg"):
        _copier().copy(package, tmp_path / "static/dsfr")


def test_the_operators_logo_stands_beside_the_bloc_marque(app, http, monkeypatch):
    from dataclasses import replace

    caf = app.extensions["idp_tenants"]["caf"]
    site = caf.config.site.model_copy(update={"operator_logo_url": "/logos/caf.svg"})
    monkeypatch.setitem(app.extensions["idp_tenants"], "caf",
                        replace(caf, config=caf.config.model_copy(update={"site": site})))
    _, html = _page(http)
    assert re.search(r'<div class="fr-header__operator">\s*<img class="fr-responsive-img operator-logo" '
                     r'src="/logos/caf.svg" alt="Caisse d&#39;allocations familiales">', html)


def test_the_operators_logo_is_served_by_this_site():
    """The CSP's img-src is 'self': a logo elsewhere would not show."""
    from pydantic import ValidationError

    from idp.config.settings import SiteSettings

    with pytest.raises(ValidationError, match=r"must be a path on this site starting with / \(img-src 'self'\)"):
        SiteSettings(operator_logo_url="https://caf.example.fr/logo.svg")


def test_the_frame_is_rendered_once_per_tenant_and_language(app, http):
    """Issue 15: what surrounds a page's content is the same on every page of a tenant in a
    language; it is rendered once and kept (idp/web/frame.py, frame_part), never shown in
    another tenant's or language's pages."""
    from flask import template_rendered

    from idp.web import frame

    frame._PARTS.clear()
    rendered = []

    def seen(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(seen, app)
    try:
        pages = [_page(http, path)[1] for path in ("/caf/login", "/caf/password/forgot", "/caf/login", "/ameli/login")]
        pages.append(_page(app.test_client(), "/caf/login?lang=en")[1])   # another browser: the choice is remembered
        pages.append(_page(http, "/caf/login")[1])
    finally:
        template_rendered.disconnect(seen, app)
    parts = [name for name in rendered if name.startswith("_frame_")]
    assert parts == ["_frame_top.html", "_frame_bottom.html"] * 3   # caf, ameli, caf in English
    assert "Caf – Mon Compte" in pages[1] and "Caf – Mon Compte" not in pages[3]
    assert '<html lang="en">' in pages[4] and "Quick access" in pages[4] and "Quick access" not in pages[5]
    assert pages[5].split("<main")[0].split("</title>")[1] == pages[0].split("<main")[0].split("</title>")[1]


def test_the_frame_of_a_tenant_is_built_once_per_language(app):
    from dataclasses import replace

    from flask import g

    from idp.web.frame import page_frame

    caf = app.extensions["idp_tenants"]["caf"]
    with app.test_request_context("/caf/login"):
        g.tenant = caf
        first = page_frame()
        assert page_frame() is first
    with app.test_request_context("/caf/login?lang=en"):
        g.tenant = caf
        english = page_frame()
        assert english is not first and english.links[0].label.startswith("Accessibility")
    with app.test_request_context("/caf/login"):
        g.tenant = replace(caf, config=caf.config.model_copy())   # a configuration reloaded
        assert page_frame() is not first and page_frame() == first


def test_the_kept_frames_are_bounded_and_each_mount_point_has_its_own(app, http, monkeypatch):
    """The mount point (script_root) may come from a proxy's X-Forwarded-Prefix: each gets the
    static files' URLs under it, and what is kept never grows without bound."""
    from idp.web import frame

    monkeypatch.setattr(frame, "MOST_PARTS", 4)
    frame._PARTS.clear()
    for prefix in ("/a", "/b", "/c", "/d", "/e"):
        html = http.get("/caf/login", base_url=f"http://localhost{prefix}").get_data(as_text=True)
        assert f'<link rel="stylesheet" href="{prefix}/static/dsfr/dsfr.min.css">' in html
        assert len(frame._PARTS) <= 4
