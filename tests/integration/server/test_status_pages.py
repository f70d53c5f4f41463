"""The status pages, /api/status and /metrics over a real socket: the token guard and the buttons."""

from __future__ import annotations

import re

import httpx2
import pytest

from tests.unit.server.support import BEARER, TOKEN

from .conftest import ServerFactory, ServerHandle

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(serve: ServerFactory) -> ServerHandle:
    """A server whose store has one open conflict, dead letter and review."""
    handle = serve()
    store = handle.store
    store.link("customer", "1001", 4711)
    store.record_conflict(
        "customer",
        "1001",
        4711,
        "email",
        base="a@x.no",
        webshop_value="b@x.no",
        tripletex_value="c@x.no",
        policy="manual",
    )
    store.dead_letter(
        "product", "tripletex", "77", "webshop: 422 sku is taken", field="sku", payload={"sku": "X"}
    )
    store.add_review("customer", "webshop", "1002", [{"tripletex_id": 8, "matched_on": "email"}])
    return handle


def test_nothing_is_shown_without_the_token(server: ServerHandle) -> None:
    """No token: the JSON status and the metrics are 401, pages send browsers to the login form, the
    buttons are refused; health stays open."""
    for path in ("/api/status", "/metrics", "/conflicts", "/records/customer/1001"):
        assert httpx2.get(server.url + path).status_code == 401, path
    assert httpx2.get(server.url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = httpx2.get(server.url + "/", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert httpx2.post(server.url + "/dead-letters/replay").status_code == 401
    assert httpx2.get(server.url + "/healthz").json() == {"status": "ok"}
    assert server.actions.calls == []


def test_scripts_read_status_and_metrics_with_the_bearer_token(server: ServerHandle) -> None:
    """/api/status has the overview's numbers; /metrics is Prometheus text with the shopsync metrics."""
    status = httpx2.get(server.url + "/api/status", headers=BEARER).json()
    assert status["entities"]["customer"] | {"last_to_tripletex": None} == {
        "linked": 1,
        "pending": 0,
        "conflicts": 1,
        "dead_letters": 0,
        "reviews": 1,
        "last_to_tripletex": None,
        "last_to_webshop": None,
    }
    assert status["entities"]["product"]["dead_letters"] == 1
    server.metrics.observe_api_call("tripletex", 429)
    metrics = httpx2.get(server.url + "/metrics", headers=BEARER)
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'shopsync_rate_limited_total{side="tripletex"} 1.0' in metrics.text


def test_a_browser_logs_in_and_its_buttons_reach_the_daemon(server: ServerHandle) -> None:
    """Login by link sets the cookie; the conflict, replay and review buttons (htmx posts from this
    origin) call the actions and the lists refresh; the same post from elsewhere is refused."""
    with httpx2.Client(base_url=server.url, timeout=10) as browser:
        assert browser.get("/login", params={"token": TOKEN}).status_code == 303
        page = browser.get("/conflicts", headers={"Accept": "text/html"})
        [conflict_id] = re.findall(r'data-testid="resolve-(\d+)-webshop"', page.text)
        htmx = {"HX-Request": "true", "Origin": server.url}
        forged = browser.post(
            f"/conflicts/{conflict_id}/resolve",
            data={"winner": "webshop"},
            headers={"HX-Request": "true", "Origin": "http://attacker.example"},
        )
        assert forged.status_code == 403 and server.actions.calls == []
        resolved = browser.post(
            f"/conflicts/{conflict_id}/resolve", data={"winner": "tripletex"}, headers=htmx
        )
        assert 'data-testid="conflicts-empty"' in resolved.text
        [dead_id] = re.findall(r'data-testid="replay-(\d+)"', browser.get("/dead-letters").text)
        replayed = browser.post(f"/dead-letters/{dead_id}/replay", headers=htmx)
        assert 'data-testid="dead-letters-empty"' in replayed.text
        reviews = browser.get("/reviews").text
        [review_id] = re.findall(r'data-testid="review-(\d+)-link-8"', reviews)
        linked = browser.post(
            f"/reviews/{review_id}", data={"action": "link", "candidate": "8"}, headers=htmx
        )
        assert 'data-testid="reviews-empty"' in linked.text
    assert server.actions.calls == [
        ("resolve_conflict", int(conflict_id), "tripletex"),
        ("replay_dead_letters", [int(dead_id)]),
        ("resolve_review", int(review_id), "link", "8"),
    ]
    totals = httpx2.get(server.url + "/api/status", headers=BEARER).json()["totals"]
    assert (totals["conflicts"], totals["dead_letters"], totals["reviews"]) == (0, 0, 0)
