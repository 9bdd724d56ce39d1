"""``idp policies describe|check``: how support answers "why was this refused?"."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from idp.cli.common import emit, json_option, with_tenant


@click.group("policies")
def policies_group():
    """A tenant's identifier scheme and password policy."""


@policies_group.command("describe")
@with_appcontext
@with_tenant
@json_option
def describe(tenant, as_json):
    data = tenant.policies.describe()
    scheme = tenant.identifier_scheme
    lines = [f"Identifiant : {data['identifier'].get('name', scheme.name)} – {scheme.label['fr']}",
             "Mot de passe :"] + [f"  - {r['fr']}" for r in data["password"]["requirements"]]
    emit(data, as_json, lines)


@policies_group.command("check")
@with_appcontext
@with_tenant
@click.option("--password", help="The password to check against the tenant's policy.")
@click.option("--identifier", help="The identifier to check (and, with --password, to keep out of it).")
@json_option
def check(tenant, password, identifier, as_json):
    """Exit status 0 when everything given passes, 1 otherwise."""
    if password is None and identifier is None:
        raise click.UsageError("give --password, --identifier or both")
    data, lines, passing = {"tenant": tenant.slug}, [], True
    if identifier is not None:
        result = tenant.identifier_scheme.check(identifier)
        data["identifier"] = {**result.as_dict(), "normalised": result.value}
        passing &= result.passing
        lines.append(f"Identifiant : {'accepté' if result.passing else 'refusé'}"
                     + (f" ({tenant.identifier_scheme.mask(result.value)})" if result.passing else ""))
        lines += [f"  - {m.code}: {m.fr}" for m in result.messages]
    if password is not None:
        result = tenant.password_policy.check(password, identifier=data.get("identifier", {}).get("normalised"))
        data["password"] = result.as_dict()
        passing &= result.passing
        lines.append(f"Mot de passe : {'accepté' if result.passing else 'refusé'}")
        lines += [f"  - {m.code}: {m.fr}" for m in result.messages]
    data["passing"] = passing
    emit(data, as_json, lines)
    raise SystemExit(0 if passing else 1)
