"""A small, fixed WooCommerce data set: a few Norwegian customers, products across the tax classes, orders.

Deterministic and tiny on purpose: tests that need volume create records themselves.
"""

from __future__ import annotations

from .store import WooStore

__all__ = ["seed"]

_CUSTOMERS = [
    ("Kari", "Nordmann", "", "kari@example.no", "Storgata 1", "0155", "Oslo"),
    ("Ola", "Hansen", "Hansen Rør AS", "ola@hansenror.no", "Fjordveien 12", "5003", "Bergen"),
    ("Ingrid", "Berg", "", "ingrid.berg@example.no", "Munkegata 4", "7011", "Trondheim"),
]
_PRODUCTS = [
    ("KAFFE-500", "Kaffebønner 500 g", "129.00", "reduced-rate"),
    ("KOPP-01", "Kaffekopp", "89.50", ""),
    ("BOK-42", "Kokebok", "349", "zero-rate"),
    ("KJELE-2L", "Vannkoker 2 l", "499.00", ""),
]


def seed(store: WooStore) -> None:
    """Fill ``store`` with the fixed data set (the last customer was never saved through WooCommerce)."""
    customers = []
    for pos, (first, last, company, email, street, postcode, city) in enumerate(_CUSTOMERS):
        address = {
            "first_name": first,
            "last_name": last,
            "company": company,
            "address_1": street,
            "postcode": postcode,
            "city": city,
            "country": "NO",
        }
        body = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "billing": {**address, "email": email, "phone": "+47 22 00 00 0" + str(pos)},
        }
        customers.append(store.save_customer(body, touch=pos < len(_CUSTOMERS) - 1))
    products = [
        store.save_product(
            {
                "sku": sku,
                "name": name,
                "regular_price": price,
                "tax_class": tax_class,
                "manage_stock": True,
                "stock_quantity": 10 + pos,
            }
        )
        for pos, (sku, name, price, tax_class) in enumerate(_PRODUCTS)
    ]
    for pos, customer in enumerate(customers[:2]):
        store.save_order(
            {
                "customer_id": customer["id"],
                "status": "processing",
                "billing": customer["billing"],
                "line_items": [
                    {"product_id": products[pos]["id"], "quantity": 2},
                    {"product_id": products[pos + 1]["id"], "quantity": 1},
                ],
                "shipping_lines": [{"method_id": "flat_rate", "method_title": "Frakt", "total": "79.20"}],
            }
        )
