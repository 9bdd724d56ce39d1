"""The CLI is a package: its modules share idp/cli/common.py (public names), not private
helpers of one another; the ``users`` commands take ``--tenant``/``--identifier`` through
one decorator, with their options unchanged."""

from __future__ import annotations

import ast
from pathlib import Path

import idp.cli

CLI = Path(idp.cli.__file__).parent


def _private_imports(module: Path) -> list[str]:
    return [f"{module.name}: {alias.name} from {node.module}"
            for node in ast.walk(ast.parse(module.read_text()))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("idp.cli")
            for alias in node.names if alias.name.startswith("_")]


def test_no_cli_module_imports_a_private_helper():
    assert [found for module in sorted(CLI.glob("*.py")) for found in _private_imports(module)] == []


def _options(app, *path):
    command = app.cli
    for name in path:
        command = command.commands[name]
    return [(p.name, p.required) for p in command.params]


ACCOUNT = [("tenant", True), ("identifier", True)]


def test_users_commands_keep_their_options(app):
    assert _options(app, "users", "activate") == ACCOUNT + [("as_json", False)]
    assert _options(app, "users", "suspend") == ACCOUNT + [("as_json", False)]
    assert _options(app, "users", "documents") == ACCOUNT + [("out", False), ("as_json", False)]
    assert _options(app, "users", "delete") == ACCOUNT + [("yes", False), ("as_json", False)]
    assert _options(app, "users", "pending") == [("tenant", True), ("as_json", False)]
    assert [name for name, _ in _options(app, "users", "create")] == [
        "tenant", "identifier", "password", "email", "given_name", "family_name", "birthdate", "as_json"]


def test_one_account_lookup_for_the_users_commands():
    source = (CLI / "users.py").read_text()
    assert source.count('"--identifier"') == 1      # create's own; the others through with_account
    assert "find_account" not in source


def test_an_unknown_account_is_a_usage_error_naming_it_masked(runner, app):
    result = runner.invoke(args=["users", "activate", "--tenant", "caf", "--identifier", "1 84 03 12 345 678"])
    assert result.exit_code == 2 and "no account" in result.output and "in tenant 'caf'" in result.output
    assert "1840312345678" not in result.output
