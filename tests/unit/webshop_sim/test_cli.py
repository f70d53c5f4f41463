"""``shopsync sim webshop``: options reach the config, the start-up text names URLs and token."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from shopsync.cli.main import app
from shopsync.simulators.webshop import WebshopApp


def test_webshop_command_builds_the_configured_shop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every option lands in the shop's config; uvicorn is started on host and port."""
    started: dict[str, Any] = {}

    def fake_run(asgi: Any, host: str, port: int, log_level: str) -> None:
        started.update(app=asgi, host=host, port=port)

    monkeypatch.setattr("uvicorn.run", fake_run)
    args = ["sim", "webshop", "--port", "8799", "--seed", "2", "--customers", "5", "--products", "4"]
    args += [
        "--orders",
        "3",
        "--token",
        "t0k",
        "--webhook-url",
        "http://127.0.0.1:9/h",
        "--webhook-secret",
        "s" * 16,
    ]
    args += ["--latency-ms", "5", "--fail-rate", "0.25"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8799/" in result.output
    assert "http://127.0.0.1:8799/api/v1" in result.output
    assert "t0k" not in result.output and "s" * 16 not in result.output
    shop_app = started["app"]
    assert isinstance(shop_app, WebshopApp)
    config = shop_app.state.shop.config
    assert (config.seed, config.customers, config.products, config.orders) == (2, 5, 4, 3)
    assert config.token.get_secret_value() == "t0k"
    assert (config.latency_ms, config.fail_rate, config.webhook_url) == (5, 0.25, "http://127.0.0.1:9/h")
    assert (started["host"], started["port"]) == ("127.0.0.1", 8799)
    assert shop_app.state.shop.store.count("customers") == 5


def test_webhook_url_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """--webhook-url without --webhook-secret is a usage error, and no server starts."""
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("server started"))
    result = CliRunner().invoke(app, ["sim", "webshop", "--webhook-url", "http://127.0.0.1:9/h"])
    assert result.exit_code != 0
