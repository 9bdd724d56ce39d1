"""Every message template renders, in French, with the tenant's name, for every channel."""

from __future__ import annotations

import jinja2
import pytest

from idp.notify import render, template_names
from idp.notify.gsm import gsm_length, to_gsm
from idp.notify.templates import duree

from notify_support import CONTEXT

REQUIRED = {"activation_code", "activation_link", "password_reset_code", "identifier_reminder",
            "provisional_code_letter", "email_change_code"}
FRENCH = ("votre", "Votre", "vous")
CONTEXT_FULL = {**CONTEXT, "tenant": "mairie", "tenant_name": "Mairie de Villeneuve"}


def test_the_required_templates_exist():
    assert REQUIRED <= set(template_names())


@pytest.mark.parametrize("name", template_names())
@pytest.mark.parametrize("channel", ["email", "sms", "letter"])
def test_template_renders(name, channel):
    rendered = render(name, CONTEXT_FULL, channel)
    assert "Mairie de Villeneuve" in rendered.subject and "Mairie de Villeneuve" in rendered.text
    assert any(word in rendered.text for word in FRENCH)
    for secret in ("123456", CONTEXT["link"], CONTEXT["identifier"]):
        assert secret not in rendered.subject
    assert "{{" not in rendered.text and "{%" not in rendered.text
    assert (rendered.html is not None) == (channel == "email")


@pytest.mark.parametrize("name, value", [("activation_code", "123456"), ("activation_link", CONTEXT["link"]),
                                         ("password_reset_code", "123456"), ("email_change_code", "123456"),
                                         ("identifier_reminder", "1840312345678"),
                                         ("provisional_code_letter", "123456")])
def test_the_message_carries_its_value(name, value):
    assert value in render(name, CONTEXT_FULL, "email").text
    assert value in render(name, CONTEXT_FULL, "letter").text


def test_expected_wording():
    sms = render("activation_code", CONTEXT_FULL, "sms").text
    assert sms.startswith("Votre code de confirmation Mairie de Villeneuve : 123456. Il expire dans 10 minutes.")
    assert "Il expire dans 1 minute." in render("activation_code", {**CONTEXT_FULL, "minutes": 1}, "email").text
    assert "valable 30 jours" in render("provisional_code_letter", CONTEXT_FULL, "letter").text


def test_html_is_escaped():
    html = render("identifier_reminder", {**CONTEXT_FULL, "tenant_name": "A&B <i>", "identifier": "<b>x</b>"}).html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "A&amp;B &lt;i&gt;" in html


def test_missing_value_raises():
    with pytest.raises(jinja2.UndefinedError):
        render("activation_code", {"tenant": "t", "tenant_name": "T", "minutes": 10})


def test_unknown_template_raises():
    with pytest.raises(ValueError, match="unknown message template"):
        render("nope", CONTEXT_FULL)
    with pytest.raises(ValueError, match="not a message template"):
        render("_footer", CONTEXT_FULL)


def test_french_durations():
    assert [duree(1, "minute"), duree(10, "minute"), duree(1, "heure"), duree(48, "heure"), duree(2, "jour")] == [
        "1 minute", "10 minutes", "1 heure", "48 heures", "2 jours"]


def test_gsm_alphabet():
    assert to_gsm("Caf – Mon Compte : êtes-vous « sûr » ? c’est reçu…") == \
        'Caf - Mon Compte : etes-vous " sur " ? c\'est recu...'
    assert to_gsm("éèàù ÉÇ €") == "éèàù ÉÇ €" and gsm_length("€[") == 4
    assert to_gsm("日本") == "??"
