"""``shopsync sim tripletex``: options reach the simulator config and the server starts with them."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from shopsync.cli.main import app
from shopsync.simulators.tripletex import SimulatorApp


def test_options_build_the_config_and_run_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every documented option lands in the config; host and port go to uvicorn; the URL is printed."""
    seen: dict[str, Any] = {}

    def fake_run(served: Any, host: str, port: int, log_level: str) -> None:
        seen.update(app=served, host=host, port=port)

    monkeypatch.setattr("uvicorn.run", fake_run)
    args = ["sim", "tripletex", "--host", "127.0.0.1", "--port", "8799", "--seed", "4", "--customers", "5"]
    args += [
        "--products",
        "2",
        "--orders",
        "3",
        "--latency-ms",
        "7",
        "--rate-limit",
        "50",
        "--rate-period",
        "10",
    ]
    args += ["--fail-rate", "0.25", "--consumer-token", "c-tok", "--employee-token", "e-tok"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8799/v2" in result.output and "/_sim/stats" in result.output
    served = seen["app"]
    assert isinstance(served, SimulatorApp) and (seen["host"], seen["port"]) == ("127.0.0.1", 8799)
    config = served.runtime.config
    assert (config.seed, config.customers, config.products, config.orders) == (4, 5, 2, 3)
    assert (config.latency_ms, config.rate_limit, config.rate_period, config.fail_rate) == (7, 50, 10.0, 0.25)
    assert config.consumer_token.get_secret_value() == "c-tok"
    assert "e-tok" not in repr(config)
    assert served.runtime.sim.store.count("Customer", "1=1", ()) == 5


def test_help_lists_the_tripletex_command() -> None:
    """``shopsync sim --help`` shows the tripletex simulator."""
    result = CliRunner().invoke(app, ["sim", "--help"])
    assert result.exit_code == 0 and "tripletex" in result.output
