"""The long-running service behind ``shopsync run``: webhooks in, the engine at work, schedules.

Quick start::

    from shopsync.config import load_config
    from shopsync.daemon import Daemon

    await Daemon(load_config("shopsync.yaml")).run()     # until SIGTERM/SIGINT or request_stop()

One module per job: ``service`` (start-up, the HTTP server, shutdown), ``runner`` (one engine call
at a time, never cancelled by its caller), ``worker`` (webhook work processed the moment it is
queued), ``schedule`` (poll, full reconcile, subscription check), ``subscriptions`` (webhook
subscriptions on both sides), ``actions`` (the status page's buttons), ``instrument`` (API calls and
rate limits into the metrics), ``wiring`` (the engine with metered clients), ``ports`` (what the
daemon needs from the engine and the metrics).
"""

from .errors import DaemonError
from .runner import EngineRunner, ShuttingDown
from .service import Daemon, DaemonInfo

__all__ = ["Daemon", "DaemonError", "DaemonInfo", "EngineRunner", "ShuttingDown"]
