"""The load generators of ``make bench`` still drive the provider: every scenario once, for
a second, against a served instance, through bench/run.py's own ``scenarios`` (journeys.py
for the browser journeys and the refresh-token primer, the wrk scripts for the others).

Issue 15: the login POST began answering with the redirect to the client and the journey
driver, expecting the old step, broke unseen; ``--scenarios login`` printed 0.0 logins/s.
A scenario whose operations fail must now stop the run with the error. No figure is
asserted here (the bench prints them, never a test)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from argparse import Namespace
from types import SimpleNamespace

import pytest

from helpers import make_client
from live import live_server  # noqa: F401  (fixture)
from support import ROOT

REDIRECT_URI = "http://127.0.0.1:9/cb"
WRK_MISSING = "wrk is not installed (apt-get install -y wrk; .ci/run installs it): the wrk scripts are not run"


def _bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _bench_run()


@pytest.fixture
def target(live_server, tmp_path):   # noqa: F811
    """What bench/run.py knows of a provider it started: issuer, its client, accounts."""
    base, demo, app = live_server
    client_id, secret = make_client(app, "caf", name="bench", redirect_uris=[REDIRECT_URI], first_party=True,
                                    scope="openid profile email offline_access")
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps([[demo["caf"]["identifier"], demo["caf"]["password"]]]))
    return SimpleNamespace(issuer=f"{base}/caf", client_id=client_id, client_secret=secret, accounts_file=accounts,
                           watch=lambda: run.Watch(os.getpid(), workers_are_children=False))


def _args(*scenarios: str) -> Namespace:
    return Namespace(scenarios=list(scenarios), duration=1.0, warmup=0, connections=1, journey_concurrency=1,
                     profile=False)


def _ran_cleanly(results: list[dict], scenarios: tuple[str, ...]) -> None:
    assert [r["scenario"] for r in results] == list(scenarios)
    for result in results:
        assert result["ops"] >= 1 and result["errors"] == 0, result


def test_journey_drivers_go_through_the_provider(target, tmp_path):
    scenarios = ("sso", "login")
    _ran_cleanly(run.scenarios(target, 1, _args(*scenarios), None, tmp_path), scenarios)


@pytest.mark.skipif(shutil.which("wrk") is None, reason=WRK_MISSING)
def test_wrk_drivers_go_through_the_provider(target, tmp_path):
    scenarios = ("discovery", "client_credentials", "refresh")
    _ran_cleanly(run.scenarios(target, 1, _args(*scenarios), None, tmp_path), scenarios)


def test_failed_journeys_stop_the_run_with_the_error(target, tmp_path):
    target.client_secret = "not-the-secret"
    with pytest.raises(run.ScenarioFailed, match=r"scenario login: \d+ of \d+ journeys failed \{'token': \d+\}, "
                                                 r"e\.g\. token: HTTP 401 .*invalid_client"):
        run.scenarios(target, 1, _args("login"), None, tmp_path)


def test_failed_priming_stops_the_run_with_the_error(target, tmp_path):
    target.client_secret = "not-the-secret"
    with pytest.raises(run.ScenarioFailed, match=r"scenario refresh: priming the refresh tokens failed: "
                                                 r"JourneyError: token: HTTP 401 .*invalid_client"):
        run.scenarios(target, 1, _args("refresh"), None, tmp_path)


@pytest.mark.skipif(shutil.which("wrk") is None, reason=WRK_MISSING)
def test_failed_requests_stop_the_run_with_the_answer(target, tmp_path):
    target.client_secret = "not-the-secret"
    with pytest.raises(run.ScenarioFailed, match=r"scenario client_credentials: (\d+) of \1 requests answered "
                                                 r"HTTP ≥ 400 .*/caf/token: HTTP 401 .*invalid_client"):
        run.scenarios(target, 1, _args("client_credentials"), None, tmp_path)
