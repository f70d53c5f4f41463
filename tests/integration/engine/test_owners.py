"""Field owners end to end: a row's owner decides its conflicts whatever the global policy; the other
keys of the same record still follow the policy, and every decision is recorded with its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsync.mapping import load_mapping
from shopsync.tripletex import Customer, Product

from .conftest import Worlds


async def test_the_owner_wins_its_key_and_the_policy_the_others(world: Worlds, tmp_path: Path) -> None:
    """``name`` owned by Tripletex keeps Tripletex's name under ``webshop_wins``; the e-mail, changed on
    both sides in the same pass, follows the policy (the shop's); no ping-pong afterwards."""
    w = await world(
        shop={"customers": 6, "products": 0, "orders": 0},
        options={"entities": ("customer",), "conflict_policy": "webshop_wins"},
    )
    override = tmp_path / "mapping.yaml"
    override.write_text("customer:\n  rows:\n    - {key: name, owner: tripletex}\n", encoding="utf-8")
    w.mapping = load_mapping(override)
    await w.sync()
    record = next(r for r in await w.shop_list("customers") if r["type"] == "company")
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call(
        "PATCH", f"/customers/{record['id']}", {"company_name": "Butikknavn AS", "email": "butikk@example.no"}
    )
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(
        Customer(id=tid, version=current.version, name="Regnskapsnavn AS", email="regnskap@example.no")
    )
    summary = await w.sync()
    assert summary.in_sync, summary
    decided = {
        c.field: (c.winner, c.policy, c.status) for c in w.store.conflicts_for("customer", record["id"])
    }
    assert decided == {
        "name": ("tripletex", "owner:tripletex", "resolved"),
        "email": ("webshop", "webshop_wins", "resolved"),
    }
    shop_now = await w.shop_call("GET", f"/customers/{record['id']}")
    tx_now = await w.admin.customers.get(tid, fields="name,email")
    assert shop_now["company_name"] == tx_now.name == "Regnskapsnavn AS"
    assert shop_now["email"] == tx_now.email == "butikk@example.no"
    writes = (w.tx_writes(), w.shop_writes())
    assert (await w.sync()).total().writes == 0 and (w.tx_writes(), w.shop_writes()) == writes


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_the_default_owner_settles_a_product_number_even_under_manual(world: Worlds) -> None:
    """The defaults let Tripletex own product numbers: a SKU changed on both sides is not held for a
    person under ``manual`` — Tripletex's number reaches the shop and the pass is in sync."""
    w = await world(
        shop={"customers": 0, "products": 4, "orders": 0},
        options={"entities": ("product",), "conflict_policy": "manual"},
    )
    seen: set[str] = set()
    for product in await w.shop_list("products"):
        if product["name"] in seen:
            await w.shop_call(
                "PATCH", f"/products/{product['id']}", {"name": f"{product['name']} {product['sku']}"}
            )
        seen.add(product["name"])
    await w.sync()
    product = (await w.shop_list("products"))[0]
    tid = w.store.tripletex_id_for("product", product["id"])
    assert tid is not None
    await w.shop_call("PATCH", f"/products/{product['id']}", {"sku": "BUTIKK-1"})
    current = await w.admin.products.get(tid)
    await w.admin.products.update(Product(id=tid, version=current.version, number="REGNSKAP-1"))
    summary = await w.sync()
    assert summary.in_sync, summary
    [conflict] = w.store.conflicts_for("product", product["id"])
    assert (conflict.field, conflict.winner, conflict.policy) == ("sku", "tripletex", "owner:tripletex")
    assert (await w.shop_call("GET", f"/products/{product['id']}"))["sku"] == "REGNSKAP-1"
