"""``shopsync sim …``: run a simulator of an outside system (``tripletex`` now, ``webshop`` later)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopsync.cli._lazy import TRIPLETEX_SIM_RATE_LIMIT as DEFAULT_RATE_LIMIT
from shopsync.cli._lazy import TRIPLETEX_SIM_RATE_PERIOD as DEFAULT_RATE_PERIOD

sim_app = typer.Typer(help="Run a simulator of an outside system.", no_args_is_help=True)


@sim_app.command("tripletex")
def tripletex(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8701,
    db: Annotated[Path | None, typer.Option(help="SQLite file for the data (default: in memory).")] = None,
    seed: Annotated[int | None, typer.Option(help="Generate a deterministic Norwegian data set.")] = None,
    customers: Annotated[int, typer.Option(help="Customers to generate with --seed.")] = 200,
    products: Annotated[int, typer.Option(help="Products to generate with --seed.")] = 100,
    orders: Annotated[int, typer.Option(help="Orders to generate with --seed.")] = 300,
    latency_ms: Annotated[int, typer.Option(help="Delay added to every API request.")] = 0,
    rate_limit: Annotated[int, typer.Option(help="Requests allowed per period.")] = DEFAULT_RATE_LIMIT,
    rate_period: Annotated[float, typer.Option(help="Rate-limit period in seconds.")] = DEFAULT_RATE_PERIOD,
    fail_rate: Annotated[float, typer.Option(help="Share of API requests answered with a random 5xx.")] = 0.0,
    consumer_token: Annotated[str, typer.Option(help="Consumer token to accept.")] = "sim-consumer",
    employee_token: Annotated[str, typer.Option(help="Employee token to accept.")] = "sim-employee",
) -> None:
    """Serve a simulated Tripletex API v2 under /v2 (admin API under /_sim)."""
    import uvicorn
    from pydantic import SecretStr

    from shopsync.simulators.tripletex import SimulatorConfig, create_app

    config = SimulatorConfig(
        seed=seed,
        customers=customers,
        products=products,
        orders=orders,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        rate_period=rate_period,
        fail_rate=fail_rate,
        consumer_token=SecretStr(consumer_token),
        employee_token=SecretStr(employee_token),
        db=db,
    )
    app = create_app(config)
    root = f"http://{host}:{port}"
    typer.echo(f"Tripletex simulator on {root}")
    typer.echo(f"  API base URL   {root}/v2")
    typer.echo(f"  session        PUT/POST {root}/v2/token/session/:create")
    typer.echo(f"  tokens         consumer={consumer_token}  employee={employee_token}")
    typer.echo("  auth           Basic 0:<session token>")
    typer.echo(f"  stats          {root}/_sim/stats")
    typer.echo(f"  admin          POST {root}/_sim/faults   POST {root}/_sim/reset")
    data = (
        f"seed {seed}: {customers} customers, {products} products, {orders} orders"
        if seed is not None
        else "no seed"
    )
    typer.echo(f"  data           {data}; {'file ' + str(db) if db else 'in memory'}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
