"""``shopsync demo``: both simulators with seeded data in one process; Ctrl-C stops everything.

The sync daemon joins them here once it exists (issue 7); for now the demo serves the reference webshop
and the Tripletex simulator side by side so a person can look at both.
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from shopsync.simulators.serve import serve_in_thread
from shopsync.simulators.tripletex import SimulatorConfig
from shopsync.simulators.tripletex import create_app as create_tripletex_app
from shopsync.simulators.webshop import WebshopConfig
from shopsync.simulators.webshop import create_app as create_webshop_app


def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    webshop_port: Annotated[int, typer.Option(help="Port of the reference webshop.")] = 8702,
    tripletex_port: Annotated[int, typer.Option(help="Port of the Tripletex simulator.")] = 8701,
    seed: Annotated[int, typer.Option(help="Seed of both data sets.")] = 1,
) -> None:
    """Start the reference webshop and the Tripletex simulator with seeded data."""
    tripletex_app = create_tripletex_app(SimulatorConfig(seed=seed))
    webshop_app = create_webshop_app(WebshopConfig(seed=seed))
    with serve_in_thread(tripletex_app, host=host, port=tripletex_port) as tripletex_url:
        typer.echo(f"Webshop admin page   http://{host}:{webshop_port}/   (API token: sim-webshop)")
        typer.echo(f"Webshop API          http://{host}:{webshop_port}/api/v1")
        typer.echo(f"Tripletex API        {tripletex_url}/v2   (tokens sim-consumer / sim-employee)")
        typer.echo(f"Tripletex stats      {tripletex_url}/_sim/stats")
        typer.echo("Press Ctrl-C to stop.")
        # The webshop runs in the foreground so uvicorn's own Ctrl-C handling ends the demo cleanly.
        uvicorn.run(webshop_app, host=host, port=webshop_port, log_level="warning")
