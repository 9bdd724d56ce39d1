"""Settings: typed, validated, overridable by IDP_<SECTION>_<KEY>."""

from __future__ import annotations

import pytest

from support import write_config
from idp.config.settings import SettingsError, load_settings


def test_example_config_loads(tmp_path):
    settings = load_settings(write_config(tmp_path), environ={})
    assert set(settings.tenants) == {"caf", "ameli", "mairie"}
    assert settings.issuer("caf") == "http://127.0.0.1:5000/caf"
    assert settings.argon2.memory_cost == 19456 and settings.argon2.time_cost == 2


def test_environment_overrides(tmp_path):
    env = {"IDP_SERVER_PUBLIC_URL": "https://idp.example.fr/", "IDP_DATABASE_URL": "postgresql+psycopg://x/y",
           "IDP_REDIS_URL": "redis://r:6379/0", "IDP_SERVER_SECRET_KEY": "s" * 40, "IDP_TOKENS_CODE_TTL": "30"}
    settings = load_settings(write_config(tmp_path), environ=env)
    assert settings.server.public_url == "https://idp.example.fr"
    assert settings.database.url == "postgresql+psycopg://x/y" and settings.redis.url == "redis://r:6379/0"
    assert settings.server.secret_key == "s" * 40 and settings.tokens.code_ttl == 30


@pytest.mark.parametrize("raw, level", [("DEBUG", "DEBUG"), ("warning", "WARNING"), ("Error", "ERROR")])
def test_log_level_from_the_environment(tmp_path, raw, level):
    assert load_settings(write_config(tmp_path), environ={}).log_level == "INFO"
    assert load_settings(write_config(tmp_path), environ={"IDP_LOG_LEVEL": raw}).log_level == level


def test_a_bad_log_level_from_the_environment_names_the_key(tmp_path):
    with pytest.raises(SettingsError, match="log_level"):
        load_settings(write_config(tmp_path), environ={"IDP_LOG_LEVEL": "CHATTY"})


def test_idp_config_names_the_file(tmp_path):
    path = write_config(tmp_path)
    assert load_settings(environ={"IDP_CONFIG": str(path)}).server.public_url.startswith("http://")
    with pytest.raises(SettingsError, match="not found"):
        load_settings(environ={"IDP_CONFIG": str(tmp_path / "missing.toml")})


@pytest.mark.parametrize("env, key", [
    ({"IDP_SERVER_PUBLIC_URL": "not a url"}, "server.public_url"),
    ({"IDP_SERVER_SECRET_KEY": "short"}, "server.secret_key"),
    ({"IDP_TOKENS_CODE_TTL": "100000"}, "tokens.code_ttl"),
    ({"IDP_TOKENS_CODE_TTL": "abc"}, "tokens.code_ttl"),
])
def test_bad_value_names_the_key(tmp_path, env, key):
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        load_settings(write_config(tmp_path), environ=env)


def test_missing_key_and_unknown_key_named(tmp_path):
    path = write_config(tmp_path)
    text = path.read_text().replace('client_secret_pepper', 'client_secret_peper')
    path.write_text(text)
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    assert "server.client_secret_pepper: Field required" in str(error.value)
    assert "server.client_secret_peper: Extra inputs are not permitted" in str(error.value)


def test_bad_policy_binding_names_tenant_and_key(tmp_path):
    from idp.config.tenants import build_tenants

    path = write_config(tmp_path)
    path.write_text(path.read_text().replace('identifier = { scheme = "nir13", provisional_id_prefix = "P" }',
                                             'identifier = { scheme = "nir99" }'))
    with pytest.raises(SettingsError, match=r"tenants\.caf\.identifier"):
        build_tenants(load_settings(path, environ={}))
    path = write_config(tmp_path)
    path.write_text(path.read_text().replace('password = { preset = "ameli" }', 'password = { preset = "ameli", min_length = -3 }'))
    with pytest.raises(SettingsError, match=r"tenants\.ameli\.password"):
        build_tenants(load_settings(path, environ={}))


def test_franceconnect_settings_and_their_environment_overrides(tmp_path):
    env = {"IDP_PROVIDERS_FRANCECONNECT_CLIENT_SECRET": "from-the-secret-store-" + "x" * 20,
           "IDP_PROVIDERS_FRANCECONNECT_TIMEOUT": "3"}
    section = load_settings(write_config(tmp_path), environ=env).providers.franceconnect
    assert section.client_secret.startswith("from-the-secret-store-") and section.timeout == 3
    assert section.acr == "eidas1" and "identite_pivot" in section.scopes


def test_franceconnect_on_a_tenant_needs_the_provider_section(tmp_path):
    config = write_config(tmp_path)
    text = config.read_text()
    start = text.index("[providers.franceconnect]")
    config.write_text(text[:start] + text[text.index("[demo]"):])
    with pytest.raises(SettingsError, match=r"tenants\.caf\.franceconnect is true but \[providers\.franceconnect\]"):
        load_settings(config, environ={})


def test_bad_franceconnect_values_name_the_key(tmp_path):
    with pytest.raises(SettingsError, match="providers.franceconnect.acr"):
        load_settings(write_config(tmp_path), environ={"IDP_PROVIDERS_FRANCECONNECT_ACR": "eidas9"})
    with pytest.raises(SettingsError, match="providers.franceconnect.discovery_url"):
        load_settings(write_config(tmp_path), environ={"IDP_PROVIDERS_FRANCECONNECT_DISCOVERY_URL": "nope"})


def test_contradictory_franceconnect_settings_stop_the_start(tmp_path):
    """FranceConnect (not +) knows only eidas1: asking eidas2 is refused at start, not at
    the first click on the button."""
    from support import make_settings

    from idp.app import create_app

    settings = make_settings(tmp_path, providers={"franceconnect": {
        "discovery_url": "http://127.0.0.1:5001/api/v2/.well-known/openid-configuration",
        "client_id": "x", "client_secret": "s" * 40, "acr": "eidas2"}})
    with pytest.raises(SettingsError, match=r"providers\.franceconnect \(tenant caf\).*eidas"):
        create_app(settings=settings)


def test_franceconnect_private_key_jwt_reads_its_key_file(tmp_path):
    """FranceConnect accepts private_key_jwt at its token endpoint (franceconnect.md §2)."""
    import json

    from joserfc.jwk import ECKey

    from support import make_settings

    from idp.app import create_app

    key_file = tmp_path / "fc-client.json"
    key_file.write_text(json.dumps(ECKey.generate_key("P-256", parameters={"kid": "fs-1"}).as_dict(private=True)))
    settings = make_settings(tmp_path, providers={"franceconnect": {
        "discovery_url": "http://127.0.0.1:5001/api/v2/.well-known/openid-configuration", "client_id": "fs",
        "token_endpoint_auth_method": "private_key_jwt", "client_private_key_file": str(key_file)}})
    app = create_app(settings=settings)
    config = app.extensions["idp_franceconnect"]["caf"].config
    assert config.token_endpoint_auth_method == "private_key_jwt" and config.client_private_jwk["kid"] == "fs-1"


def test_a_tenant_cannot_be_named_admin(tmp_path):
    """{public_url}/admin/… is the admin API (issue 17): a tenant of that name would hide it."""
    path = write_config(tmp_path)
    path.write_text(path.read_text().replace("[tenants.mairie]", "[tenants.admin]", 1)
                    .replace("[tenants.mairie.", "[tenants.admin.").replace("[[tenants.mairie.", "[[tenants.admin."))
    with pytest.raises(SettingsError, match="'admin' is reserved"):
        load_settings(path, environ={})


def test_audit_and_admin_settings_have_defaults(tmp_path):
    settings = load_settings(write_config(tmp_path), environ={})
    assert settings.audit.retention_days == 365 and settings.admin.token_ttl == 300
