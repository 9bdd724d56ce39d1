"""The ``idp`` operator command line (a Flask CLI group): ``init``, ``serve``, ``purge``,
``backchannel``, and the groups of :mod:`idp.cli.users`, :mod:`~idp.cli.clients`,
:mod:`~idp.cli.keys` and :mod:`~idp.cli.policies`; what they share is in :mod:`idp.cli.common`.

Forms are stable because scripts rely on them; ``--json`` prints exactly one JSON object.
"""

from __future__ import annotations

import os
import sys

import click
import werkzeug.serving
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from idp.app import MIGRATIONS, create_app
from idp.cli import clients as cli_clients
from idp.cli import keys as cli_keys
from idp.cli import operators as cli_operators
from idp.cli import policies as cli_policies
from idp.cli import users as cli_accounts
from idp.cli.common import emit, json_option
from idp.config.production import refuse_demo_install, workers_to_serve
from idp.config.settings import SettingsError
from idp.demo.setup import install_demo
from idp.oidc.backchannel import deliver_due
from idp.store.keystore import ensure_keys
from idp.store.purge import purge
from idp.web import serving  # the module: tests replace its functions
from idp.web.logredact import install_werkzeug_filter
from idp.web.metrics import multiprocess_environ


def register(app) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(cli_clients.clients)
    app.cli.add_command(cli_accounts.users)
    app.cli.add_command(cli_keys.keys_group)
    app.cli.add_command(cli_operators.operators_group)
    app.cli.add_command(cli_policies.policies_group)
    app.cli.add_command(backchannel_group)
    app.cli.add_command(purge_command)


PURGE_LABELS = {"interactions": "interactions", "authorization_codes": "codes d'autorisation",
                "sso_sessions": "sessions", "signups": "inscriptions en cours",
                "verifications": "codes de vérification", "revoked_tokens": "jetons révoqués (liste de refus)",
                "issued_access_tokens": "jetons d'accès émis", "refresh_tokens": "jetons de rafraîchissement",
                "used_assertions": "assertions private_key_jwt utilisées",
                "backchannel_deliveries": "déconnexions back-channel abandonnées",
                "pending_accounts": "comptes jamais activés", "audit_events": "événements d'audit échus",
                "admin_requests": "clés d'idempotence de l'API d'administration",
                "mfa_enrolments": "enrôlements TOTP jamais confirmés"}


@click.command("purge")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows deleted per statement (and per commit).")
@json_option
@with_appcontext
def purge_command(batch_size: int, as_json: bool):
    """Delete expired rows (run from cron, e.g. hourly): interactions, codes, sessions,
    signups, verification codes, deny-list entries, abandoned back-channel deliveries,
    accounts of abandoned signups never activated."""
    counts = purge(batch_size)
    emit(counts, as_json, [f"{PURGE_LABELS[kind]} supprimé(e)s : {count}" for kind, count in counts.items()])


@click.group("backchannel")
def backchannel_group():
    """Back-channel logouts owed to relying parties."""


@backchannel_group.command("deliver")
@json_option
@with_appcontext
def backchannel_deliver(as_json: bool):
    """Send the back-channel logouts that are due (run from cron, e.g. every minute)."""
    counts = deliver_due(current_app.extensions["idp_tenants"])
    emit(counts, as_json, [f"envoyées : {counts['sent']}, en échec : {counts['failed']}, "
                           f"abandonnées : {counts['abandoned']}"])


@click.command("init")
@click.option("--demo", is_flag=True, help="Also create the demo relying party and one demo account per tenant.")
@json_option
@with_appcontext
def init_command(demo: bool, as_json: bool):
    """Create or upgrade the schema, give each tenant its keys; idempotent."""

    if demo:   # before anything is written
        try:
            refuse_demo_install(current_app.config["IDP_SETTINGS"])
        except SettingsError as exc:
            raise click.UsageError(str(exc)) from None
    upgrade(directory=MIGRATIONS)
    created = {slug: ensure_keys(slug) for slug in current_app.extensions["idp_tenants"]}
    result = {"schema": "up to date", "keys_created": created}
    lines = ["Schéma de base de données à jour."] + [
        f"Clés de {slug} : {'créées' if made else 'déjà présentes'}" for slug, made in created.items()]
    if demo:
        result["demo"] = install_demo()
        lines += _demo_lines(result["demo"])
    emit(result, as_json, lines)


def _demo_lines(demo: dict) -> list[str]:
    lines = ["", "Démonstration :"]
    for slug, info in demo.items():
        lines.append(f"  {slug}: {info['url']}  identifiant {info['identifier']}  mot de passe {info['password']}")
    return lines


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=click.IntRange(1), help="Worker processes (default: the cores).")
@click.option("--server", "server_name", default=os.environ.get("IDP_SERVE_SERVER", "granian"), show_default=True,
              type=click.Choice(["granian", "gunicorn"]), help="Chosen by measurement: see bench/RESULTS.md.")
@click.option("--worker-class", default=os.environ.get("IDP_SERVE_WORKER_CLASS", "gthread"), show_default=True,
              type=click.Choice(["sync", "gthread"]), help="gunicorn only; gthread keeps connections alive.")
@click.option("--threads", default=lambda: int(os.environ.get("IDP_SERVE_THREADS", "0")) or None, type=click.IntRange(1),
              help="Threads per worker (default: Granian 1, gunicorn gthread 4).")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, server_name: str, worker_class: str,
                  threads: int | None, access_log: bool):
    """Serve with Granian (or gunicorn), one worker per core by default (idp/web/serving.py); with
    neither installed, Werkzeug in development only.

    Several workers need ``[redis] url`` (shared counters): production refuses without it,
    development serves one worker and says so (idp/config/production.py)."""
    settings = current_app.config["IDP_SETTINGS"]
    workers = workers or serving.default_workers()
    try:
        served = workers_to_serve(settings, workers)
    except SettingsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if served != workers:
        click.echo(f"WARNING: DEVELOPMENT, NO [redis] url: serving 1 worker instead of {workers} "
                   "(in-memory counters are per process)", err=True)
    if serving.available(server_name):
        os.environ.update(serving.server_environ(server_name, served, access_log))
        os.environ.update(multiprocess_environ())   # every worker's metrics in one scrape
        argv = serving.server_argv(server_name, host, port, served, threads, worker_class, access_log,
                           production=not settings.development)
        os.execv(sys.executable, argv)
    if not settings.development:
        click.echo(f"Error: {server_name} is not installed and Werkzeug is a development server: "
                   "pip install '.[production]'", err=True)
        sys.exit(2)
    click.echo(f"{server_name} is not installed: serving with Werkzeug (development only)")

    install_werkzeug_filter()

    werkzeug.serving.run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


def create_cli_app():
    try:
        return create_app()
    except SettingsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


def main():
    cli = FlaskGroup(create_app=create_cli_app, add_default_commands=True,
                     help="Operator commands of the identity provider.")
    cli(prog_name="idp")
