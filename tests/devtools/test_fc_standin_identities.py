"""The stand-in's demo identities (CSV, checks, replacement) and its command line."""

from __future__ import annotations

import pytest

from devtools.fc_standin import load_identities, pairwise_sub, running_standin
from devtools.fc_standin.__main__ import parse_args
from devtools.fc_standin.identities import normalise_identities, scope_claims
from fc_standin_support import CLIENT, login, tokens_for, verified

ALICE = {"login": "alice", "given_name": "Anaïs Éléonore", "family_name": "D'ALMEIDA",
         "birthdate": "2001-02-03", "gender": "female", "birthplace": "2B033", "birthcountry": "99100",
         "email": "anais@exemple.fr"}


def test_the_default_csv_covers_the_required_cases():
    identities = load_identities()
    paris = [i for i in identities if i["birthplace"].startswith("751") or i["birthplace"] == "75056"]
    assert any(i["gender"] == "female" and i["preferred_username"] for i in paris)
    assert any(i["gender"] == "male" and i["birthplace"] in {"69123", *(f"6938{n}" for n in range(1, 10))}
               for i in identities)
    abroad = [i for i in identities if i["birthcountry"] != "99100"]
    assert abroad and all(i["birthplace"] == "" for i in abroad)
    assert all(i["email"] and len(i["given_name"].split()) >= 2 for i in identities)


@pytest.mark.parametrize("change, message", [
    ({"birthdate": "03/02/2001"}, "birthdate"),
    ({"gender": "f"}, "gender"),
    ({"birthcountry": "100"}, "birthcountry"),
    ({"birthplace": ""}, "birthplace"),
    ({"birthcountry": "99134"}, "birthplace"),
    ({"email": ""}, "email"),
])
def test_malformed_identities_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        normalise_identities([{**ALICE, **change}])


def test_login_defaults_to_position_and_must_be_unique():
    (identity,) = normalise_identities([{k: v for k, v in ALICE.items() if k != "login"}])
    assert identity["login"] == "0" and identity["preferred_username"] == ""
    with pytest.raises(ValueError, match="unique"):
        normalise_identities([ALICE, ALICE])


def test_pairwise_sub_is_stable_and_differs_per_client():
    assert pairwise_sub("a", ALICE) != pairwise_sub("b", ALICE)
    assert pairwise_sub("a", ALICE) == pairwise_sub("a", dict(ALICE))
    sub = pairwise_sub("a", ALICE)
    assert len(sub) == 66 and sub.endswith("v1")


def test_scope_claims_for_birth():
    (alice,) = normalise_identities([ALICE])
    assert scope_claims(alice, ["openid", "birth"]) == {"birthplace": "2B033", "birthcountry": "99100"}


def test_identities_are_replaceable():
    with running_standin([CLIENT], identities=[ALICE]) as standin:
        assert [i["login"] for i in standin.state.identities] == ["alice"]
        _, tokens = tokens_for(standin, "alice", scope="openid given_name")
        assert verified(standin, tokens["id_token"])["sub"] == pairwise_sub(CLIENT["client_id"], ALICE)
        with pytest.raises(LookupError):
            login(standin, "elodie")


def test_command_line_arguments():
    args = parse_args(["--port", "5001", "--client-id", "idp", "--client-secret", "s3cr3t",
                       "--redirect-uri", "http://a/cb", "--redirect-uri", "http://b/cb",
                       "--post-logout-redirect-uri", "http://a/bye"])
    assert args.port == 5001 and args.client_id == "idp"
    assert args.redirect_uris == ["http://a/cb", "http://b/cb"]
    assert args.post_logout_redirect_uris == ["http://a/bye"]
