"""The spec loader, its normalisation and the validator, on hand-made traffic (no server involved)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx2
import pytest

from .recorder import ConformanceError, Recorder
from .spec import USED_OPERATIONS, LoadedSpec, normalise, spec_or_skip
from .validator import Exchange, Stats, check_exchange

BASE = "http://127.0.0.1:8701/v2"
AUTH = {"Authorization": "Basic MDpzZXNzaW9uLXRva2Vu"}  # 0:session-token


def exchange(
    method: str,
    path: str,
    status: int,
    body: Any = None,
    *,
    params: dict[str, str] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> Exchange:
    """A request/response pair as the recorder would capture it."""
    request = httpx2.Request(
        method, BASE + path, params=params, json=json_body, headers=AUTH if headers is None else headers
    )
    content = b"" if body is None else json.dumps(body).encode()
    response_headers = {"content-type": "application/json"} if body is not None else {}
    response = httpx2.Response(status, content=content, headers=response_headers, request=request)
    return Exchange(request=request, response=response)


CUSTOMER = {
    "id": 10001,
    "version": 1,
    "url": "tripletex.no/v2/customer/10001",
    "name": "Nordmann AS",
    "organizationNumber": "",
    "department": None,  # unset reference: null, though the spec never says nullable
    "invoiceSendMethod": None,  # enum without null in the spec
    "postalAddress": {"id": 5, "url": "tripletex.no/v2/address/5"},
}


def test_pruned_spec_keeps_exactly_the_used_operations(tripletex_spec: LoadedSpec) -> None:
    """The pruned spec has shopsync's operations and nothing else, with all their schemas reachable."""
    pruned = normalise(tripletex_spec.raw)
    assert {p: tuple(sorted(ops)) for p, ops in pruned["paths"].items()} == {
        p: tuple(sorted(ops)) for p, ops in USED_OPERATIONS.items()
    }
    schemas = pruned["components"]["schemas"]
    assert {"Customer", "Product", "Order", "OrderLine", "ApiError", "VatType", "Subscription"} <= set(
        schemas
    )
    assert len(schemas) < len(tripletex_spec.raw["components"]["schemas"]) / 10
    dangling = {ref for ref in json.dumps(pruned).split('"#/components/schemas/')[1:]}
    assert {ref.split('"', 1)[0] for ref in dangling} <= set(schemas)


def test_normalisation_fixes_the_known_quirks_without_touching_the_input(tripletex_spec: LoadedSpec) -> None:
    """Integer defaults become integers, schemas nullable, enums take null; the raw spec is unchanged."""
    raw = tripletex_spec.raw
    pruned = normalise(raw)
    count = next(p for p in pruned["paths"]["/customer"]["get"]["parameters"] if p["name"] == "count")
    assert count["schema"]["default"] == 1000
    customer = pruned["components"]["schemas"]["Customer"]
    assert customer["nullable"] is True
    assert customer["properties"]["name"]["nullable"] is True
    assert None in customer["properties"]["invoiceSendMethod"]["enum"]
    assert "readOnly" not in pruned["components"]["schemas"]["Currency"]
    assert "content" not in pruned["paths"]["/customer/{id}"]["delete"]["responses"]["204"]
    assert "application/json" in pruned["paths"]["/customer"]["post"]["requestBody"]["content"]
    assert pruned["servers"] == [{"url": "/v2"}]
    raw_count = next(p for p in raw["paths"]["/customer"]["get"]["parameters"] if p["name"] == "count")
    assert raw_count["schema"]["default"] == "1000"
    assert "nullable" not in raw["components"]["schemas"]["Customer"]
    assert raw["components"]["schemas"]["Currency"]["readOnly"] is True


def test_realistic_list_answer_with_nulls_conforms(tripletex_spec: LoadedSpec) -> None:
    """A list envelope carrying nulls in references and enums, as real servers send, has no violations."""
    body = {"fullResultSize": 1, "from": 0, "count": 1, "versionDigest": None, "values": [CUSTOMER]}
    params = {"fields": "id,version,name,postalAddress(*)", "from": "0", "count": "1000"}
    assert (
        check_exchange(tripletex_spec.openapi, exchange("GET", "/customer", 200, body, params=params)) == []
    )


def test_wrong_types_and_unknown_properties_in_a_response_are_reported(tripletex_spec: LoadedSpec) -> None:
    """A deliberately broken answer yields one readable violation per problem, with its JSON path."""
    bad = {**CUSTOMER, "id": "10001", "secretSauce": 1}
    body = {"fullResultSize": 1, "from": 0, "count": "one", "versionDigest": None, "values": [bad]}
    found = check_exchange(tripletex_spec.openapi, exchange("GET", "/customer", 200, body))
    assert {(v.side, v.where) for v in found} == {
        ("response", "$.count"),
        ("response", "$.values[0].id"),
        ("response", "$.values[0]"),
    }
    unknown = next(v for v in found if v.where == "$.values[0]")
    assert "secretSauce" in unknown.message
    assert str(unknown).startswith("response of GET /v2/customer → 200 at $.values[0]: ")


def test_bad_query_parameter_is_reported_by_name(tripletex_spec: LoadedSpec) -> None:
    """A non-integer ``count`` is a request violation naming the parameter."""
    body: dict[str, Any] = {"fullResultSize": 0, "from": 0, "count": 0, "versionDigest": None, "values": []}
    found = check_exchange(
        tripletex_spec.openapi, exchange("GET", "/product", 200, body, params={"count": "many"})
    )
    assert [(v.side, v.where) for v in found] == [("request", "query parameter 'count'")]


def test_request_body_with_read_only_or_unknown_property_is_reported(tripletex_spec: LoadedSpec) -> None:
    """Writing a read-only property (``url``) or an undeclared one is a request violation."""
    ex = exchange("POST", "/customer", 201, {"value": CUSTOMER}, json_body={"name": "X", "url": "y", "zz": 1})
    found = check_exchange(tripletex_spec.openapi, ex)
    messages = " | ".join(v.message for v in found)
    assert all(v.side == "request" for v in found), found
    assert "read-only" in messages
    assert "zz" in messages


def test_reference_stub_to_read_only_component_is_writable(tripletex_spec: LoadedSpec) -> None:
    """``{"currency": {"id": 1}}`` on a customer conforms, since Tripletex accepts it."""
    body = {
        "name": "X",
        "currency": {"id": 1},
        "postalAddress": {"addressLine1": "Gate 1", "country": {"id": 161}},
    }
    ex = exchange("POST", "/customer", 201, {"value": CUSTOMER}, json_body=body)
    assert check_exchange(tripletex_spec.openapi, ex) == []


def test_missing_authorization_is_reported(tripletex_spec: LoadedSpec) -> None:
    """A call to a secured operation without a Basic Authorization header breaks the spec."""
    found = check_exchange(
        tripletex_spec.openapi, exchange("GET", "/currency/1", 200, {"value": {}}, headers={})
    )
    assert [v.side for v in found] == ["request"]
    assert "Security" in found[0].message


def test_operation_outside_the_used_set_is_reported(tripletex_spec: LoadedSpec) -> None:
    """Calling an operation shopsync is not known to use is flagged once, without a response error."""
    found = check_exchange(tripletex_spec.openapi, exchange("GET", "/ledger/account", 200, {"values": []}))
    assert len(found) == 1
    assert found[0].side == "request"
    assert "PathNotFound" in found[0].message


def test_error_envelope_is_checked_against_api_error(tripletex_spec: LoadedSpec) -> None:
    """A 4xx answer must be an ``ApiError``: the full envelope passes, a string ``code`` fails."""
    error = {
        "status": 404,
        "code": 6000,
        "message": "Object not found",
        "link": "https://tripletex.no/v2-docs/",
        "developerMessage": None,
        "validationMessages": None,
        "requestId": "1b4c5e0e-3f7e-4a57-9d43-6a1f1f0b2c3d",
    }
    assert check_exchange(tripletex_spec.openapi, exchange("GET", "/customer/9", 404, error)) == []
    found = check_exchange(
        tripletex_spec.openapi, exchange("GET", "/customer/9", 404, {**error, "code": "x"})
    )
    assert [(v.side, v.where) for v in found] == [("response", "$.code")]


def test_delete_204_without_body_conforms(tripletex_spec: LoadedSpec) -> None:
    """DELETE answered 204 with no body conforms (the spec's ``application/json: {}`` is normalised away)."""
    assert check_exchange(tripletex_spec.openapi, exchange("DELETE", "/product/3", 204)) == []


async def test_recorder_captures_traffic_and_fails_readably(tripletex_spec: LoadedSpec) -> None:
    """The recording transport keeps every exchange; ``verify`` raises listing each violation."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"value": {"id": "not-an-int", "code": "NOK"}})

    stats = Stats()
    rec = Recorder(tripletex_spec.openapi, stats=stats)
    async with httpx2.AsyncClient(
        base_url=BASE, transport=rec.transport(httpx2.MockTransport(handler)), headers=AUTH
    ) as client:
        response = await client.get("/currency/1")
    assert response.json()["value"]["code"] == "NOK"  # the client still reads the body the recorder read
    assert len(rec.exchanges) == 1
    with pytest.raises(ConformanceError) as caught:
        rec.verify()
    assert "response of GET /v2/currency/1 → 200 at $.value.id: 'not-an-int' is not of type 'integer'" in str(
        caught.value
    )
    assert (stats.responses_validated, stats.response_violations, stats.request_violations) == (1, 1, 0)
    assert rec.unverified == 0


def test_deliberately_invalid_request_must_break_the_spec(tripletex_spec: LoadedSpec) -> None:
    """A request marked deliberate has its expected errors ignored, but conforming is itself reported."""
    error = {"status": 422, "code": 15000, "message": "Validering feilet.", "validationMessages": []}
    broken = exchange("GET", "/order", 422, error)  # orderDateFrom/To are required by the spec
    assert check_exchange(tripletex_spec.openapi, replace(broken, deliberate=True)) == []
    fine = exchange(
        "GET", "/order", 422, error, params={"orderDateFrom": "2026-01-01", "orderDateTo": "2026-02-01"}
    )
    found = check_exchange(tripletex_spec.openapi, replace(fine, deliberate=True))
    assert [(v.side, v.message) for v in found] == [
        ("request", "sent as deliberately invalid, but it conforms")
    ]


def test_missing_spec_skips_with_a_clear_message() -> None:
    """Without the spec file the conformance tests skip and say how to provide it."""
    with pytest.raises(
        pytest.skip.Exception, match="Tripletex OpenAPI spec not found: set TRIPLETEX_OPENAPI"
    ):
        spec_or_skip(None)
