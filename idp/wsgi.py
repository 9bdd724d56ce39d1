"""WSGI entry point: ``idp serve`` runs it under Granian (or gunicorn:
``gunicorn -c python:idp.gunicorn_conf idp.wsgi:app``)."""

import os

from idp.web.access_log import ENABLED, AccessLog
from idp.app import create_app
from idp.web.logredact import install_granian_filter
from idp.config.production import check_gunicorn_hook

install_granian_filter()   # Granian configured its loggers before importing this module
app = create_app()
check_gunicorn_hook(app.config["IDP_SETTINGS"])
if os.environ.get(ENABLED) == "1":   # idp serve under Granian: our access log instead of Granian's
    app.wsgi_app = AccessLog(app.wsgi_app)
