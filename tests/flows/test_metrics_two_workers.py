"""Every worker counts: ``idp serve --workers 2`` (real HTTP), requests spread over both
workers, and each scrape (answered by either one) shows the sum of both, from the
multiprocess directory ``idp serve`` prepared.

Which worker takes a new connection is the kernel's and the servers' choice: on a loaded
machine (CI's two cores) one worker may take every request of several rounds. So the test
does not hope that a fixed number of requests reaches both: it keeps sending (and scraping)
until each worker's own file (``histogram_<pid>.db``) shows it answered some, bounded by
:data:`PATIENCE` seconds so that a server that truly answers from one process fails, then
asserts the sums, which no longer depend on how the requests were spread."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from live import at_once
from metrics_support import moved, parse
from workers import WORKERS, serving_two_workers

ROUNDS, AT_ONCE = 4, 8   # at least this many rounds of new connections at once
PATIENCE = 60            # seconds to wait for both workers to have answered (a bound, not a measure)
HEALTHZ, METRICS = "health.healthz", "metrics.metrics"
COUNT = "idp_http_request_duration_seconds_count"


def _count(files: list[str], endpoint: str) -> float:
    """Requests to ``endpoint`` counted in these multiprocess files (one worker's, or all)."""
    from prometheus_client.multiprocess import MultiProcessCollector

    for metric in MultiProcessCollector.merge(files, accumulate=True):
        for sample in metric.samples:
            if sample.name.endswith("_count") and sample.labels.get("endpoint") == endpoint:
                return sample.value
    return 0


def _per_worker(folder: Path, endpoint: str) -> dict[str, float]:
    """Each worker process's own count of ``endpoint``, by its file's name (its pid)."""
    return {path.name: _count([str(path)], endpoint) for path in folder.glob("histogram_*.db")}


def _since(start: dict[str, float], now: dict[str, float]) -> dict[str, float]:
    return {name: count - start.get(name, 0) for name, count in now.items()}


def _both(answered: dict[str, float]) -> bool:
    return sum(1 for count in answered.values() if count) >= WORKERS


def test_a_counter_sums_across_two_workers(base_app, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("two workers share PostgreSQL and Redis (IDP_TEST_POSTGRES_URL)")
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_99999999.db").write_bytes(b"a previous run's values")   # emptied by idp serve
    with serving_two_workers(base_app, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(folder)) as base:
        def scrape():
            response = requests.get(f"{base}/metrics", timeout=30)
            assert response.status_code == 200, response.text[:300]
            return parse(response.text)

        before = scrape()
        start, sent, rounds = _per_worker(folder, HEALTHZ), 0, 0
        deadline = time.monotonic() + PATIENCE

        def healthz_since_start():
            return _since(start, _per_worker(folder, HEALTHZ))

        while rounds < ROUNDS or not _both(healthz_since_start()):
            assert time.monotonic() < deadline, (   # one process answered everything
                f"after {sent} requests, not every worker answered: {healthz_since_start()}")
            # new connections at once (a Session per request): either worker may take each
            statuses = at_once(AT_ONCE, lambda i: requests.get(f"{base}/healthz", timeout=30).status_code)
            assert statuses == [200] * AT_ONCE
            sent, rounds = sent + AT_ONCE, rounds + 1
        answered = healthz_since_start()
        assert len(answered) == WORKERS and all(answered.values()), answered   # two processes, both counted
        assert sum(answered.values()) == sent, answered                        # each request counted once
        assert not (folder / "counter_99999999.db").exists()

        # whichever worker answers a scrape, it tells both workers' counts: scrape until each
        # worker has answered at least one (its own count of /metrics moved), each time the sum
        scrapes, deadline = _per_worker(folder, METRICS), time.monotonic() + PATIENCE
        while True:
            for after in at_once(WORKERS * 2, lambda i: scrape()):   # at once, as the requests
                assert moved(before, after, COUNT, endpoint=HEALTHZ) == sent
            if _both(_since(scrapes, _per_worker(folder, METRICS))):
                break
            assert time.monotonic() < deadline, (
                f"one worker answered every scrape: {_per_worker(folder, METRICS)}")
