"""[argon2] and per-tenant argon2 refuse parameters below OWASP's minimum pairs; the tests'
tiny parameters need allow_insecure_parameters, accepted in development only."""

from __future__ import annotations

import tomllib

import pytest

from support import write_config

from idp.config.settings import SettingsError, load_settings

FLOOR = ("is below OWASP's minimum for Argon2id (memory_cost/time_cost of at least 47104/1, 19456/2, "
         "12288/3, 9216/4 or 7168/5)")


def _load(tmp_path, development=False, environ=None, **sections):
    return load_settings(write_config(tmp_path, development=development), environ=environ or {}, overrides=sections)


@pytest.mark.parametrize(("memory", "time"), [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5), (65536, 3)])
def test_owasp_pairs_are_accepted(tmp_path, memory, time):
    settings = _load(tmp_path, argon2={"memory_cost": memory, "time_cost": time})
    assert settings.argon2.memory_cost == memory


@pytest.mark.parametrize(("memory", "time"), [(8, 1), (19456, 1), (12288, 2), (7000, 10), (47000, 1)])
def test_below_the_floor_is_refused_naming_the_key(tmp_path, memory, time):
    with pytest.raises(SettingsError) as error:
        _load(tmp_path, argon2={"memory_cost": memory, "time_cost": time})
    assert f"argon2: memory_cost={memory} time_cost={time} {FLOOR}" in str(error.value)


def test_the_environment_variable_is_checked_too(tmp_path):
    with pytest.raises(SettingsError, match=r"argon2: memory_cost=8 time_cost=2 is below OWASP"):
        _load(tmp_path, environ={"IDP_ARGON2_MEMORY_COST": "8"})


def test_a_tenant_below_the_floor_is_refused(tmp_path):
    tenants = tomllib.loads(write_config(tmp_path, development=False).read_text())["tenants"]
    tenants["caf"]["argon2"] = {"memory_cost": 1024, "time_cost": 2}
    with pytest.raises(SettingsError) as error:
        _load(tmp_path, tenants=tenants)
    assert f"tenants.caf.argon2: memory_cost=1024 time_cost=2 {FLOOR}" in str(error.value)


def test_tiny_parameters_for_tests_are_refused_in_production(tmp_path):
    with pytest.raises(SettingsError) as error:
        _load(tmp_path, argon2={"memory_cost": 64, "time_cost": 1, "allow_insecure_parameters": True})
    assert ('argon2.allow_insecure_parameters is for tests only: refused unless [server] environment = '
            '"development"') in str(error.value)


def test_tiny_parameters_for_tests_in_development_are_announced(tmp_path, caplog):
    from idp.app import create_app

    settings = _load(tmp_path, development=True,
                     argon2={"memory_cost": 64, "time_cost": 1, "allow_insecure_parameters": True})
    tenants = tomllib.loads(write_config(tmp_path).read_text())["tenants"]
    tenants["mairie"]["argon2"] = {"memory_cost": 64, "time_cost": 1}
    assert _load(tmp_path, development=True, tenants=tenants,
                 argon2={"allow_insecure_parameters": True}).argon2_for("mairie").memory_cost == 64
    create_app(settings=settings)
    assert "argon2.allow_insecure_parameters: passwords hashed BELOW OWASP's minimum (tests only)" in caplog.text


def test_the_flag_belongs_to_the_argon2_section(tmp_path):
    tenants = tomllib.loads(write_config(tmp_path).read_text())["tenants"]
    tenants["caf"]["argon2"] = {"memory_cost": 64, "time_cost": 1, "allow_insecure_parameters": True}
    with pytest.raises(SettingsError, match=r"tenants\.caf\.argon2\.allow_insecure_parameters: set it in \[argon2\]"):
        _load(tmp_path, development=True, tenants=tenants)
