"""Reading ``GET /metrics`` back in tests: ``{(sample name, sorted labels): value}``."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def parse(text: str) -> dict[tuple[str, tuple], float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def scrape(http, **headers) -> dict[tuple[str, tuple], float]:
    """The metrics as the test client (127.0.0.1) reads them."""
    response = http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return parse(response.get_data(as_text=True))


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before: dict, after: dict, name: str, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)
