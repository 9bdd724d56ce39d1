"""What the page suite looks for in a page, in the page itself: axe-core (from npm, in
tests/browser/pages_axe), the controls that need JavaScript, and the DSFR and error checks
axe-core does not make (pages_support.Tour runs them at each state)."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

import pytest

AXE_PACKAGE = Path(__file__).parent / "pages_axe"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _installed_matches_lock() -> bool:
    locked = json.loads((AXE_PACKAGE / "package-lock.json").read_text())["packages"]
    for path, entry in locked.items():
        manifest = AXE_PACKAGE / path / "package.json"
        if path and (not manifest.is_file() or json.loads(manifest.read_text()).get("version") != entry["version"]):
            return False
    return True


def install_axe(_stack) -> str:
    with open(AXE_PACKAGE / "package-lock.json") as lock:   # one installer at a time (parallel runs)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed_matches_lock():
            npm = shutil.which("npm")
            if not npm:
                pytest.skip("npm is not installed: axe-core cannot be installed, the page audits are skipped")
            run = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=AXE_PACKAGE,
                                 capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, f"npm ci failed in {AXE_PACKAGE}:\n{run.stdout}\n{run.stderr}"
    return (AXE_PACKAGE / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', ')} – ${v.help}`))"""


def axe_violations(page, source: str) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is, one line each. Injected
    through the DevTools protocol: the page's CSP stays as it is."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    return page.evaluate(RUN_AXE, WCAG_21_AA)


DEAD_CONTROLS = """() => [...document.querySelectorAll('input:not([type=hidden]), button, select, textarea')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .filter(el => !el.form || (el.tagName !== 'BUTTON' && !el.name))
  .map(el => el.id || el.name || el.outerHTML.slice(0, 80))"""


# what a state shows beside axe's rules: Python values printed raw, controls that are not the
# DSFR's components (radios, boxes, inputs, buttons, sentence-case labels), and whether an
# error state is announced (the summary has the focus, the title starts with "Erreur")
PAGE_CHECKS = """() => {
  const visible = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const text = document.querySelector('main') ? document.querySelector('main').innerText : '';
  const raw = text.match(/\\{'|'\\}|\\['|'\\]|\\b(None|True|False)\\b/g) || [];
  const controls = [...document.querySelectorAll('main input, main button, main select, main textarea')];
  const notDsfr = controls.filter(el => el.type !== 'hidden').flatMap(el => {
    const name = el.id || el.name || el.textContent.trim();
    if (el.type === 'radio') return el.closest('.fr-radio-group') ? [] : [`radio ${name}`];
    if (el.type === 'checkbox') return el.closest('.fr-checkbox-group, .fr-toggle') ? [] : [`checkbox ${name}`];
    if (el.tagName === 'BUTTON') {
      const label = el.textContent.trim();
      if (el.classList.contains('fr-connect')) return [];
      if (!el.classList.contains('fr-btn') || [...el.classList].some(c => !c.startsWith('fr-'))) return [`button ${label} (${el.className})`];
      return label.length > 3 && label === label.toUpperCase() ? [`button in capitals ${label}`] : [];
    }
    if (el.type === 'file') return el.classList.contains('fr-upload') ? [] : [`upload ${name}`];
    return el.classList.contains('fr-input') || el.classList.contains('fr-select') ? [] : [`field ${name}`];
  });
  const summary = document.querySelector('#error-summary, main [role=alert]');
  const focused = document.activeElement;
  return {raw, not_dsfr: notDsfr.filter((v, i, a) => a.indexOf(v) === i),
          error_shown: !!(summary && visible(summary)) || !!document.querySelector('main [aria-invalid=true]'),
          error_announced: !!(summary && (focused === summary || summary.contains(focused)))
                           && document.title.startsWith('Erreur')};
}"""
