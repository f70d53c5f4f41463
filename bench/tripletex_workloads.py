"""The requests ``bench.tripletex_simulator`` times, built before the clock starts.

Every workload is a list of ready ``httpx2.Request`` objects (URL encoded, JSON body encoded, session
header set) and the status each must get, so the timed loop does nothing but send and receive: the
figures are the simulator's, not the benchmark client's. (Encoding a URL of 1,000 customer numbers
alone costs httpx2 about 2 ms, as much as the simulator needs to answer it.)

* ``page_requests``: ``fields=id,version`` pages of 1,000 customer numbers, in the parameter order
  the client uses (filters, ``fields``, ``sorting``, ``from``, ``count``);
* ``record_client_scan``: runs the sync engine's scan of active customers, the real
  ``TripletexClient.customers.iterate(fields=SCAN_FIELDS, is_inactive=False)``, once through a
  recording transport and returns exactly the requests it sent, with their statuses: over 10,000
  customers that is the refused whole query (422 code 23000), the refused id probe, then blocks of
  ``id_block_size`` (500) customer numbers from 1 until eight blocks in a row come back empty;
* ``batch_requests``: ``POST /v2/customer/list`` with 100 new customers each.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import httpx2

from shopsync.tripletex import TripletexClient, TripletexSettings

__all__ = [
    "BATCH_SIZE",
    "CONSUMER_TOKEN",
    "EMPLOYEE_TOKEN",
    "FIRST_CUSTOMER_NUMBER",
    "PAGE_SIZE",
    "SCAN_FIELDS",
    "ClientScan",
    "Workload",
    "batch_requests",
    "create_session",
    "page_requests",
    "record_client_scan",
]

PAGE_SIZE = 1000
#: Customer numbers start here in a new Tripletex account (and in the simulator's seeded one).
FIRST_CUSTOMER_NUMBER = 10001
BATCH_SIZE = 100
#: What the sync engine's scan asks for (``engine/tripletex_side.py``): id, version and the default
#: mapping's customer match keys.
SCAN_FIELDS = "id,version,organizationNumber,email"
CONSUMER_TOKEN = "sim-consumer"
EMPLOYEE_TOKEN = "sim-employee"
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Workload:
    """Requests sent in turn (cycling when more are asked for) and the status each must get."""

    name: str
    requests: list[httpx2.Request]
    expected: list[int]
    #: Counts against the goal (the end-to-end client row is context only).
    goal: bool = True


@dataclass(frozen=True)
class ClientScan:
    """One full read through the real client: what it sent and how long it took."""

    workload: Workload
    seconds: float
    rows: int


async def create_session(url: str) -> str:
    """A session token for the default simulator credentials, as a ready Basic auth header value."""
    # A session ends at Oslo midnight starting its expirationDate: two days ahead in Oslo time, so a
    # run that crosses midnight keeps its session.
    expires = (dt.datetime.now(OSLO).date() + dt.timedelta(days=2)).isoformat()
    body = {"consumerToken": CONSUMER_TOKEN, "employeeToken": EMPLOYEE_TOKEN, "expirationDate": expires}
    async with httpx2.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post("/v2/token/session/:create", json=body)
    response.raise_for_status()
    token = str(response.json()["value"]["token"])
    return "Basic " + base64.b64encode(f"0:{token}".encode()).decode()


def _request(url: str, auth: str, method: str, path: str, **kwargs: object) -> httpx2.Request:
    headers = {"Authorization": auth}
    if "content" in kwargs:
        headers["Content-Type"] = "application/json"
    return httpx2.Request(method, f"{url}{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


def page_requests(url: str, auth: str, customers: int) -> Workload:
    """``fields=id,version`` of each block of 1,000 customer numbers (about 980 active rows each)."""
    requests = []
    for block in range(max(1, customers // PAGE_SIZE)):
        first = FIRST_CUSTOMER_NUMBER + block * PAGE_SIZE
        params = {
            "fields": "id,version",
            "sorting": "id",
            "customerAccountNumber": ",".join(str(n) for n in range(first, first + PAGE_SIZE)),
            "from": "0",
            "count": str(PAGE_SIZE),
        }
        requests.append(_request(url, auth, "GET", "/v2/customer", params=params))
    return Workload("GET 1,000 id,version", requests, [200] * len(requests))


def customer_batch(batch: int) -> list[dict[str, object]]:
    """100 new customers as the engine would send them (unique per batch)."""
    return [
        {
            "name": f"Benk Kunde {batch}-{i}",
            "email": f"kunde{batch}.{i}@example.no",
            "phoneNumber": "+47 22 00 00 00",
            "postalAddress": {"addressLine1": f"Storgata {i + 1}", "postalCode": "0155", "city": "Oslo"},
        }
        for i in range(BATCH_SIZE)
    ]


def batch_requests(url: str, auth: str, first_batch: int, count: int) -> Workload:
    """``count`` requests creating 100 customers each (batch numbers from ``first_batch``: all unique)."""
    requests = [
        _request(
            url,
            auth,
            "POST",
            "/v2/customer/list",
            content=json.dumps(customer_batch(first_batch + n)).encode(),
        )
        for n in range(count)
    ]
    return Workload("POST /list of 100", requests, [201] * count)


class _Recorder(httpx2.AsyncBaseTransport):
    """Passes requests on and keeps the ``GET /customer`` ones with their statuses."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[httpx2.URL, int]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "GET" and request.url.path == "/v2/customer":
            self.sent.append((request.url, response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def record_client_scan(url: str, auth: str) -> ClientScan:
    """Read every customer's ``id,version`` with the real client; its requests become a workload."""
    settings = TripletexSettings(
        base_url=f"{url}/v2", consumer_token=CONSUMER_TOKEN, employee_token=EMPLOYEE_TOKEN
    )
    recorder = _Recorder(httpx2.AsyncHTTPTransport())
    rows = 0
    async with TripletexClient(settings, transport=recorder) as client:
        started = time.perf_counter()
        async for _ in client.customers.iterate(fields=SCAN_FIELDS, is_inactive=False):
            rows += 1
        seconds = time.perf_counter() - started
    requests = [_request(url, auth, "GET", u.raw_path.decode()) for u, _ in recorder.sent]
    statuses = [status for _, status in recorder.sent]
    workload = Workload("GET engine scan blocks", requests, statuses)
    return ClientScan(workload, seconds, rows)
