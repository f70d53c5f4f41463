"""Fuzzed bad webshop records mixed with good ones, served by the shop's real change feed.

The reference shop validates what it is sent, so the bad records go in through its test tool
``POST /_sim/raw/{resource}`` (stored unvalidated, served verbatim by the feed and by GET). One
``shopsync sync`` then reads everything: every bad record is dead-lettered on the webshop side with a
reason naming its field (a well-formed VAT rate Tripletex has no VAT type for is parked as waiting
instead, the engine's rule for unresolved references), every good record is in Tripletex exactly
once with its values, nothing crashes, and a second pass writes nothing and files nothing twice.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from shopsync.orgnr import generate_orgnr
from shopsync.state import StateStore
from tests.acceptance.harness import SIM_SECRETS, SimProcess, explain, init_config, shopsync, start_sims
from tests.acceptance.sides import WINDOW_FROM, WINDOW_TO, clients

from .fuzz import (
    ADDRESS,
    Defect,
    GoodCustomer,
    GoodOrder,
    GoodProduct,
    apply_defect,
    base_customer,
    base_order,
    base_product,
    defects,
    draw,
    good_customers,
    good_orders,
    good_products,
)
from .report import record
from .scale import SCALE

pytestmark = pytest.mark.e2e

ENTITY = {"customers": "customer", "products": "product", "orders": "order"}
HEADERS = {"Authorization": f"Bearer {SIM_SECRETS['SHOPSYNC_WEBSHOP_TOKEN']}"}


@dataclass
class Inserted:
    """What went into the shop: good records (id → expectation) and bad ones (id → defect)."""

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad: dict[tuple[str, str], Defect] = field(default_factory=dict)


async def _create(http: httpx2.AsyncClient, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post(f"/api/v1/{resource}", json=body, headers=HEADERS)
    assert response.status_code == 201, f"the shop refused a good {resource[:-1]}: {response.text}"
    created: dict[str, Any] = response.json()
    return created


async def _insert_raw(http: httpx2.AsyncClient, resource: str, docs: list[dict[str, Any]]) -> list[str]:
    # ensure_ascii: a lone surrogate is valid as a JSON escape only
    response = await http.post(
        f"/_sim/raw/{resource}", content=json.dumps(docs), headers={"content-type": "application/json"}
    )
    response.raise_for_status()
    ids: list[str] = response.json()["ids"]
    return ids


def _customer_body(index: int, good: GoodCustomer, org: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "private",
        "email": f"good{index}@fuzz.example.no",
        "first_name": good.first_name,
        "last_name": good.last_name,
        "billing_address": ADDRESS,
    }
    if good.company_name is not None:
        body.update(type="company", company_name=good.company_name, organization_number=org)
    return body


async def _fill_shop(
    shop: SimProcess, rng: random.Random, bad: list[Defect], hypothesis_seed: int
) -> Inserted:
    """Good records through the API, bad ones raw, interleaved so the feed's pages mix them."""
    derandomize = not SCALE.full
    n = SCALE.fuzz_good
    customers = draw(good_customers(), n, derandomize=derandomize, at=hypothesis_seed)
    products = draw(good_products(), n, derandomize=derandomize, at=hypothesis_seed)
    orders = draw(good_orders(n, n), n, derandomize=derandomize, at=hypothesis_seed)
    out = Inserted()
    async with httpx2.AsyncClient(base_url=shop.url, timeout=60) as http:
        steps: list[tuple[str, int]] = [("customers", i) for i in range(n)] + [
            ("products", i) for i in range(n)
        ]
        steps += [("bad", i) for i, d in enumerate(bad) if d.resource != "orders"]
        rng.shuffle(steps)
        made_products: list[dict[str, Any]] = []
        await _run_steps(http, steps, bad, customers, products, rng, out, made_products)
        customer_ids = list(out.customers)
        order_steps = [("orders", i) for i in range(n)] + [
            ("bad", i) for i, d in enumerate(bad) if d.resource == "orders"
        ]
        rng.shuffle(order_steps)
        for kind, i in order_steps:
            if kind == "bad":
                doc = apply_defect(base_order(i, rng.choice(customer_ids), rng.choice(made_products)), bad[i])
                [shop_id] = await _insert_raw(http, "orders", [doc])
                out.bad[("orders", shop_id)] = bad[i]
                continue
            good = orders[i]
            body = _order_body(good, customer_ids, made_products)
            created = await _create(http, "orders", body)
            out.orders[created["id"]] = created
    return out


async def _run_steps(
    http: httpx2.AsyncClient,
    steps: list[tuple[str, int]],
    bad: list[Defect],
    customers: list[GoodCustomer],
    products: list[GoodProduct],
    rng: random.Random,
    out: Inserted,
    made_products: list[dict[str, Any]],
) -> None:
    pending: list[tuple[str, dict[str, Any], Defect]] = []

    async def flush() -> None:
        for resource in ("customers", "products"):
            batch = [(doc, d) for r, doc, d in pending if r == resource]
            if batch:
                ids = await _insert_raw(http, resource, [doc for doc, _ in batch])
                out.bad.update({(resource, i): d for i, (_, d) in zip(ids, batch, strict=True)})
        pending.clear()

    for kind, i in steps:
        if kind == "bad":
            defect = bad[i]
            base = (
                base_customer(i, generate_orgnr(rng)) if defect.resource == "customers" else base_product(i)
            )
            pending.append((defect.resource, apply_defect(base, defect), defect))
            continue
        await flush()
        if kind == "customers":
            created = await _create(http, "customers", _customer_body(i, customers[i], generate_orgnr(rng)))
            out.customers[created["id"]] = created
        else:
            good = products[i]
            body = {"sku": f"GOOD-{i}", "name": f"{good.name} {i}", "price": f"{good.price:.2f}"}
            body["vat_rate"] = good.vat_rate
            created = await _create(http, "products", body)
            out.products[created["id"]] = created
            made_products.append(created)
    await flush()


def _order_body(good: GoodOrder, customer_ids: list[str], products: list[dict[str, Any]]) -> dict[str, Any]:
    lines = []
    for index, quantity in good.lines:
        product = products[index % len(products)]
        lines.append(
            {
                "product_id": product["id"],
                "sku": product["sku"],
                "name": product["name"],
                "quantity": str(quantity),
                "unit_price": product["price"],
                "vat_rate": product["vat_rate"],
            }
        )
    return {
        "customer_id": customer_ids[good.customer % len(customer_ids)],
        "status": good.status,
        "ordered_at": "2026-03-02T12:00:00+01:00",
        "lines": lines,
    }


def _names_the_field(defect: Defect, reason: str, named: str | None) -> bool:
    """Whether a dead letter (or waiting reason) names the defect's field, in the contract's spelling
    (``lines.0.vat_rate``) or the mapping's (``lines[0].vat_rate``)."""
    wanted = defect.field
    spellings = {wanted, wanted.replace(".0.", "[0].")}
    return any(s == named or (named and named.startswith(s + ".")) or s in reason for s in spellings)


@dataclass
class Verdict:
    """What became of the bad records."""

    dead_lettered: Counter[str] = field(default_factory=Counter)
    waiting: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def _judge_bad(state: str, inserted: Inserted) -> tuple[Verdict, int]:
    verdict = Verdict()
    with StateStore.open(state) as store:
        letters = {(d.entity, d.record_id): d for d in store.open_dead_letters(limit=1_000_000)}
        waiting = {(w.entity, w.record_id): w for w in store.queued_work()}
    for (resource, shop_id), defect in inserted.bad.items():
        key = (ENTITY[resource], shop_id)
        letter, work = letters.get(key), waiting.get(key)
        label = f"{resource}/{shop_id} {defect.kind} {defect.field}"
        if defect.kind == "unknown_vat":
            if work is None or "vat" not in work.reason:
                verdict.problems.append(f"{label}: not waiting for a VAT type ({letter or work})")
            else:
                verdict.waiting[defect.kind] += 1
        elif letter is None or letter.side != "webshop":
            verdict.problems.append(f"{label}: not dead-lettered ({work})")
        elif not _names_the_field(defect, letter.reason, letter.field):
            verdict.problems.append(
                f"{label}: the reason does not name the field: {letter.field} {letter.reason}"
            )
        else:
            verdict.dead_lettered[defect.kind] += 1
    good_ids = {(ENTITY[r], i) for r in ("customers", "products", "orders") for i in getattr(inserted, r)}
    for key in good_ids & (set(letters) | set(waiting)):
        verdict.problems.append(f"good record {key} was parked: {letters.get(key) or waiting.get(key)}")
    return verdict, len(letters)


async def _judge_good(tripletex: SimProcess, shop: SimProcess, inserted: Inserted) -> list[str]:
    """Every good record once in Tripletex with its values; nothing else there."""
    problems: list[str] = []
    async with clients(tripletex.api_url, shop.api_url) as (tx, _):
        customers = [c async for c in tx.customers.iterate(fields="*")]
        products = [p async for p in tx.products.iterate(fields="*")]
        orders = [
            o
            async for o in tx.orders.iterate(
                fields="*,orderLines(*)", order_date_from=WINDOW_FROM, order_date_to=WINDOW_TO
            )
        ]
    by_email = Counter((c.email or "").casefold() for c in customers)
    names = {(c.email or "").casefold(): c.name for c in customers}
    for doc in inserted.customers.values():
        email = doc["email"].casefold()
        expected = doc["company_name"] or f"{doc['first_name']} {doc['last_name']}"
        if by_email[email] != 1 or names[email] != expected:
            problems.append(f"customer {email}: {by_email[email]} in Tripletex, name {names.get(email)!r}")
    by_number = {p.number: p for p in products}
    for doc in inserted.products.values():
        found = by_number.get(doc["sku"])
        if found is None or found.name != doc["name"]:
            problems.append(f"product {doc['sku']}: {found and found.name!r}")
    order_count = Counter(o.number for o in orders)
    for doc in inserted.orders.values():
        if order_count[doc["number"]] != 1:
            problems.append(f"order {doc['number']}: {order_count[doc['number']]} in Tripletex")
    for what, have, want in (
        ("customers", len(customers), len(inserted.customers)),
        ("products", len(products), len(inserted.products)),
        ("orders", len(orders), len(inserted.orders)),
    ):
        if have != want:
            problems.append(f"Tripletex holds {have} {what}, {want} good ones were sent")
    return problems


@pytest.mark.timeout(900 if SCALE.full else 180)
async def test_fuzzed_bad_records_are_dead_lettered_and_good_ones_sync(tmp_path: Path) -> None:
    """≥ 1,000 hypothesis-made bad records among good ones: one sync, then the state and Tripletex."""
    rng = random.Random(5)
    hypothesis_seed = rng.randrange(2**32)  # the full form's (fixed too: a run can be repeated)
    bad = draw(defects(), SCALE.fuzz_bad, derandomize=not SCALE.full, at=hypothesis_seed)
    empty = {"seed": 41, "customers": 0, "products": 0, "orders": 0}
    with start_sims(tmp_path, tripletex=empty, webshop={**empty, "seed": 42}) as (tripletex, shop):
        inserted = await _fill_shop(shop, rng, bad, hypothesis_seed)
        state = str(tmp_path / "state.sqlite")
        config = init_config(tmp_path, tripletex, shop, state)
        first = shopsync("sync", "--config", str(config))
        verdict, letters = _judge_bad(state, inserted)
        good_problems = await _judge_good(tripletex, shop, inserted)
        writes = tripletex.writes()
        second = shopsync("sync", "--config", str(config))
        _, letters_again = _judge_bad(state, inserted)
        rewrites = tripletex.writes() - writes

    kinds = Counter(d.kind for d in inserted.bad.values())
    print(
        record(
            "fuzzed webshop records",
            {
                "hypothesis": "derandomized" if not SCALE.full else f"seed {hypothesis_seed}",
                "bad records": len(inserted.bad),
                "by defect": dict(sorted(kinds.items())),
                "good records": len(inserted.customers) + len(inserted.products) + len(inserted.orders),
                "dead letters": letters,
                "dead-lettered bad records": sum(verdict.dead_lettered.values()),
                "parked waiting (unknown VAT rate)": sum(verdict.waiting.values()),
                "bad records not handled": len(verdict.problems),
                "good records wrong or missing": len(good_problems),
                "exit codes": f"{first.returncode}/{second.returncode}",
                "Tripletex writes of the second pass": rewrites,
            },
        )
    )
    assert first.returncode == 1, explain(first)  # done, with dead letters to look at: never a crash
    assert not verdict.problems, "\n".join(verdict.problems[:30])
    assert not good_problems, "\n".join(good_problems[:30])
    assert len(inserted.bad) >= SCALE.fuzz_bad
    assert second.returncode == 1 and rewrites == 0, explain(second)
    assert letters_again == letters, "the second pass filed dead letters again"
    assert sum(verdict.dead_lettered.values()) + sum(verdict.waiting.values()) == len(inserted.bad)
