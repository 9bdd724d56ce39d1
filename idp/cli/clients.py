"""``idp clients ...``"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from idp.cli.common import emit, find_tenant, json_option, tenant_option, with_tenant
from idp.clients.admin import (ClientError, create_client, delete_client, describe, list_clients, set_subject_type,
                               show_client)
from idp.clients.model import AUTH_METHODS, GRANT_TYPES
from idp.clients.profiles import PROFILES
from idp.oidc.discovery import SIGNING_ALGS
from idp.oidc.subjects import SUBJECT_TYPES
from idp.security.audit import audit


@click.group("clients")
def clients():
    """Relying parties of a tenant."""


@clients.command("create")
@with_appcontext
@with_tenant
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Required, unless a --profile builds it.")
@click.option("--post-logout-redirect-uri", "post_logout_redirect_uris", multiple=True)
@click.option("--public", is_flag=True, help="A public client (no secret, PKCE required).")
@click.option("--auth-method", type=click.Choice([m for m in AUTH_METHODS if m != "none"]),
              help="[default: client_secret_basic]")
@click.option("--first-party", is_flag=True, help="Trusted client: no consent page.")
@click.option("--scope", help="[default: openid profile email]")
@click.option("--grant-type", "grant_types", multiple=True, type=click.Choice(GRANT_TYPES))
@click.option("--backchannel-logout-uri")
@click.option("--jwks-file", type=click.Path(exists=True, dir_okay=False), help="Public JWKS, for private_key_jwt.")
@click.option("--client-id", help="Choose the client_id (random by default).")
@click.option("--id-token-signed-response-alg", type=click.Choice(SIGNING_ALGS), help="[default: RS256]")
@click.option("--userinfo-signed-response-alg", type=click.Choice(SIGNING_ALGS),
              help="Userinfo as a JWT signed with this alg (default: JSON).")
@click.option("--require-par", "require_pushed_authorization_requests", is_flag=True,
              help="Authorization requests only through /par (RFC 9126).")
@click.option("--dpop", "dpop_bound_access_tokens", is_flag=True,
              help="Every token request carries a DPoP proof: tokens bound to its key (RFC 9449).")
@click.option("--profile", type=click.Choice(tuple(PROFILES)),
              help="franceconnect: FranceConnect as a client, this IdP being its identity provider (FI).")
@click.option("--require-acr", type=click.Choice(["eidas1", "eidas2"]),
              help="The lowest level this client accepts: eidas2 asks a second factor at every login.")
@click.option("--franceconnect-host", help="With --profile franceconnect: FranceConnect's host, for its callback URLs.")
@click.option("--subject-type", type=click.Choice(SUBJECT_TYPES),
              help="sub: the account id (public) or one per sector (pairwise) [default: the tenant's subject_type].")
@click.option("--sector-identifier-uri", help="With --subject-type pairwise: an https JSON array of the "
              "redirect URIs; its host is the sector (needed when they are on several hosts).")
@json_option
def create(tenant, as_json, **options):
    """Register a client; its secret is printed once and stored as a keyed hash."""
    try:
        row, secret = create_client(tenant.slug, **options)
    except ClientError as exc:
        raise click.UsageError(str(exc)) from None
    data = describe(row)
    if secret:
        data["client_secret"] = secret
    lines = [f"client_id: {row.client_id}"] + ([f"client_secret: {secret}  (affiché une seule fois)"] if secret else [])
    emit(data, as_json, lines)


@clients.command("list")
@tenant_option(required=False, help="Only this tenant's clients.")
@json_option
@with_appcontext
def list_(tenant, as_json):
    if tenant:
        find_tenant(tenant)
    rows = [describe(r) for r in list_clients(tenant)]
    emit({"clients": rows}, as_json, [f"{r['tenant']}  {r['client_id']}  {r['name']}" for r in rows])


def _one_client(command):
    """CLIENT_ID, ``--tenant`` when the client_id exists in several tenants, ``--json``."""
    command = json_option(command)
    command = tenant_option(required=False, help="Needed only if the client_id exists in several tenants.")(command)
    return click.argument("client_id")(command)


def _no_client(client_id: str, tenant: str | None) -> click.UsageError:
    return click.UsageError(f"no client {client_id!r}" + (f" in tenant {tenant!r}" if tenant else ""))


@clients.command("show")
@_one_client
@with_appcontext
def show(client_id, tenant, as_json):
    row = show_client(tenant, client_id)
    if row is None:
        raise _no_client(client_id, tenant)
    data = describe(row)
    emit(data, as_json, [f"{k}: {v}" for k, v in data.items()])


@clients.command("delete")
@_one_client
@with_appcontext
def delete(client_id, tenant, as_json):
    if not delete_client(tenant, client_id):
        raise _no_client(client_id, tenant)
    emit({"deleted": client_id}, as_json, [f"client {client_id} supprimé"])


@clients.command("subject-type")
@_one_client
@click.argument("subject_type", type=click.Choice(SUBJECT_TYPES))
@click.option("--sector-identifier-uri", help="With pairwise: an https JSON array of the redirect URIs.")
@with_appcontext
def subject_type(client_id, tenant, as_json, subject_type, sector_identifier_uri):
    """Change a client's subject type: EVERY sub its users have there changes (the client sees
    them as new people unless it maps the old sub to the new one itself)."""
    try:
        row = set_subject_type(tenant, client_id, subject_type, sector_identifier_uri)
    except ClientError as exc:
        raise click.UsageError(str(exc)) from None
    if row is None:
        raise _no_client(client_id, tenant)
    audit("client.subject_type_changed", tenant=row.tenant, client_id=client_id, subject_type=subject_type)
    emit(describe(row), as_json, [f"client {client_id}: subject_type {subject_type}"])
