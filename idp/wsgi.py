"""WSGI entry point: ``idp serve`` runs it under Granian (or gunicorn:
``gunicorn -c python:idp.gunicorn_conf idp.wsgi:app``).

Once the application is built, its objects (modules, the Flask app and its routes, the
tenants, Authlib's server, SQLAlchemy's mappers and compiled-statement cache, Babel's
catalogues: a few hundred thousand objects that live as long as the worker) are moved out of
the garbage collector's generations with :func:`gc.freeze`: the collector's full passes no
longer walk them on every request's allocations. That was a tenth of a token request's CPU
(bench/RESULTS.md, "Prometheus metrics on the token path", and "gc.freeze" in issue 15's
section). Nothing is disabled: objects made after this point are collected as before, and
the frozen ones (reference cycles of import time) were never garbage. Under a forking server
it also keeps those objects' pages shared (the collector no longer writes their headers)."""

import gc
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
gc.collect()   # what import time left as garbage goes now, not into the permanent generation
gc.freeze()
