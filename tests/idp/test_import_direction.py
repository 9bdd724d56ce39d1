"""Imports go one way (issue 14 item 2): the pages (``accounts``, ``signup``, ``federation``,
and the ``demo``) import the engine and the plumbing, never the reverse. The engine
(``idp/oidc``) learns which page handles a step, where an upstream provider's logout goes
and which origins a page may end at through registrations the pages make
(``interactions.register_page``, ``logout.register_upstream_logout``,
``headers.register_form_action_source``). Read with ``ast``: an import hidden in a function
counts as much as one at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import idp

PACKAGE = Path(idp.__file__).parent
PAGES = ("idp.accounts", "idp.signup", "idp.federation", "idp.demo")
BELOW_THE_PAGES = ("oidc", "web", "store", "security", "config")


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside a function, absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return names


def page_imports(room: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / room).rglob("*.py")):
        for name in sorted(imported(path)):
            if any(name == page or name.startswith(page + ".") for page in PAGES):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("room", BELOW_THE_PAGES)
def test_the_engine_and_the_plumbing_import_no_page(room):
    assert page_imports(room) == []


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    """The reader itself: a page imported in a function, or relatively, is found."""
    module = PACKAGE / "oidc" / "views.py"
    names = imported(module)
    assert "idp.oidc.authorize" in names          # "from idp.oidc import authorize as authz"
    sample = tmp_path / "idp" / "oidc" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("def f():\n    from idp.federation.views import upstream_logout\n"
                      "from ..signup import views\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "idp")
    assert imported(sample) >= {"idp.federation.views.upstream_logout", "idp.signup.views"}


def test_the_engine_names_no_page_endpoint():
    """No ``url_for("accounts.login")`` in the engine: the pages register their endpoints."""
    blueprints = ("accounts", "signup", "selfservice", "recovery", "franceconnect", "demo")
    named = []
    for path in sorted((PACKAGE / "oidc").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.split(".")[0] in blueprints and node.value.count(".") == 1:
                named.append(f"{path.name}: {node.value}")
    assert named == []


def test_only_the_engine_logs_in_and_resumes():
    """A page finishes an interaction with :func:`idp.oidc.finish.finish` (or
    ``finish_step``); starting a session, marking a step and resuming are the engine's."""
    engine_only = {"start_session", "end_current_session", "mark_done", "handle_authorization"}
    used = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "oidc") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
            if name in engine_only:
                used.append(f"{path.relative_to(PACKAGE.parent)}: {name}")
    assert used == []
