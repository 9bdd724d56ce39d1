"""``idp operators``: operator clients of the admin API (issue 17), their secret shown once
and stored as a keyed hash, their tenants and roles checked."""

from __future__ import annotations

import json


def test_create_list_delete(app, runner):
    from idp.clients.model import hash_client_secret
    from idp.store.db import db
    from idp.store.models import OperatorClient

    result = runner.invoke(args=["operators", "create", "--name", "Support", "--tenant", "caf", "--tenant", "ameli",
                                 "--role", "users", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["tenants"] == ["caf", "ameli"] and made["roles"] == ["users"]
    with app.app_context():
        row = db.session.execute(db.select(OperatorClient)).scalar_one()
        assert row.secret_hash == hash_client_secret(made["client_secret"]) != made["client_secret"]
    listed = json.loads(runner.invoke(args=["operators", "list", "--json"]).output)["operators"]
    assert [o["client_id"] for o in listed] == [made["client_id"]] and "client_secret" not in listed[0]
    assert runner.invoke(args=["operators", "delete", made["client_id"], "--json"]).exit_code == 0
    assert runner.invoke(args=["operators", "delete", made["client_id"]]).exit_code == 2


def test_unknown_tenant_or_role_refused(app, runner):
    unknown = runner.invoke(args=["operators", "create", "--name", "X", "--tenant", "nowhere", "--role", "users"])
    assert unknown.exit_code == 2 and "unknown tenants ['nowhere']" in unknown.output
    role = runner.invoke(args=["operators", "create", "--name", "X", "--tenant", "caf", "--role", "root"])
    assert role.exit_code == 2 and "root" in role.output
