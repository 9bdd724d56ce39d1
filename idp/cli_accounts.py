"""``idp users ...``"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .accounts.service import create_account
from .cli import _emit, _tenant


@click.group("users")
def users():
    """Manage accounts."""


@users.command("create")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--password", required=True)
@click.option("--email")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--birthdate", help="YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def create(tenant, identifier, password, email, given_name, family_name, birthdate, as_json):
    """Create an active account; the identifier and password follow the tenant's policies."""
    t = _tenant(tenant)
    result = create_account(current_app.config["IDP_SETTINGS"], t, identifier, password, email=email,
                            given_name=given_name, family_name=family_name, birthdate=birthdate)
    if result.account is None:
        if as_json:
            _emit({"error": "invalid_account", "errors": result.errors, "codes": result.codes}, True, [])
        else:
            for name, messages in result.errors.items():
                for message in messages:
                    click.echo(f"{name}: {message}", err=True)
        raise SystemExit(1)
    a = result.account
    identifier = t.identifier_scheme.check(identifier).value
    _emit({"id": a.id, "tenant": a.tenant, "identifier": identifier, "status": a.status}, as_json,
          [f"Compte créé : {a.id} ({t.identifier_scheme.mask(identifier)})"])


@users.command("activate")
@click.option("--tenant", required=True)
@click.option("--identifier", required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def activate(tenant, identifier, as_json):
    """Open an account waiting for activation or for its supporting document to be checked."""
    from .accounts.service import find_account
    from .db import db

    t = _tenant(tenant)
    checked = t.identifier_scheme.check(identifier)
    account = find_account(tenant, checked.value) if checked.passing else None
    if account is None:
        raise click.UsageError(f"no account {t.identifier_scheme.mask(checked.value or identifier)} in tenant {tenant!r}")
    previous, account.status = account.status, "active"
    db.session.commit()
    _emit({"id": account.id, "previous_status": previous, "status": "active"}, as_json,
          [f"Compte {account.id} ouvert (était {previous})"])
