"""Copy the DSFR files the pages use from the npm package into ``idp/static/dsfr``.

That copy is committed and shipped inside the Python package (as django-dsfr ships it), so
that every installation serves the DSFR, a checkout or ``pip install``. ``make assets`` runs
this after ``npm ci`` in ``assets/``; to move to a new DSFR release, ``make assets
DSFR_VERSION=1.x.y`` (it updates ``package.json`` and its lock first), look at the pages,
and commit the result.

What is copied: the stylesheets below and every file they reference (``url(...)``: the
Marianne and Spectral fonts, the icons the components draw), the JavaScript module, the
favicon set, the licence (Etalab 2.0, with its terms of use), and a ``VERSION`` file. The
target is emptied first, so nothing of an older release stays behind.

    python3 assets/copy_dsfr.py assets/node_modules/@gouvfr/dsfr idp/static/dsfr
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

STYLESHEETS = ["dsfr.min.css"]
SCRIPTS = ["dsfr.module.min.js"]
FOLDERS = ["favicon"]
URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def referenced(stylesheet: Path, dist: Path) -> set[Path]:
    """The files ``stylesheet`` points to, relative to ``dist`` (data: URIs left out)."""
    found = set()
    for _, target in URL.findall(stylesheet.read_text(encoding="utf-8")):
        if target.startswith(("data:", "#", "http:", "https:")):
            continue
        path = (stylesheet.parent / target.split("?")[0].split("#")[0]).resolve()
        found.add(path.relative_to(dist.resolve()))
    return found


def files_to_copy(dist: Path) -> list[Path]:
    files = {Path(name) for name in STYLESHEETS + SCRIPTS}
    for name in STYLESHEETS:
        files |= referenced(dist / name, dist)
    for folder in FOLDERS:
        files |= {path.relative_to(dist) for path in (dist / folder).rglob("*") if path.is_file()}
    missing = sorted(str(path) for path in files if not (dist / path).is_file())
    if missing:
        raise SystemExit(f"the DSFR release lacks files its stylesheets use: {', '.join(missing)}")
    return sorted(files)


def copy(package: Path, target: Path) -> int:
    dist = package / "dist"
    files = files_to_copy(dist)
    if target.exists():
        shutil.rmtree(target)
    for path in files:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dist / path, target / path)
    shutil.copyfile(package / "LICENSE.md", target / "LICENSE.md")
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    (target / "VERSION").write_text(version + "\n", encoding="utf-8")
    return len(files)


if __name__ == "__main__":
    source, destination = (Path(arg) for arg in sys.argv[1:3])
    count = copy(source, destination)
    print(f"DSFR {(destination / 'VERSION').read_text().strip()}: {count} files copied to {destination}")
