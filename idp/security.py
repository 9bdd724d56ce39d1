"""Response headers every page and API carries (OWASP ASVS V14.4)."""

from __future__ import annotations

import secrets

from flask import g, request


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response):
    form_action = g.get("form_action", "'self'")
    tenant = g.get("tenant")
    if tenant is not None and tenant.config.franceconnect and response.mimetype == "text/html":
        from .federation.provider import enabled, form_action_origin

        origin = form_action_origin() if enabled() else None
        if origin:
            form_action = f"{form_action} {origin}"
    script = f"'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "'none'"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self' {script}; style-src 'self'; img-src 'self' data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint and not request.endpoint.endswith(("jwks", "discovery")) and not request.path.startswith("/static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
