"""Every worker counts: ``idp serve --workers 2`` (real HTTP), requests spread over both
workers, and each scrape (answered by either one) shows the sum of both, from the
multiprocess directory ``idp serve`` prepared."""

from __future__ import annotations

import pytest
import requests

from live import at_once
from metrics_support import moved, parse
from workers import serving_two_workers

ROUNDS, AT_ONCE = 4, 8


def _healthz_count(files: list[str]) -> float:
    """/healthz requests counted in these multiprocess files (one worker's, or all)."""
    from prometheus_client.multiprocess import MultiProcessCollector

    for metric in MultiProcessCollector.merge(files, accumulate=True):
        for sample in metric.samples:
            if sample.name.endswith("_count") and sample.labels.get("endpoint") == "health.healthz":
                return sample.value
    return 0


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
        for _ in range(ROUNDS):   # new connections at once: both workers take some
            statuses = at_once(AT_ONCE, lambda i: requests.get(f"{base}/healthz", timeout=30).status_code)
            assert statuses == [200] * AT_ONCE
        per_worker = {path.name: _healthz_count([str(path)]) for path in folder.glob("histogram_*.db")}
        assert len(per_worker) == 2 and all(per_worker.values()), per_worker   # both answered some
        assert not (folder / "counter_99999999.db").exists()
        for _ in range(6):   # whichever worker answers the scrape, it tells both workers' counts
            after = scrape()
            assert moved(before, after, "idp_http_request_duration_seconds_count",
                         endpoint="health.healthz") == ROUNDS * AT_ONCE
