"""``shopsync sim …``: run the simulators (placeholder until the simulator lands)."""

from __future__ import annotations

import typer

sim_app = typer.Typer(help="Run a simulator of an outside system.", no_args_is_help=True)
