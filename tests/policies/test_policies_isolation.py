"""``policies/`` is a plain library: it imports neither Flask nor the database layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import importlib, pkgutil, sys
import policies
for module in pkgutil.walk_packages(policies.__path__, "policies."):
    if not module.name.endswith("build_data"):
        importlib.import_module(module.name)
policies.password_policy("mairie").check("Maison12")
policies.identifier_scheme("nir").check("184127645108946")
banned = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "idp", "psycopg", "alembic")
print(sorted(m for m in sys.modules if m.split(".")[0] in banned))
"""


def test_policies_imports_neither_flask_nor_the_database():
    found = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                           text=True, check=True, timeout=60)
    assert found.stdout.strip() == "[]", found.stdout + found.stderr


def test_no_source_file_mentions_them():
    for path in (ROOT / "policies").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("import flask", "from flask", "sqlalchemy", "from idp", "import idp"):
            assert banned not in text.lower(), f"{path.name}: {banned}"
