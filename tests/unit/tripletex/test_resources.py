"""Resources: filters, fields, writes in batches, ``version`` on PUT, and ``If-None-Match`` caching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import httpx2
import pytest

from shopsync.tripletex import (
    Address,
    AmbiguousWriteError,
    BatchWriteError,
    Country,
    Customer,
    Order,
    OrderLine,
    Product,
    Ref,
    TripletexClient,
    ValidationFailed,
    VatType,
)

from .conftest import FakeApi, body, error, value, values

Build = Callable[..., tuple[TripletexClient, FakeApi]]


def echo_list(status: int = 201) -> Callable[[httpx2.Request], httpx2.Response]:
    """Answers a batch write with its items, numbered from 1 (ids) at version 1."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        items = body(request)
        rows = [
            {**item, "id": item.get("id", n), "version": item.get("version", 0) + 1}
            for n, item in enumerate(items, 1)
        ]
        return values(rows, full=0, status=status)

    return handler


async def test_filters_are_encoded_the_tripletex_way(make_client: Build) -> None:
    """snake_case names, booleans, dates and id lists become Tripletex's query parameters."""
    client, api = make_client(lambda r: values([]))
    await client.customers.list(
        is_inactive=False, id=[1, 2, 3], changed_since=dt.datetime(2026, 1, 2, 3, 4, 5), fields="id,version"
    )
    params = api.requests[0].url.params
    assert params["isInactive"] == "false"
    assert params["id"] == "1,2,3"
    assert params["changedSince"] == "2026-01-02T03:04:05"
    assert (params["fields"], params["from"], params["count"], params["sorting"]) == (
        "id,version",
        "0",
        "1000",
        "id",
    )


async def test_number_and_date_filters(make_client: Build) -> None:
    """Decimals are written without exponents; aware datetimes in Oslo time; dates as ISO days."""
    client, api = make_client(lambda r: values([]))
    await client.products.list(price_excluding_vat_currency_from=Decimal("1E+3"))
    await client.customers.list(changedSince=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    await client.orders.list(order_date_from=dt.date(2026, 1, 1), order_date_to="2026-02-01")
    assert api.requests[0].url.params["priceExcludingVatCurrencyFrom"] == "1000"
    assert api.requests[1].url.params["changedSince"] == "2026-06-01T14:00:00"
    assert api.requests[2].url.params["orderDateFrom"] == "2026-01-01"


async def test_array_filters_are_repeated(make_client: Build) -> None:
    """``productNumber`` is an array in the spec: one parameter per value."""
    client, api = make_client(lambda r: values([]))
    await client.products.list(product_number=["A-1", "B,2"])
    assert api.requests[0].url.params.get_list("productNumber") == ["A-1", "B,2"]


async def test_unknown_filter_is_refused_before_sending(make_client: Build) -> None:
    """Tripletex ignores unknown parameters (returning everything), so the client refuses them."""
    client, api = make_client(lambda r: values([]))
    with pytest.raises(TypeError, match="customerNameLike"):
        await client.customers.list(customerNameLike="x")
    assert api.requests == []


async def test_order_lists_need_the_date_window(make_client: Build) -> None:
    """``GET /order`` without orderDateFrom/orderDateTo is refused locally."""
    client, _ = make_client(lambda r: values([]))
    with pytest.raises(TypeError, match="orderDateFrom"):
        await client.orders.list()


async def test_nested_fields_are_built_and_checked(make_client: Build) -> None:
    """A structured ``fields`` becomes ``id,version,name,postalAddress(*)``; typos fail locally."""
    client, api = make_client(lambda r: value({"id": 1, "postalAddress": {"city": "Oslo"}}))
    customer = await client.customers.get(1, fields=["id", "version", "name", {"postalAddress": "*"}])
    assert api.requests[0].url.params["fields"] == "id,version,name,postalAddress(*)"
    assert customer.postalAddress is not None and customer.postalAddress.city == "Oslo"
    with pytest.raises(ValueError, match="nmae"):
        await client.customers.get(1, fields="id,nmae")


async def test_create_posts_only_what_was_set(make_client: Build) -> None:
    """POST sends the set fields without read-only ones and returns the stored object."""
    client, api = make_client(lambda r: value({"id": 11, "version": 1, "name": "Acme AS"}, status=201))
    created = await client.customers.create(
        Customer(
            name="Acme AS", organizationNumber="914778271", url="tripletex.no/v2/customer/1", isCustomer=True
        )
    )
    assert (created.id, created.version) == (11, 1)
    assert body(api.requests[0]) == {"name": "Acme AS", "organizationNumber": "914778271"}


async def test_create_refuses_an_object_with_an_id(make_client: Build) -> None:
    """A new object must not carry id or version (Tripletex would refuse it)."""
    client, api = make_client(lambda r: value({}))
    with pytest.raises(ValueError, match="id or version"):
        await client.customers.create(Customer(id=5, name="x"))
    assert api.requests == []


async def test_update_always_sends_the_version(make_client: Build) -> None:
    """PUT goes to /customer/{id} with id and version in the body; without a version it is refused."""
    client, api = make_client(lambda r: value({"id": 3, "version": 5, "name": "New"}))
    read = Customer.model_validate({"id": 3, "version": 4, "name": "Old"})
    updated = await client.customers.update(read.model_copy(update={"name": "New"}))
    assert api.paths() == ["PUT /customer/3"]
    assert body(api.requests[0]) == {"id": 3, "version": 4, "name": "New"}
    assert updated.version == 5
    with pytest.raises(ValueError, match="version"):
        await client.customers.update(Customer(id=3, name="x"))


async def test_order_update_can_replace_lines(make_client: Build) -> None:
    """``update_lines_and_groups`` adds ``updateLinesAndGroups=true`` to the PUT."""
    client, api = make_client(lambda r: value({"id": 8, "version": 2}))
    order = Order(id=8, version=1, orderLines=[OrderLine(count=Decimal("2.5"))])
    await client.orders.update(order, update_lines_and_groups=True)
    assert api.requests[0].url.params["updateLinesAndGroups"] == "true"
    assert body(api.requests[0])["orderLines"] == [{"count": 2.5}]


async def test_money_is_sent_as_exact_json_numbers(make_client: Build) -> None:
    """Decimals go out as JSON numbers with all their digits, never strings or rounded floats."""
    client, api = make_client(lambda r: value({"id": 1}, status=201))
    await client.products.create(Product(name="P", priceExcludingVatCurrency=Decimal("1234.5678901234")))
    assert b'"priceExcludingVatCurrency":1234.5678901234' in api.requests[0].content


async def test_one_record_uses_the_single_endpoint(make_client: Build) -> None:
    """``create_many`` of one object is a plain POST, not a batch."""
    client, api = make_client(lambda r: value({"id": 1, "version": 1, "name": "A"}, status=201))
    created = await client.customers.create_many([Customer(name="A")])
    assert api.paths() == ["POST /customer"] and created[0].id == 1


async def test_orders_are_created_in_chunks_of_100(make_client: Build) -> None:
    """250 orders become POST /order/list calls of 100, 100 and 50, results in order."""
    client, api = make_client(echo_list())
    orders = [
        Order(customer=Customer(id=1), orderDate="2026-01-01", deliveryDate="2026-01-02") for _ in range(250)
    ]
    created = await client.orders.create_many(orders)
    assert api.paths() == ["POST /order/list"] * 3
    assert [len(body(r)) for r in api.requests] == [100, 100, 50]
    assert len(created) == 250


async def test_batch_size_setting_applies_to_customers(make_client: Build) -> None:
    """Customers are batched by ``batch_size``."""
    client, api = make_client(echo_list(), batch_size=40)
    await client.customers.create_many([Customer(name=f"C{i}") for i in range(90)])
    assert [len(body(r)) for r in api.requests] == [40, 40, 10]


async def test_update_many_uses_put_list(make_client: Build) -> None:
    """Several products are updated with PUT /product/list, each carrying id and version."""
    client, api = make_client(echo_list(status=200))
    products = [Product(id=i, version=3, name=f"P{i}") for i in range(1, 4)]
    updated = await client.products.update_many(products)
    assert api.paths() == ["PUT /product/list"]
    assert all({"id", "version"} <= set(item) for item in body(api.requests[0]))
    assert [p.version for p in updated] == [4, 4, 4]


async def test_orders_have_no_batch_update(make_client: Build) -> None:
    """Orders have no PUT /order/list, so ``update_many`` sends one PUT per order."""
    client, api = make_client(lambda r: value({"id": int(r.url.path.rsplit("/", 1)[1]), "version": 2}))
    await client.orders.update_many([Order(id=1, version=1), Order(id=2, version=1)])
    assert api.paths() == ["PUT /order/1", "PUT /order/2"]


async def test_failed_chunk_reports_what_was_written(make_client: Build) -> None:
    """When the second chunk fails, BatchWriteError holds the first chunk's results and the offset."""
    inner = echo_list()

    def handler(request: httpx2.Request) -> httpx2.Response:
        if len(handler.calls) == 1:  # type: ignore[attr-defined]
            return error(
                422,
                18000,
                "Validering feilet.",
                [{"field": "name", "message": "Kan ikke være null.", "path": "[3].name"}],
            )
        handler.calls.append(request)  # type: ignore[attr-defined]
        return inner(request)

    handler.calls = []  # type: ignore[attr-defined]
    client, _ = make_client(handler, batch_size=10)
    with pytest.raises(BatchWriteError) as caught:
        await client.customers.create_many([Customer(name=f"C{i}") for i in range(25)])
    exc = caught.value
    assert len(exc.completed) == 10 and exc.failed_offset == 10 and exc.failed_count == 10
    assert isinstance(exc.cause, ValidationFailed) and not exc.ambiguous


async def test_ambiguous_chunk_is_flagged(make_client: Build) -> None:
    """A 500 on a batch POST makes the BatchWriteError ambiguous: the chunk may be stored."""
    client, _ = make_client(lambda r: error(500, 1000))
    with pytest.raises(BatchWriteError) as caught:
        await client.products.create_many([Product(name="a"), Product(name="b")])
    assert caught.value.ambiguous and isinstance(caught.value.cause, AmbiguousWriteError)


async def test_order_lines_are_batched_and_read_through_the_order(make_client: Build) -> None:
    """Lines are created with POST /order/orderline/list and read via the order's orderLines."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            return echo_list()(request)
        return value({"orderLines": [{"id": 1, "count": 2}, {"id": 2, "count": 1}]})

    client, api = make_client(handler)
    lines = [OrderLine(order=Order(id=7), product=Product(id=3), count=Decimal(2)) for _ in range(2)]
    await client.order_lines.create_many(lines)
    read = await client.order_lines.for_order(7)
    assert api.paths() == ["POST /order/orderline/list", "GET /order/7"]
    assert api.requests[1].url.params["fields"] == "orderLines(*)"
    assert [line.id for line in read] == [1, 2]
    assert body(api.requests[0])[0]["order"] == {"id": 7}


async def test_conditional_list_serves_304_from_cache(make_client: Build) -> None:
    """The first fetch sends a placeholder If-None-Match, the next the digest; a 304 reuses the rows."""
    seen: list[str | None] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == "digest-1":
            return httpx2.Response(304)
        return values([{"id": 1, "code": "NOK"}], digest="digest-1")

    client, _ = make_client(handler)
    first = await client.currencies.fetch_all()
    second = await client.currencies.fetch_all()
    assert not first.unchanged and second.unchanged
    assert [c.code for c in second.items] == ["NOK"]
    assert seen[0] not in (None, "", "digest-1") and seen[1] == "digest-1"


async def test_changed_list_is_fetched_again(make_client: Build) -> None:
    """When the digest changed, the full new page comes back and ``unchanged`` is False."""
    digests = iter(["d1", "d2"])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return values([{"id": 1}], digest=next(digests))

    client, _ = make_client(handler)
    await client.vat_types.fetch_all()
    again = await client.vat_types.fetch_all()
    assert not again.unchanged


async def test_list_page_reports_not_modified(make_client: Build) -> None:
    """``list(conditional=True)`` marks a 304 page as not modified."""
    calls = iter([values([{"id": 4}], digest="x"), httpx2.Response(304)])
    client, _ = make_client(lambda r: next(calls))
    await client.countries.list(conditional=True, code="NO")
    page = await client.countries.list(conditional=True, code="NO")
    assert page.not_modified and page.values[0].id == 4


async def test_references_are_sent_as_ids(make_client: Build) -> None:
    """A nested object with an id is a reference: only its id is sent; addresses keep their fields."""
    client, api = make_client(lambda r: value({"id": 1}, status=201))
    vat = VatType(id=3, percentage=Decimal(25), name="Høy sats")
    await client.products.create(Product(name="P", vatType=vat))
    assert body(api.requests[0])["vatType"] == {"id": 3}
    address = Address(
        id=9, version=1, addressLine1="Storgata 1", city="Oslo", country=Country(id=161, name="Norge")
    )
    await client.customers.create(Customer(name="C", postalAddress=address))
    sent = body(api.requests[1])["postalAddress"]
    assert sent == {
        "id": 9,
        "version": 1,
        "addressLine1": "Storgata 1",
        "city": "Oslo",
        "country": {"id": 161},
    }


def test_ref_model_is_public() -> None:
    """``Ref`` (an ``{id, url}`` stub) is part of the public API."""
    assert Ref(id=1).to_api() == {"id": 1}
