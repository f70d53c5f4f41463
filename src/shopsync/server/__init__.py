"""The long-running service's HTTP side: webhook receivers, the status page, metrics and health.

``create_app(config=…, store=…, actions=…, metrics=…)`` builds the FastAPI app the daemon serves
with uvicorn. The app never talks to the webshop or Tripletex itself: a verified webhook becomes a
``pending_work`` row (de-duplicated by its delivery id) and a ``SyncActions.notify_work()`` call; the
page's buttons call the daemon's ``SyncActions``. ``Metrics`` holds the Prometheus metrics the daemon
records into; ``WebhookReceipts`` tells the worker when each record's webhook arrived.

Routes, authentication and the metrics are described in docs/status-page.md.
"""

from shopsync.server.actions import REVIEW_ACTIONS, SyncActions
from shopsync.server.app import create_app
from shopsync.server.metrics import Metrics, MetricsSnapshot, RateLimit
from shopsync.server.receipts import WebhookReceipts

__all__ = [
    "REVIEW_ACTIONS",
    "Metrics",
    "MetricsSnapshot",
    "RateLimit",
    "SyncActions",
    "WebhookReceipts",
    "create_app",
]
