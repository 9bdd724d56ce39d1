"""Languages of the pages: French first, English available (Flask-Babel).

The language is, in order: ``?lang=`` (remembered in a cookie), the cookie, the relying
party's ``ui_locales`` for the interaction being shown, the browser's Accept-Language, and
French. Translations live in ``idp/translations`` (``make translations`` extracts and
compiles them).
"""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_babel import Babel, get_locale

LANGUAGES = ("fr", "en")
COOKIE = "idp_lang"


def select_locale() -> str:
    if not has_request_context():
        return "fr"  # work done after the answer (idp.web.background), the CLI
    asked = request.args.get("lang") or request.cookies.get(COOKIE)
    if asked in LANGUAGES:
        return asked
    for tag in (g.get("ui_locales") or "").split():
        if tag.split("-")[0] in LANGUAGES:
            return tag.split("-")[0]
    return request.accept_languages.best_match(LANGUAGES, default="fr") if request.accept_languages else "fr"


def remember_choice(response):
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=400 * 86400, samesite="Lax", httponly=True)
    return response


def current_language() -> str:
    if not has_request_context():
        return "fr"  # the CLI and scripts speak French
    locale = get_locale()
    return locale.language if locale else "fr"


def setup_i18n(app) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.after_request(remember_choice)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["tr"] = tr


def tr(message) -> str:
    """A policies ``Message`` or ``Requirement`` in the page's language."""
    return message.en if current_language() == "en" else message.fr
