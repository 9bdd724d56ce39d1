"""``idp keys ...``"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import keystore
from .cli import _emit, _tenant


@click.group("keys")
def keys_group():
    """Signing keys of a tenant."""


@keys_group.command("list")
@click.option("--tenant", required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_keys(tenant, as_json):
    _tenant(tenant)
    rows = [{"kid": r.kid, "alg": r.alg, "state": r.state.value, "created_at": r.created_at,
             "activated_at": r.activated_at, "retired_at": r.retired_at}
            for r in keystore.records(tenant)]
    _emit({"tenant": tenant, "keys": rows}, as_json,
          [f"{r['state']:8} {r['alg']:6} {r['kid']}" for r in rows])


@keys_group.command("rotate")
@click.option("--tenant", required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def rotate(tenant, as_json):
    """next → active, active → retired, a new next; old retired keys removed."""
    _tenant(tenant)
    plan = keystore.rotate(tenant)
    data = {"tenant": tenant, "promoted": plan.promote, "retired": plan.retire, "removed": plan.remove,
            "created": [alg for alg, _ in plan.create]}
    _emit(data, as_json, [f"promues : {plan.promote}", f"retirées : {plan.retire}", f"supprimées : {plan.remove}"])
