"""What every ``idp`` command shares: its output, the ``--tenant``/``--json`` options and the
account a ``users`` command acts on.

Forms are stable because scripts rely on them: ``--json`` prints exactly one JSON object,
otherwise the French lines an operator reads.
"""

from __future__ import annotations

import functools
import json

import click
from flask import current_app

from idp.accounts.service import find_account as stored_account

json_option = click.option("--json", "as_json", is_flag=True)


def tenant_option(required: bool = True, help: str | None = None):
    """``--tenant SLUG`` (the slug; :func:`find_tenant` checks it inside the app context)."""
    return click.option("--tenant", required=required, help=help)


def emit(data: dict, as_json: bool, lines: list[str]) -> None:
    """``data`` as one JSON object with ``--json``, else ``lines`` for a person."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        for line in lines:
            click.echo(line)


def find_tenant(slug: str):
    """The configured tenant ``slug``, or a usage error listing the known ones."""
    tenants = current_app.extensions["idp_tenants"]
    if slug not in tenants:
        raise click.BadParameter(f"unknown tenant {slug!r}; known: {', '.join(tenants)}", param_hint="--tenant")
    return tenants[slug]


def find_account(slug: str, identifier: str):
    """``(tenant, account)`` for ``identifier`` as typed (normalised by the tenant's scheme), or
    a usage error naming the masked identifier."""
    tenant = find_tenant(slug)
    checked = tenant.identifier_scheme.check(identifier)
    account = stored_account(slug, checked.value) if checked.passing else None
    if account is None:
        raise click.UsageError(
            f"no account {tenant.identifier_scheme.mask(checked.value or identifier)} in tenant {slug!r}")
    return tenant, account


def with_tenant(command):
    """``--tenant`` (required), resolved into the configured tenant before ``command`` runs: it
    is called as ``command(tenant, ...)``. Put it under ``@with_appcontext`` (the lookup needs
    the app)."""
    @tenant_option()
    @functools.wraps(command)
    def resolved(tenant, **options):
        return command(find_tenant(tenant), **options)
    return resolved


def with_account(command):
    """``--tenant`` and ``--identifier`` (both required), resolved into the tenant and the
    account before ``command`` runs: it is called as ``command(tenant, account, identifier,
    ...)``, ``identifier`` as typed. Put it under ``@with_appcontext``."""
    @tenant_option()
    @click.option("--identifier", required=True)
    @functools.wraps(command)
    def resolved(tenant, identifier, **options):
        found_tenant, account = find_account(tenant, identifier)
        return command(found_tenant, account, identifier, **options)
    return resolved
