"""Sessions: created with the tokens, sent as Basic auth, renewed before expiry and on 401."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx2
import pytest

from shopsync.tripletex import AuthError, Customer, TripletexClient

from .conftest import CONSUMER, EMPLOYEE, FakeApi, body, error, make_settings, value

Build = Callable[..., tuple[TripletexClient, FakeApi]]


def basic(request: httpx2.Request) -> str:
    """The decoded ``user:password`` of a request's Basic auth header."""
    scheme, _, encoded = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    return base64.b64decode(encoded).decode()


async def test_session_is_created_with_a_json_post(make_client: Build) -> None:
    """The first call creates a session by POST with both tokens and a future expiration date."""
    client, api = make_client(lambda r: value({"id": 1}))
    await client.customers.get(1)
    (create,) = api.session_requests
    assert create.method == "POST" and "Authorization" not in create.headers
    sent = body(create)
    assert (sent["consumerToken"], sent["employeeToken"]) == (CONSUMER, EMPLOYEE)
    assert dt.date.fromisoformat(sent["expirationDate"]) > dt.datetime.now(ZoneInfo("Europe/Oslo")).date()
    assert create.url.query == b""  # tokens never in the URL on the preferred endpoint


async def test_requests_carry_basic_auth_with_company_id(make_client: Build) -> None:
    """API calls send ``<company_id>:<sessionToken>`` as Basic auth."""
    client, api = make_client(lambda r: value({"id": 1}), company_id=4711)
    await client.customers.get(1)
    assert basic(api.requests[0]) == "4711:session-token-1-s3cret"


async def test_default_company_is_zero(make_client: Build) -> None:
    """Without a company id the user name is 0: the employee token's own company."""
    client, api = make_client(lambda r: value({"id": 1}))
    await client.customers.get(1)
    assert basic(api.requests[0]).startswith("0:")


async def test_one_session_for_concurrent_requests(make_client: Build) -> None:
    """Ten concurrent first calls share one new session."""
    client, api = make_client(lambda r: value({"id": 1}))
    await asyncio.gather(*(client.customers.get(i) for i in range(10)))
    assert api.sessions == 1


async def test_401_renews_the_session_and_replays_once(make_client: Build) -> None:
    """An expired session (401) gets a new session and the same request, body included, again."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        if basic(request).endswith("session-token-1-s3cret"):
            return error(401, 3000, "Could not log in.")
        return value({"id": 1, "version": 2, "name": "renamed"})

    client, api = make_client(handler)
    updated = await client.customers.update(Customer(id=1, version=1, name="renamed"))
    assert updated.version == 2
    assert api.sessions == 2
    first, replay = api.requests
    assert body(first) == body(replay) and basic(replay).endswith("session-token-2-s3cret")


async def test_second_401_is_an_auth_error(make_client: Build) -> None:
    """If even a fresh session is refused, the call fails with AuthError (no loop)."""
    client, api = make_client(lambda r: error(401, 3000, "Could not log in."))
    with pytest.raises(AuthError):
        await client.customers.get(1)
    assert api.sessions == 2 and len(api.requests) == 2


async def test_session_is_renewed_before_it_expires() -> None:
    """When the clock nears the session's expiry, the next call creates a new session first."""
    now = [dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)]
    api = FakeApi(lambda r: value({"id": 1}))
    settings = make_settings(session_lifetime_days=1, session_renew_margin_seconds=3600)
    async with TripletexClient(settings, transport=httpx2.MockTransport(api), clock=lambda: now[0]) as client:
        await client.customers.get(1)
        assert body(api.session_requests[0])["expirationDate"] == "2026-03-11"
        # Expiry is midnight Oslo time (23:00 UTC in winter); an hour before it we renew.
        assert client.sessions.expires_at == dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
        now[0] = dt.datetime(2026, 3, 10, 21, 59, tzinfo=dt.UTC)
        await client.customers.get(1)
        assert api.sessions == 1
        now[0] = dt.datetime(2026, 3, 10, 22, 1, tzinfo=dt.UTC)
        await client.customers.get(1)
        assert api.sessions == 2
        assert body(api.session_requests[1])["expirationDate"] == "2026-03-12"


async def test_expiration_is_pushed_past_the_renewal_margin_near_midnight() -> None:
    """At 23:30 Oslo time a one-day session would be due at once, so it gets one more day."""
    late = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)  # 23:30 in Oslo
    api = FakeApi(lambda r: value({"id": 1}))
    settings = make_settings(session_lifetime_days=1, session_renew_margin_seconds=3600)
    async with TripletexClient(settings, transport=httpx2.MockTransport(api), clock=lambda: late) as client:
        await client.customers.get(1)
        await client.customers.get(2)
    assert api.sessions == 1
    assert body(api.session_requests[0])["expirationDate"] == "2026-03-12"


@pytest.mark.parametrize(
    "refusal",
    [error(405, 4000), error(400, 4000, "HTTP 405 Method Not Allowed"), error(404, 6000)],
    ids=["405", "400-4000", "404"],
)
async def test_falls_back_to_the_legacy_put(refusal: httpx2.Response) -> None:
    """A server without ``POST :create`` gets the legacy PUT with query parameters, remembered."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith(":create"):
            seen.append(request)
            if request.method == "POST":
                return refusal
            puts = sum(r.method == "PUT" for r in seen)
            return value({"token": f"legacy-session-{puts}"})
        if "legacy-session-2" in basic(request):
            return value({"id": 1})
        return error(401, 3000)

    settings = make_settings()
    async with TripletexClient(settings, transport=httpx2.MockTransport(handler)) as client:
        await client.customers.get(1)
    assert [r.method for r in seen] == ["POST", "PUT", "PUT"]  # the renewal skipped POST
    params = seen[1].url.params
    assert (params["consumerToken"], params["employeeToken"]) == (CONSUMER, EMPLOYEE)


async def test_bad_tokens_are_an_auth_error() -> None:
    """Session creation refused with 401 raises AuthError and does not fall back or loop."""
    calls: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request.method)
        return error(401, 3000)

    async with TripletexClient(make_settings(), transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(AuthError):
            await client.customers.get(1)
    assert calls == ["POST"]
