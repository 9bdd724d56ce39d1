"""What ``idp init --demo`` installs: the demo relying party and one account per tenant."""

from __future__ import annotations

from flask import current_app

from idp.accounts.service import create_account, find_account
from idp.clients.admin import create_client
from idp.store.db import scoped_first
from idp.demo.relying_party import demo_secret, post_logout_uri, redirect_uri
from idp.store.models import Client


def install_demo() -> dict:
    settings = current_app.config["IDP_SETTINGS"]
    out = {}
    for slug, tenant in current_app.extensions["idp_tenants"].items():
        if scoped_first(Client, slug, client_id=settings.demo.client_id) is None:
            create_client(
                slug, name="Service de démonstration", client_id=settings.demo.client_id,
                redirect_uris=[redirect_uri(settings, slug)],
                post_logout_redirect_uris=[post_logout_uri(settings, slug)],
                scope="openid profile email phone offline_access",
                grant_types=["authorization_code", "refresh_token"],
                secret=demo_secret(settings, slug),
            )
        demo = tenant.config.demo_account
        info = {"url": f"{settings.server.public_url}/demo/{slug}/", "client_id": settings.demo.client_id}
        if demo is not None:
            normalised = tenant.identifier_scheme.check(demo.identifier).value
            if find_account(slug, normalised) is None:
                result = create_account(settings, tenant, demo.identifier, demo.password,
                                        email=demo.email, given_name=demo.given_name,
                                        family_name=demo.family_name, birthdate=demo.birthdate)
                if result.account is None:
                    raise RuntimeError(f"tenants.{slug}.demo_account: {result.errors}")
            info.update(identifier=demo.identifier, password=demo.password)
        out[slug] = info
    return out
