"""Registering pairwise clients (OIDC Core §8.1, OIDC Registration §5): the sector identifier,
the ``sector_identifier_uri`` document, the tenant's default subject type, discovery."""

from __future__ import annotations

import json

import pytest
import requests
import requests_mock

SECTOR_URI = "https://rp.example/sector.json"
TWO_HOSTS = ["https://a.example/cb", "https://b.example/cb"]


def _create(app, **options):
    from idp.clients.admin import create_client

    from idp.clients.model import _snapshot

    defaults = dict(name="RP", redirect_uris=TWO_HOSTS, subject_type="pairwise")
    with app.app_context():
        row, _ = create_client("caf", **{**defaults, **options})
        return _snapshot(row)


def _refused(app, **options) -> str:
    from idp.clients.admin import ClientError

    with pytest.raises(ClientError) as refused:
        _create(app, **options)
    return str(refused.value)


def test_sector_document_listing_every_redirect_uri_is_accepted(app):
    from idp.oidc.subjects import sector_of

    with requests_mock.Mocker() as mock:
        mock.get(SECTOR_URI, json=TWO_HOSTS)
        row = _create(app, sector_identifier_uri=SECTOR_URI)
        assert mock.call_count == 1 and mock.request_history[0].timeout == 5
    assert row.subject_type == "pairwise" and row.sector_identifier_uri == SECTOR_URI
    assert sector_of(row) == "rp.example"


def test_sector_document_missing_a_redirect_uri_is_refused(app):
    with requests_mock.Mocker() as mock:
        mock.get(SECTOR_URI, json=TWO_HOSTS[:1])
        message = _refused(app, sector_identifier_uri=SECTOR_URI)
    assert message == ("--sector-identifier-uri: 'https://rp.example/sector.json' does not list the redirect "
                       "URIs ['https://b.example/cb']")


def test_sector_identifier_uri_must_be_https(app):
    with requests_mock.Mocker() as mock:
        message = _refused(app, sector_identifier_uri="http://rp.example/sector.json")
        assert mock.call_count == 0   # never fetched
    assert message == "--sector-identifier-uri: 'http://rp.example/sector.json' must be an https URL without fragment"


def test_sector_document_timeout_is_refused(app):
    with requests_mock.Mocker() as mock:
        mock.get(SECTOR_URI, exc=requests.exceptions.ConnectTimeout)
        assert _refused(app, sector_identifier_uri=SECTOR_URI) == (
            "--sector-identifier-uri: 'https://rp.example/sector.json' did not answer within 5 s")


@pytest.mark.parametrize("answer, message", [
    ({"status_code": 404}, "answered 404"),
    ({"status_code": 302, "headers": {"Location": "https://elsewhere.example/uris.json"}}, "answered 302"),
    ({"text": "not json"}, "is not a JSON array of URIs"),
    ({"json": {"redirect_uris": TWO_HOSTS}}, "is not a JSON array of URIs"),
    ({"text": json.dumps(TWO_HOSTS + ["x" * 70000])}, "is not a JSON array of URIs"),
])
def test_bad_sector_documents_are_refused(app, answer, message):
    with requests_mock.Mocker() as mock:
        mock.get(SECTOR_URI, **answer)
        assert _refused(app, sector_identifier_uri=SECTOR_URI) == f"--sector-identifier-uri: {SECTOR_URI!r} {message}"


def test_pairwise_on_several_hosts_needs_a_sector_identifier_uri(app):
    assert _refused(app) == ("--sector-identifier-uri: required for a pairwise client whose redirect URIs are on "
                             "several hosts")
    assert _refused(app, subject_type="public", sector_identifier_uri=SECTOR_URI) == (
        "--sector-identifier-uri: only with --subject-type pairwise")
    assert _refused(app, subject_type="secret") == "--subject-type: 'secret' is not one of public, pairwise"


def test_clients_are_public_unless_the_tenant_says_otherwise(app, monkeypatch):
    settings = app.config["IDP_SETTINGS"]
    assert _create(app, subject_type=None, redirect_uris=TWO_HOSTS[:1]).subject_type == "public"
    caf = settings.tenants["caf"].model_copy(update={"subject_type": "pairwise"})
    monkeypatch.setitem(app.config, "IDP_SETTINGS",
                        settings.model_copy(update={"tenants": {**settings.tenants, "caf": caf}}))
    assert _create(app, subject_type=None, redirect_uris=TWO_HOSTS[:1]).subject_type == "pairwise"
    assert _create(app, subject_type="public", redirect_uris=TWO_HOSTS[:1]).subject_type == "public"


def test_cli_registers_and_changes_the_subject_type(app, runner):
    result = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "RP", "--redirect-uri",
                                 "https://rp.example/cb", "--subject-type", "pairwise", "--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["subject_type"] == "pairwise" and created["sector_identifier_uri"] is None
    with requests_mock.Mocker() as mock:
        mock.get(SECTOR_URI, json=["https://other.example/cb"])
        refused = runner.invoke(args=["clients", "subject-type", created["client_id"], "pairwise", "--tenant", "caf",
                                      "--sector-identifier-uri", SECTOR_URI])
    assert refused.exit_code == 2 and "does not list the redirect URIs ['https://rp.example/cb']" in refused.output
    changed = runner.invoke(args=["clients", "subject-type", created["client_id"], "public", "--tenant", "caf",
                                  "--json"])
    assert changed.exit_code == 0 and json.loads(changed.output)["subject_type"] == "public"


def test_existing_clients_are_public_after_the_migration(app):
    """The column's server default: a row written without it (as every row before the
    migration) is public, and its users keep the account id as ``sub``."""
    from sqlalchemy import text

    from idp.clients.model import find_client
    from idp.oidc.subjects import sub_for
    from idp.store.db import db

    with app.app_context():
        db.session.execute(text(
            "INSERT INTO clients (tenant, client_id, name, public, auth_method, first_party, scope, redirect_uris, "
            "post_logout_redirect_uris, grant_types, id_token_signed_response_alg, created_at) VALUES ('caf', 'old', "
            "'Old', false, 'client_secret_basic', false, 'openid', '[]', '[]', '[]', 'RS256', CURRENT_TIMESTAMP)"))
        db.session.commit()
        client = find_client("old", "caf")
        assert client.row.subject_type == "public" and sub_for(client, "the-account") == "the-account"


def test_discovery_offers_public_and_pairwise(http):
    assert http.get("/caf/.well-known/openid-configuration").get_json()["subject_types_supported"] == [
        "public", "pairwise"]
