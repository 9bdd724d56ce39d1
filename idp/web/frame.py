"""The DSFR frame of every page (base.html): skip links, the ``fr-header`` with the
"République Française" bloc-marque and the service's name and tagline, the ``fr-footer``
with the institutional links and the four links the DSFR makes mandatory (accessibilité with
the conformity status, mentions légales, données personnelles, gestion des cookies).

What surrounds a page's content (``_frame_top.html``, ``_frame_bottom.html``) is the same for
every page of a tenant in a language: :func:`frame_part` renders it once and keeps it.

Each tenant sets its own in ``[tenants.<slug>.site]`` (:class:`idp.config.settings.SiteSettings`):
its pages are that service's. A mandatory link left unset is not drawn (a link to nowhere
would be worse) and the start says so in the log, naming the key. Pages outside a tenant
(the list of tenants, development pages) carry the provider's own name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from idp.web.i18n import current_language

log = logging.getLogger("idp.frame")
STATUS = {"non conforme": _l("non conforme"), "partiellement conforme": _l("partiellement conforme"),
          "totalement conforme": _l("totalement conforme")}   # RGAA's words, for the footer link
MANDATORY = {"accessibility_url": "accessibilité", "legal_notice_url": "mentions légales",
             "personal_data_url": "données personnelles", "cookies_url": "gestion des cookies"}


@dataclass(frozen=True)
class FooterLink:
    label: str
    url: str


@dataclass(frozen=True)
class Frame:
    service_name: str
    tagline: str = ""
    operator: str = ""
    operator_logo_url: str = ""
    home_url: str = "/"
    links: list[FooterLink] = field(default_factory=list)

    @property
    def home_title(self) -> str:
        """The title of the header's and footer's home links, as the DSFR writes it."""
        return " – ".join(part for part in (str(_l("Accueil")), self.service_name, self.operator) if part)


def page_frame() -> Frame:
    """The frame of the page being rendered: the tenant's, or the provider's own. The same
    for every page of a tenant in a language (its footer's labels translated): built once
    and kept with the tenant object it was built for, as :func:`frame_part`."""
    tenant = g.get("tenant")
    key = (tenant.slug if tenant is not None else None, current_language())
    known = _FRAMES.get(key)
    if known is None or known[0] is not tenant:
        known = _FRAMES[key] = (tenant, _frame_of(tenant))
    return known[1]


def _frame_of(tenant) -> Frame:
    if tenant is None:
        return Frame(service_name=str(_l("Fournisseur d'identité")))
    site = tenant.config.site
    return Frame(service_name=site.service_name or tenant.display_name, tagline=site.tagline,
                 operator=site.operator, operator_logo_url=site.operator_logo_url,
                 home_url=site.home_url or f"/{tenant.slug}/account", links=_footer_links(site))


_FRAMES: dict = {}  # (tenant, language) -> (the tenant built for, its Frame)
_PARTS: dict = {}   # (part, tenant, language, mount point) -> (the tenant rendered for, its markup)
MOST_PARTS = 256


def frame_part(name: str) -> Markup:
    """The part ``name`` of base.html around the page's content (``top``: the head's links,
    the skip links, the header; ``bottom``: the footer), rendered once per tenant, language
    and mount point (``script_root``: the static files' URLs) and kept: that frame was about
    half of rendering the login page (issue 15), the same markup on every page. Kept with
    the tenant object it was rendered for, so a tenant replaced (a configuration reloaded, a
    test's copy) is rendered anew; never kept while templates reload (``auto_reload``,
    Flask's debug mode)."""
    tenant = g.get("tenant")
    key = (name, tenant.slug if tenant is not None else None, current_language(), request.script_root)
    known = _PARTS.get(key)
    if known is None or known[0] is not tenant or current_app.jinja_env.auto_reload:
        if len(_PARTS) >= MOST_PARTS:   # script_root may come from X-Forwarded-Prefix: never unbounded
            _PARTS.clear()
        known = _PARTS[key] = (tenant, Markup(render_template(f"_frame_{name}.html")))
    return known[1]


def _footer_links(site) -> list[FooterLink]:
    candidates = [
        (str(_l("Accessibilité : %(status)s", status=STATUS[site.accessibility_status])), site.accessibility_url),
        (str(_l("Mentions légales")), site.legal_notice_url),
        (str(_l("Données personnelles")), site.personal_data_url),
        (str(_l("Gestion des cookies")), site.cookies_url),
    ]
    return [FooterLink(label, url) for label, url in candidates if url]


def warn_missing_links(slug: str, site) -> None:
    """At start-up: the mandatory footer links a tenant has not set."""
    missing = [f"tenants.{slug}.site.{key} ({name})" for key, name in MANDATORY.items() if not getattr(site, key)]
    if missing:
        log.warning("DSFR footer: mandatory links not set, not shown: %s", ", ".join(missing))
