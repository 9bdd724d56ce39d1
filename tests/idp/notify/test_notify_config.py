"""``NotifySettings``: defaults, strictness, documentation, and the shipped example file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pydantic
import pytest

from idp.notify import EmailSettings, LetterSettings, NotifySettings, SmsSettings

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"


def test_defaults_send_nothing_anywhere():
    settings = NotifySettings()
    assert settings.outbox_dir == "" and settings.dev_outbox_page is False
    assert not settings.email.enabled and not settings.sms.enabled and settings.letters.batch_dir == ""


@pytest.mark.parametrize("data", [{"outbox": "x"}, {"email": {"hots": "x"}}, {"sms": {"token": "x"}},
                                  {"letters": {"dir": "x"}}])
def test_unknown_keys_are_refused(data):
    with pytest.raises(pydantic.ValidationError):
        NotifySettings.model_validate(data)


@pytest.mark.parametrize("model", [NotifySettings, EmailSettings, SmsSettings, LetterSettings])
def test_every_field_is_documented(model):
    assert model.__doc__
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name}"


def test_the_example_configuration_validates():
    if not EXAMPLE.exists():
        pytest.skip("no config.example.toml")
    section = tomllib.loads(EXAMPLE.read_text(encoding="utf-8")).get("notify", {})
    NotifySettings.model_validate(section)
