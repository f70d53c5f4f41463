"""Daemon integration fixtures: both simulators on real sockets and a config for ``shopsync run``.

``build_config`` writes a config for two simulators (SQLite state in the test's folder, the HTTP
server on a free port, webhook secrets on both sides) and loads it; keyword arguments go to its
``daemon:`` section. ``sims`` is a small seeded pair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopsync.config import ShopsyncConfig, parse_config
from shopsync.simulators.serve import free_port
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimFactory, SimHandle

STATUS_TOKEN = "status-token-for-tests"
TRIPLETEX_AUTH = "tripletex-callback-auth-value"
SHOP_SECRET = "webshop-webhook-secret-value"


def build_config(folder: Path, tripletex: SimHandle, shop: WebshopHandle, **daemon: Any) -> ShopsyncConfig:
    """The config of a daemon syncing ``tripletex`` and ``shop`` (``daemon`` section from ``daemon``)."""
    text = f"""
webshop:
  url: {json.dumps(shop.url)}
  token: {json.dumps(shop.token)}
  webhook_secret: {json.dumps(SHOP_SECRET)}
  api: {{pacing: {{requests_per_second: 1000}}}}
tripletex:
  url: {json.dumps(tripletex.api_url)}
  consumer_token: sim-consumer
  employee_token: sim-employee
state: state.sqlite
server:
  host: 127.0.0.1
  port: {free_port()}
  status_token: {json.dumps(STATUS_TOKEN)}
  tripletex_webhook_auth: {json.dumps(TRIPLETEX_AUTH)}
daemon: {json.dumps(daemon)}
"""
    return parse_config(text, path=folder / "shopsync.yaml", environ={})


@pytest.fixture
def sims(
    tripletex_sim_factory: SimFactory, webshop_sim_factory: WebshopFactory
) -> tuple[SimHandle, WebshopHandle]:
    """A small seeded Tripletex and a small seeded shop, webhooks retried fast."""
    tripletex = tripletex_sim_factory(
        seed=3, customers=15, products=8, orders=0, webhook_retry_delays=(0.05, 0.1)
    )
    shop = webshop_sim_factory(seed=4, customers=15, products=8, orders=5)
    return tripletex, shop
