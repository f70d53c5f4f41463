"""Every request ``TripletexClient`` sends (and every answer it gets) validates against the spec.

The client talks to the simulator over a real socket through the recorder's transport, so the recorder
sees exactly what the client puts on the wire: session creation, auth, paging, splitting, batches,
conditional requests and retries after 429.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx2
import pytest
from pydantic import SecretStr

from shopsync.tripletex import (
    Customer,
    NotFound,
    Order,
    OrderLine,
    Product,
    TripletexClient,
    TripletexSettings,
    ValidationFailed,
    VatType,
    VersionConflict,
)
from tests.integration.conftest import SimFactory, SimHandle

from .recorder import Recorder

pytestmark = [pytest.mark.conformance, pytest.mark.e2e]

TODAY = dt.datetime.now(ZoneInfo("Europe/Oslo")).date()

ClientFor = Callable[[SimHandle], TripletexClient]


@pytest.fixture
async def client_for(recorder: Recorder) -> AsyncIterator[ClientFor]:
    """Builds clients on a simulator whose traffic the recorder sees; all are closed at the end."""
    clients: list[TripletexClient] = []

    def build(sim: SimHandle) -> TripletexClient:
        settings = TripletexSettings(
            base_url=sim.api_url,
            consumer_token=SecretStr("sim-consumer"),
            employee_token=SecretStr("sim-employee"),
            page_size=5,  # small pages, so paging is exercised on small data sets
            rate_limit_backoff_initial=0.05,
        )
        clients.append(TripletexClient(settings, transport=recorder.transport()))
        return clients[-1]

    yield build
    for tx in clients:
        await tx.aclose()


@pytest.fixture
def tx(tripletex_sim: SimHandle, client_for: ClientFor) -> TripletexClient:
    """A client on the default simulator."""
    return client_for(tripletex_sim)


async def outgoing_vat(tx: TripletexClient) -> VatType:
    """A reference to the VAT type a Norwegian webshop sells with: outgoing, high rate (number 3, 25 %)."""
    vat_types = [v async for v in tx.vat_types.iterate(fields="id,number,percentage")]
    chosen = next(v for v in vat_types if v.number == "3")
    assert chosen.percentage == Decimal(25)
    return VatType(id=chosen.id)


async def test_customer_and_product_calls_conform(tx: TripletexClient, recorder: Recorder) -> None:
    """Create, batch create, get, list, iterate, update, batch update and delete for both collections."""
    one = await tx.customers.create(Customer(name="Nordlys AS", email="post@nordlys.no"))
    many = await tx.customers.create_many([Customer(name=f"Kunde {i}") for i in range(7)])
    assert (
        await tx.customers.get(one.id or 0, fields="id,version,name,postalAddress(*)")
    ).name == "Nordlys AS"
    assert len((await tx.customers.list(fields="id,version")).values) == 5
    assert len([c async for c in tx.customers.iterate(fields="id,version,name")]) == 8
    one = await tx.customers.update(one.model_copy(update={"phoneNumber": "+47 22 22 22 22"}))
    await tx.customers.update_many([c.model_copy(update={"email": f"k{c.id}@example.no"}) for c in many])
    await tx.customers.delete(one.id or 0)

    vat = await outgoing_vat(tx)
    product = await tx.products.create(
        Product(name="Geitost", number="G-1", priceExcludingVatCurrency=Decimal("79.20"), vatType=vat)
    )
    more = await tx.products.create_many([Product(name=f"Vare {i}", number=f"V-{i}") for i in range(3)])
    assert [
        p.number async for p in tx.products.iterate(fields="id,number", product_number=["V-0", "V-2"])
    ] == [
        "V-0",
        "V-2",
    ]
    product = await tx.products.update(product.model_copy(update={"costExcludingVatCurrency": Decimal(40)}))
    await tx.products.update_many([p.model_copy(update={"description": "ny"}) for p in more])
    await tx.products.delete(product.id or 0)
    assert recorder.verify() >= 15


async def test_order_and_order_line_calls_conform(tx: TripletexClient, recorder: Recorder) -> None:
    """Orders with lines: create, batch create, iterate in a date window, update; lines on their own."""
    customer = await tx.customers.create(Customer(name="Ordre AS"))
    product = await tx.products.create(Product(name="Flatbrød", priceExcludingVatCurrency=Decimal(30)))
    line = OrderLine(
        product=Product(id=product.id), count=Decimal(2), unitPriceExcludingVatCurrency=Decimal(30)
    )
    order = await tx.orders.create(
        Order(
            customer=Customer(id=customer.id),
            orderDate=TODAY.isoformat(),
            deliveryDate=TODAY.isoformat(),
            orderLines=[line],
        )
    )
    await tx.orders.create_many(
        [
            Order(
                customer=Customer(id=customer.id), orderDate=TODAY.isoformat(), deliveryDate=TODAY.isoformat()
            )
            for _ in range(6)
        ]
    )
    window_start, window_end = TODAY - dt.timedelta(days=3650), TODAY + dt.timedelta(days=1)
    orders = tx.orders.iterate(fields="id,version", order_date_from=window_start, order_date_to=window_end)
    assert len([o async for o in orders]) == 7
    order = await tx.orders.get(order.id or 0, fields="id,version,reference")
    await tx.orders.update(order.model_copy(update={"reference": "nettbutikk-1001"}))
    lines = await tx.order_lines.for_order(order.id or 0)
    await tx.order_lines.update(lines[0].model_copy(update={"count": Decimal(3)}))
    extra = OrderLine(order=Order(id=order.id), description="Frakt", count=Decimal(1))
    added = await tx.order_lines.create(extra)
    await tx.order_lines.create_many([extra, extra.model_copy(update={"description": "Gebyr"})])
    await tx.order_lines.delete(added.id or 0)
    assert recorder.verify() >= 12


async def test_reference_data_and_webhook_calls_conform(tx: TripletexClient, recorder: Recorder) -> None:
    """VAT types, currencies and countries; subscriptions created, listed, read and deleted."""
    await outgoing_vat(tx)
    nok = (await tx.currencies.list(code="NOK")).values[0]
    assert (await tx.currencies.get(nok.id or 0)).code == "NOK"
    assert [c.id async for c in tx.countries.iterate(fields="id,isoAlpha2Code")]
    target = "https://hooks.example.no/tripletex"
    sub = await tx.webhooks.create(
        "customer.update", target, fields="id,version,name", hmac_secret="en-lang-hemmelighet"
    )
    subs = await tx.webhooks.create_many(
        target, ["product.create", "order.create"], hmac_secret="en-lang-hemmelighet"
    )
    assert {s.id for s in await tx.webhooks.list()} == {sub.id} | {s.id for s in subs}
    assert (await tx.webhooks.get(sub.id or 0)).event == "customer.update"
    await tx.webhooks.delete(sub.id or 0)
    assert recorder.verify() >= 9


async def test_conditional_fetch_conforms(tx: TripletexClient, recorder: Recorder) -> None:
    """``fetch_all`` twice: the second run's ``If-None-Match`` requests get conformant 304s."""
    await tx.customers.create_many([Customer(name=f"Uendret {i}") for i in range(7)])
    first = await tx.customers.fetch_all(fields="id,version")
    second = await tx.customers.fetch_all(fields="id,version")
    assert (len(first.items), first.unchanged, second.unchanged) == (7, False, True)
    assert recorder.verify() >= 6


async def test_split_of_too_large_result_conforms(
    tripletex_sim_factory: SimFactory, client_for: ClientFor, recorder: Recorder
) -> None:
    """The sub-queries the client sends to split a list past 10,000 rows (422 code 23000) are conformant."""
    tx = client_for(tripletex_sim_factory(seed=3, customers=10_600, products=0, orders=0))
    ids = [c.id async for c in tx.customers.iterate(fields="id,version", page_size=1000)]
    assert len(ids) > 10_000
    assert len(set(ids)) == len(ids)
    assert recorder.verify() >= 12


async def test_error_paths_conform(tx: TripletexClient, recorder: Recorder) -> None:
    """Calls ending in 404, 409 and 422 still send conformant requests and get conformant answers."""
    customer = await tx.customers.create(Customer(name="Feil AS"))
    with pytest.raises(NotFound):
        await tx.customers.get(999_999)
    await tx.customers.update(customer.model_copy(update={"name": "Feil og Mangel AS"}))
    with pytest.raises(VersionConflict):
        await tx.customers.update(customer.model_copy(update={"name": "Gammel"}))
    with pytest.raises(ValidationFailed):
        await tx.customers.create(Customer(email="uten-navn@example.no"))
    assert recorder.verify() >= 5


async def test_rate_limited_run_conforms(
    tripletex_sim_factory: SimFactory, client_for: ClientFor, recorder: Recorder
) -> None:
    """A run that hits the rate limit (429s, then retries) sends and receives only conformant traffic."""
    tx = client_for(tripletex_sim_factory(rate_limit=4, rate_period=0.5))
    codes = [(await tx.currencies.get(1, fields="id,code")).code for _ in range(8)]
    assert len(codes) == 8
    assert recorder.verify() >= 9


async def test_recovery_paths_conform(
    tripletex_sim_factory: SimFactory, client_for: ClientFor, recorder: Recorder
) -> None:
    """Session renewal after 401, a retried 5xx and a 429 storm: every exchange on the way conforms."""
    sim = tripletex_sim_factory(rate_period=0.5)  # after a 429 the client waits for the period's end
    tx = client_for(sim)
    nok = (await tx.currencies.list(code="NOK")).values[0].id or 0
    async with httpx2.AsyncClient(base_url=sim.url) as admin:  # /_sim is not Tripletex's API

        async def fault(**settings: object) -> None:
            (await admin.post("/_sim/faults", json=settings)).raise_for_status()

        await fault(expire_sessions=True)
        assert (await tx.currencies.get(nok)).code == "NOK"
        await fault(fail_next=1, fail_status=503, fail_html=False)
        assert (await tx.currencies.get(nok)).code == "NOK"
        await fault(rate_limit_for=0.3)
        assert (await tx.currencies.get(nok)).code == "NOK"
    statuses = [e.response.status_code for e in recorder.exchanges]
    assert {401, 503, 429} <= set(statuses)
    assert tx.sessions.created == 2
    assert recorder.verify() >= 8
