"""What the simulator knows about each Tripletex object: properties in spec order and how to render them.

Built once from the generated spec facts (``shopsync.tripletex._schema``) plus what real servers show
and the spec does not say: the default field set of each object (``changes`` and some logistics
fields only come back when asked for), which strings are dates (null when unset), which properties are
write-only, and the URL path of every object kind for ``{id, url}`` stubs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopsync.tripletex._schema import SCHEMAS

__all__ = ["MODELS", "Model", "Prop", "model", "ref_path"]

# Property kinds, chosen so rendering is one dict lookup per property.
STR, ENUM, DATE, INT, NUM, BOOL, REF, REFS, LIST, OBJ = (
    "str",
    "enum",
    "date",
    "int",
    "num",
    "bool",
    "ref",
    "refs",
    "list",
    "obj",
)

#: String properties holding a date: unset renders as null, not "".
DATE_PROPS = frozenset(
    {
        "orderDate",
        "deliveryDate",
        "pickedDate",
        "subscriptionPeriodStart",
        "subscriptionPeriodEnd",
        "dateOfBirth",
        "expirationDate",
    }
)

#: Properties real servers leave out of the default (and ``*``) field set; they come back only when named.
#: Product's list is the exact default set of recorded 2.74 responses; Order drops its logistics fields.
ON_DEMAND: dict[str, frozenset[str]] = {
    "Product": frozenset(
        {
            "ean",
            "elNumber",
            "nrfNumber",
            "expenses",
            "expensesInPercent",
            "profit",
            "profitInPercent",
            "discountGroup",
            "isStockItem",
            "stockOfGoods",
            "availableStock",
            "weight",
            "weightUnit",
            "volume",
            "volumeUnit",
            "hsnCode",
            "markupListPercentage",
            "markupNetPercentage",
            "discountPrice",
            "minStockLevel",
        }
    ),
    "Order": frozenset({"ourContact", "ourContactEmployee", "status", "canCreateBackorder"}),
    "OrderLine": frozenset({"inventoryLocation"}),
    "Employee": frozenset({"internationalId", "holidayAllowanceEarned"}),
    "Subscription": frozenset({"authHeaderValue", "hmacSharedSecret"}),
}

#: Write-only properties: accepted on write, never shown (null when asked for).
WRITE_ONLY: dict[str, frozenset[str]] = {
    "Subscription": frozenset({"authHeaderValue", "hmacSharedSecret"}),
}

#: Objects only the simulator needs (not in the generated schema facts), in the spec's property order.
EXTRA_SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    "LoggedInUserInfo": {
        "employeeId": {"type": "integer", "read_only": True},
        "actualEmployeeId": {"type": "integer", "read_only": True},
        "employee": {"type": "object", "ref": "Employee"},
        "companyId": {"type": "integer", "read_only": True},
        "company": {"type": "object", "ref": "Company"},
        "language": {"type": "string", "read_only": True},
        "loggedInWithConnect": {"type": "boolean", "read_only": True},
        "employeeIsProxy": {"type": "boolean", "read_only": True},
    },
}

#: URL path (after ``/v2/``) of each object kind, for ``{id, url}`` stubs.
REF_PATHS: dict[str, str] = {
    "Customer": "customer",
    "Product": "product",
    "Order": "order",
    "OrderLine": "order/orderline",
    "OrderGroup": "order/orderGroup",
    "VatType": "ledger/vatType",
    "Account": "ledger/account",
    "Currency": "currency",
    "Country": "country",
    "Department": "department",
    "Employee": "employee",
    "Address": "address",
    "DeliveryAddress": "deliveryAddress",
    "Subscription": "event/subscription",
    "SessionToken": "token/session",
    "ConsumerToken": "token/consumer",
    "EmployeeToken": "token/employee",
    "ProductUnit": "product/unit",
    "DiscountGroup": "product/discountGroup",
    "CustomerCategory": "customer/category",
    "InventoryLocation": "inventory/location",
    "EmployeeCategory": "employee/category",
    "Employment": "employee/employment",
    "AccountingDimensionValue": "ledger/accountingDimensionValue",
}


@dataclass(frozen=True, slots=True)
class Prop:
    """One property: its kind (see the constants above) and, for references, the target schema."""

    name: str
    kind: str
    target: str | None = None
    read_only: bool = False
    enum: frozenset[str] | None = None
    items_type: str | None = None


@dataclass(frozen=True, slots=True)
class Model:
    """One object kind: properties in spec order and the default field set."""

    name: str
    props: dict[str, Prop]
    default: tuple[str, ...]
    write_only: frozenset[str]


def _prop(name: str, desc: dict[str, Any]) -> Prop:
    ro = bool(desc.get("read_only"))
    kind: str
    t = desc.get("type")
    if "ref" in desc:
        return Prop(name, REF, target=desc["ref"], read_only=ro)
    if t == "array":
        if "items_ref" in desc:
            return Prop(name, REFS, target=desc["items_ref"], read_only=ro)
        return Prop(name, LIST, read_only=ro, items_type=desc.get("items_type"))
    if t == "string":
        if desc.get("enum"):
            return Prop(name, ENUM, read_only=ro, enum=frozenset(desc["enum"]))
        kind = DATE if name in DATE_PROPS else STR
    elif t == "integer":
        kind = INT
    elif t == "number":
        kind = NUM
    elif t == "boolean":
        kind = BOOL
    else:
        kind = OBJ
    return Prop(name, kind, read_only=ro)


def _build() -> dict[str, Model]:
    out: dict[str, Model] = {}
    for name, props in {**SCHEMAS, **EXTRA_SCHEMAS}.items():
        built = {pname: _prop(pname, desc) for pname, desc in props.items()}
        skip = ON_DEMAND.get(name, frozenset()) | {"changes"}
        default = tuple(p for p in built if p not in skip)
        out[name] = Model(name, built, default, WRITE_ONLY.get(name, frozenset()))
    return out


MODELS: dict[str, Model] = _build()


def model(name: str) -> Model | None:
    """The model of schema ``name``, or None for objects the simulator only knows as references."""
    return MODELS.get(name)


def ref_path(name: str) -> str:
    """URL path of an object kind, e.g. ``VatType`` -> ``ledger/vatType``."""
    return REF_PATHS.get(name) or name[:1].lower() + name[1:]
