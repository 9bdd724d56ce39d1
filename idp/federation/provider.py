"""The FranceConnect client of a tenant, built once per process from the settings.

The client (``providers.franceconnect.FranceConnect``) caches FranceConnect's discovery
document and keys; it is kept in ``app.extensions`` so that every request of a worker
shares them (architecture.md, "State and scale")."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from flask import current_app, g

from providers.franceconnect import FranceConnect, FranceConnectConfig
from idp.config.settings import SettingsError

PROVIDER = "franceconnect"
_lock = threading.Lock()


def enabled() -> bool:
    settings = current_app.config["IDP_SETTINGS"]
    return bool(g.tenant.config.franceconnect and settings.providers.franceconnect is not None)


def _config(slug: str) -> FranceConnectConfig:
    settings = current_app.config["IDP_SETTINGS"]
    section = settings.providers.franceconnect
    values = section.model_dump()
    values.update(settings.tenants[slug].franceconnect_client)
    keys_file = values.pop("encryption_keys_file")
    encryption = json.loads(Path(keys_file).read_text())["keys"] if keys_file else []
    private_key_file = values.pop("client_private_key_file")
    if private_key_file:
        values["client_private_jwk"] = json.loads(Path(private_key_file).read_text())
    kwargs = {k: v for k, v in values.items() if v not in ("", None)}
    kwargs["scopes"] = tuple(values["scopes"])
    kwargs["encryption_jwks"] = tuple(encryption)
    return FranceConnectConfig(**kwargs)


def build_all() -> None:
    """Every FranceConnect-enabled tenant's client; :class:`SettingsError` names the problem."""
    settings = current_app.config["IDP_SETTINGS"]
    if settings.providers.franceconnect is None:
        return
    cache = current_app.extensions.setdefault("idp_franceconnect", {})
    for slug, tenant in settings.tenants.items():
        if not tenant.franceconnect:
            continue
        try:
            cache[slug] = FranceConnect(_config(slug))
        except (ValueError, TypeError, OSError) as error:
            raise SettingsError(f"providers.franceconnect (tenant {slug}): {error}") from None


def client() -> FranceConnect:
    """This tenant's FranceConnect client (shared by the worker's threads)."""
    cache = current_app.extensions.setdefault("idp_franceconnect", {})
    slug = g.tenant.slug
    if slug not in cache:
        with _lock:
            if slug not in cache:
                cache[slug] = FranceConnect(_config(slug))
    return cache[slug]


def callback_url() -> str:
    """Registered with FranceConnect: built from the issuer, never from the Host header."""
    return f"{g.tenant.issuer}/franceconnect/callback"


def logout_callback_url() -> str:
    return f"{g.tenant.issuer}/franceconnect/logout-callback"


def form_action_origin() -> str | None:
    """The origin of FranceConnect's authorization endpoint, as configured (no network).

    The button is a form POSTed to the IdP, which answers with a redirect to FranceConnect;
    browsers apply the page's CSP ``form-action`` to that redirect too, so pages of a tenant
    offering FranceConnect allow its origin there (idp/web/headers.py)."""
    from urllib.parse import urlsplit

    config = client().config
    url = config.authorization_endpoint or config.discovery_url or config.base_url or config.issuer
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
