"""The store is tenant-scoped by construction: no code reaches a tenant-owned row but
through the scoped statements of ``idp/store/db.py`` (or its ``unscoped`` ones, which say why).

Read from the source (``ast``), so that a new bypass fails here before it can leak a row of
one tenant into another's answer: a raw ``.tenant ==`` filter (or check), a
``db.session.get`` of a tenant-owned model, a bare ``select``/``update``/``delete`` of one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import idp
from idp.store import models

PACKAGE = Path(idp.__file__).parent
# the helpers themselves, and the migrations (they write the schema of every tenant at once)
EXEMPT = (PACKAGE / "store" / "db.py", PACKAGE / "store" / "migrations")
STATEMENTS = {"select", "update", "delete"}


def tenant_owned() -> set[str]:
    return {name for name, value in vars(models).items()
            if isinstance(value, type) and issubclass(value, models.TenantOwned) and value is not models.TenantOwned}


def _name(node) -> str:
    """``select`` for ``select``, ``db.select``, ``sa.select``; ``db.session.get`` as written."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


def _models_in(node, owned: set[str]) -> set[str]:
    """The tenant-owned model names an expression mentions (``Account``, ``Account.id``)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in owned}


def bypasses(source: str, owned: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops) \
                and any(isinstance(side, ast.Attribute) and side.attr == "tenant"
                        for side in (node.left, *node.comparators)):
            found.append((node.lineno, "raw .tenant filter"))
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        if called.startswith("db.session.") and called != "db.session.get":
            continue   # db.session.delete(row) of a row already read through the scope
        if called == "db.session.get" and node.args and _models_in(node.args[0], owned):
            found.append((node.lineno, "db.session.get of a tenant-owned model"))
        elif called.rsplit(".", 1)[-1] in STATEMENTS and called.split(".")[0] in {"select", "update", "delete",
                                                                                     "db", "sa", "sqlalchemy"} \
                and any(_models_in(arg, owned) for arg in node.args):
            found.append((node.lineno, f"bare {called}() of a tenant-owned model"))
    return sorted(found)


def all_bypasses() -> list[str]:
    owned = tenant_owned()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path == exempt or exempt in path.parents for exempt in EXEMPT):
            continue
        for line, what in bypasses(path.read_text(), owned):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {what}")
    return found


def test_no_tenant_owned_row_is_reached_outside_the_scoped_helpers():
    assert all_bypasses() == []


def test_the_check_sees_each_kind_of_bypass():
    owned = {"Account", "Consent"}
    source = (
        "rows = db.session.execute(select(Account).where(Account.tenant == g.tenant.slug))\n"
        "row = db.session.get(Account, key)\n"
        "db.session.execute(delete(Consent).where(Consent.id == 1))\n"
        "db.session.execute(db.select(db.func.count(Consent.id)))\n"
        "stmt = update(Consent.__table__)\n"
        "ok = a.tenant != b\n"
        "ok = slug == Account.tenant\n"
    )
    assert [line for line, _ in bypasses(source, owned)] == [1, 1, 2, 3, 4, 5, 6, 7]


def test_scoped_statements_and_untenanted_models_pass():
    owned = {"Account"}
    source = (
        "row = scoped_first(Account, id=key)\n"
        "db.session.execute(scoped_update(Account, id=key).values(status='active'))\n"
        "denied = db.session.get(RevokedToken, jti)\n"
        "counters.delete(key)\n"
        "claims.update(sub=1)\n"
    )
    assert bypasses(source, owned) == []


def test_every_tenant_owned_model_is_known():
    assert tenant_owned() == {
        "Client", "Account", "SigningKey", "Interaction", "SsoSession", "AuthorizationCode", "RefreshToken",
        "IssuedAccessToken", "Consent", "UsedAssertion", "Verification", "Signup", "SupportingDocument",
        "FederatedIdentity", "BackchannelDelivery", "PairwiseSubject", "PasskeyCredential", "MfaFactor", "RecoveryCode",
    }
