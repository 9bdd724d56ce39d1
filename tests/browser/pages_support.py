"""The page suite's shared pieces (tests/browser/test_pages_*.py): one provider served for
the whole session (demo data, the FranceConnect stand-in, a few accounts of our own),
axe-core from npm, and the :class:`Tour` a journey is walked with.

A journey is written once (pages_journeys.py) and walked in three ways:

- ``audit``: Chromium at 390 px with JavaScript; at each page state axe-core (WCAG 2.1 A
  and AA rules) runs and a full-page screenshot goes to test-output/screenshots;
- ``nojs``: JavaScript off; at each state, no visible control that does nothing without it;
- ``keyboard``: at 1280 px, every field reached with Tab, boxes and radios ticked with
  Space, buttons and links pressed with Enter.

Each walk runs once per session and records what it saw, so that a test asserts one state
(one page, one check): a page A is still converting fails its own test, not the journey's.
Session values live on pytest's config: a fixture imported into several modules would
otherwise start once per module."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pages_checks import DEAD_CONTROLS, PAGE_CHECKS, axe_violations, install_axe
from support import ROOT, make_settings

SHOTS = Path(os.environ.get("IDP_TEST_SCREENSHOTS") or ROOT / "test-output" / "screenshots")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "fr-FR"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-FR"}
# accounts of the suite's own (the demo accounts stay as the other browser tests expect them)
OWN_ACCOUNTS = {"caf": ("1800397411012", "Allocation2024"), "ameli": ("1910775056012", "Sante-2024!"),
                "mairie": ("claire.petit", "Mairie2024Demo")}


# one address (127.0.0.1) walks every journey several times within the hour: the limits that
# count per address or per minute would stop the walks, not test them (tests/flows do)
GENEROUS_LIMITS = {"verification": {"max_sends_per_address": 10_000, "resend_interval": 0, "max_sends": 100},
                   "signup_limits": {"checks_per_address": 10_000, "password_steps_per_address": 10_000,
                                     "password_checks_per_address": 100_000},
                   "login": {"max_failures_per_address": 10_000}}


def session_value(request, key: str, start):
    """``start(stack)`` once per session, kept on pytest's config; ``stack`` closes at the end."""
    stash = request.config.__dict__.setdefault("_idp_pages", {})
    if not stash and os.environ.get("IDP_TEST_PAGES_RECORDS"):   # every walk's record, to read them all
        request.config.add_cleanup(lambda: Path(os.environ["IDP_TEST_PAGES_RECORDS"]).write_text(json.dumps(
            {key: value.__dict__ for key, value in stash.items() if isinstance(value, Record)}, indent=1,
            ensure_ascii=False)))
    if key not in stash:
        stack = ExitStack()
        request.config.add_cleanup(stack.close)
        stash[key] = start(stack)
    return stash[key]


# -- the provider -------------------------------------------------------------------------

@dataclass
class Site:
    base: str
    demo: dict
    app: object

    def outbox(self) -> list[dict]:
        return self.app.extensions["idp_notifier"].outbox()

    def code_sent_to(self, destination: str, after: int = 0, wait: float = 5.0) -> str:
        """The 6-digit code of the newest message to ``destination`` among those beyond the
        first ``after`` (forgot-password codes are sent after the answer: wait for it)."""
        deadline = time.monotonic() + wait
        while True:
            messages = self.outbox()
            for message in messages[:max(len(messages) - after, 0)]:
                if destination in json.dumps(message.get("to"), ensure_ascii=False):
                    return re.search(r"\b(\d{6})\b", message["text"]).group(1)
            assert time.monotonic() < deadline, f"no code sent to {destination}"
            time.sleep(0.05)

    def link_sent_to(self, destination: str) -> str:
        for message in self.outbox():
            if destination in json.dumps(message.get("to"), ensure_ascii=False):
                return re.search(r"(http://\S+/signup/activate/\S+)", message["text"]).group(1)
        raise AssertionError(f"no link sent to {destination}")

    @contextmanager
    def failing(self, endpoint: str, error: Exception):
        """``endpoint`` raises ``error`` while inside: the 500 and 503 pages as served."""
        app, original = self.app, self.app.view_functions[endpoint]

        def fail(*args, **kwargs):
            raise error

        app.view_functions[endpoint], propagate = fail, app.config.get("PROPAGATE_EXCEPTIONS")
        app.config["PROPAGATE_EXCEPTIONS"] = False
        try:
            yield
        finally:
            app.view_functions[endpoint] = original
            app.config["PROPAGATE_EXCEPTIONS"] = propagate


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_site(stack, folder: Path) -> Site:
    from werkzeug.serving import make_server

    from franceconnect_support import franceconnect_for
    from helpers import make_account
    from idp.app import create_app
    from idp.store.db import db
    from idp.demo.setup import install_demo
    from idp.store.keystore import ensure_keys

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings=make_settings(folder, "sqlite", server={"public_url": base}, **GENEROUS_LIMITS))
    with app.app_context():
        db.create_all()
        for slug in app.extensions["idp_tenants"]:
            ensure_keys(slug)
        demo = install_demo()
    for tenant, (identifier, password) in OWN_ACCOUNTS.items():
        make_account(app, tenant, identifier, password, given_name="Claire", family_name="Petit",
                     email=f"claire.petit@{tenant}.example.fr", birthdate="1980-03-15")
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stack.callback(server.shutdown)
    stack.enter_context(franceconnect_for(app))
    return Site(base, demo, app)


@pytest.fixture
def site(request, tmp_path_factory) -> Site:
    return session_value(request, "site", lambda stack: _start_site(stack, tmp_path_factory.mktemp("pages")))


@pytest.fixture
def axe_source(request) -> str:
    return session_value(request, "axe", install_axe)


# -- walking a journey --------------------------------------------------------------------

@dataclass
class Record:
    """What one walk saw: per state, axe's violations (audit) or the controls that need
    JavaScript (nojs); facts the walk measured on the way; where it stopped, if it did."""
    reached: list[str] = field(default_factory=list)
    violations: dict[str, list[str]] = field(default_factory=dict)
    dead: dict[str, list[str]] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)
    failure: str | None = None

    def state(self, name: str) -> list[str]:
        """axe's violations of a state; a state the walk never reached fails with the reason."""
        assert name in self.violations, f"state {name!r} not reached: {self.failure or 'not visited by the walk'}"
        return self.violations[name]

    def fact(self, name: str):
        assert name in self.facts, f"{name!r} not measured: {self.failure or 'not visited by the walk'}"
        return self.facts[name]


class Tour:
    """A browser page walking one journey in one ``mode`` (audit, nojs, keyboard)."""

    def __init__(self, browser, site: Site, journey: str, mode: str, axe: str | None = None):
        options = {"audit": PHONE, "nojs": {**PHONE, "java_script_enabled": False}, "keyboard": DESKTOP}[mode]
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(5000)   # a walk that cannot go on says so at once
        self.page = self.context.new_page()
        self.site, self.journey, self.mode, self.axe = site, journey, mode, axe
        self.record = Record()

    # -- what is looked at
    def state(self, name: str) -> None:
        page, record = self.page, self.record
        page.wait_for_load_state()
        record.reached.append(name)
        if self.mode == "audit":
            _until(page, "() => document.documentElement.getAttribute('data-fr-js') === 'true'")   # the DSFR ran
            record.violations[name] = axe_violations(page, self.axe)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{self.journey}-{len(record.reached):02d}-{name}.jpg"), full_page=True,
                            type="jpeg", quality=85, timeout=20_000)   # JPEG: quicker to write than PNG
            self.fact(f"page:{name}", page.evaluate(PAGE_CHECKS))
        elif self.mode == "nojs":
            record.dead[name] = page.evaluate(DEAD_CONTROLS)

    def fact(self, name: str, value) -> None:
        self.record.facts[name] = value

    # -- what is done: with the mouse and Playwright's fill, or with the keyboard alone
    def goto(self, path: str) -> None:
        self.page.goto(self.site.base + path)

    def fill(self, selector: str, value: str) -> None:
        target = self.page.locator(selector)
        if self.mode != "keyboard":
            target.fill(value)
            return
        self._tab_to(target)                    # Tab into a text field selects what it holds:
        self.page.keyboard.type(value)          # typing replaces it
        assert target.input_value().replace(" ", "") == value.replace(" ", ""), selector

    def date(self, name: str, day: str, month: str, year: str) -> None:
        """A date, in whichever pattern the page has: the DSFR's three fields, a native date
        input, or one text field (JJ/MM/AAAA)."""
        page = self.page
        if page.locator(f"#{name}-day").count():
            for part, value in (("day", day), ("month", month), ("year", year)):
                self.fill(f"#{name}-{part}", value)
        elif page.locator(f"#{name}").get_attribute("type") == "date":
            if self.mode == "keyboard":
                self._tab_to(page.locator(f"#{name}"))
                page.keyboard.type(f"{day}{month}{year}")     # segment by segment, in the browser's order
                assert page.locator(f"#{name}").input_value() == f"{year}-{month}-{day}", "day and month swapped?"
            else:
                page.locator(f"#{name}").fill(f"{year}-{month}-{day}")
        else:
            self.fill(f"#{name}", f"{day}/{month}/{year}")

    def tick(self, selector: str) -> None:
        """Check a box or a radio (Space on it, with the keyboard)."""
        target = self.page.locator(selector)
        if self.mode != "keyboard":
            if not target.is_checked():   # its label, as a person does (the DSFR's input is under it)
                self.page.locator(f"label[for='{target.get_attribute('id')}']").first.click()
            assert target.is_checked(), selector
            return
        self._tab_to(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
        assert target.is_checked(), selector

    def press(self, name, role: str = "button") -> None:
        """A button (or link) by its accessible name; waits for the next page."""
        target = self.page.get_by_role(role, name=name).first
        if self.mode == "keyboard":
            self._tab_to(target)
            self.enter()
        else:
            target.click()
            self.page.wait_for_load_state()

    def enter(self) -> None:
        """Enter where the focus is, then the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def _tab_to(self, target, limit: int = 120) -> None:
        handle = target.element_handle()
        for _ in range(limit):
            if handle.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{self.page.url}: not reachable with Tab: {handle.evaluate('el => el.outerHTML.slice(0, 120)')}")

    def close(self) -> Record:
        self.context.close()
        return self.record


def _until(page, predicate: str, wait: float = 5.0) -> None:
    """Poll ``predicate`` from here (Playwright's in-page polling evaluates a string, which
    the pages' CSP rightly refuses)."""
    deadline = time.monotonic() + wait
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"{page.url}: still not {predicate}"
        time.sleep(0.05)


def walk(browser, site: Site, journey: str, steps, mode: str, axe: str | None = None) -> Record:
    """Walk ``steps(tour)``; a failure stops the walk and is kept in the record (the states
    already seen keep their verdicts)."""
    tour = Tour(browser, site, journey, mode, axe)
    try:
        steps(tour)
    except Exception as exc:  # noqa: BLE001  (reported by each test of a state not reached)
        tour.record.failure = f"{tour.page.url}: {type(exc).__name__}: {str(exc)[:600]}"
    return tour.close()


@pytest.fixture
def audited(request, browser, site, axe_source):
    """``audited(journey)``: the record of the journey's audit walk, walked once a session."""
    from pages_journeys import JOURNEYS

    def record(journey: str) -> Record:
        steps, _ = JOURNEYS[journey]
        return session_value(request, f"audit:{journey}",
                             lambda _stack: walk(browser, site, journey, steps, "audit", axe_source))
    return record


@pytest.fixture
def walked(request, browser, site):
    """``walked(journey, mode)``: the record of a walk without axe (nojs, keyboard), once a session."""
    from pages_journeys import JOURNEYS

    def record(journey: str, mode: str) -> Record:
        steps, _ = JOURNEYS[journey]
        return session_value(request, f"{mode}:{journey}", lambda _stack: walk(browser, site, journey, steps, mode))
    return record
