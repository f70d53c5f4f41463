"""Who gets in: bearer token, the login cookie, CSRF checks on the buttons, and the open routes."""

from __future__ import annotations

import httpx2
import pytest

from shopsync.server.auth import SESSION_COOKIE, local_path

from .conftest import BASE, AppFactory
from .support import BEARER, TOKEN

HTML = {"Accept": "text/html"}
SAME_ORIGIN = {"Origin": BASE}


async def login(client: httpx2.AsyncClient) -> None:
    """Log in through the form; the client keeps the cookie."""
    response = await client.post("/login", data={"token": TOKEN, "next": "/conflicts"})
    assert response.status_code == 303 and response.headers["location"] == "/conflicts"


@pytest.mark.parametrize("path", ["/api/status", "/metrics", "/conflicts", "/fragments/overview"])
async def test_scripts_without_the_token_get_401(client: httpx2.AsyncClient, path: str) -> None:
    """No token, or a wrong one: 401 with a WWW-Authenticate challenge and nothing else."""
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {TOKEN}"}):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert TOKEN not in response.text


async def test_the_bearer_token_opens_everything(client: httpx2.AsyncClient) -> None:
    """With the bearer token the pages, the JSON status and the metrics answer."""
    for path in ("/", "/records", "/conflicts", "/dead-letters", "/reviews", "/api/status", "/metrics"):
        assert (await client.get(path, headers=BEARER)).status_code == 200, path


async def test_browsers_are_sent_to_the_login_page(client: httpx2.AsyncClient) -> None:
    """A page request without a session redirects to /login, remembering where it was going;
    an htmx poll gets 401 with HX-Redirect so the whole page goes there."""
    response = await client.get("/dead-letters", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdead-letters"
    polled = await client.get("/fragments/overview", headers={"HX-Request": "true"})
    assert polled.status_code == 401 and polled.headers["hx-redirect"].startswith("/login")
    page = await client.get("/login")
    assert page.status_code == 200 and 'data-testid="login-form"' in page.text


async def test_login_sets_a_strict_httponly_cookie_that_is_not_the_token(client: httpx2.AsyncClient) -> None:
    """The form login sets the session cookie (HttpOnly, SameSite=Strict); it opens the pages."""
    response = await client.post("/login", data={"token": TOKEN, "next": "/reviews"})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert TOKEN not in cookie
    assert (await client.get("/reviews", headers=HTML)).status_code == 200
    assert (await client.get("/api/status")).status_code == 200


async def test_login_by_link_and_a_wrong_token(client: httpx2.AsyncClient) -> None:
    """``GET /login?token=`` logs in and goes to ``/``; a wrong token gets 401 and no cookie."""
    wrong = await client.get("/login", params={"token": "nope"})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    assert 'data-testid="login-error"' in wrong.text
    right = await client.get("/login", params={"token": TOKEN})
    assert right.status_code == 303 and right.headers["location"] == "/"
    assert (await client.get("/", headers=HTML)).status_code == 200


async def test_logout_clears_the_cookie(client: httpx2.AsyncClient) -> None:
    """After /logout the pages ask for a login again."""
    await login(client)
    response = await client.get("/logout")
    assert response.status_code == 303 and f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
    assert (await client.get("/conflicts", headers=HTML)).status_code == 303


def test_only_local_paths_are_followed_after_login() -> None:
    """``next`` cannot send the browser to another site."""
    assert local_path("/records?q=x") == "/records?q=x"
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", "", None, "records"):
        assert local_path(bad) == "/"


async def test_buttons_with_the_cookie_need_a_same_origin_request(
    client: httpx2.AsyncClient, store: object
) -> None:
    """CSRF: a cookie-authenticated POST without Origin/Referer, or from another origin, is 403; from
    this origin it is carried out. The bearer token needs no origin (browsers never add it)."""
    await login(client)
    path = "/dead-letters/replay"
    assert (await client.post(path)).status_code == 403
    assert (await client.post(path, headers={"Origin": "https://evil.example"})).status_code == 403
    assert (await client.post(path, headers={"Origin": "null"})).status_code == 403
    assert (
        await client.post(path, headers={"Referer": "http://testserver.evil.example/x"})
    ).status_code == 403
    assert (await client.post(path, headers=SAME_ORIGIN)).status_code == 200
    assert (await client.post(path, headers={"Referer": f"{BASE}/dead-letters"})).status_code == 200
    client.cookies.clear()
    assert (await client.post(path, headers=BEARER)).status_code == 200
    assert (await client.post(path, headers=SAME_ORIGIN)).status_code == 401


async def test_the_public_url_counts_as_this_origin(app_factory: AppFactory) -> None:
    """Behind a TLS proxy: the cookie is Secure, and the browser's Origin is the public URL's."""
    app = app_factory(public_url="https://sync.example.no")
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as client:
        response = await client.post("/login", data={"token": TOKEN})
        assert "Secure" in response.headers["set-cookie"]
        cookie = {"Cookie": response.headers["set-cookie"].split(";")[0]}  # as the browser sends it
        client.cookies.clear()
        path = "/dead-letters/replay"
        assert (
            await client.post(path, headers={**cookie, "Origin": "https://sync.example.no"})
        ).status_code == 200
        assert (
            await client.post(path, headers={**cookie, "Origin": "https://sync.example.com"})
        ).status_code == 403
        assert (
            await client.post(path, headers={**cookie, "Origin": "http://sync.example.no"})
        ).status_code == 403


async def test_without_a_configured_token_the_pages_are_off(app_factory: AppFactory) -> None:
    """No status token: every protected route answers 503 saying what to set; health and login work."""
    app = app_factory(status_token=None)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as client:
        for path in ("/", "/api/status", "/metrics"):
            response = await client.get(path, headers=BEARER)
            assert response.status_code == 503 and "SHOPSYNC_STATUS_TOKEN" in response.text
        assert (await client.post("/dead-letters/replay", headers=BEARER)).status_code == 503
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.post("/login", data={"token": ""})).status_code == 401
        assert "SHOPSYNC_STATUS_TOKEN" in (await client.get("/login")).text


async def test_health_is_open_and_says_when_the_store_is_gone(
    client: httpx2.AsyncClient, store: object
) -> None:
    """/healthz needs no token: 200 while the store answers, 503 once it does not."""
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    from shopsync.state import StateStore

    assert isinstance(store, StateStore)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE passes")
    response = await client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


async def test_every_answer_forbids_framing(client: httpx2.AsyncClient) -> None:
    """Clickjacking protection and no caching of pages."""
    response = await client.get("/", headers=BEARER)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    static = await client.get("/static/htmx-2.0.11.min.js")
    assert static.status_code == 200 and "cache-control" not in static.headers
