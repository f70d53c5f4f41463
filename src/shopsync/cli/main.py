"""Entry point of the ``shopsync`` command."""

from __future__ import annotations

import typer

from shopsync import __version__
from shopsync.cli.demo import demo
from shopsync.cli.docs import docs
from shopsync.cli.init import init
from shopsync.cli.sim import sim_app
from shopsync.cli.sim_webshop import webshop
from shopsync.cli.status import status
from shopsync.cli.sync import sync

app = typer.Typer(
    name="shopsync",
    help="Two-way sync between a custom webshop and Tripletex.",
    no_args_is_help=True,
    add_completion=False,
)
sim_app.command(name="webshop")(webshop)
app.add_typer(sim_app, name="sim")
app.command(name="demo")(demo)
app.command(name="docs")(docs)
app.command(name="init")(init)
app.command(name="status")(status)
app.command(name="sync")(sync)


@app.command()
def version() -> None:
    """Print the shopsync version."""
    typer.echo(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
