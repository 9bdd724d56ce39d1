"""The cookies of a tenant's pages are set in one place, with one set of attributes."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

from flask import Response, g

import idp

PACKAGE = Path(idp.__file__).parent
# the helper, and the language cookie: the one site-wide cookie (the tenant list at / is in
# the same language as the tenants' pages)
SETTERS = {PACKAGE / "web" / "cookies.py", PACKAGE / "web" / "i18n.py"}


def _set(app, public_url: str, slug: str = "caf") -> list[str]:
    from idp.web.cookies import clear_tenant_cookie, set_tenant_cookie

    response = Response()
    with app.test_request_context(f"/{slug}/login"):
        g.tenant = app.extensions["idp_tenants"][slug]
        real = app.config["IDP_SETTINGS"]
        app.config["IDP_SETTINGS"] = SimpleNamespace(server=SimpleNamespace(public_url=public_url))
        try:
            set_tenant_cookie(response, "idp_test", "value", 600)
            clear_tenant_cookie(response, "idp_gone")
        finally:
            app.config["IDP_SETTINGS"] = real
    return response.headers.getlist("Set-Cookie")


def test_a_tenant_cookie_is_scoped_to_the_tenant_http_only_and_lax(app):
    made, cleared = _set(app, "http://127.0.0.1:5000", "ameli")
    attributes = {part for part in made.split("; ") if not part.startswith("Expires=")}
    assert attributes == {"idp_test=value", "Max-Age=600", "HttpOnly", "Path=/ameli/", "SameSite=Lax"}
    assert "Secure" not in made.split("; ")
    assert cleared.startswith("idp_gone=;") and "Path=/ameli/" in cleared and "Max-Age=0" in cleared


def test_a_tenant_cookie_is_secure_behind_https(app):
    made, _ = _set(app, "https://connexion.example.fr")
    assert "Secure" in made.split("; ") and "Path=/caf/" in made


def test_no_cookie_is_set_but_through_the_helper():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in SETTERS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in {"set_cookie", "delete_cookie"} \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "response":
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert found == []
