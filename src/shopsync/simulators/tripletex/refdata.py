"""Reference data a real Tripletex company has: VAT types, currencies, countries, departments, employees.

Ids and texts follow recorded 2026 responses where known: VAT types 3/31/32 (25/15/12 % outgoing;
id 32 has number "33"), 5/6/52 (0 %), currencies NOK=1 … CHF=7, Norway = country 161 (Andorra = 1).
Other country ids are the simulator's own (clients must look countries up by code anyway).
Everything here is read-only; docs are in storage form (numbers as decimal strings).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "COUNTRIES",
    "CURRENCIES",
    "DEFAULT_VAT_TYPE_ID",
    "DEPARTMENTS",
    "EMPLOYEES",
    "NOK_ID",
    "NORWAY_ID",
    "OUTGOING_VAT_IDS",
    "SESSION_EMPLOYEE_ID",
    "VAT_TYPES",
    "RefData",
]

NORWAY_ID = 161
NOK_ID = 1
#: The company's default VAT type for new products and order lines (25 % outgoing).
DEFAULT_VAT_TYPE_ID = 3
#: The employee every session acts as (the owner of the employee token).
SESSION_EMPLOYEE_ID = 18_612_786

# (id, number, percentage, name, typeOfVat) in Tripletex's listing order (by number, as text).
_VAT = [
    (0, "0", "0", "Ingen avgiftsbehandling", "LEDGER"),
    (1, "1", "25", "Fradrag inngående avgift, høy sats", "INCOMING"),
    (11, "11", "15", "Fradrag inngående avgift, middels sats", "INCOMING"),
    (12, "13", "12", "Fradrag inngående avgift, lav sats", "INCOMING"),
    (3, "3", "25", "Utgående avgift, høy sats", "OUTGOING"),
    (31, "31", "15", "Utgående avgift, middels sats", "OUTGOING"),
    (32, "33", "12", "Utgående avgift, lav sats", "OUTGOING"),
    (5, "5", "0", "Ingen utgående avgift (innenfor mva-loven)", "OUTGOING"),
    (51, "51", "0", "Avgiftsfri innlands omsetning med omvendt avgiftsplikt", "LEDGER"),
    (52, "52", "0", "Avgiftsfri utførsel av varer og tjenester", "OUTGOING"),
    (6, "6", "0", "Ingen utgående avgift (utenfor mva-loven)", "OUTGOING"),
    (7, "7", "0", "Ingen avgiftsbehandling (inntekter)", "LEDGER"),
]

VAT_TYPES: list[dict[str, Any]] = [
    {
        "id": vid,
        "version": 0,
        "name": name,
        "number": number,
        "displayName": f"{number}: ({pct}%) {name}",
        "percentage": pct,
        "deductionPercentage": "100",
        "parentType": 0 if vid != 0 else None,
        "_typeOfVat": kind,
    }
    for vid, number, pct, name, kind in _VAT
]
#: VAT types a product or order line may use: the outgoing ones ("Ugyldig mva-kode." otherwise).
OUTGOING_VAT_IDS = frozenset(v["id"] for v in VAT_TYPES if v["_typeOfVat"] == "OUTGOING")

# (id, code, description, factor)
_CURRENCIES = [
    (1, "NOK", "Norge", 1),
    (2, "SEK", "Sverige", 100),
    (3, "DKK", "Danmark", 100),
    (4, "USD", "USA", 1),
    (5, "EUR", "EU", 1),
    (6, "GBP", "Storbritannia", 1),
    (7, "CHF", "Sveits", 1),
]
CURRENCIES: list[dict[str, Any]] = [
    {
        "id": cid,
        "version": 0,
        "code": code,
        "description": desc,
        "factor": factor,
        "displayName": f"{code} {desc}",
        "isDisabled": False,
    }
    for cid, code, desc, factor in _CURRENCIES
]

# (id, name, alpha2, alpha3, numeric)
_COUNTRIES = [
    (1, "Andorra", "AD", "AND", "020"),
    (15, "Østerrike", "AT", "AUT", "040"),
    (16, "Australia", "AU", "AUS", "036"),
    (23, "Belgia", "BE", "BEL", "056"),
    (40, "Canada", "CA", "CAN", "124"),
    (45, "Sveits", "CH", "CHE", "756"),
    (49, "Kina", "CN", "CHN", "156"),
    (60, "Tyskland", "DE", "DEU", "276"),
    (62, "Danmark", "DK", "DNK", "208"),
    (68, "Estland", "EE", "EST", "233"),
    (70, "Spania", "ES", "ESP", "724"),
    (75, "Finland", "FI", "FIN", "246"),
    (79, "Frankrike", "FR", "FRA", "250"),
    (82, "Storbritannia", "GB", "GBR", "826"),
    (106, "Irland", "IE", "IRL", "372"),
    (114, "Island", "IS", "ISL", "352"),
    (115, "Italia", "IT", "ITA", "380"),
    (119, "Japan", "JP", "JPN", "392"),
    (140, "Litauen", "LT", "LTU", "440"),
    (142, "Latvia", "LV", "LVA", "428"),
    (158, "Nederland", "NL", "NLD", "528"),
    (161, "Norge", "NO", "NOR", "578"),
    (176, "Polen", "PL", "POL", "616"),
    (184, "Portugal", "PT", "PRT", "620"),
    (205, "Sverige", "SE", "SWE", "752"),
    (236, "USA", "US", "USA", "840"),
]
COUNTRIES: list[dict[str, Any]] = [
    {
        "id": cid,
        "version": 0,
        "name": name,
        "displayName": f"{name} ({a2})",
        "isoAlpha2Code": a2,
        "isoAlpha3Code": a3,
        "isoNumericCode": num,
    }
    for cid, name, a2, a3, num in _COUNTRIES
]

DEPARTMENTS: list[dict[str, Any]] = [
    {
        "id": 735_784,
        "version": 0,
        "name": "Hovedavdeling",
        "departmentNumber": "1",
        "departmentManager": SESSION_EMPLOYEE_ID,
        "displayName": "1 Hovedavdeling",
        "isInactive": False,
    },
    {
        "id": 735_785,
        "version": 0,
        "name": "Salg",
        "departmentNumber": "2",
        "departmentManager": 18_612_787,
        "displayName": "2 Salg",
        "isInactive": False,
    },
    {
        "id": 735_786,
        "version": 0,
        "name": "Lager",
        "departmentNumber": "3",
        "departmentManager": None,
        "displayName": "3 Lager",
        "isInactive": False,
    },
]


def _employee(eid: int, first: str, last: str, number: str, email: str, dept: int) -> dict[str, Any]:
    return {
        "id": eid,
        "version": 1,
        "firstName": first,
        "lastName": last,
        "displayName": f"{first} {last}",
        "employeeNumber": number,
        "email": email,
        "phoneNumberMobileCountry": NORWAY_ID,
        "allowInformationRegistration": True,
        "isAuthProjectOverviewURL": True,
        "department": dept,
        "userType": "EXTENDED" if eid == SESSION_EMPLOYEE_ID else "STANDARD",
    }


EMPLOYEES: list[dict[str, Any]] = [
    _employee(SESSION_EMPLOYEE_ID, "Ola", "Nordmann", "1", "ola.nordmann@example.no", 735_784),
    _employee(18_612_787, "Kari", "Nordmann", "2", "kari.nordmann@example.no", 735_785),
    _employee(18_612_788, "Per", "Hansen", "3", "per.hansen@example.no", 735_786),
]


class RefData:
    """Lookup of the read-only reference objects by schema and id; ``company_id`` fills employees."""

    def __init__(self, company_id: int) -> None:
        employees = [{**e, "companyId": company_id} for e in EMPLOYEES]
        self.lists: dict[str, list[dict[str, Any]]] = {
            "VatType": VAT_TYPES,
            "Currency": CURRENCIES,
            "Country": COUNTRIES,
            "Department": DEPARTMENTS,
            "Employee": employees,
        }
        self.by_id: dict[str, dict[int, dict[str, Any]]] = {
            schema: {doc["id"]: doc for doc in docs} for schema, docs in self.lists.items()
        }

    def get(self, schema: str, obj_id: int) -> dict[str, Any] | None:
        """One reference object, or None."""
        return self.by_id.get(schema, {}).get(obj_id)

    def exists(self, schema: str, obj_id: int) -> bool:
        """Whether a reference object with this id exists."""
        return obj_id in self.by_id.get(schema, {})
