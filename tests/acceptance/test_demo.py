"""``shopsync demo`` as ``make demo`` runs it: the three URLs work, a shop edit reaches Tripletex, and
Ctrl-C (SIGINT) stops everything with exit 0."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
import pytest

from shopsync.tripletex import Customer

from .daemon_harness import until
from .demo_process import running_demo
from .sides import clients

pytestmark = pytest.mark.e2e


def test_the_demo_syncs_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """The printed URLs answer (the status link logs in), a customer renamed in the shop is renamed in
    Tripletex, and SIGINT ends the demo with exit 0."""
    with running_demo(tmp_path / "demo") as demo:
        assert httpx2.get(demo.shop_url + "/", timeout=10).status_code == 200
        assert httpx2.get(demo.tripletex_stats_url, timeout=10).json()["writes"] > 0
        login = httpx2.get(demo.status_login_url, timeout=10, follow_redirects=False)
        assert login.status_code in (302, 303) and "shopsync_session" in login.headers.get("set-cookie", "")

        asyncio.run(_shop_edit_reaches_tripletex(demo.tripletex_url, demo.shop_url))

        assert demo.stop() == 0
        demo.lines.read_until(r"^Stopped\.$", limit=5)


async def _shop_edit_reaches_tripletex(tripletex_url: str, shop_url: str) -> None:
    async with clients(tripletex_url, shop_url) as (tx, shop):
        companies = [c async for c in tx.customers.iterate(fields="*") if c.organizationNumber]
        target: Customer = companies[0]
        found = await shop.find("customers", email=str(target.email)) if target.email else []
        assert found, f"Tripletex customer {target.id} has no shop counterpart"
        await shop.update("customers", str(found[0].id), {"company_name": "Demo Fjordkraft AS"})

        async def arrived() -> bool:
            return (await tx.customers.get(int(target.id or 0), fields="name")).name == "Demo Fjordkraft AS"

        await until(arrived, "the shop edit is in Tripletex")
