"""A plugin installed with an ``idp.policies`` entry point is found by the registry and
bound from a tenant configuration (issue 3, "Plugging in")."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import PolicyConfigError, bind_tenant, identifier_scheme, password_policy, validator
from policies.registry import presets, schemes, validators

PLUGIN_SOURCE = Path(__file__).resolve().parent / "plugin_pkg"
ENTRY_POINTS = """\
[idp.policies]
scheme.member_number = idp_policies_example:MemberNumberScheme
validator.even_number = idp_policies_example:even_number
password.strict_example = idp_policies_example:STRICT
scheme.broken = idp_policies_example:DOES_NOT_EXIST
nir = idp_policies_example:MemberNumberScheme
"""


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """Install the plugin as an installer would: a dist-info folder next to the code."""
    dist = tmp_path / "idp_policies_example-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: idp-policies-example\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    (dist / "top_level.txt").write_text("idp_policies_example\n")
    monkeypatch.syspath_prepend(str(PLUGIN_SOURCE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    monkeypatch.delitem(__import__("sys").modules, "idp_policies_example", raising=False)


def test_plugin_names_are_listed(installed_plugin):
    assert "member_number" in schemes()
    assert "even_number" in validators()
    assert "strict_example" in presets()


def test_plugin_scheme_validator_and_preset_resolve(installed_plugin):
    scheme = identifier_scheme("member_number", digits=6)
    assert scheme.check("123 456").value == "123456"
    assert scheme.check("12345").messages[0].fr == "Le numéro d'adhérent comporte 6 chiffres."
    assert validator("even_number")("42").value == 42
    assert validator("even_number", allow_zero=False)("0").codes == ["even_number.odd"]
    policy = password_policy("strict_example", min_length=18)
    assert policy.min_length == 18 and policy.preset == "strict_example"


def test_plugin_from_a_tenant_configuration(installed_plugin):
    tenant = bind_tenant("msa", {
        "identifier": {"scheme": "member_number", "digits": 8},
        "password": {"preset": "strict_example"},
        "validators": {"household_size": {"validator": "even_number"}},
    })
    assert tenant.identifier.check("12345678").passing
    assert tenant.password.check("Xk7#mPq2").codes == ["password.too_short"]
    assert tenant.validators["household_size"]("3").codes == ["even_number.odd"]
    assert tenant.describe()["identifier"]["label"]["fr"] == "Numéro d'adhérent"


def test_plugin_bad_parameter_names_the_key(installed_plugin):
    with pytest.raises(PolicyConfigError) as raised:
        bind_tenant("msa", {"identifier": {"scheme": "member_number", "digit": 8}})
    assert str(raised.value).startswith("tenants.msa.identifier.digit: unknown parameter")
    with pytest.raises(PolicyConfigError, match=r"^tenants\.msa\.identifier\.digits: expected an integer"):
        bind_tenant("msa", {"identifier": {"scheme": "member_number", "digits": "8"}})


def test_broken_plugin_stops_the_start_with_its_name(installed_plugin):
    with pytest.raises(PolicyConfigError, match=r"^tenants\.msa\.identifier\.scheme: cannot load entry point 'scheme\.broken'"):
        bind_tenant("msa", {"identifier": {"scheme": "broken"}})


def test_builtins_win_over_plugins(installed_plugin):
    assert identifier_scheme("nir").name == "nir"


def test_without_the_plugin_the_name_is_unknown():
    with pytest.raises(PolicyConfigError, match="unknown identifier scheme 'member_number'"):
        identifier_scheme("member_number")
