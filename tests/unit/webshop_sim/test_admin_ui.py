"""The HTML admin page: listing, search, and edits that go through the API's rules."""

from __future__ import annotations

import httpx2

from shopsync.simulators.webshop.admin_ui import form_to_patch
from tests.unit.webshop_sim.conftest import CUSTOMER, PRODUCT


def test_form_becomes_a_merge_patch() -> None:
    """Empty nullable inputs become null, an unticked box false, an empty shipping address null."""
    form = {
        "type": "private",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "company_name": "",
        "organization_number": " ",
        "email": "kari@example.no",
        "phone": "",
        "language": "nb",
        "billing_address.line1": "Storgata 1",
        "billing_address.line2": "",
        "billing_address.postal_code": "0155",
        "billing_address.city": "Oslo",
        "billing_address.country": "NO",
    }
    patch, errors = form_to_patch("customers", form)
    assert errors == []
    assert patch["company_name"] is None and patch["organization_number"] is None and patch["phone"] is None
    assert patch["active"] is False
    assert patch["shipping_address"] is None
    assert patch["billing_address"]["line2"] is None


async def test_index_lists_and_searches(client: httpx2.AsyncClient) -> None:
    """The page lists records of the chosen resource; the search fragment filters them."""
    await client.post("/api/v1/products", json=PRODUCT)
    await client.post("/api/v1/products", json={**PRODUCT, "sku": "TE-1", "name": "Te"})
    page = await client.get("/", params={"resource": "products"})
    assert page.status_code == 200
    assert "KAFFE-500" in page.text and "TE-1" in page.text
    assert '<script src="/static/htmx-2.0.11.min.js">' in page.text
    fragment = await client.get("/admin/table", params={"resource": "products", "q": "te-1"})
    assert "TE-1" in fragment.text and "KAFFE-500" not in fragment.text
    assert (await client.get("/static/htmx-2.0.11.min.js")).status_code == 200


async def test_edit_form_saves_through_the_service(client: httpx2.AsyncClient) -> None:
    """Saving the form bumps version and updated_at like an API PATCH."""
    doc = (await client.post("/api/v1/products", json=PRODUCT)).json()
    form = {"version": "1", "sku": "KAFFE-500", "name": "Kaffe 1 kg", "description": "", "price": "239.00"}
    form |= {"currency": "NOK", "vat_rate": "15.00", "active": "on", "stock_quantity": "12"}
    response = await client.post(f"/admin/products/{doc['id']}", data=form)
    assert response.status_code == 303
    saved = (await client.get(f"/api/v1/products/{doc['id']}")).json()
    assert (saved["name"], saved["price"], saved["stock_quantity"], saved["version"]) == (
        "Kaffe 1 kg",
        "239.00",
        12,
        2,
    )
    assert saved["updated_at"] > doc["updated_at"]


async def test_edit_form_shows_field_errors_and_stores_nothing(client: httpx2.AsyncClient) -> None:
    """An invalid form is shown again with the field's message; the record is unchanged."""
    doc = (await client.post("/api/v1/customers", json=CUSTOMER)).json()
    form = {"version": "1", "type": "private", "first_name": "Kari", "last_name": "Nordmann", "email": "nope"}
    form |= {
        "language": "nb",
        "active": "on",
        "billing_address.line1": "Storgata 1",
        "billing_address.postal_code": "155",
    }
    form |= {"billing_address.city": "Oslo", "billing_address.country": "NO"}
    response = await client.post(f"/admin/customers/{doc['id']}", data=form)
    assert response.status_code == 422
    assert "must be an e-mail address" in response.text
    assert "must be 4 digits for country NO" in response.text
    assert (await client.get(f"/api/v1/customers/{doc['id']}")).json() == doc


async def test_edit_of_a_stale_form_is_refused(client: httpx2.AsyncClient) -> None:
    """A form rendered from an older version is refused with 412 instead of overwriting."""
    doc = (await client.post("/api/v1/products", json=PRODUCT)).json()
    await client.patch(f"/api/v1/products/{doc['id']}", json={"price": "1.00"})
    form = {
        "version": "1",
        "sku": "KAFFE-500",
        "name": "X",
        "price": "2.00",
        "vat_rate": "15.00",
        "currency": "NOK",
        "stock_quantity": "0",
    }
    response = await client.post(f"/admin/products/{doc['id']}", data=form)
    assert response.status_code == 412
    assert "Someone else changed this record" in response.text
    assert (await client.get(f"/api/v1/products/{doc['id']}")).json()["price"] == "1.00"


async def test_delete_button(client: httpx2.AsyncClient) -> None:
    """The delete form removes the record and returns to the list."""
    doc = (await client.post("/api/v1/products", json=PRODUCT)).json()
    response = await client.post(f"/admin/products/{doc['id']}/delete", data={"version": "1"})
    assert response.status_code == 303
    assert (await client.get(f"/api/v1/products/{doc['id']}")).status_code == 404
