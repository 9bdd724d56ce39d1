"""No request produces a 5xx: malformed requests to every route, and to every signup step.

Routes come from ``app.url_map`` (every rule, every method but HEAD/OPTIONS), so a new
endpoint is fuzzed as soon as it exists; :mod:`fuzz_recipes` says how to build a request
that gets past the first checks. Each signup step of each tenant is reached with valid
answers, then sent malformed ones. Examples are derandomized (the same requests on every
run); the count of requests sent is printed and recorded as the test's ``requests`` property.
On SQLite and PostgreSQL (``app`` fixture), with the FranceConnect stand-in answering.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from franceconnect_support import franceconnect_for
from fuzz_recipes import PATH_VALUES, request_for
from fuzz_journeys import JOURNEYS, Journey
from fuzz_site import Site, variables
from support import forget_counters

# IDP_FUZZ_EXAMPLES=500 explores further (a nightly run, or after touching a boundary)
EXAMPLES_PER_ROUTE = int(os.environ.get("IDP_FUZZ_EXAMPLES", "20"))
EXAMPLES_PER_STEP = max(10, EXAMPLES_PER_ROUTE // 2)
# no shrinking: requests change the provider's state, so a shrunk example replays differently;
# the failing request is reported as sent
FUZZ = settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))


# IDP_FUZZ_SERVED=1 sends them to `idp serve --workers 2` (gunicorn, PostgreSQL, Redis) over HTTP
SERVED = os.environ.get("IDP_FUZZ_SERVED") == "1"


@pytest.fixture
def target(app, backend, tmp_path):
    """Where the requests go: the app itself or, with ``IDP_FUZZ_SERVED=1``, two gunicorn
    workers sharing its database and Redis (tests/workers.py), reached through a proxy as
    ``app.wsgi_app`` so that the test client's requests cross real HTTP and two processes."""
    if not SERVED:
        yield
        return
    if backend != "postgresql":
        pytest.skip("IDP_FUZZ_SERVED: two workers share PostgreSQL and Redis")
    from workers import http_proxy, serving_two_workers

    with franceconnect_for(app) as standin, serving_two_workers(
            app, tmp_path, IDP_PROVIDERS_FRANCECONNECT_DISCOVERY_URL=json.dumps(standin.discovery_url)) as base:
        original, app.wsgi_app = app.wsgi_app, http_proxy(base)
        try:
            yield
        finally:
            app.wsgi_app = original


@pytest.fixture
def site(app, target, tmp_path):
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    with franceconnect_for(app):
        yield Site(app).populate(str(jwks), key)


def _routes(app):
    only = os.environ.get("IDP_FUZZ_ONLY")   # an endpoint name, to chase one failure
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if only and rule.endpoint != only:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _fuzz_route(site, rule, method):
    tenants = site.tenants if "<tenant>" in rule.rule else ["caf"]

    @FUZZ
    @given(st.data())
    def run(data):
        tenant = data.draw(st.sampled_from(tenants))
        site.send(request_for(data.draw, site, tenant, method, rule.rule, rule.endpoint))

    run()


def test_every_route_answers_malformed_requests_without_a_server_error(site, app, record_property):
    started, missing = time.monotonic(), set()
    for rule, method in _routes(app):
        missing |= variables(rule.rule) - set(PATH_VALUES)
    assert not missing, f"describe these URL variables in fuzz_recipes.PATH_VALUES: {missing}"
    failures = []
    for rule, method in _routes(app):
        site.next_route()
        try:
            _fuzz_route(site, rule, method)
        except Exception as error:   # go on: one run lists every route that fails
            notes = "\n".join(getattr(error, "__notes__", []))
            failures.append(f"{method} {rule.rule}: {type(error).__name__}: {str(error)[:300]}\n{notes}")
    malformed = sum(site.statuses.values())
    record_property("requests", malformed)
    assert not failures, "\n\n".join(failures)
    print(f"\nfuzz: {malformed} malformed requests ({site.sent} with those setting them up) to "
          f"{len(list(_routes(app)))} routes in {time.monotonic() - started:.1f} s; answers "
          f"{dict(sorted(site.statuses.items()))}")


# -- signup steps, each reached with valid answers --------------------------------------------
@pytest.mark.parametrize("tenant", sorted(JOURNEYS))
def test_every_signup_step_answers_malformed_input_without_a_server_error(app, target, tenant, record_property):
    journey = Journey(Site(app), tenant)
    for number, (step, answers) in enumerate(JOURNEYS[tenant]):
        assert journey.reach(number), step

        @settings(FUZZ, max_examples=EXAMPLES_PER_STEP)
        @given(st.data())
        def run(data):
            journey.send_malformed(data.draw, number)

        run()
        forget_counters(app)   # the fuzz spent this address's budgets (send, step limits): the limits work
        if journey.reach(number, fresh=isinstance(answers, str)):
            response = journey.answer(step, answers)
            if number + 1 < len(JOURNEYS[tenant]):   # the valid answers go on: the fuzz went deep
                # on the activation step the fuzz already sent this signup's message: the
                # per-account resend delay ([verification] resend_interval) answers 429
                spent = (429,) if step == "activation" else ()
                assert response.status_code in (302, 303, *spent), (step, response.get_data(as_text=True)[:300])
    malformed = sum(journey.site.statuses.values())
    record_property("requests", malformed)
    print(f"\nfuzz {tenant} signup: {malformed} requests ({journey.site.sent} with those setting them up)")
