"""``pip install`` of the built wheel serves the DSFR (issue 13): the wheel carries the files
the pages use, and the provider imported from the unpacked wheel (not from this checkout)
answers the login page and every DSFR file it links to, fonts and icons included.

The wheel is built offline (``--no-build-isolation``, setuptools from the test extras) from a
copy of the checkout's files, so that a stale ``build/`` cannot hide a missing one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT, write_config

SERVE = r"""
import json, re, sys
import idp
from idp.app import create_app
from idp.store.db import db
from idp.config.settings import load_settings

settings = load_settings(sys.argv[1], environ={}, overrides={
    "database": {"url": "sqlite:///" + sys.argv[2]}, "redis": {"url": ""},
    "notify": {"outbox_dir": "", "dev_outbox_page": False}})
app = create_app(settings=settings)
with app.app_context():
    db.create_all()
http = app.test_client()
page = http.get("/caf/login")
html = page.get_data(as_text=True)
linked = sorted(set(re.findall(r'(?:href|src)="(/static/dsfr/[^"]+)"', html)))
css = http.get("/static/dsfr/dsfr.min.css").get_data(as_text=True)
drawn = sorted({"/static/dsfr/" + u.strip("'\"") for u in re.findall(r"url\(([^)]+)\)", css)
                if not u.strip("'\"").startswith("data:")})
answers = {path: http.get(path).status_code for path in linked + drawn}
print(json.dumps({"module": idp.__file__, "page": page.status_code, "linked": linked, "answers": answers}))
"""


def _sources(target: Path) -> Path:
    """The checkout's files (tracked, or new and not ignored) copied to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "bench/", "devtools/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the wheel is built from the checkout's files")
    tmp = tmp_path_factory.mktemp("wheel")
    source = _sources(tmp / "src")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(tmp / "dist")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    [path] = (tmp / "dist").glob("*.whl")
    return path


def test_the_wheel_carries_the_dsfr(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("dsfr.min.css", "dsfr.module.min.js", "LICENSE.md", "VERSION", "favicon/favicon.svg",
                 "favicon/favicon.ico", "fonts/Marianne-Regular.woff2", "icons/system/fr--error-fill.svg"):
        assert f"idp/static/dsfr/{name}" in names, name
    assert not any(name.startswith(("assets/", "tests/", "devtools/")) for name in names)


def test_the_installed_wheel_serves_the_dsfr(wheel, tmp_path):
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    config = write_config(tmp_path)
    served = subprocess.run([sys.executable, "-c", SERVE, str(config), str(tmp_path / "idp.sqlite3")],
                            cwd=tmp_path, env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=120)
    assert served.returncode == 0, served.stderr[-3000:]
    result = json.loads(served.stdout.strip().splitlines()[-1])
    assert Path(result["module"]).is_relative_to(unpacked)      # the wheel's code, not this checkout
    assert result["page"] == 200
    assert {"/static/dsfr/dsfr.min.css", "/static/dsfr/dsfr.module.min.js",
            "/static/dsfr/favicon/favicon.svg"} <= set(result["linked"])
    assert any("/fonts/Marianne-" in path for path in result["answers"])
    assert {path: status for path, status in result["answers"].items() if status != 200} == {}
