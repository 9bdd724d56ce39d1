"""French first, English available: language selection and a complete English catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from helpers import authorize, location, make_client, page_text, path_of

ROOT = Path(__file__).resolve().parents[3]


def test_pages_are_french_by_default(http, app):
    client_id, _ = make_client(app, "caf")
    page = page_text(http.get(path_of(location(authorize(http, "caf", client_id)))))
    assert '<html lang="fr">' in page and "Mot de passe" in page and "Se connecter" in page


def test_lang_parameter_switches_to_english_and_is_remembered(http, app):
    client_id, _ = make_client(app, "caf")
    login = path_of(location(authorize(http, "caf", client_id)))
    page = page_text(http.get(login + "?lang=en"))
    assert '<html lang="en">' in page and "Log in to Caf – Mon Compte" in page and "Social security number" in page
    assert "Remember me" in page_text(http.get(login))  # the cookie keeps the choice


def test_accept_language_and_ui_locales(http, app):
    client_id, _ = make_client(app, "mairie")
    browser = app.test_client()
    login = path_of(location(authorize(browser, "mairie", client_id)))
    assert "Se connecter" in page_text(browser.get(login, headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert "Log in" in page_text(browser.get(login, headers={"Accept-Language": "en-GB,en;q=0.9"}))
    other = app.test_client()
    login = path_of(location(authorize(other, "mairie", client_id, ui_locales="en fr")))
    assert "Remember me" in page_text(other.get(login))


def test_policy_messages_follow_the_language(http, app):
    client_id, _ = make_client(app, "caf")
    from helpers import csrf

    login = path_of(location(authorize(http, "caf", client_id)))
    page = page_text(http.get(login + "?lang=en"))
    refused = http.post(login, data={"csrf_token": csrf(page), "identifier": "12", "password": "x"})
    assert "Incorrect identifier" not in page_text(refused)
    assert 'id="identifier-error"' in page_text(refused)
    error = page_text(refused).split('id="identifier-error">')[1].split("<")[0]
    assert error.isascii()  # the English text of the NIR message


def test_every_message_has_an_english_translation():
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    found = {msg for _, _, msg, _, *_ in extract_from_dir(ROOT / "idp", method_map, keywords=keywords)
             if isinstance(msg, str)}
    with open(ROOT / "idp/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(found - translated)
    assert missing == [], f"untranslated (run make translations): {missing[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    from babel.messages.mofile import read_mo

    def plain(value):  # plural entries come back as lists from one reader, tuples from the other
        return tuple(value) if isinstance(value, (list, tuple)) else value

    base = ROOT / "idp/translations/en/LC_MESSAGES"
    with open(base / "messages.po", "rb") as f:
        po = {plain(m.id): plain(m.string) for m in read_po(f) if m.id}
    with open(base / "messages.mo", "rb") as f:
        mo = {plain(m.id): plain(m.string) for m in read_mo(f) if m.id}
    assert po == mo, "messages.mo is stale: run make translations"


def test_language_switch_link(http, app):
    page = page_text(http.get("/"))
    assert 'href="?lang=en"' in page and 'lang="en"' in page


def test_a_page_looks_its_translations_up_once(http, app, monkeypatch):
    """Issue 15: the templates' _() ask Flask-Babel for the request's translations once per
    locale, not once per string (some thirty on the login page)."""
    import idp.web.i18n as i18n

    client_id, _ = make_client(app, "caf")
    login = path_of(location(authorize(http, "caf", client_id)))
    looked_up = []
    original = i18n.get_translations
    monkeypatch.setattr(i18n, "get_translations", lambda: looked_up.append(1) or original())
    page = page_text(http.get(login + "?lang=en"))
    assert "Remember me" in page and "Log in" in page
    assert len(looked_up) == 1


def test_a_locale_forced_in_a_request_is_followed(app):
    from flask import g, render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/caf/login?lang=en"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        assert render_template_string('{{ _("Se connecter") }}') == "Log in"
        with force_locale("fr"):
            assert render_template_string('{{ _("Se connecter") }}') == "Se connecter"
        assert render_template_string('{{ _("Se connecter") }}') == "Log in"
