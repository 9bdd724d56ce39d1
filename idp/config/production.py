"""Production refuses a development configuration (OWASP ASVS 5 V13.4, "unintended
information leakage"; Keycloak's ``start`` versus ``start-dev``).

``[server] environment`` is ``"production"`` unless the file or ``IDP_SERVER_ENVIRONMENT``
says ``"development"`` (``make run``, the tests and the bench do). In production the start
(``create_app``, hence ``idp serve``, every ``idp`` command and ``idp.wsgi``) stops with one
message naming each setting at fault when it finds:

- the development outbox: ``notify.dev_outbox_page`` or ``notify.outbox_dir`` (both hold
  reset codes, activation links and NIRs in clear);
- demo data: ``[demo] enabled``, a tenant's ``demo_account``, or the demo relying party in
  the database. ``idp init --demo`` registers that client in every tenant before it creates
  the demo accounts (whose passwords are published), so its presence is how a database made
  for the demo is recognised with one indexed read; ``idp init --demo`` itself is refused;
- the FranceConnect stand-in: ``[providers.franceconnect]`` URLs on ``http`` or a loopback
  host; and FranceConnect's integration platform (``environment = "integration"`` or
  ``"integration-plus"``), whose identities are test ones with published passwords;
- a plain-HTTP ``server.public_url``;
- in-memory counters (no ``[redis] url``) with more than one worker: each process would count
  login failures, identifier checks and sends on its own (:func:`workers_to_serve`,
  called by ``idp serve`` and by the gunicorn hook ``idp.gunicorn_conf``; ``idp.wsgi`` refuses a
  bare ``granian`` or ``gunicorn`` command that did neither). In development the server falls
  back to one worker and says so.

A database that cannot be reached at start is logged and not checked, rather than refused:
a gunicorn worker that fails to boot stops the whole server, and a database outage must not
turn into an outage that outlives it. ``idp init`` (run on every deploy) reaches the
database, so it does check.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
from urllib.parse import urlsplit

from idp.config.settings import Settings, SettingsError
from idp.store.db import db, unscoped
from idp.store.models import Client
from providers.config import ENDPOINT_FIELDS

log = logging.getLogger("idp.config.production")

FIX = ('Fix each setting, or on a development machine set [server] environment = "development" '
       "(IDP_SERVER_ENVIRONMENT=development).")
GUNICORN_WORKERS = "IDP_GUNICORN_WORKERS"   # set by the hook in gunicorn's master, read in its workers
SERVED_WORKERS = "IDP_SERVED_WORKERS"       # set by `idp serve` once it checked the count (any server)


def _local(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _franceconnect_standin(settings: Settings) -> list[str]:
    """The stand-in, or FranceConnect's integration platform: both answer with fictitious
    identities whose passwords are published (FranceConnect's test identity providers), and
    a production IdP would take them as verified by FranceConnect (``amr`` fc, its ``acr``)."""
    section = settings.providers.franceconnect
    if section is None:
        return []
    problems = [f"providers.franceconnect.{key} = {getattr(section, key)!r}: the FranceConnect stand-in "
                "(http or loopback); use environment = \"production\""
                for key in ENDPOINT_FIELDS
                if getattr(section, key) and (getattr(section, key).startswith("http://") or _local(getattr(section, key)))]
    if section.environment.startswith("integration"):
        problems.append(f"providers.franceconnect.environment = {section.environment!r}: FranceConnect's test "
                        "platform, whose identities are fictitious with published passwords; use \"production\" "
                        "(a staging server runs with environment = \"development\")")
    return problems


def configuration_problems(settings: Settings) -> list[str]:
    """Every development convenience in ``settings``, one line naming its setting each."""
    problems = []
    if settings.notify.dev_outbox_page:
        problems.append("notify.dev_outbox_page = true: /dev/outbox shows every code, link and NIR to anyone")
    if settings.notify.outbox_dir:
        problems.append(f"notify.outbox_dir = {settings.notify.outbox_dir!r}: every message written in clear "
                        'on disk; set it to ""')
    if settings.demo.enabled:
        problems.append("demo.enabled = true: the demo relying party is served")
    problems += [f"tenants.{slug}.demo_account: an account whose password is published"
                 for slug, tenant in settings.tenants.items() if tenant.demo_account is not None]
    problems += _franceconnect_standin(settings)
    if settings.server.public_url.startswith("http://"):
        problems.append(f"server.public_url = {settings.server.public_url!r}: plain HTTP; use https")
    return problems


def demo_data_problems(settings: Settings) -> list[str]:
    """The demo relying party in the database (inside an app context)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError


    try:
        if not inspect(db.engine).has_table(Client.__tablename__):
            return []   # before `idp init`: nothing there
        demo = unscoped(Client, reason="demo data in any tenant refuses a production start")
        tenant = db.session.execute(demo.with_only_columns(Client.tenant).where(
            Client.client_id == settings.demo.client_id).limit(1)).scalar_one_or_none()
    except SQLAlchemyError as error:
        log.error("production check: database unreachable (%s): demo data not checked", type(error).__name__)
        return []
    finally:
        db.session.remove()
        db.engine.dispose()   # no connection inherited by forked workers
    if tenant is None:
        return []
    return [f"demo.client_id: the database holds demo data (the demo relying party {settings.demo.client_id!r} "
            f"of tenant {tenant}, installed with demo accounts by `idp init --demo`); use a fresh database"]


def refuse_development(app, settings: Settings) -> None:
    """Stop the start in production when anything of :func:`configuration_problems` or
    :func:`demo_data_problems` is found; in development, say once that it is development."""
    if settings.development:
        log.warning("development environment: demo data, outbox and plain HTTP allowed; never expose it")
        if settings.argon2.allow_insecure_parameters:
            log.warning("argon2.allow_insecure_parameters: passwords hashed BELOW OWASP's minimum (tests only)")
        return
    problems = configuration_problems(settings)
    with app.app_context():
        problems += demo_data_problems(settings)
    if problems:
        raise SettingsError('[server] environment = "production" refuses a development configuration:\n  '
                            + "\n  ".join(problems) + "\n" + FIX)


def refuse_demo_install(settings: Settings) -> None:
    if not settings.development:
        raise SettingsError('idp init --demo: demo accounts have published passwords; refused unless '
                            '[server] environment = "development"')


def workers_to_serve(settings: Settings, workers: int) -> int:
    """How many worker processes may serve: more than one needs shared counters (Redis).

    Production refuses; development serves one worker and says so loudly."""
    if workers <= 1 or settings.redis.url:
        return workers
    if not settings.development:
        raise SettingsError(f"redis.url is empty: in-memory counters with {workers} workers would let each worker "
                            "count login failures and replays on its own; set [redis] url (IDP_REDIS_URL) "
                            "or serve one worker")
    log.warning("DEVELOPMENT: %d workers asked but no [redis] url: serving ONE worker "
                "(in-memory counters are per process)", workers)
    return 1


def check_gunicorn_hook(settings: Settings) -> None:
    """Under gunicorn or Granian started by hand, nobody may have checked the worker count:
    refuse in production when the counters are in memory, unless ``idp serve`` (any server)
    or gunicorn's hook ``idp.gunicorn_conf`` checked it."""
    if settings.development or settings.redis.url or SERVED_WORKERS in os.environ:
        return
    if "granian" in sys.modules:   # first: idp.web.logredact imports gunicorn's logger wherever it is installed
        raise SettingsError("redis.url is empty and granian runs without the worker check: start it with "
                            "`idp serve`")
    if "gunicorn" in sys.modules and GUNICORN_WORKERS not in os.environ:
        raise SettingsError("redis.url is empty and gunicorn runs without the worker check: start it with "
                            "`idp serve` or `gunicorn -c python:idp.gunicorn_conf idp.wsgi:app`")
