"""Tokens never show in logs, exceptions or reprs."""

from __future__ import annotations

import io
import json
import logging
import traceback
from collections.abc import Callable

import httpx2
import pytest
import structlog
from pydantic import SecretStr

from shopsync.logs import MASK, configure_logging, redact, register_secret
from shopsync.tripletex import AuthError, Customer, ServerError, TripletexClient, TripletexSettings

from .conftest import CONSUMER, EMPLOYEE, FakeApi, error, make_settings, value

Build = Callable[..., tuple[TripletexClient, FakeApi]]
SECRETS = (CONSUMER, EMPLOYEE, "session-token-1-s3cret", "session-token-2-s3cret")


def assert_clean(text: str) -> None:
    """No token, and no base64 Basic credentials, appear in ``text``."""
    for secret in SECRETS:
        assert secret not in text
    assert "Basic " not in text


async def test_request_logs_carry_no_secrets(make_client: Build) -> None:
    """Debug logs of a session, a 401 renewal and a call hold method/path/status but no token."""
    calls = iter([error(401, 3000), value({"id": 1})])
    client, _ = make_client(lambda r: next(calls))
    with structlog.testing.capture_logs() as logs:
        await client.customers.get(1)
    assert {e["path"] for e in logs} == {"/token/session/:create", "/customer/{id}"}
    assert all(e["log_level"] == "debug" for e in logs)
    assert_clean(json.dumps(logs, default=str))


async def test_exceptions_carry_no_secrets(make_client: Build) -> None:
    """An auth failure's text, repr and traceback hold no token."""
    client, _ = make_client(lambda r: error(401, 3000, "Could not log in."))
    with pytest.raises(AuthError) as caught:
        await client.customers.get(1)
    text = "".join(traceback.format_exception(caught.value))
    assert_clean(text + repr(caught.value) + str(caught.value))


async def test_server_error_page_echoing_a_token_is_masked(make_client: Build) -> None:
    """Even a proxy page that echoes a registered token does not leak it into the exception."""
    client, _ = make_client(lambda r: httpx2.Response(502, text=f"<h1>Bad gateway</h1> token={CONSUMER}"))
    with pytest.raises(ServerError) as caught:
        await client.customers.get(1)
    assert CONSUMER not in str(caught.value) and MASK in str(caught.value)


def test_settings_and_client_reprs_hide_tokens() -> None:
    """Settings, client and auth reprs show no token."""
    settings = make_settings()
    client = TripletexClient(settings, transport=httpx2.MockTransport(lambda r: value({})))
    assert_clean(
        repr(settings) + str(settings) + repr(client) + repr(client.requester.auth) + repr(client.sessions)
    )


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``SHOPSYNC_TRIPLETEX_*`` variables configure the client; tokens become SecretStr."""
    monkeypatch.setenv("SHOPSYNC_TRIPLETEX_BASE_URL", "http://127.0.0.1:8701/v2")
    monkeypatch.setenv("SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN", "env-consumer-token")
    monkeypatch.setenv("SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN", "env-employee-token")
    monkeypatch.setenv("SHOPSYNC_TRIPLETEX_COMPANY_ID", "42")
    settings = TripletexSettings()
    assert settings.base_url == "http://127.0.0.1:8701/v2" and settings.company_id == 42
    assert isinstance(settings.consumer_token, SecretStr)
    assert "env-consumer-token" not in repr(settings)


def test_redact_masks_secret_keys_values_and_registered_tokens() -> None:
    """Secret-looking keys, SecretStr values and registered tokens anywhere in a string are masked."""
    register_secret("registered-token-xyz")
    event = {
        "authorization": "Basic abc",
        "nested": {"employee_token": "e", "ok": "fine"},
        "secret_value": SecretStr("s"),
        "url": "https://x/?t=registered-token-xyz",
        "items": [SecretStr("a"), "plain"],
    }
    assert redact(event) == {
        "authorization": MASK,
        "nested": {"employee_token": MASK, "ok": "fine"},
        "secret_value": MASK,
        "url": f"https://x/?t={MASK}",
        "items": [MASK, "plain"],
    }


def test_configured_json_logging_redacts() -> None:
    """``configure_logging(json=True)`` writes JSON lines with secrets masked."""
    out = io.StringIO()
    try:
        configure_logging("DEBUG", json=True, stream=out)
        structlog.get_logger("t").info("hello", password="hunter2-long", consumer=SecretStr(CONSUMER), n=1)
        record = json.loads(out.getvalue())
        assert record["event"] == "hello" and record["password"] == MASK and record["consumer"] == MASK
        assert record["n"] == 1 and "timestamp" in record
    finally:
        structlog.reset_defaults()


def test_console_logging_filters_by_level() -> None:
    """Console output honours the level: debug lines are dropped at INFO."""
    out = io.StringIO()
    try:
        configure_logging("INFO", json=False, stream=out)
        structlog.get_logger("t").debug("hidden")
        structlog.get_logger("t").warning("shown", token="abc")
        text = out.getvalue()
        assert "hidden" not in text and "shown" in text and "abc" not in text
    finally:
        structlog.reset_defaults()


async def test_update_body_secrets_are_not_logged(make_client: Build) -> None:
    """Request bodies are never logged, so customer data and secrets stay out of logs."""
    client, _ = make_client(lambda r: value({"id": 1, "version": 2}))
    with structlog.testing.capture_logs() as logs:
        await client.customers.update(Customer(id=1, version=1, name="Very Private Name"))
    assert "Very Private Name" not in json.dumps(logs, default=str)


async def test_httpx_request_logs_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    """httpx2's own INFO line (full URL) of a legacy session PUT shows no token."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            return error(405, 4000)
        if request.url.path.endswith(":create"):
            return value({"token": "legacy-session-token-s3cret"})
        return value({"id": 1})

    caplog.set_level(logging.INFO, logger="httpx2")
    async with TripletexClient(make_settings(), transport=httpx2.MockTransport(handler)) as client:
        await client.customers.get(1)
    text = caplog.text
    assert "token/session/:create" in text
    assert CONSUMER not in text and EMPLOYEE not in text and MASK in text
