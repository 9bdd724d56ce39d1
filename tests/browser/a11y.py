"""axe-core (npm, tests/browser/package.json) run in the page: WCAG 2.1 A and AA rules, 0
violations expected. The page's CSP allows no injected script, so the contexts that run it
bypass CSP (Playwright's ``bypass_csp``); the pages' own scripts are still the ones served.
node_modules is installed with ``npm ci`` from the committed lock when missing or stale, as
tests/interop does; without Node the check is skipped with the reason printed."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = Path(os.environ.get("IDP_TEST_SCREENSHOTS", "test-output/screenshots"))
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "fr-FR", "bypass_csp": True}


def _installed() -> bool:
    locked = json.loads((HERE / "package-lock.json").read_text())["packages"]["node_modules/axe-core"]["version"]
    manifest = HERE / "node_modules" / "axe-core" / "package.json"
    return manifest.is_file() and json.loads(manifest.read_text())["version"] == locked


@pytest.fixture(scope="session")
def axe_source() -> str:
    with open(HERE / "package-lock.json") as lock:   # one installer at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed():
            npm = shutil.which("npm")
            if not npm:
                pytest.skip("npm is not installed: axe-core cannot be installed, accessibility checks skipped")
            run = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                                 text=True, timeout=300)
            assert run.returncode == 0, f"npm ci failed in {HERE}:\n{run.stdout}\n{run.stderr}"
    return AXE.read_text(encoding="utf-8")


def violations(page, axe: str) -> list[str]:
    """axe's WCAG 2.1 AA violations on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe)
    found = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))""", WCAG_AA)
    return found


def check(page, axe: str, name: str) -> None:
    """0 violations, then a full-page screenshot at the context's size."""
    found = violations(page, axe)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert found == [], f"{name} ({page.url}): {found}"
