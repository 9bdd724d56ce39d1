"""Resolve the tenant from the URL prefix once per request (``/<tenant>/...``)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g


def tenant_blueprint(name: str, import_name: str) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix="/<tenant>")

    @bp.url_value_preprocessor
    def _resolve(endpoint, values):
        slug = (values or {}).pop("tenant", None)
        tenant = current_app.extensions["idp_tenants"].get(slug)
        if tenant is None:
            abort(404)
        g.tenant = tenant

    @bp.url_defaults
    def _inject(endpoint, values):
        if "tenant" not in values and "tenant" in g:
            values["tenant"] = g.tenant.slug

    return bp
