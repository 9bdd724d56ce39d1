"""WSGI entry point for gunicorn: ``gunicorn -c python:idp.gunicorn_conf idp.wsgi:app``."""

from .app import create_app
from .production import check_gunicorn_hook

app = create_app()
check_gunicorn_hook(app.config["IDP_SETTINGS"])
