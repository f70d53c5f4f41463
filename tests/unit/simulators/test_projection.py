"""List pages read only the values a ``fields`` selection shows, and render what whole documents render."""

from __future__ import annotations

import pytest

from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.fields import parse_fields
from shopsync.simulators.tripletex.runtime import build_runtime
from shopsync.simulators.tripletex.serialize import Renderer
from shopsync.simulators.tripletex.state import Simulator


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return build_runtime(SimulatorConfig(seed=3, customers=60, products=40, orders=30)).sim


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        ("Customer", "id,version"),
        ("Customer", "id,version,organizationNumber,email"),
        ("Customer", "url,name,isInactive,isPrivateIndividual,invoicesDueIn,discountPercentage,currency"),
        ("Customer", "id,postalAddress,language,invoiceSendMethod,accountManager"),
        ("Product", "id,number,name,priceExcludingVatCurrency,vatType,isInactive,ean"),
        ("Order", "id,version,orderDate,customer,isClosed,number,deliveryDate,customerName"),
        ("OrderLine", "id,count,unitPriceExcludingVatCurrency,order,product"),
    ],
)
def test_plain_selections_render_the_same_from_extracted_values(
    sim: Simulator, schema: str, fields: str
) -> None:
    """Every row renders identically from json_extract'ed values and from its decoded document."""
    tree = parse_fields(fields)
    renderer = Renderer(sim, "h")
    props = renderer.columns(schema, tree)
    assert props is not None
    whole = sim.store.select(schema, "1=1", (), "id", 0, 1000)
    projected = sim.store.select(schema, "1=1", (), "id", 0, 1000, props=props)
    assert len(whole) > 20
    assert renderer.render_many(schema, projected, tree) == renderer.render_many(schema, whole, tree)
    assert all(set(row) == {"id", "version", *props} for row in projected)


@pytest.mark.parametrize("fields", [None, "*", "id,postalAddress(city)", "id,changes", "id,orderLines"])
def test_selections_needing_whole_documents_are_not_projected(sim: Simulator, fields: str | None) -> None:
    """The default set, ``*``, expanded references, change logs and lists are read as whole documents."""
    schema = "Order" if fields == "id,orderLines" else "Customer"
    assert Renderer(sim, "h").columns(schema, parse_fields(fields)) is None


def test_integer_only_selections_render_like_single_objects(sim: Simulator) -> None:
    """The ``fields=id,version`` fast path gives what rendering object by object gives, keys in order."""
    tree = parse_fields("version,id")
    renderer = Renderer(sim, "h")
    rows = sim.store.select("Customer", "1=1", (), "id", 0, 1000, props=[])
    assert renderer.render_many("Customer", rows, tree) == [
        renderer.render("Customer", r, tree) for r in rows
    ]
    assert list(renderer.render_many("Customer", rows[:1], tree)[0]) == ["id", "version"]
