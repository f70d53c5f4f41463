"""schemathesis runs docs/webshop-api.yaml against the reference webshop over a real socket.

All 20 operations, all phases (examples, coverage, fuzzing, stateful over the contract's OpenAPI
links) and every check, including response-schema conformance of the shop's answers. The run uses the
schemathesis CLI, as an integrator would, with a fixed seed so it is reproducible.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import httpx2
import pytest

from tests.conftest import ROOT
from tests.fixtures.webshop import WebshopFactory

HERE = pathlib.Path(__file__).parent
MAX_EXAMPLES = 6


def test_contract_has_no_failures(
    webshop_sim_factory: WebshopFactory, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every operation of the contract passes every schemathesis check against the reference shop."""
    shop = webshop_sim_factory()
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        # a customer with an order cannot be deleted, so generated orders can always point at it
        customer = client.post(
            "/customers",
            json={
                "type": "private",
                "first_name": "Kari",
                "last_name": "Nordmann",
                "email": "kari@example.no",
                "billing_address": {
                    "line1": "Storgata 1",
                    "postal_code": "0155",
                    "city": "Oslo",
                    "country": "NO",
                },
            },
        ).json()
        line = {"name": "Vare", "quantity": "1", "unit_price": "100.00", "vat_rate": "25.00"}
        assert (
            client.post("/orders", json={"customer_id": customer["id"], "lines": [line]}).status_code == 201
        )
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        str(ROOT / "docs" / "webshop-api.yaml"),
        "--url",
        shop.url,
        "--header",
        f"Authorization: Bearer {shop.token}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "1",
        "--workers",
        "1",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.integration.webshop_sim.schemathesis_hooks",
        "WEBSHOP_CUSTOMER_ID": customer["id"],
        "PYTHONPATH": str(ROOT),
    }
    # cwd: schemathesis keeps a cache directory where it runs; it belongs in tmp, not the repo
    result = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert report.exists(), result.stdout + result.stderr
    summary = json.loads(report.read_text())
    operations, cases = summary["operations"], summary["test_cases"]
    phases = ", ".join(f"{name}={phase['status']}" for name, phase in summary["phases"].items())
    with capsys.disabled():
        print(
            f"\nschemathesis: {operations['tested']}/{operations['total']} operations tested, "
            f"{cases['generated']} test cases generated, {cases['with_failures']} failures ({phases})"
        )
    assert result.returncode == 0, result.stdout[-20000:]
    assert operations["tested"] == operations["total"] == 20
    assert cases["with_failures"] == 0
    assert all(phase["status"] == "success" for phase in summary["phases"].values())
