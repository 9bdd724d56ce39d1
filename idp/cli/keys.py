"""``idp keys ...``"""

from __future__ import annotations

import json
import os
import secrets

import click
from flask.cli import with_appcontext
from joserfc.jwk import ECKey, RSAKey

from idp.cli.common import emit, json_option, with_tenant
from idp.store import keystore


@click.group("keys")
def keys_group():
    """Signing keys of a tenant."""


@keys_group.command("list")
@with_appcontext
@with_tenant
@json_option
def list_keys(tenant, as_json):
    rows = keystore.listing(tenant.slug)
    emit({"tenant": tenant.slug, "keys": rows}, as_json, [f"{r['state']:8} {r['alg']:6} {r['kid']}" for r in rows])


@keys_group.command("rotate")
@with_appcontext
@with_tenant
@json_option
def rotate(tenant, as_json):
    """next → active, active → retired, a new next; old retired keys removed."""
    data = keystore.rotate_and_audit(tenant.slug)
    emit(data, as_json, [f"promues : {data['promoted']}", f"retirées : {data['retired']}",
                         f"supprimées : {data['removed']}"])


@keys_group.command("encryption-keys")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="where to write the private JWKS (mode 0600)")
@click.option("--alg", "algs", multiple=True, default=("RSA-OAEP-256", "ECDH-ES"), show_default=True,
              type=click.Choice(["RSA-OAEP-256", "RSA-OAEP", "ECDH-ES"]))
@json_option
def encryption_keys(out, algs, as_json):
    """Keys FranceConnect+ encrypts its ID tokens and userinfo to (A256GCM).

    The private JWKS goes to --out, for [providers.franceconnect] encryption_keys_file; the
    public keys are served at {issuer}/franceconnect/jwks.json, the URL to give FranceConnect."""

    keys = []
    for alg in algs:
        params = {"alg": alg, "use": "enc", "kid": f"fc-enc-{alg.lower()}-{secrets.token_hex(4)}"}
        key = (ECKey.generate_key("P-256", parameters=params) if alg == "ECDH-ES"
               else RSAKey.generate_key(3072, parameters=params))
        keys.append(key)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"keys": [k.as_dict(private=True) for k in keys]}, handle, indent=2)
    public = [k.as_dict(private=False) for k in keys]
    emit({"file": out, "keys": public}, as_json, [f"{k['alg']:13} {k['kid']}" for k in public])
