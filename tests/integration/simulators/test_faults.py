"""Rate limiting and injected faults over a real socket, and the admin API that drives them."""

from __future__ import annotations

import httpx2
import pytest

from tests.integration.conftest import SimFactory, SimHandle
from tests.integration.simulators.conftest import ClientFactory

pytestmark = pytest.mark.e2e


def faults(handle: SimHandle, **settings: object) -> None:
    """POST /_sim/faults."""
    response = httpx2.post(handle.url + "/_sim/faults", json=settings)
    assert response.status_code == 200, response.text


def test_rate_limit_then_429_without_reset(
    tripletex_sim_factory: SimFactory, client_for: ClientFactory
) -> None:
    """After the limit every call is 429 for the rest of the period, and 429s carry no Reset header."""
    handle = tripletex_sim_factory(rate_limit=4, rate_period=60)
    api = client_for(handle)  # the login is request 1
    answers = [api.get("/currency") for _ in range(5)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
    assert [r.headers["x-rate-limit-remaining"] for r in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["x-rate-limit-limit"] == "4"
    assert 0 < int(answers[0].headers["x-rate-limit-reset"]) <= 60
    refused = answers[3]
    assert "x-rate-limit-reset" not in refused.headers and "retry-after" not in refused.headers
    assert refused.headers["x-rate-limit-limit"] == "4"
    assert refused.json()["status"] == 429


def test_forced_429_window(tripletex_sim: SimHandle, api: httpx2.Client) -> None:
    """``rate_limit_for`` answers 429 to everything until cleared (or the window ends)."""
    faults(tripletex_sim, rate_limit_for=30)
    assert api.get("/currency").status_code == 429
    assert httpx2.delete(tripletex_sim.url + "/_sim/faults").status_code == 200
    assert api.get("/currency").status_code == 200


def test_fail_next_requests_with_json_and_html(tripletex_sim: SimHandle, api: httpx2.Client) -> None:
    """The next N calls fail before any work: JSON envelope code 1000 or an HTML page, headers kept."""
    faults(tripletex_sim, fail_next=1)
    failed = api.post("/customer", json={"name": "Aldri AS"})
    assert (failed.status_code, failed.json()["code"]) == (500, 1000)
    assert failed.json()["requestId"] == failed.headers["x-tlx-request-id"]
    assert "x-rate-limit-remaining" in failed.headers
    faults(tripletex_sim, fail_next=1, fail_status=503, fail_html=True)
    page = api.get("/customer")
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert b"<html>" in page.content
    assert api.get("/customer").json()["fullResultSize"] == 0


def test_random_failures_follow_fail_rate(
    tripletex_sim_factory: SimFactory, client_for: ClientFactory
) -> None:
    """With fail_rate 1 every API call is a 5xx; the admin API is never affected."""
    handle = tripletex_sim_factory(fail_rate=1.0)
    statuses = {httpx2.get(handle.api_url + "/currency").status_code for _ in range(10)}
    assert statuses <= {500, 502, 503}
    assert httpx2.get(handle.url + "/_sim/stats").status_code == 200


def test_drop_after_commit_really_commits(tripletex_sim: SimHandle, api: httpx2.Client) -> None:
    """The connection dies with no answer, yet the customer was created: an ambiguous write."""
    faults(tripletex_sim, drop_after_commit=1)
    with pytest.raises(httpx2.TransportError):
        api.post("/customer", json={"name": "Kanskje AS"})
    found = api.get("/customer", params={"fields": "name"}).json()["values"]
    assert found == [{"name": "Kanskje AS"}]
    assert api.post("/customer", json={"name": "Neste AS"}).status_code == 201


def test_latency_is_added(tripletex_sim: SimHandle, api: httpx2.Client) -> None:
    """Extra latency shows in the elapsed time of a call."""
    faults(tripletex_sim, latency_ms=150)
    response = api.get("/currency")
    assert response.elapsed.total_seconds() >= 0.15


def test_stats_count_by_template_status_and_writes(tripletex_sim: SimHandle, api: httpx2.Client) -> None:
    """Requests are counted per method + path template and per status; writes and 429s apart."""
    created = api.post("/customer", json={"name": "Teller AS"}).json()["value"]
    api.get(f"/customer/{created['id']}")
    api.get("/customer/1")
    faults(tripletex_sim, rate_limit_for=10)
    api.get("/customer")
    stats = httpx2.get(tripletex_sim.url + "/_sim/stats").json()
    assert stats["requests"]["GET /v2/customer/{id}"] == 2
    assert stats["requests"]["POST /v2/customer"] == 1
    assert stats["statuses"]["404"] == 1 and stats["statuses"]["429"] == 1
    assert stats["writes"] == 1 and stats["rateLimited"] == 1


def test_reset_clears_data_and_counters(tripletex_sim_factory: SimFactory, client_for: ClientFactory) -> None:
    """Reset empties the company, reseeds it identically and zeroes the counters."""
    handle = tripletex_sim_factory(seed=5, customers=12, products=3, orders=4)
    api = client_for(handle)
    before = api.get("/customer", params={"fields": "id,name"}).json()["values"]
    api.post("/customer", json={"name": "Midlertidig AS"})
    assert httpx2.post(handle.url + "/_sim/reset").status_code == 200
    assert api.get("/customer", params={"fields": "id,name"}).json()["values"] == before
    assert httpx2.get(handle.url + "/_sim/stats").json()["statuses"] == {"200": 1}


def test_bad_fault_settings_are_rejected(tripletex_sim: SimHandle) -> None:
    """Unknown keys or wrong types in a fault request are refused."""
    assert httpx2.post(tripletex_sim.url + "/_sim/faults", json={"explode": True}).status_code == 422
    assert httpx2.post(tripletex_sim.url + "/_sim/faults", json={"fail_next": "many"}).status_code == 422
