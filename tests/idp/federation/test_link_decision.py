"""Account linking by identité pivot as a decision a test calls without a request
(:func:`idp.federation.linking.refusal_to_link`): the account logged in to must be one of
the callback's candidates, agree with the pivot, and have no FranceConnect link yet."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from helpers import make_account

PIVOT = {"given_name": "Camille", "family_name": "Martin", "birthdate": "1984-03-12", "gender": "female",
         "birthplace": "", "birthcountry": "99100"}


@contextmanager
def in_tenant(app, slug="mairie"):
    from flask import g

    with app.app_context():
        g.tenant = app.extensions["idp_tenants"][slug]
        yield


@pytest.fixture
def accounts(app):
    """Two accounts of the same person's name and birthdate (candidates) and a third."""
    return [make_account(app, "mairie", identifier=name) for name in ("camille.martin", "camille.martin2")] + \
        [make_account(app, "mairie", identifier="camille.autre", birthdate="1990-01-01")]


def test_a_candidate_agreeing_with_the_pivot_may_be_linked(app, accounts):
    from idp.federation import linking

    with in_tenant(app):
        candidates = linking.candidates(accounts[:2])
        assert [a.id for a in candidates] == accounts[:2]
        assert linking.refusal_to_link(candidates[1], candidates, PIVOT) is None


def test_an_account_that_is_not_a_candidate_is_another_persons(app, accounts):
    from idp.federation import linking

    with in_tenant(app):
        candidates = linking.candidates(accounts[:1])
        other = linking.candidates(accounts[1:2])[0]
        assert linking.refusal_to_link(other, candidates, PIVOT) == "other_account"


def test_a_candidate_disagreeing_with_the_pivot_is_refused(app, accounts):
    from idp.federation import linking

    with in_tenant(app):
        candidates = linking.candidates(accounts)
        assert linking.refusal_to_link(candidates[2], candidates, PIVOT) == "other_account"   # born another day
        assert linking.refusal_to_link(candidates[0], candidates, {**PIVOT, "family_name": "Durand"}) == "other_account"


def test_an_account_linked_already_is_refused(app, accounts):
    from idp.federation import linking
    from idp.store.db import db

    with in_tenant(app):
        candidates = linking.candidates(accounts[:2])
        linking.link(candidates[0], "f" * 64)
        db.session.flush()
        assert linking.refusal_to_link(candidates[0], candidates, PIVOT) == "already_linked"


def test_candidates_of_another_tenant_are_not_found(app, accounts):
    from idp.federation import linking

    with in_tenant(app, "caf"):
        assert linking.candidates(accounts) == []
