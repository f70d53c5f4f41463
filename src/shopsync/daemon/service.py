"""``Daemon``: ``shopsync run`` — the HTTP server, the queue worker and the schedules in one event loop.

Start-up: open the engine (state store, both API clients), bind the HTTP port, serve the app
(webhooks, status page, metrics), register the webhook subscriptions, then run a normal pass (it
resumes whatever a crash interrupted: the engine's recover stage settles journalled writes) and a
full reconcile; from then on the poll, the full reconcile and the subscription check run on their
schedules while the worker handles webhook work the moment it is queued.

Shutdown (SIGTERM, SIGINT or ``request_stop``): the engine is asked to stop (``SyncEngine.request_stop``:
the pass in progress ends at its next safe point, between records and write batches, with what it
finished stored), the HTTP server stops accepting connections, no new engine call starts, the
schedules stop, and the engine call in progress gets ``daemon.shutdown_grace_seconds`` to return;
only then is it cancelled. A second signal cancels it at once. Queued webhook work stays in the state
store for the next start, and the next start's pass continues a long initial load where it stopped.

With a ``queue`` (``shopsync run --queue``, ``shopsync.jobs``) the daemon runs no engine call itself:
webhook work, the start-up and scheduled passes and the status page's decisions are deferred as jobs
(``queued``) that ``shopsync worker`` processes; the HTTP side and the subscriptions stay here.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
import uvicorn

from shopsync.config import ShopsyncConfig
from shopsync.connectors.webshop import WebshopConnector
from shopsync.logs import register_secret
from shopsync.server import create_app
from shopsync.server.metrics import Metrics
from shopsync.server.receipts import WebhookReceipts

from .actions import EngineActions
from .errors import DaemonError
from .ports import WorkQueue
from .queued import QueuedActions, WorkForwarder
from .runner import EngineRunner, ShuttingDown
from .schedule import every, guarded
from .subscriptions import Keeper, subscriptions_for
from .wiring import open_engine
from .worker import QueueWorker

if TYPE_CHECKING:
    from fastapi import FastAPI

    from shopsync.engine import SyncEngine
    from shopsync.engine.summary import PassSummary
    from shopsync.server.actions import SyncActions

__all__ = ["Daemon", "DaemonInfo"]

log = structlog.get_logger("shopsync.daemon")

#: The worker looks for deferred work that became due at least this often (seconds).
MAX_IDLE_SECONDS = 5.0


@dataclass(frozen=True)
class DaemonInfo:
    """Where a started daemon can be reached."""

    #: The address it listens on (``http://host:port``, the real port when 0 was configured).
    listen_url: str
    #: The base URL the webhooks are registered with (``server.public_url``, else ``listen_url``).
    public_url: str


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the daemon decides how to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything else starts so a taken port is a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DaemonError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


class Daemon:
    """The long-running service for one config: ``await Daemon(config).run()`` serves until stopped.

    ``on_ready`` is called once the HTTP server listens, ``on_first_pass`` after the start-up pass
    (with its summary, or None if it failed; not called with a ``queue``). ``handle_signals`` installs
    SIGTERM/SIGINT handlers on the running loop (the main thread's only). ``queue`` makes it defer its
    engine work as jobs instead of running it (see the module docstring).
    """

    def __init__(
        self,
        config: ShopsyncConfig,
        *,
        handle_signals: bool = True,
        on_ready: Callable[[DaemonInfo], None] | None = None,
        on_first_pass: Callable[[PassSummary | None], None] | None = None,
        metrics: Metrics | None = None,
        queue: WorkQueue | None = None,
    ) -> None:
        self.config = config
        self._queue = queue
        self._handle_signals = handle_signals
        self._on_ready = on_ready
        self._on_first_pass = on_first_pass
        self._metrics = metrics
        self._stop = asyncio.Event()
        self._abort = asyncio.Event()
        #: Set once the HTTP server listens.
        self.info: DaemonInfo | None = None
        #: The queue worker (set while running; None with a ``queue``).
        self.worker: QueueWorker | None = None
        #: The job forwarder (set while running with a ``queue``).
        self.forwarder: WorkForwarder | None = None
        for secret in (
            config.server.status_token,
            config.server.tripletex_webhook_auth,
            config.server.tripletex_webhook_secret,
        ):
            if secret is not None:
                register_secret(secret)

    # ------------------------------------------------------------------ stopping

    def request_stop(self) -> None:
        """Begin a graceful shutdown; a second request cancels the running engine call at once."""
        if self._stop.is_set():
            log.warning("daemon.forced_stop")
            self._abort.set()
        self._stop.set()

    @contextlib.contextmanager
    def _signals(self) -> Iterator[None]:
        if not self._handle_signals:
            yield
            return
        loop = asyncio.get_running_loop()
        signals = (signal.SIGTERM, signal.SIGINT)

        def on_signal(sig: signal.Signals) -> None:
            log.info("daemon.signal", signal=sig.name)
            self.request_stop()

        for sig in signals:
            loop.add_signal_handler(sig, on_signal, sig)
        try:
            yield
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)

    # ------------------------------------------------------------------ running

    async def run(self) -> None:
        """Serve until stopped; ``DaemonError`` (or the engine's own errors) if it cannot start."""
        metrics = self._metrics if self._metrics is not None else _new_metrics()
        with self._signals():
            async with open_engine(self.config, metrics) as engine:
                await self._serve(engine, metrics)

    async def _serve(self, engine: SyncEngine, metrics: Metrics) -> None:
        cfg = self.config
        grace = cfg.daemon.shutdown_grace_seconds
        runner = EngineRunner(metrics)
        receipts = WebhookReceipts()
        actions: SyncActions
        worker: QueueWorker | WorkForwarder
        if self._queue is None:
            worker = self.worker = QueueWorker(
                engine,
                runner,
                metrics,
                receipts=receipts,
                peek=lambda limit: engine.store.due_work(limit),
                batch=cfg.daemon.queue_batch,
                idle_seconds=min(MAX_IDLE_SECONDS, cfg.daemon.poll_seconds),
            )
            actions = EngineActions(engine, runner, worker)
        else:
            worker = self.forwarder = WorkForwarder(self._queue)
            actions = QueuedActions(self._queue, worker)
        app = _create_app(cfg, engine, actions, metrics, receipts)
        sock = _bind(cfg.server.host, cfg.server.port)
        host = f"[{cfg.server.host}]" if ":" in cfg.server.host else cfg.server.host
        listen_url = f"http://{host}:{sock.getsockname()[1]}"
        info = self.info = DaemonInfo(listen_url, (cfg.server.public_url or listen_url).rstrip("/"))
        server = _Server(
            uvicorn.Config(
                app,
                log_config=None,
                access_log=False,  # URLs may carry the status token (one-click login)
                lifespan="on",
                timeout_graceful_shutdown=max(1, round(grace)),
            )
        )
        serving = asyncio.create_task(_serve_http(server, sock), name="http")
        keepers: list[Keeper] = []
        background: list[asyncio.Task[Any]] = []
        try:
            keepers = subscriptions_for(cfg, info.public_url, engine.tripletex, metrics)
            await _until_listening(server, serving)
            log.info("daemon.listening", url=listen_url, public_url=info.public_url)
            if self._on_ready is not None:
                self._on_ready(info)
            background = [
                asyncio.create_task(worker.run(), name="worker"),
                asyncio.create_task(self._lifecycle(engine, runner, keepers), name="schedules"),
            ]
            stopping = asyncio.create_task(self._stop.wait(), name="stop")
            await asyncio.wait({stopping, serving, *background}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
        finally:
            log.info("daemon.stopping", running=runner.running)
            # First ask the engine to end its call at a safe point; the grace is the last resort.
            engine.request_stop()
            runner.stop_accepting()
            server.should_exit = True
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            clean = await runner.drain(grace, abort=self._abort)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(serving, return_exceptions=True)
            for keeper in keepers:
                await keeper.aclose()
            sock.close()
            log.info("daemon.stopped", clean=clean)
        for task in (serving, *background):
            exc = task.exception() if task.done() and not task.cancelled() else None
            if exc is not None and not isinstance(exc, ShuttingDown):
                raise exc

    async def _lifecycle(self, engine: SyncEngine, runner: EngineRunner, keepers: list[Keeper]) -> None:
        """Subscriptions, the start-up passes, then the schedules (until cancelled or shut down)."""
        with contextlib.suppress(ShuttingDown):
            await self._start_then_schedule(engine, runner, keepers)

    async def _start_then_schedule(
        self, engine: SyncEngine, runner: EngineRunner, keepers: list[Keeper]
    ) -> None:
        cfg = self.config.daemon
        for keeper in keepers:
            await guarded(f"{keeper.side} subscription", keeper.register)
        if self._queue is not None:
            await self._defer_then_schedule(self._queue, keepers)
            return
        first: list[PassSummary] = []

        async def first_pass() -> None:
            first.append(await runner.call("pass", lambda: engine.run_pass()))

        await guarded("start-up pass", first_pass)
        if self._on_first_pass is not None:
            self._on_first_pass(first[0] if first else None)

        def poll() -> Coroutine[Any, Any, PassSummary]:
            return runner.call("pass", lambda: engine.run_pass())

        def reconcile() -> Coroutine[Any, Any, PassSummary]:
            return runner.call("full reconcile", lambda: engine.run_pass(full=True))

        await guarded("full reconcile", reconcile)
        jobs = [
            every("poll", cfg.poll_seconds, poll),
            every("full reconcile", cfg.full_reconcile_seconds, reconcile),
            *(
                every(f"{k.side} subscription check", cfg.subscription_check_seconds, k.ensure)
                for k in keepers
            ),
        ]
        await asyncio.gather(*jobs)

    async def _defer_then_schedule(self, queue: WorkQueue, keepers: list[Keeper]) -> None:
        """Queue mode: the start-up pass and reconcile, then the schedules, all as deferred jobs."""
        cfg = self.config.daemon
        await guarded("start-up pass", queue.poll)
        await guarded("full reconcile", queue.reconcile)
        await asyncio.gather(
            every("poll", cfg.poll_seconds, queue.poll),
            every("full reconcile", cfg.full_reconcile_seconds, queue.reconcile),
            *(
                every(f"{k.side} subscription check", cfg.subscription_check_seconds, k.ensure)
                for k in keepers
            ),
        )


async def _serve_http(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        await server.serve(sockets=[sock])
    except SystemExit:
        # uvicorn exits the process when the app's start-up fails; that is ours to report.
        raise DaemonError("the HTTP server could not start (see the log above)") from None


async def _until_listening(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    while not server.started:
        if serving.done():
            serving.result()  # raises why it stopped
            raise DaemonError("the HTTP server stopped before it started")
        await asyncio.sleep(0.02)


def _new_metrics() -> Metrics:
    return Metrics()


def _create_app(
    config: ShopsyncConfig,
    engine: SyncEngine,
    actions: SyncActions,
    metrics: Metrics,
    receipts: WebhookReceipts,
) -> FastAPI:
    verifier = None
    shop = engine.webshop
    if config.webshop.api is not None and isinstance(shop, WebshopConnector):
        # Shops other than the contract sign their own way; the connector knows how.
        verifier = shop.verify_webhook
    return create_app(
        config=config,
        store=engine.store,
        actions=actions,
        metrics=metrics,
        webshop_verifier=verifier,
        receipts=receipts,
    )
