"""The status pages in-process: what they show, and what their buttons ask of the daemon."""

from __future__ import annotations

import re

import httpx2
import pytest

from shopsync.server import Metrics
from shopsync.state import PassKind, PassStatus, StateStore

from .support import BEARER, RecordingActions

HX = {**BEARER, "HX-Request": "true"}
FORM = {**BEARER, "Accept": "text/html"}


def conflict(store: StateStore, webshop_id: str = "c-1", field: str = "email") -> int:
    if store.get_link("customer", webshop_id=webshop_id) is None:
        store.link("customer", webshop_id, 4711)
    return store.record_conflict(
        "customer",
        webshop_id,
        4711,
        field,
        base="a@x.no",
        webshop_value="b@x.no",
        tripletex_value="c@x.no",
        policy="manual",
    )


def review(store: StateStore) -> int:
    candidates = [{"tripletex_id": 11, "matched_on": "email"}, {"tripletex_id": 12, "matched_on": "email"}]
    return store.add_review("customer", "webshop", "c-9", candidates)


async def test_the_overview_shows_counts_last_changes_pass_and_headroom(
    client: httpx2.AsyncClient, store: StateStore, metrics: Metrics
) -> None:
    """Per entity linked/pending/conflicts/dead letters and the last write each way; the last pass;
    the rate-limit headroom from Metrics. /api/status returns the same data as JSON."""
    store.link("customer", "c-1", 1)
    store.link("customer", "c-2", 2)
    store.enqueue("product", "webshop", "p-1", "webhook")
    store.dead_letter("order", "webshop", "o-1", "webshop: 422")
    store.log_event("customer", "updated", webshop_id="c-1", side="tripletex", detail={"fields": ["email"]})
    pass_id = store.start_pass(PassKind.SYNC)
    store.finish_pass(pass_id, PassStatus.PARTIAL, {"in_sync": False, "error": None})
    metrics.set_rate_limit("tripletex", 40, 100)
    page = await client.get("/", headers=BEARER)
    assert page.status_code == 200
    html = page.text
    assert re.search(r'data-testid="entity-customer-linked">2<', html)
    assert re.search(r'data-testid="entity-product-pending">1<', html)
    assert 'href="/dead-letters?entity=order">1</a>' in html
    assert re.search(r'entity-customer-last-to-tripletex">\d{4}-\d\d-\d\d [\d:]+ UTC \(\d+ s ago\)<', html)
    assert 'data-testid="entity-customer-last-to-webshop">never<' in html
    assert 'data-testid="last-pass-status">partial<' in html
    assert "40 of 100 left (40 %)" in html
    assert 'hx-trigger="every 2s"' in html and 'src="/static/htmx-2.0.11.min.js"' in html
    data = (await client.get("/api/status", headers=BEARER)).json()
    assert data["entities"]["customer"]["linked"] == 2
    assert data["entities"]["customer"]["last_to_tripletex"] is not None
    assert data["entities"]["order"]["dead_letters"] == 1
    assert data["last_pass"]["status"] == "partial" and data["rate_limits"]["tripletex"]["headroom"] == 0.4
    fragment = await client.get("/fragments/overview", headers=HX)
    assert "<html" not in fragment.text and 'data-testid="entity-customer"' in fragment.text


async def test_records_can_be_searched_by_id_and_by_agreed_values(
    client: httpx2.AsyncClient, store: StateStore
) -> None:
    """The list searches webshop ids, Tripletex ids and the last agreed values (name, e-mail…)."""
    store.link("customer", "c-1", 4711)
    store.save_snapshot("customer", "c-1", {"name": "Kari Nordmann", "email": "kari@example.no"})
    store.link("customer", "c-2", 4712)
    store.save_snapshot("customer", "c-2", {"name": "Ola Hansen"})
    store.link("product", "p-1", 900)

    async def ids(**params: str) -> list[str]:
        html = (await client.get("/fragments/records", params=params, headers=HX)).text
        return re.findall(r'data-testid="record-link-\w+-([\w-]+)"', html)

    assert sorted(await ids()) == ["c-1", "c-2", "p-1"]
    assert await ids(q="KARI") == ["c-1"]
    assert await ids(q="4712") == ["c-2"]
    assert await ids(entity="product") == ["p-1"]
    assert await ids(q="100%_") == []
    page = await client.get("/records", params={"q": "ola"}, headers=BEARER)
    assert "Ola Hansen" in page.text and "Kari" not in page.text


async def test_a_records_timeline_says_what_changed_where_and_when(
    client: httpx2.AsyncClient, store: StateStore
) -> None:
    """Newest first: which side was written, which fields; failures show their reason."""
    store.link("customer", "c-1", 4711)
    store.log_event("customer", "created", webshop_id="c-1", tripletex_id=4711, side="tripletex")
    store.log_event(
        "customer", "updated", webshop_id="c-1", side="webshop", detail={"fields": ["email", "phone"]}
    )
    store.log_event(
        "customer",
        "dead_letter",
        webshop_id="c-1",
        side="webshop",
        detail={"reason": "bad <b>", "field": "email"},
    )
    page = await client.get("/records/customer/c-1", headers=BEARER)
    assert page.status_code == 200
    rows = re.findall(r'data-testid="timeline-row" data-action="(\w+)" data-side="(\w*)"', page.text)
    assert rows == [("dead_letter", "webshop"), ("updated", "webshop"), ("created", "tripletex")]
    assert 'wrote <span data-testid="timeline-fields">email, phone</span>' in page.text
    assert "→ Tripletex" in page.text and "bad &lt;b&gt; (field email)" in page.text
    assert 'data-testid="record-tripletex-id">4711<' in page.text
    assert (await client.get("/fragments/records/customer/c-1", headers=HX)).text.count("timeline-row") == 3


async def test_an_unknown_record_is_404(client: httpx2.AsyncClient) -> None:
    """Neither linked nor on any timeline: 404 with a way back."""
    response = await client.get("/records/customer/nope", headers=BEARER)
    assert response.status_code == 404 and "/records" in response.text
    assert (await client.get("/fragments/records/customer/nope", headers=HX)).status_code == 404


async def test_keep_webshop_resolves_the_conflict_through_the_daemon(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """The page offers both buttons; pressing one calls resolve_conflict and the list refreshes."""
    cid = conflict(store)
    page = await client.get("/conflicts", headers=BEARER)
    assert (
        f'data-testid="resolve-{cid}-webshop"' in page.text
        and f'data-testid="resolve-{cid}-tripletex"' in page.text
    )
    response = await client.post(f"/conflicts/{cid}/resolve", data={"winner": "webshop"}, headers=HX)
    assert actions.calls == [("resolve_conflict", cid, "webshop")]
    assert response.status_code == 200
    assert 'hx-swap-oob="true">Conflict' in response.text and "kept the webshop" in response.text
    assert f'data-testid="conflict-{cid}"' not in response.text and "No open conflicts." in response.text


async def test_conflict_choices_are_checked_before_the_daemon_is_asked(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """A winner that is not a side is 422; a resolved or unknown conflict is 404; nothing is called."""
    cid = conflict(store)
    bad = await client.post(f"/conflicts/{cid}/resolve", data={"winner": "both"}, headers=BEARER)
    assert bad.status_code == 422 and "winner" in bad.json()["error"]
    store.resolve_conflict(cid, "tripletex")
    gone = await client.post(f"/conflicts/{cid}/resolve", data={"winner": "webshop"}, headers=BEARER)
    assert gone.status_code == 404
    assert (
        await client.post("/conflicts/999/resolve", json={"winner": "webshop"}, headers=BEARER)
    ).status_code == 404
    assert actions.calls == []


async def test_a_form_posted_without_htmx_comes_back_to_its_page(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """Without JavaScript: 303 to the list with the message shown there."""
    cid = conflict(store)
    response = await client.post(f"/conflicts/{cid}/resolve", data={"winner": "tripletex"}, headers=FORM)
    assert response.status_code == 303 and response.headers["location"].startswith("/conflicts?message=")
    page = await client.get(response.headers["location"], headers=BEARER)
    assert "kept Tripletex" in page.text
    assert actions.calls == [("resolve_conflict", cid, "tripletex")]


async def test_dead_letters_show_reason_field_payload_and_replay(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """Reason (escaped), field and payload are shown; Replay asks for that one; Replay all for every one."""
    one = store.dead_letter(
        "customer",
        "webshop",
        "c-1",
        "Tripletex: <script>x</script>",
        field="email",
        payload={"email": "nope"},
    )
    two = store.dead_letter("product", "tripletex", "5", "webshop: 422", payload=None)
    page = await client.get("/dead-letters", headers=BEARER)
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x" not in page.text
    assert "<code>email</code>" in page.text and "&#34;email&#34;: &#34;nope&#34;" in page.text
    assert f'data-testid="replay-{one}"' in page.text and 'data-testid="replay-all"' in page.text
    response = await client.post(f"/dead-letters/{one}/replay", headers=HX)
    assert (
        f'data-testid="dead-letter-{one}"' not in response.text
        and f'data-testid="dead-letter-{two}"' in response.text
    )
    assert (await client.post(f"/dead-letters/{one}/replay", headers=BEARER)).status_code == 409
    assert (await client.post("/dead-letters/999/replay", headers=BEARER)).status_code == 404
    assert (await client.post("/dead-letters/replay", headers=BEARER)).json()["status"] == "ok"
    assert actions.calls == [("replay_dead_letters", [one]), ("replay_dead_letters", None)]


async def test_reviews_link_create_or_dismiss(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """Each candidate has a link button; create new and dismiss too; a candidate not offered is 422."""
    rid = review(store)
    page = await client.get("/reviews", headers=BEARER)
    for testid in (
        f"review-{rid}-link-11",
        f"review-{rid}-link-12",
        f"review-{rid}-create",
        f"review-{rid}-dismiss",
    ):
        assert f'data-testid="{testid}"' in page.text
    assert "matched on email" in page.text
    bad = await client.post(f"/reviews/{rid}", data={"action": "link", "candidate": "13"}, headers=BEARER)
    assert bad.status_code == 422
    assert (await client.post(f"/reviews/{rid}", data={"action": "link"}, headers=BEARER)).status_code == 422
    assert (await client.post(f"/reviews/{rid}", data={"action": "merge"}, headers=BEARER)).status_code == 422
    done = await client.post(f"/reviews/{rid}", data={"action": "link", "candidate": "12"}, headers=HX)
    assert "linked to 12" in done.text and "No open reviews." in done.text
    second = review(store)
    await client.post(f"/reviews/{second}", data={"action": "create", "candidate": "11"}, headers=BEARER)
    third = review(store)
    await client.post(f"/reviews/{third}", data={"action": "dismiss"}, headers=BEARER)
    assert actions.calls == [
        ("resolve_review", rid, "link", "12"),
        ("resolve_review", second, "create", None),
        ("resolve_review", third, "dismiss", None),
    ]


@pytest.mark.parametrize(
    ("error", "status"), [(RuntimeError("engine exploded: secret=abc"), 500), (ValueError("no"), 422)]
)
async def test_a_failing_action_is_reported_without_its_internals(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions, error: Exception, status: int
) -> None:
    """The daemon's error becomes a status and a plain message; an unexpected one says to read the log."""
    actions.fail_with = error
    cid = conflict(store)
    response = await client.post(f"/conflicts/{cid}/resolve", data={"winner": "webshop"}, headers=BEARER)
    assert response.status_code == status
    assert "secret=abc" not in response.text
    shown = await client.post(f"/conflicts/{cid}/resolve", data={"winner": "webshop"}, headers=HX)
    assert shown.status_code == 200 and 'class="flash error"' in shown.text
    assert f'data-testid="conflict-{cid}"' in shown.text  # still open
