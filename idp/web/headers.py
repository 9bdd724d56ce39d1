"""Response headers every page and API carries (OWASP ASVS V14.4).

CSP ``form-action`` is checked by browsers on every redirect that follows a form submission
(CSP 3 §6.3.1.1), not only on the form's own URL. So a page whose form may end, through
redirects, at another origin lists it: the relying party's ``redirect_uri`` origin while an
authorization request is pending in this browser (the login, consent, signup and
FranceConnect pages all end there), and FranceConnect's origin where its button is shown.

``Strict-Transport-Security`` (RFC 6797) goes on every response when ``public_url`` is https,
never on plain HTTP (browsers ignore it there, and a development host must stay reachable):
one year with subdomains, as Keycloak sends it; no ``preload``, which is the operator's
decision for the whole domain.

The CSRF token (Flask-WTF) is rotated when an SSO session starts (:func:`rotate_csrf_token`,
OWASP CSRF cheat sheet: a token seen before the login is worth nothing after it) and lives
``[tokens] interaction_ttl`` seconds (``WTF_CSRF_TIME_LIMIT``): a page left open longer than
its login could last is refused with a French "formulaire expiré" message.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from flask import current_app, g, request, session

log = logging.getLogger("idp.security")
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def origin_of(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def register_form_action_source(state, source) -> None:
    """An origin a tenant's page may end at through redirects: ``source(tenant)`` returns it
    or None. Registered, in this order, by the blueprints that know it (``bp.record_once``):
    the engine (the pending request's ``redirect_uri``), the federation (FranceConnect's
    authorization endpoint). The plumbing names neither."""
    state.app.extensions.setdefault("idp_form_action_sources", []).append(source)


def _form_action() -> str:
    sources = [g.get("form_action", "'self'")]
    tenant = g.get("tenant")
    if tenant is not None:
        try:
            extra = [source(tenant) for source in current_app.extensions.get("idp_form_action_sources", [])]
        except Exception:   # headers must never turn a page into an error
            log.exception("form-action sources could not be computed")
            extra = []
        extra += [origin_of(url) for url in g.get("form_action_extra", [])]
        sources += [origin for origin in extra if origin and origin not in sources]
    return " ".join(sources)


def _csp(script: str, form_action: str) -> str:
    return (f"default-src 'self'; script-src {script}; style-src 'self'; img-src 'self' data:; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'")


# an API answer's policy (no nonce, no form leaving the site): the same string every time
_DEFAULT_CSP = _csp("'self'", "'self'")
_FIXED = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"))


def add_security_headers(response):
    """Each header unless the view set it (as ``setdefault`` would, in the same order), with
    one pass over the response's headers: ``Headers.setdefault`` scans them again for each
    name and builds a ``KeyError`` for every absent one, five per answer; the token endpoint
    measured it (bench/RESULTS.md, issue 15)."""
    # a failed request's session may be unusable (PendingRollbackError): its error page has
    # no form to send anywhere, so the pending request is not read for it
    page = response.mimetype == "text/html" and response.status_code < 500
    form_action = _form_action() if page else g.get("form_action", "'self'")
    script = f"'self' 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "'self'"
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    if "content-security-policy" not in present:
        csp = _DEFAULT_CSP if script == form_action == "'self'" else _csp(script, form_action)
        headers.add("Content-Security-Policy", csp)
    for name, value in _FIXED:
        if name.lower() not in present:
            headers.add(name, value)
    if "strict-transport-security" not in present and \
            current_app.config["IDP_SETTINGS"].server.public_url.startswith("https://"):
        headers.add("Strict-Transport-Security", HSTS)
    if "cache-control" not in present:
        endpoint = request.endpoint
        if endpoint and not endpoint.endswith(("jwks", "discovery")) and not request.path.startswith("/static"):
            headers.add("Cache-Control", "no-store")
    return response


def rotate_csrf_token() -> None:
    """Forget this browser's CSRF token: the next form gets a new one (Flask-WTF keeps the
    raw token in the session and the signed one cached in ``g``, both under the field name)."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)
