"""Registry and tenant binding: names, parameters, and errors that name the key."""

from __future__ import annotations

import json

import pytest

from policies import PolicyConfigError, bind_tenant, identifier_scheme, password_policy, validator
from policies.registry import SCHEMES, VALIDATORS, presets

SEED_TENANTS = {
    "mairie": {"identifier": {"scheme": "username"}, "password": {"preset": "mairie"},
               "validators": {"phone": {}, "mobile_phone": {}, "birthdate": {}, "siret": {}, "rna": {}}},
    "ameli": {"identifier": {"scheme": "nir13"}, "password": {"preset": "ameli"},
              "validators": {"postal_code": {}, "iban_last7": {}, "vitale": {}, "birthdate": {}}},
    "caf": {"identifier": {"scheme": "nir13", "provisional_id_prefix": "P"},
            "password": {"preset": "caf"},
            "validators": {"identity_document": {}, "insee_birthplace": {}, "mobile_phone": {}}},
}


def test_required_names_are_registered():
    assert set(SCHEMES) == {"nir", "nir13", "provisional", "username", "email"}
    assert {"phone", "mobile_phone", "postal_code", "birthdate", "iban", "iban_last7", "vitale",
            "identity_document", "siren", "siret", "rna", "insee_commune", "insee_country"} <= set(VALIDATORS)
    assert {"mairie", "ameli", "caf", "cnil"} <= set(presets())


@pytest.mark.parametrize("slug", sorted(SEED_TENANTS))
def test_seed_tenants_bind_and_describe(slug):
    tenant = bind_tenant(slug, SEED_TENANTS[slug])
    described = json.loads(json.dumps(tenant.describe()))
    assert described["tenant"] == slug
    assert described["password"]["preset"] == slug
    assert described["identifier"]["name"] == SEED_TENANTS[slug]["identifier"]["scheme"]


def test_defaults_are_username_and_cnil():
    tenant = bind_tenant("nouvelle-mairie", {})
    assert tenant.identifier.name == "username"
    assert tenant.password.preset == "cnil"
    assert bind_tenant("x", {"password": {"min_length": 14}}).password.preset == "cnil"


@pytest.mark.parametrize("config, message", [
    ({"identifier": {"scheme": "nir14"}}, "tenants.caf.identifier.scheme: unknown identifier scheme 'nir14'"),
    ({"identifier": {"scheme": "nir13", "accept_provisional": "non"}},
     "tenants.caf.identifier.accept_provisional: expected true or false, got 'non'"),
    ({"identifier": {"scheme": "nir13", "accept_provisonal": True}},
     "tenants.caf.identifier.accept_provisonal: unknown parameter"),
    ({"identifier": {"scheme": "provisional", "prefix": "12"}}, "tenants.caf.identifier.prefix: "),
    ({"password": {"preset": "caff"}}, "tenants.caf.password.preset: unknown password preset 'caff'"),
    ({"password": {"preset": "caf", "min_length": 5}}, "tenants.caf.password.login_min_length: "),
    ({"password": {"preset": "caf", "min_length": "10"}}, "tenants.caf.password.min_length: expected an integer"),
    ({"password": {"preset": "caf", "max_length": 8}}, "tenants.caf.password.max_length: must be at least"),
    ({"password": {"preset": "mairie", "min_strength": "Super"}}, "tenants.caf.password.min_strength: unknown"),
    ({"password": {"preset": "caf", "min_special": 1}}, "tenants.caf.password.min_special: contradicts"),
    ({"validators": {"phone": {"regoin": "FR"}}}, "tenants.caf.validators.phone.regoin: unknown parameter"),
    ({"validators": {"tel": {"validator": "fone"}}}, "tenants.caf.validators.tel.validator: unknown validator"),
    ({"password": "caf"}, "tenants.caf.password: must be a table"),
])
def test_bad_bindings_name_the_tenant_and_key(config, message):
    with pytest.raises(PolicyConfigError) as raised:
        bind_tenant("caf", config)
    assert str(raised.value).startswith(message)


def test_direct_calls_raise_with_the_parameter_name():
    with pytest.raises(PolicyConfigError, match="^accept_final: expected true or false"):
        identifier_scheme("nir", accept_final=1)
    with pytest.raises(PolicyConfigError, match="^min_upper: unknown parameter|^min_upper: must"):
        password_policy("caf", min_upper=-1)
    with pytest.raises(PolicyConfigError, match="^validator: unknown validator 'nope'"):
        validator("nope")


def test_validators_bind_parameters():
    assert validator("phone", mobile=True)("01 01 01 01 01").codes == ["phone.not_mobile"]
    assert validator("email")("Test@Test.fr").value == "test@test.fr"
    assert validator("phone") is VALIDATORS["phone"]


def test_password_overrides_keep_the_preset_name():
    policy = password_policy("ameli", max_length=64)
    assert (policy.preset, policy.max_length, policy.min_special) == ("ameli", 64, 1)
