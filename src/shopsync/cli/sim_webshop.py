"""``shopsync sim webshop``: run the reference webshop (the contract in ``docs/webshop-api.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["webshop"]


def webshop(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8702,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file to keep the data in (default: memory).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Generate a deterministic Norwegian shop from this seed.")
    ] = None,
    customers: Annotated[int, typer.Option(min=0, help="Customers to generate with --seed.")] = 200,
    products: Annotated[int, typer.Option(min=0, help="Products to generate with --seed.")] = 100,
    orders: Annotated[int, typer.Option(min=0, help="Orders to generate with --seed.")] = 300,
    token: Annotated[str, typer.Option(help="Bearer token the API accepts.")] = "sim-webshop",
    webhook_url: Annotated[str | None, typer.Option(help="Send every event to this URL.")] = None,
    webhook_secret: Annotated[str | None, typer.Option(help="HMAC secret for --webhook-url.")] = None,
    latency_ms: Annotated[int, typer.Option(min=0, help="Delay added to every API request.")] = 0,
    fail_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of API requests answered 503.")
    ] = 0.0,
) -> None:
    """Run the reference webshop: contract API, admin page and /_sim admin API."""
    import uvicorn
    from pydantic import SecretStr, ValidationError

    from shopsync.simulators.webshop import WebshopConfig, create_app

    if (webhook_url is None) != (webhook_secret is None):
        raise typer.BadParameter("--webhook-url and --webhook-secret go together")
    try:
        config = WebshopConfig(
            seed=seed,
            customers=customers,
            products=products,
            orders=orders,
            token=SecretStr(token),
            webhook_url=webhook_url,
            webhook_secret=SecretStr(webhook_secret) if webhook_secret is not None else None,
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            db=db,
        )
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    app = create_app(config)
    base = f"http://{host}:{port}"
    typer.echo(f"Admin page:  {base}/")
    typer.echo(f"API base:    {base}/api/v1")
    hint = "the default token 'sim-webshop'" if token == "sim-webshop" else "the token given with --token"
    typer.echo(f"Auth:        Authorization: Bearer <token>  ({hint})")
    typer.echo(f"Sim admin:   {base}/_sim/stats")
    uvicorn.run(app, host=host, port=port, log_level="info")
