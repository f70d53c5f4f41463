"""The demo in headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright): a customer
edited on the shop's admin page reaches Tripletex and the status page's timeline; a conflict on a
closed (invoiced) Tripletex order is settled with the status page's button; a dead letter is replayed
with the status page's button once the record is fixed.

The demo runs as ``make demo`` runs it (``shopsync demo``: both simulators seeded, ``shopsync run``
with webhooks on both sides), with a long safety-net poll so that only webhooks and the buttons
move records — what the page claims to do is then what did it.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from shopsync.connectors.webshop import Order as ShopOrder
from shopsync.connectors.webshop import WebshopConnector
from shopsync.tripletex import Order, TripletexClient

from ..acceptance.daemon_harness import until
from ..acceptance.demo_process import Demo, running_demo
from ..acceptance.harness import SIM_SECRETS
from ..acceptance.sides import WINDOW_FROM, WINDOW_TO, clients

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
#: How the brief says to start Debian's chromium here (no sandbox as root, no network of its own).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Generous: this proves that the change arrives, never how fast (see bench/webhook_latency.py).
ARRIVAL_MS = 30_000

T = TypeVar("T")


def _on_sides(demo: Demo, work: Callable[[TripletexClient, WebshopConnector], Awaitable[T]]) -> T:
    """Run ``work`` with API clients on the demo's two simulators, in a thread of its own: Playwright's
    sync API keeps an event loop running in the test's thread."""

    async def run() -> T:
        async with clients(demo.tripletex_url, demo.shop_url) as (tx, shop):
            return await work(tx, shop)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``shopsync demo`` after its first sync; webhooks only (the poll is an hour away)."""
    with running_demo(tmp_path_factory.mktemp("browser") / "demo", "--poll-seconds", "3600") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless (installed by ``make browser``; never a downloaded one)."""
    if shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, demo: Demo) -> Iterator[Page]:
    """A fresh browser context, logged in to the status page through the demo's printed link."""
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(demo.status_login_url)
    expect(tab.get_by_test_id("entities")).to_be_visible()
    yield tab
    context.close()


def _linked_company(demo: Demo, skip: int) -> tuple[str, int]:
    """A shop company customer and its Tripletex counterpart's id (paired by organisation number)."""

    async def find(tx: TripletexClient, shop: WebshopConnector) -> tuple[str, int]:
        companies = [c async for c in tx.customers.iterate(fields="id,organizationNumber,email")]
        paired: list[tuple[str, int]] = []
        for customer in companies:
            if not customer.organizationNumber or not customer.email:
                continue
            found = await shop.find("customers", email=str(customer.email))
            if found:
                paired.append((str(found[0].id), int(customer.id or 0)))
            if len(paired) > skip:
                break
        return paired[skip]

    return _on_sides(demo, find)


def test_a_customer_edited_on_the_shop_page_reaches_tripletex_and_the_timeline(
    page: Page, demo: Demo
) -> None:
    shop_id, tripletex_id = _linked_company(demo, skip=0)
    new_name = "Nettleser Fjordkraft AS"

    shop_page = page.context.new_page()
    shop_page.goto(f"{demo.shop_url}/admin/customers/{shop_id}")
    shop_page.fill("#company_name", new_name)
    shop_page.get_by_role("button", name="Save").click()
    expect(shop_page.locator("#company_name")).to_have_value(new_name)

    page.goto(f"{demo.status_url}/records/customer/{shop_id}")
    expect(page.get_by_test_id("record-tripletex-id")).to_have_text(str(tripletex_id))
    written = page.locator('[data-testid="timeline-row"][data-action="updated"][data-side="tripletex"]')
    expect(written.first).to_contain_text("name", timeout=ARRIVAL_MS)

    async def arrived(tx: TripletexClient, _: WebshopConnector) -> None:
        async def renamed() -> bool:
            return (await tx.customers.get(tripletex_id, fields="name")).name == new_name

        await until(renamed, "the name typed on the shop page is in Tripletex")

    _on_sides(demo, arrived)


def test_a_conflict_on_a_closed_order_is_settled_on_the_status_page(page: Page, demo: Demo) -> None:
    async def close_one(tx: TripletexClient, shop: WebshopConnector) -> tuple[str, int, str | None]:
        for record in (await shop.find("orders"))[:20]:
            assert isinstance(record, ShopOrder)
            order_id = str(record.id)
            found = [
                o
                async for o in tx.orders.iterate(
                    fields="id,number",
                    number=str(record.number),
                    order_date_from=WINDOW_FROM,
                    order_date_to=WINDOW_TO,
                )
            ]
            if len(found) == 1 and found[0].id is not None:
                current = await tx.orders.get(found[0].id, fields="id,version,deliveryComment")
                await tx.orders.update(Order(id=found[0].id, version=current.version, isClosed=True))
                await shop.update("orders", order_id, {"note": "Endret etter fakturering"})
                return order_id, found[0].id, current.deliveryComment
        raise AssertionError("no shop order with exactly one Tripletex counterpart")

    order_id, _, tripletex_note = _on_sides(demo, close_one)

    page.goto(f"{demo.status_url}/conflicts")
    row = page.locator('[data-testid^="conflict-"]').filter(has_text=f"order {order_id}").first
    expect(row).to_be_visible(timeout=ARRIVAL_MS)
    conflict = (row.get_attribute("data-testid") or "").removeprefix("conflict-")
    expect(page.get_by_test_id(f"conflict-{conflict}-webshop-value")).to_contain_text("Endret etter")
    page.get_by_test_id(f"resolve-{conflict}-tripletex").click()
    expect(page.get_by_test_id(f"conflict-{conflict}")).to_have_count(0, timeout=ARRIVAL_MS)

    async def reverted(_: TripletexClient, shop: WebshopConnector) -> None:
        async def back() -> bool:
            # Tripletex's empty comment is "" where the shop says None: both mean "no note".
            order = await shop.get("orders", order_id)
            assert isinstance(order, ShopOrder)
            return (order.note or "") == (tripletex_note or "")

        await until(back, "the shop's order note is Tripletex's again")

    _on_sides(demo, reverted)


def _drop_shop_webhooks(demo: Demo) -> None:
    """Unsubscribe shopsync from the shop: a fix made now reaches shopsync only by a replay."""
    headers = {"Authorization": f"Bearer {SIM_SECRETS['SHOPSYNC_WEBSHOP_TOKEN']}"}
    with httpx2.Client(base_url=f"{demo.shop_url}/api/v1", headers=headers, timeout=10) as shop:
        subscriptions = shop.get("/webhooks").raise_for_status().json()
        items = subscriptions["items"] if isinstance(subscriptions, dict) else subscriptions
        assert items, "the demo's daemon subscribed to the shop's webhooks"
        for subscription in items:
            shop.delete(f"/webhooks/{subscription['id']}").raise_for_status()


def test_a_dead_letter_is_replayed_from_the_status_page(page: Page, demo: Demo) -> None:
    shop_id, tripletex_id = _linked_company(demo, skip=1)

    async def break_email(_: TripletexClient, shop: WebshopConnector) -> None:
        await shop.update("customers", shop_id, {"email": "ola;kari@example.no"})

    _on_sides(demo, break_email)

    page.goto(f"{demo.status_url}/dead-letters")
    row = page.locator('[data-testid^="dead-letter-"]').filter(has_text=f"customer {shop_id}").first
    expect(row).to_be_visible(timeout=ARRIVAL_MS)
    letter = (row.get_attribute("data-testid") or "").removeprefix("dead-letter-")
    expect(page.get_by_test_id(f"dead-letter-{letter}-reason")).to_contain_text("e-post")

    _drop_shop_webhooks(demo)

    async def fix_email(_: TripletexClient, shop: WebshopConnector) -> None:
        await shop.update("customers", shop_id, {"email": "ola.kari@example.no"})

    _on_sides(demo, fix_email)
    page.get_by_test_id(f"replay-{letter}").click()
    expect(page.get_by_test_id(f"dead-letter-{letter}")).to_have_count(0, timeout=ARRIVAL_MS)

    async def replayed(tx: TripletexClient, _: WebshopConnector) -> None:
        async def fixed() -> bool:
            return (await tx.customers.get(tripletex_id, fields="email")).email == "ola.kari@example.no"

        await until(fixed, "the replayed e-mail is in Tripletex")

    _on_sides(demo, replayed)
    page.goto(demo.status_url + "/")
    expect(page.get_by_test_id("entity-customer-dead-letters")).to_have_text("0", timeout=ARRIVAL_MS)
