"""Application factory: a list of ``setup_*`` steps, as Canaille does."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

import logging
import os
from pathlib import Path

from flask import Flask, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError

from idp.accounts.recovery import bp as recovery_bp
from idp.admin.api import setup_admin, unrouted as admin_unrouted
from idp.accounts.selfservice import bp as selfservice_bp
from idp.accounts.views import bp as accounts_bp
from idp.mfa.passkey_views import bp as passkeys_bp
from idp.mfa.views import bp as mfa_bp
from idp.config.production import refuse_development
from idp.config.settings import Settings, load_settings
from idp.config.tenants import build_tenants
from idp.demo.relying_party import bp as demo_bp
from idp.federation.provider import build_all
from idp.federation.views import bp as franceconnect_bp
from idp.notify import setup_notify
from idp.oidc.published import setup_published_documents
from idp.oidc.server import create_server
from idp.oidc.views import bp as oidc_bp
from idp.security.audit import write_deferred
from idp.security.counters import counters_for
from idp.security.vault import IdentifierVault
from idp.signup.config_check import check_signup
from idp.signup.views import bp as signup_bp
from idp.store.db import db
from idp.web.body_limits import setup_body_limits
from idp.web.errors import setup_errors
from idp.web.frame import frame_part, page_frame
from idp.web.headers import add_security_headers, csp_nonce
from idp.web.health import bp as health_bp
from idp.web.i18n import setup_i18n
from idp.web.metrics import setup_metrics
from idp.web.params import setup_screening

log = logging.getLogger("idp")
csrf = CSRFProtect()
MIGRATIONS = str(Path(__file__).parent / "store" / "migrations")


def _sqlite_url(url: str) -> str:
    """A relative SQLite path is relative to the working directory (not Flask's instance
    folder, as Flask-SQLAlchemy would have it); its folder is created."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or url.endswith(":memory:"):
        return url
    path = Path(url[len(prefix):]).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return prefix + str(path)


class CookieSession(SecureCookieSessionInterface):
    """Flask's signed-cookie session, not prepared for a request that sent no cookie: Flask
    opens the session of every request, and building the signing serializer to find nothing
    was 4 % of a token request (bench/RESULTS.md); such a request gets the same empty session."""

    def __init__(self) -> None:
        self._signers: dict = {}

    def open_session(self, app, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        """Flask's serializer, built once per secret key and fallbacks instead of per
        request that reads or writes the cookie (issue 15). It holds no request state (its
        signer is made at each loads/dumps), so one serves every request and thread; keyed on
        the keys read at each call, a changed SECRET_KEY or SECRET_KEY_FALLBACKS gets a new
        one, so cookies and refusals stay Flask's own."""
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = super().get_signing_serializer(app)
        return signer


def setup_config(app: Flask, settings: Settings, test_config: dict | None) -> None:
    app.config.update(
        IDP_SETTINGS=settings,
        SECRET_KEY=settings.server.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database.url,
        # hide_parameters: a failed statement's message (logged with its traceback) never
        # carries the values it was given (emails, digests, sealed data); pool_pre_ping: a
        # pooled connection is tested when taken, so the first requests after a database
        # restart get a new one instead of a 503 (tests/idp/test_database_restart.py)
        SQLALCHEMY_ENGINE_OPTIONS={"pool_recycle": 1800, "hide_parameters": True, "pool_pre_ping": True},
        WTF_CSRF_TIME_LIMIT=settings.tokens.interaction_ttl,   # idp/web/headers.py
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.server.public_url.startswith("https://"),
        JSON_SORT_KEYS=False,
    )
    app.config.update(test_config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = _sqlite_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.session_interface = CookieSession()


def _sqlite_pragmas(dbapi_connection, record) -> None:
    """WAL and synchronous=NORMAL: safe against corruption, and a commit no longer waits for
    two disk syncs (the bench measured commits as a quarter of a refresh's cost)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def setup_storage(app: Flask, settings: Settings) -> None:
    from flask_migrate import Migrate
    from sqlalchemy import event

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    Migrate(app, db, directory=MIGRATIONS, render_as_batch=True)
    app.extensions["idp_counters"] = counters_for(settings.redis.url)
    app.extensions["idp_tenants"] = build_tenants(settings, check_signup)
    app.extensions["idp_vault"] = IdentifierVault(settings.server.data_protection_key)
    app.teardown_request(write_deferred)   # audit rows of a request that held its connection


def setup_messaging(app: Flask, settings: Settings) -> None:
    v = settings.verification
    setup_notify(app, settings.notify, context_defaults={
        "minutes": v.code_ttl // 60, "hours": v.link_ttl // 3600, "days": v.letter_ttl_days})


def setup_protocol(app: Flask) -> None:
    create_server(app)


def setup_views(app: Flask) -> None:
    csrf.init_app(app)
    app.register_blueprint(oidc_bp)
    csrf.exempt(oidc_bp)  # protocol endpoints: client authentication, state and PKCE instead
    app.register_blueprint(accounts_bp)
    app.register_blueprint(signup_bp)
    app.register_blueprint(selfservice_bp)
    app.register_blueprint(passkeys_bp)
    app.register_blueprint(recovery_bp)
    app.register_blueprint(mfa_bp)
    app.register_blueprint(franceconnect_bp)
    app.register_blueprint(demo_bp)
    app.register_blueprint(health_bp)
    setup_admin(app)
    csrf.exempt(demo_bp)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["page_frame"] = page_frame   # the DSFR header and footer (idp/web/frame.py)
    app.jinja_env.globals["frame_part"] = frame_part   # the same, rendered once per tenant and language

    @app.route("/")
    def index():
        settings = app.config["IDP_SETTINGS"]
        return render_template("index.html", tenants=app.extensions["idp_tenants"].values(),
                               demo=settings.demo.enabled)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        if error.description == "The CSRF token has expired.":
            minutes = app.config["WTF_CSRF_TIME_LIMIT"] // 60
            return render_template("error.html", title=_l("Formulaire expiré"), message=_l(
                "Cette page est restée ouverte plus de %(minutes)s minutes : pour votre sécurité, son "
                "formulaire a expiré. Rechargez la page et recommencez.", minutes=minutes)), 400
        return render_template("error.html", title=_l("Formulaire expiré"),
                               message=_l("Ce formulaire a expiré ou ne vient pas de ce site. "
                                       "Revenez en arrière, rechargez la page et recommencez.")), 400

    @app.errorhandler(404)
    def not_found(error):
        if request.path.startswith("/admin/"):
            return admin_unrouted(error)
        # a path under a tenant that matches no page is still that service's: its frame
        slug = request.path.strip("/").split("/", 1)[0]
        if "tenant" not in g and slug in app.extensions["idp_tenants"]:
            g.tenant = app.extensions["idp_tenants"][slug]
        return render_template("errors/404.html"), 404


def setup_boundary(app: Flask) -> None:
    """Malformed parameters refused before any view (after the CSRF check); error pages."""
    setup_screening(app)
    setup_errors(app)


def setup_cli(app: Flask) -> None:
    # imported here: the CLI's commands build the app (idp.cli.main imports idp.app), the CLI sits above it
    from idp.cli.main import register

    register(app)


def setup_transport(app: Flask, settings: Settings) -> None:
    """Behind a proxy, trust its X-Forwarded-* headers; plain HTTP only for development."""
    if settings.server.trust_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
    if settings.server.public_url.startswith("http://"):
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
        log.warning("development default: plain HTTP public_url %s (use https in production)",
                    settings.server.public_url)


def announce_defaults(settings: Settings) -> None:
    if settings.database.url.startswith("sqlite"):
        log.warning("development default: SQLite database %s", settings.database.url)
    if not settings.redis.url:
        log.warning("development default: in-memory counters (set [redis] url with several workers)")


def setup_federation(app: Flask) -> None:
    """Build each tenant's FranceConnect client now (no network): a contradictory
    [providers.franceconnect] stops the start instead of breaking pages later."""
    with app.app_context():
        build_all()


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=os.path.abspath("instance"))
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # basicConfig does nothing when the root logger has handlers already (a host's, pytest's):
    # the level is set on its own so log_level (file or IDP_LOG_LEVEL) always applies.
    logging.getLogger().setLevel(settings.log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Authlib logs issued tokens at DEBUG ("Issue token %r"): never let that reach a log.
    logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger().level))
    setup_config(app, settings, test_config)
    setup_transport(app, settings)
    setup_storage(app, settings)
    refuse_development(app, settings)
    setup_body_limits(app, settings.server.max_request_bytes)   # before CSRF (setup_views)
    setup_protocol(app)
    setup_messaging(app, settings)
    setup_views(app)
    setup_boundary(app)
    setup_federation(app)
    setup_i18n(app)
    setup_cli(app)
    announce_defaults(settings)
    setup_metrics(app)               # the request timer inside the published documents' middleware

    setup_published_documents(app)   # last: outermost (discovery and JWKS below the routing)
    return app
