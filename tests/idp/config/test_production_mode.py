"""Production (the default) refuses a development configuration, naming each setting; the
shipped example is production-safe; `make run`'s rendering is development."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from support import write_config

from idp.config.settings import SettingsError, load_settings

FIX = '[server] environment = "development" (IDP_SERVER_ENVIRONMENT=development)'
IDP = Path(sys.executable).with_name("idp")


def production(tmp_path, environ=None, **sections):
    """The shipped example as is (production), on a SQLite file, with ``sections`` merged in."""
    path = write_config(tmp_path, development=False)
    environ = {"IDP_DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3", **(environ or {})}
    return load_settings(path, environ=environ, overrides=sections)


def shipped_tenants(tmp_path, **per_tenant) -> dict:
    tenants = tomllib.loads(write_config(tmp_path, development=False).read_text())["tenants"]
    for slug, values in per_tenant.items():
        tenants[slug] = {**tenants[slug], **values}
    return tenants


def refusal(settings) -> str:
    from idp.app import create_app

    with pytest.raises(SettingsError) as error:
        create_app(settings=settings)
    return str(error.value)


def test_the_shipped_example_is_production_and_starts(tmp_path):
    from idp.app import create_app

    settings = production(tmp_path)
    assert settings.server.environment == "production" and settings.server.public_url.startswith("https://")
    assert not settings.demo.enabled and settings.providers.franceconnect is None
    assert settings.notify.outbox_dir == "" and settings.notify.dev_outbox_page is False
    assert all(t.demo_account is None and not t.franceconnect for t in settings.tenants.values())
    create_app(settings=settings)   # nothing refused, on a database not yet initialised


def test_make_run_renders_the_development_lines(tmp_path):
    settings = load_settings(write_config(tmp_path), environ={})
    assert settings.server.environment == "development" and settings.server.public_url == "http://127.0.0.1:5000"
    assert settings.demo.enabled and settings.notify.dev_outbox_page and settings.notify.outbox_dir
    assert settings.providers.franceconnect.discovery_url.startswith("http://127.0.0.1:5001/")
    assert settings.tenants["caf"].demo_account.password == "Allocation2024" and settings.tenants["caf"].franceconnect


@pytest.mark.parametrize(("sections", "line"), [
    ({"notify": {"dev_outbox_page": True}},
     "notify.dev_outbox_page = true: /dev/outbox shows every code, link and NIR to anyone"),
    ({"notify": {"outbox_dir": "instance/outbox"}},
     "notify.outbox_dir = 'instance/outbox': every message written in clear on disk; set it to \"\""),
    ({"demo": {"enabled": True}}, "demo.enabled = true: the demo relying party is served"),
    ({"server": {"public_url": "http://connexion.example.fr"}},
     "server.public_url = 'http://connexion.example.fr': plain HTTP; use https"),
    ({"providers": {"franceconnect": {"discovery_url": "http://127.0.0.1:5001/api/v2/.well-known/openid-configuration",
                                      "client_id": "x", "client_secret": "s" * 40}}},
     "providers.franceconnect.discovery_url = 'http://127.0.0.1:5001/api/v2/.well-known/openid-configuration': "
     "the FranceConnect stand-in (http or loopback)"),
    ({"providers": {"franceconnect": {"discovery_url": "https://localhost:5001/.well-known/openid-configuration",
                                      "client_id": "x", "client_secret": "s" * 40}}},
     "providers.franceconnect.discovery_url = 'https://localhost:5001/.well-known/openid-configuration': "
     "the FranceConnect stand-in"),
    ({"providers": {"franceconnect": {"environment": "production", "token_endpoint": "http://fc.example/token",
                                      "client_id": "x", "client_secret": "s" * 40}}},
     "providers.franceconnect.token_endpoint = 'http://fc.example/token': the FranceConnect stand-in"),
    ({"providers": {"franceconnect": {"environment": "integration-plus", "client_id": "x", "client_secret": "s" * 40,
                                      "acr": "eidas2"}}},
     "providers.franceconnect.environment = 'integration-plus': FranceConnect's test platform, whose identities "
     "are fictitious with published passwords"),
])
def test_production_refuses_each_development_setting(tmp_path, sections, line):
    message = refusal(production(tmp_path, **sections))
    assert message.startswith('[server] environment = "production" refuses a development configuration:')
    assert line in message and FIX in message


def test_production_refuses_a_demo_account(tmp_path):
    account = {"identifier": "jean.dupont", "password": "Mairie2024Demo"}
    message = refusal(production(tmp_path, tenants=shipped_tenants(tmp_path, mairie={"demo_account": account})))
    assert "tenants.mairie.demo_account: an account whose password is published" in message


def test_make_run_configuration_in_production_lists_every_problem(tmp_path):
    settings = load_settings(write_config(tmp_path), environ={"IDP_SERVER_ENVIRONMENT": "production"})
    message = refusal(settings)
    for key in ("notify.dev_outbox_page", "notify.outbox_dir", "demo.enabled", "tenants.caf.demo_account",
                "tenants.ameli.demo_account", "tenants.mairie.demo_account",
                "providers.franceconnect.discovery_url", "server.public_url"):
        assert f"\n  {key}" in message, key


def test_environment_variable_says_development(tmp_path):
    from idp.app import create_app

    settings = production(tmp_path, environ={"IDP_SERVER_ENVIRONMENT": "development"}, demo={"enabled": True})
    assert settings.development
    create_app(settings=settings)


def test_production_refuses_a_database_holding_demo_data(app, backend, tmp_path):
    """The demo relying party `idp init --demo` registered, found in the database at start."""
    from idp.app import create_app

    from helpers import make_client

    clean = _production_on(app, tmp_path)
    create_app(settings=clean)   # the same database without demo data starts
    make_client(app, "ameli", client_id="demo-rp", name="Service de démonstration")
    message = refusal(clean)
    assert "demo.client_id: the database holds demo data (the demo relying party 'demo-rp' of tenant ameli, " in message
    assert "installed with demo accounts by `idp init --demo`); use a fresh database" in message


def test_idp_init_demo_is_refused_in_production(app, backend, tmp_path):
    from idp.app import create_app
    from idp.store.models import Client

    prod = create_app(settings=_production_on(app, tmp_path))
    result = prod.test_cli_runner().invoke(args=["init", "--demo"])
    assert result.exit_code == 2
    assert "idp init --demo: demo accounts have published passwords; refused unless" in result.output
    with app.app_context():
        assert Client.query.count() == 0


def _production_on(app, tmp_path):
    """Production settings on the database (and Redis) of the ``app`` fixture."""
    used = app.config["IDP_SETTINGS"]
    return production(tmp_path, environ={"IDP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                                         "IDP_REDIS_URL": used.redis.url})


def test_an_unreachable_database_is_logged_not_refused(tmp_path, caplog):
    """A worker booting while the database is down must not stop gunicorn for good."""
    from idp.app import create_app

    from live import _free_port

    settings = production(tmp_path, environ={"IDP_DATABASE_URL": f"postgresql+psycopg://idp@127.0.0.1:{_free_port()}/idp"})
    create_app(settings=settings)
    assert "production check: database unreachable (OperationalError): demo data not checked" in caplog.text


def test_cli_and_wsgi_stop_in_production_naming_the_setting(tmp_path):
    config = write_config(tmp_path)   # `make run`'s file, told it is production
    env = {**os.environ, "IDP_CONFIG": str(config), "IDP_SERVER_ENVIRONMENT": "production",
           "IDP_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    cli = subprocess.run([str(IDP), "clients", "list"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert cli.returncode == 2 and "notify.dev_outbox_page = true" in cli.stderr
    wsgi = subprocess.run([sys.executable, "-c", "import idp.wsgi"], env=env, capture_output=True, text=True,
                          cwd=tmp_path)
    assert wsgi.returncode == 1 and "demo.enabled = true" in wsgi.stderr
