"""Webhook subscriptions against both simulators: registered afresh, repaired when disabled or gone."""

from __future__ import annotations

import httpx2
from pydantic import SecretStr

from shopsync.daemon.subscriptions import SHOP_EVENTS, TripletexSubscriptions, WebshopSubscription
from shopsync.tripletex import WEBHOOK_EVENTS, Subscription, TripletexClient, TripletexSettings
from tests.fixtures.webshop import WebshopHandle
from tests.integration.conftest import SimHandle

TARGET = "http://127.0.0.1:9/webhooks/tripletex"  # never called: nothing changes in these tests


def client(sim: SimHandle) -> TripletexClient:
    return TripletexClient(
        TripletexSettings(
            base_url=sim.api_url,
            consumer_token=SecretStr("sim-consumer"),
            employee_token=SecretStr("sim-employee"),
        )
    )


def by_event(subs: list[Subscription]) -> dict[str, list[Subscription]]:
    out: dict[str, list[Subscription]] = {}
    for sub in subs:
        if sub.targetUrl == TARGET:
            out.setdefault(str(sub.event), []).append(sub)
    return out


async def test_tripletex_subscriptions_are_registered_and_repaired(tripletex_sim: SimHandle) -> None:
    """register: one ACTIVE subscription per event (old ones of ours replaced, others' kept); ensure:
    a DISABLED one and a deleted one are recreated, a duplicate removed, the healthy ones kept."""
    async with client(tripletex_sim) as tx:
        foreign = await tx.webhooks.create("customer.update", "http://127.0.0.1:9/someone-else")
        stale = await tx.webhooks.create("customer.update", TARGET)
        keeper = TripletexSubscriptions(tx.webhooks, TARGET, auth_header_value=SecretStr("callback-auth"))

        repair = await keeper.register()
        assert repair.removed == 1 and repair.created == WEBHOOK_EVENTS
        subs = await tx.webhooks.list()
        ours = by_event(subs)
        assert sorted(ours) == sorted(WEBHOOK_EVENTS)
        assert all(len(v) == 1 and v[0].status == "ACTIVE" for v in ours.values())
        assert stale.id not in {s.id for s in subs} and foreign.id in {s.id for s in subs}

        disabled, deleted = ours["customer.update"][0], ours["order.delete"][0]
        path = f"/event/subscription/{disabled.id}"
        await tx.requester.request(
            "PUT", path, json={"id": disabled.id, "status": "DISABLED_TOO_MANY_ERRORS"}
        )
        assert deleted.id is not None
        await tx.webhooks.delete(deleted.id)
        duplicate = await tx.webhooks.create("product.create", TARGET)

        repair = await keeper.ensure()
        assert sorted(repair.created) == ["customer.update", "order.delete"]
        assert repair.removed == 2  # the disabled one and the duplicate
        after = by_event(await tx.webhooks.list())
        assert all(len(v) == 1 and v[0].status == "ACTIVE" for v in after.values())
        assert sorted(after) == sorted(WEBHOOK_EVENTS)
        assert duplicate.id not in {v[0].id for v in after.values()}
        untouched = {e for e in WEBHOOK_EVENTS if e not in ("customer.update", "order.delete")}
        assert {e: after[e][0].id for e in untouched} == {e: ours[e][0].id for e in untouched}

        assert not (await keeper.ensure()).changed


async def test_webshop_subscription_is_registered_and_repaired(webshop_sim: WebshopHandle) -> None:
    """register: exactly one subscription of ours; ensure: recreated after it was deleted."""
    target = "http://127.0.0.1:9/webhooks/webshop"
    http = httpx2.AsyncClient(base_url=webshop_sim.url, headers=webshop_sim.headers)
    keeper = WebshopSubscription(http, target, SecretStr("a-secret-of-16-chars"))
    try:
        await keeper.register()
        await keeper.register()  # replaces, never piles up
        items = (await http.get("/api/v1/webhooks")).json()["items"]
        assert [(i["url"], i["events"]) for i in items] == [(target, list(SHOP_EVENTS))]

        (await http.delete(f"/api/v1/webhooks/{items[0]['id']}")).raise_for_status()
        assert (await keeper.ensure()).created == SHOP_EVENTS
        assert [i["url"] for i in (await http.get("/api/v1/webhooks")).json()["items"]] == [target]
        assert not (await keeper.ensure()).changed
    finally:
        await keeper.aclose()
