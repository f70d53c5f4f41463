"""Entry point of the ``shopsync`` command.

Each command lives in its own module and imports the library only when it runs, so ``shopsync --help``
starts without loading the engine, the server or the simulators.
"""

from __future__ import annotations

import typer

from shopsync import __version__
from shopsync.cli.check import check
from shopsync.cli.conflicts import conflicts_app
from shopsync.cli.dead_letters import dead_letters_app
from shopsync.cli.demo import demo
from shopsync.cli.docs import docs
from shopsync.cli.init import init
from shopsync.cli.links import links
from shopsync.cli.plan import plan
from shopsync.cli.replay import replay
from shopsync.cli.reviews import reviews_app
from shopsync.cli.run import run
from shopsync.cli.sim import sim_app
from shopsync.cli.sim_webshop import webshop
from shopsync.cli.status import status
from shopsync.cli.sync import sync
from shopsync.cli.tenants import tenants_app
from shopsync.cli.worker import worker

app = typer.Typer(
    name="shopsync",
    help="Two-way sync between a custom webshop and Tripletex.",
    no_args_is_help=True,
    add_completion=False,
)
sim_app.command(name="webshop")(webshop)
app.command(name="init")(init)
app.command(name="check")(check)
app.command(name="plan")(plan)
app.command(name="sync")(sync)
app.command(name="run")(run)
app.command(name="status")(status)
app.command(name="links")(links)
app.add_typer(conflicts_app, name="conflicts")
app.add_typer(dead_letters_app, name="dead-letters")
app.command(name="replay")(replay)
app.add_typer(reviews_app, name="reviews")
app.command(name="docs")(docs)
app.command(name="demo")(demo)
app.add_typer(sim_app, name="sim")
app.add_typer(tenants_app, name="tenants")
app.command(name="worker")(worker)


@app.command()
def version() -> None:
    """Print the shopsync version."""
    typer.echo(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
