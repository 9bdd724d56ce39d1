"""The cookies of a tenant's pages: path ``/<tenant>/`` (a cookie of caf never reaches
ameli's pages, whose sessions and journeys are another's), HttpOnly (no script reads a
handle), Secure when the public URL is https, SameSite=Lax (sent on the top-level redirect
back from a relying party or FranceConnect, not on a cross-site POST).

Every handle the IdP gives a browser goes through here: the SSO session, the interaction,
the signup, the FranceConnect journey, the remembered identifier.
"""

from __future__ import annotations

from flask import current_app, g


def tenant_path() -> str:
    return f"/{g.tenant.slug}/"


def set_tenant_cookie(response, name: str, value: str, max_age: int) -> None:
    secure = current_app.config["IDP_SETTINGS"].server.public_url.startswith("https://")
    response.set_cookie(name, value, path=tenant_path(), httponly=True, samesite="Lax", secure=secure,
                        max_age=max_age)


def clear_tenant_cookie(response, name: str) -> None:
    response.delete_cookie(name, path=tenant_path())
