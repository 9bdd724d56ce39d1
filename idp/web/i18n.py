"""Languages of the pages: French first, English available (Flask-Babel).

The language is, in order: ``?lang=`` (remembered in a cookie), the cookie, the relying
party's ``ui_locales`` for the interaction being shown, the browser's Accept-Language, and
French. Translations live in ``idp/translations`` (``make translations`` extracts and
compiles them).
"""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations

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


def page_translations():
    """The request's translations, as ``flask_babel.get_translations()`` gives them, looked up
    once per locale: a page calls gettext some thirty times, and Flask-Babel's own lookup
    (request context, domain, locale, its cache keyed by the locale's name) was a quarter of
    rendering the login page (issue 15). Kept on ``g`` with the locale object it was looked up
    for, read where Flask-Babel keeps it (``g._flask_babel.babel_locale``): a locale changed
    during the request (``force_locale``, ``refresh``) is another object, or none, and is
    looked up again; were Flask-Babel to keep it elsewhere, every call would look it up (slower,
    never wrong)."""
    request_g = g._get_current_object()
    locale = getattr(getattr(request_g, "_flask_babel", None), "babel_locale", None)
    known = getattr(request_g, "_idp_translations", None)
    if locale is None or known is None or known[0] is not locale:
        translations = get_translations()
        known = request_g._idp_translations = (get_locale(), translations)
    return known[1]


def setup_i18n(app) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    # the templates' _(), as Flask-Babel installs it, through page_translations()
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.after_request(remember_choice)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["tr"] = tr


def tr(message) -> str:
    """A policies ``Message`` or ``Requirement`` in the page's language."""
    return message.en if current_language() == "en" else message.fr
