"""``idp operators ...``: the callers of the admin API (:mod:`idp.admin.operators`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from idp.admin.operators import ROLES, OperatorError, create_operator, delete_operator, describe, list_operators
from idp.cli.common import emit, json_option


@click.group("operators")
def operators_group():
    """Operator clients of the admin API."""


@operators_group.command("create")
@click.option("--name", required=True)
@click.option("--tenant", "tenants", required=True, multiple=True, help="A tenant it acts on (repeat for several).")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(ROLES),
              help="What it may do there (repeat for several).")
@json_option
@with_appcontext
def create(name, tenants, roles, as_json):
    """Create an operator client; its secret is printed once and stored as a keyed hash."""
    try:
        row, secret = create_operator(name, list(tenants), list(roles))
    except OperatorError as exc:
        raise click.UsageError(str(exc)) from None
    emit({**describe(row), "client_secret": secret}, as_json,
         [f"client_id: {row.client_id}", f"client_secret: {secret}  (affiché une seule fois)"])


@operators_group.command("list")
@json_option
@with_appcontext
def list_(as_json):
    rows = [describe(r) for r in list_operators()]
    emit({"operators": rows}, as_json,
         [f"{r['client_id']}  {r['name']}  {','.join(r['tenants'])}  {','.join(r['roles'])}" for r in rows]
         or ["Aucun opérateur."])


@operators_group.command("delete")
@click.argument("client_id")
@json_option
@with_appcontext
def delete(client_id, as_json):
    """Remove an operator client: its tokens are refused at once."""
    if not delete_operator(client_id):
        raise click.UsageError(f"no operator {client_id!r}")
    emit({"deleted": client_id}, as_json, [f"opérateur {client_id} supprimé"])
